import { Random } from "../../shared/demo/random";
import type { AgencyIdentity } from "./normalise";

/**
 * A test population with known truth, for measuring the matcher: N true people living in households,
 * each exported by some of the four agencies with the errors agencies' systems really carry (typos,
 * nicknames and initials, transliteration variants, day and month exchanged, mistyped or missing
 * dates of birth, an out-of-date address after a move, double-barrelled names with a part dropped
 * or the hyphen lost). Households make it hard on purpose: parents, children and twins share a
 * family name and an address. Seeded: the same seed always makes the same population.
 */

export interface TruePerson {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  household: number;
}

/** One agency's record of a person, and (for the measurement only) who it really is. */
export interface ExportedIdentity extends AgencyIdentity {
  truePersonId: string;
}

export interface Population {
  people: TruePerson[];
  exports: Record<PopulationAgency, ExportedIdentity[]>;
}

export const POPULATION_AGENCIES = ["police", "council", "housing", "youth"] as const;
export type PopulationAgency = (typeof POPULATION_AGENCIES)[number];

// Given names with their variants (nicknames or other transliterations) an agency may record instead.
const GIVEN: [string, string[]][] = [
  ["William", ["Bill", "Will", "Liam"]],
  ["Robert", ["Bob", "Rob", "Robbie"]],
  ["Margaret", ["Peggy", "Maggie"]],
  ["Elizabeth", ["Liz", "Beth", "Lizzie"]],
  ["James", ["Jim", "Jamie"]],
  ["John", ["Jack", "Johnny"]],
  ["Michael", ["Mike", "Mick"]],
  ["David", ["Dave"]],
  ["Katherine", ["Kate", "Katie", "Catherine"]],
  ["Thomas", ["Tom"]],
  ["Daniel", ["Dan", "Danny"]],
  ["Samuel", ["Sam"]],
  ["Alexander", ["Alex", "Aleksandr"]],
  ["Christopher", ["Chris"]],
  ["Edward", ["Ed", "Ted"]],
  ["Susan", ["Sue"]],
  ["Jennifer", ["Jenny", "Jen"]],
  ["Anthony", ["Tony"]],
  ["Rebecca", ["Becky"]],
  ["Richard", ["Rick"]],
  ["Joseph", ["Joe"]],
  ["Victoria", ["Vicky"]],
  ["Muhammad", ["Mohammed", "Mohamed", "Mohammad"]],
  ["Yusuf", ["Yousef", "Youssef"]],
  ["Ahmed", ["Ahmad"]],
  ["Dmitri", ["Dmitriy", "Dmitry"]],
  ["Sergei", ["Sergey"]],
  ["Aisha", ["Ayesha"]],
  ["Fatima", ["Fatimah"]],
  ["Zoë", ["Zoe"]],
  ["Siobhán", ["Siobhan"]],
  ["José", ["Jose"]],
  ["Łucja", ["Lucja"]],
  ["Søren", ["Soren"]],
  ["Amara", []],
  ["Chloe", []],
  ["Priya", []],
  ["Ravi", []],
  ["Oliver", []],
  ["Emily", []],
  ["Grace", []],
  ["Lucy", []],
  ["Ella", []],
  ["Noah", []],
  ["Leo", []],
  ["Oscar", []],
  ["Isla", []],
  ["Freya", []],
  ["Jakub", []],
  ["Zofia", []],
  ["Mateusz", []],
  ["Kwame", []],
  ["Ngozi", []],
  ["Chidi", []],
  ["Harriet", []],
  ["Imogen", []],
  ["Kieran", []],
  ["Nathan", []],
  ["Paul", []],
  ["Sarah", []],
  ["Laura", []],
  ["Hannah", []],
  ["Ruby", []],
  ["Mia", []],
  ["Arjun", []],
  ["Sana", []],
  ["Bilal", []],
  ["Tariq", []],
  ["Adaeze", []],
  ["Kofi", []],
];

// Family names, some with the other spelling an agency may use (transliteration, anglicisation).
const FAMILY: [string, string[]][] = [
  ["Smith", []],
  ["Jones", []],
  ["Williams", []],
  ["Taylor", []],
  ["Brown", []],
  ["Davies", ["Davis"]],
  ["Evans", []],
  ["Wilson", []],
  ["Thomas", []],
  ["Johnson", []],
  ["Roberts", []],
  ["Robinson", []],
  ["Thompson", []],
  ["Wright", []],
  ["Walker", []],
  ["White", []],
  ["Edwards", []],
  ["Hughes", []],
  ["Green", []],
  ["Hall", []],
  ["Lewis", []],
  ["Harris", []],
  ["Clarke", ["Clark"]],
  ["Patel", []],
  ["Khan", []],
  ["Ali", []],
  ["Hussain", ["Hussein"]],
  ["Begum", []],
  ["Okafor", []],
  ["Adeyemi", []],
  ["Mensah", []],
  ["Nowak", []],
  ["Kowalski", []],
  ["Wiśniewska", ["Wisniewska"]],
  ["Müller", ["Mueller", "Muller"]],
  ["O'Brien", ["OBrien", "O Brien"]],
  ["Murphy", []],
  ["Kelly", []],
  ["McDonald", ["MacDonald"]],
  ["Ivanov", ["Ivanoff"]],
  ["Shevchenko", ["Schevchenko"]],
  ["Chen", []],
  ["Wong", []],
  ["Singh", []],
  ["Kaur", []],
  ["Da Silva", ["Silva"]],
  ["Rodríguez", ["Rodriguez"]],
  ["Fernández", ["Fernandez"]],
  ["Nguyen", []],
  ["Achterberg", []],
  ["Fairweather", []],
  ["Greenhalgh", []],
  ["Oyelaran", []],
  ["Pemberton", []],
  ["Quinlan", []],
  ["Ramsbottom", []],
  ["Sutcliffe", []],
  ["Trevelyan", []],
  ["Underwood", []],
  ["Vasquez", []],
  ["Whitfield", []],
  ["Yilmaz", []],
  ["Zielinski", []],
];

const OUTWARD = ["E1", "E2", "E3", "E5", "E8", "E9", "N1", "N16"];
const LETTERS = "ABDEFGHJLNPQRSTUWXYZ";

interface Address {
  postcode: string;
  uprn: string;
}

interface Household {
  familyName: string;
  address: Address;
  previous: Address;
}

function address(random: Random, postcodes: string[]): Address {
  return { postcode: random.pick(postcodes), uprn: String(random.int(10_000_000_000, 99_999_999_999)) };
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function birthDate(random: Random, fromYear: number, toYear: number): string {
  return isoDate(random.int(fromYear, toYear), random.int(1, 12), random.int(1, 28));
}

/** One keyboard slip: a letter dropped, doubled, replaced or two exchanged. */
function typo(random: Random, word: string): string {
  if (word.length < 4) return word;
  const at = random.int(1, word.length - 2);
  switch (random.int(0, 3)) {
    case 0:
      return word.slice(0, at) + word.slice(at + 1);
    case 1:
      return word.slice(0, at) + word[at] + word.slice(at);
    case 2:
      return word.slice(0, at) + random.pick([..."aeiourstnl"]) + word.slice(at + 1);
    default:
      return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  }
}

/** How often each agency's export gets each thing wrong (or leaves it out). */
interface ErrorRates {
  givenVariant: number;
  initial: number;
  givenTypo: number;
  familyTypo: number;
  dateSwapped: number;
  dateTypo: number;
  dateMissing: number;
  moved: number;
  postcodeMissing: number;
  /** Whether the agency holds UPRNs at all, and how often. */
  uprn: number;
}

const RATES: Record<PopulationAgency, ErrorRates> = {
  // A records system keyed in at the roadside: more slips, fewer dates and addresses.
  police: {
    givenVariant: 0.1,
    initial: 0.02,
    givenTypo: 0.03,
    familyTypo: 0.04,
    dateSwapped: 0.03,
    dateTypo: 0.03,
    dateMissing: 0.08,
    moved: 0.2,
    postcodeMissing: 0.2,
    uprn: 0,
  },
  council: {
    givenVariant: 0.08,
    initial: 0.02,
    givenTypo: 0.02,
    familyTypo: 0.03,
    dateSwapped: 0.02,
    dateTypo: 0.02,
    dateMissing: 0.1,
    moved: 0.15,
    postcodeMissing: 0.05,
    uprn: 0.5,
  },
  // A housing management system: the tenancy's address and UPRN, dates checked at sign-up.
  housing: {
    givenVariant: 0.05,
    initial: 0.01,
    givenTypo: 0.01,
    familyTypo: 0.02,
    dateSwapped: 0.01,
    dateTypo: 0.01,
    dateMissing: 0.03,
    moved: 0.1,
    postcodeMissing: 0,
    uprn: 1,
  },
  // A school information system: full legal names and dates, a home postcode.
  youth: {
    givenVariant: 0.04,
    initial: 0,
    givenTypo: 0.01,
    familyTypo: 0.01,
    dateSwapped: 0.02,
    dateTypo: 0.01,
    dateMissing: 0.01,
    moved: 0.15,
    postcodeMissing: 0.02,
    uprn: 0,
  },
};

/** Which people each agency knows: youth services only the young; the others anyone, some more than others. */
function knownTo(random: Random, agency: PopulationAgency, age: number): boolean {
  switch (agency) {
    case "police":
      return random.chance(0.55);
    case "council":
      return random.chance(0.45);
    case "housing":
      return random.chance(0.5);
    case "youth":
      return age <= 21 && random.chance(0.8);
  }
}

export function generatePopulation(seed: number, size: number, referenceYear = 2026): Population {
  const random = new Random(`population:${seed}`);
  const postcodes: string[] = [];
  // About 15 households a postcode.
  for (let i = 0; i < Math.max(4, Math.ceil(size / 35)); i += 1)
    postcodes.push(
      `${random.pick(OUTWARD)} ${random.int(1, 9)}${random.pick([...LETTERS])}${random.pick([...LETTERS])}`,
    );
  const givenOf = new Map(GIVEN.map(([name, variants]) => [name, variants]));
  const familyOf = new Map(FAMILY.map(([name, variants]) => [name, variants]));

  const people: TruePerson[] = [];
  const households: Household[] = [];
  while (people.length < size) {
    const household = households.length;
    let familyName = random.pick(FAMILY)[0];
    // One family in 20 is double-barrelled.
    if (random.chance(0.05)) {
      let other = random.pick(FAMILY)[0];
      while (other === familyName) other = random.pick(FAMILY)[0];
      familyName = `${familyName}-${other}`;
    }
    households.push({
      familyName,
      address: address(random, postcodes),
      previous: address(random, postcodes),
    });
    const adults = random.weighted([
      [1, 4],
      [2, 5],
    ] as const);
    const children = random.weighted([
      [0, 4],
      [1, 2],
      [2, 2],
      [3, 1],
    ] as const);
    const used = new Set<string>();
    const given = () => {
      let name = random.pick(GIVEN)[0];
      while (used.has(name)) name = random.pick(GIVEN)[0];
      used.add(name);
      return name;
    };
    for (let a = 0; a < adults && people.length < size; a += 1)
      people.push({
        id: `true-${people.length}`,
        givenName: given(),
        familyName,
        dateOfBirth: birthDate(random, referenceYear - 75, referenceYear - 25),
        household,
      });
    let previousBirth: string | null = null;
    for (let c = 0; c < children && people.length < size; c += 1) {
      // One birth in 60 is a twin: the same date of birth and address, another given name.
      const twin = previousBirth !== null && random.chance(1 / 60);
      const dateOfBirth: string = twin
        ? previousBirth!
        : birthDate(random, referenceYear - 21, referenceYear - 5);
      previousBirth = dateOfBirth;
      people.push({ id: `true-${people.length}`, givenName: given(), familyName, dateOfBirth, household });
    }
  }

  const exports = Object.fromEntries(POPULATION_AGENCIES.map((a) => [a, [] as ExportedIdentity[]])) as Record<
    PopulationAgency,
    ExportedIdentity[]
  >;
  for (const agency of POPULATION_AGENCIES) {
    const rates = RATES[agency];
    const r = new Random(`population:${seed}:${agency}`);
    let number = 0;
    for (const person of people) {
      const age = referenceYear - Number(person.dateOfBirth.slice(0, 4));
      if (!knownTo(r, agency, age)) continue;
      number += 1;
      const household = households[person.household];

      let givenName = person.givenName;
      const variants = givenOf.get(person.givenName) ?? [];
      if (variants.length && r.chance(rates.givenVariant)) givenName = r.pick(variants);
      else if (r.chance(rates.initial)) givenName = person.givenName[0];
      else if (r.chance(rates.givenTypo)) givenName = typo(r, givenName);

      let familyName = person.familyName;
      const parts = familyName.split("-");
      if (parts.length > 1) {
        // Double-barrelled: a system that keeps one part, or loses the hyphen.
        familyName = r.weighted([
          [familyName, 5],
          [parts.join(" "), 2],
          [parts[0], 1],
          [parts[1], 2],
        ] as const);
      } else {
        const spellings = familyOf.get(familyName) ?? [];
        if (spellings.length && r.chance(0.3)) familyName = r.pick(spellings);
      }
      if (r.chance(rates.familyTypo)) familyName = typo(r, familyName);

      let dateOfBirth: string | null = person.dateOfBirth;
      const [y, m, d] = person.dateOfBirth.split("-").map(Number);
      if (r.chance(rates.dateMissing)) dateOfBirth = null;
      else if (d <= 12 && d !== m && r.chance(rates.dateSwapped)) dateOfBirth = isoDate(y, d, m);
      else if (r.chance(rates.dateTypo))
        dateOfBirth = r.pick([
          isoDate(y + r.pick([-1, 1]), m, d),
          isoDate(y, m, Math.max(1, Math.min(28, d + r.pick([-1, 1, 10])))),
          isoDate(y, (m % 12) + 1, d),
        ]);

      const place = r.chance(rates.moved) ? household.previous : household.address;
      const postcode = r.chance(rates.postcodeMissing)
        ? null
        : r.chance(0.5)
          ? place.postcode
          : place.postcode.replace(" ", "").toLowerCase();
      const uprn = r.chance(rates.uprn) ? place.uprn : null;
      exports[agency].push({
        reference: `${agency.slice(0, 3).toUpperCase()}-${String(number).padStart(6, "0")}`,
        givenName,
        familyName,
        dateOfBirth,
        postcode,
        uprn,
        truePersonId: person.id,
      });
    }
  }
  return { people, exports };
}
