import { readFileSync } from "node:fs";
import { join } from "node:path";
import { addMonths } from "../months";
import { randomFor } from "./random";

/** The partnership's demo agencies; deployments register their own. */
export const DEMO_AGENCIES = [
  { id: "police", name: "City Police", kind: "POLICE", contact: "information.sharing@police.example" },
  {
    id: "council",
    name: "City Council Community Safety",
    kind: "COUNCIL",
    contact: "asb.dso@council.example",
  },
  { id: "youth", name: "Schools and Youth Services", kind: "YOUTH", contact: "dpo@youth.example" },
  { id: "housing", name: "City Homes Housing", kind: "HOUSING", contact: "data.sharing@housing.example" },
] as const;

export interface Neighbourhood {
  code: string;
  name: string;
  localAuthority: string;
  localAuthorityCode: string;
  latitude: number;
  longitude: number;
}

export interface DemoPerson {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  homeLsoa: string;
}

/** `huge` is the benchmark's own (npm run bench -- --scale huge); SEED_SCALE offers small and large. */
export type Scale = "small" | "large" | "huge";

export interface ScaleSettings {
  people: number;
  /** Generated incidents on top of the imported police.uk months. */
  generatedIncidents: number;
  asbCases: number;
  properties: number;
  /** The months generated records fall in. */
  fromMonth: string;
  toMonth: string;
}

export const SCALES: Record<Scale, ScaleSettings> = {
  small: {
    people: 600,
    generatedIncidents: 0,
    asbCases: 300,
    properties: 400,
    fromMonth: "2019-01",
    toMonth: "2019-06",
  },
  large: {
    people: 100_000,
    generatedIncidents: 1_000_000,
    asbCases: 40_000,
    properties: 60_000,
    fromMonth: "2017-01",
    toMonth: "2019-12",
  },
  // Ten times large over the same neighbourhoods and months: every window holds ten times the rows.
  huge: {
    people: 1_000_000,
    generatedIncidents: 10_000_000,
    asbCases: 400_000,
    properties: 600_000,
    fromMonth: "2017-01",
    toMonth: "2019-12",
  },
};

/**
 * The end of the demo's records: generated records are dated up to it, over the real police.uk
 * months. People's ages, though, are as of the current year (see demoPeople), because the
 * access rules judge age on the real date.
 */
export const DEMO_TODAY = "2019-07-15";

export const DATA_DIR = join(__dirname, "..", "..", "..", "data");

let cachedNeighbourhoods: Neighbourhood[] | undefined;

/** The 151 LSOAs of the police.uk files (data/geo-lsoa.csv). */
export function neighbourhoods(): Neighbourhood[] {
  if (!cachedNeighbourhoods) {
    const lines = readFileSync(join(DATA_DIR, "geo-lsoa.csv"), "utf8").trim().split(/\r?\n/).slice(1);
    cachedNeighbourhoods = lines.map((line) => {
      const [code, name, localAuthority, localAuthorityCode, latitude, longitude] = line.split(",");
      return {
        code,
        name,
        localAuthority,
        localAuthorityCode,
        latitude: Number(latitude),
        longitude: Number(longitude),
      };
    });
  }
  return cachedNeighbourhoods;
}

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

const GIVEN = [
  "Amara",
  "Ben",
  "Chloe",
  "Daniel",
  "Ella",
  "Farah",
  "George",
  "Hana",
  "Isaac",
  "Jade",
  "Kofi",
  "Leah",
  "Mohammed",
  "Nia",
  "Oliver",
  "Priya",
  "Quinn",
  "Rosa",
  "Sam",
  "Tariq",
  "Uma",
  "Victor",
  "Wren",
  "Xavier",
  "Yasmin",
  "Zac",
  "Aisha",
  "Callum",
  "Demi",
  "Ewan",
  "Freya",
  "Harvey",
  "Imani",
  "Jamal",
  "Keira",
  "Luca",
  "Maya",
  "Noah",
  "Olu",
  "Poppy",
  "Reuben",
  "Sofia",
  "Tom",
  "Vanessa",
  "Will",
  "Zara",
];
const FAMILY = [
  "Adams",
  "Begum",
  "Clarke",
  "Davies",
  "Evans",
  "Fernandes",
  "Green",
  "Hughes",
  "Ibrahim",
  "Jones",
  "Khan",
  "Lewis",
  "Mensah",
  "Nowak",
  "Okafor",
  "Patel",
  "Quinlan",
  "Roberts",
  "Singh",
  "Taylor",
  "Usman",
  "Varga",
  "Walker",
  "Young",
  "Zhou",
  "Ahmed",
  "Brown",
  "Campbell",
  "Doyle",
  "Ellis",
  "Fox",
  "Gray",
  "Hall",
  "Islam",
  "Kelly",
  "Murphy",
  "Owen",
];

/**
 * The demo's featured people, who have records with every agency so that the contract
 * operations show the whole picture: per-000001..010 are young people aged 12 to 15
 * (per-000001 is 12, under the age of consent), per-000011..040 adults, and
 * per-000011..015 have made enough separate reports to meet the case review threshold.
 */
export const FEATURED_YOUNG = 10;
export const FEATURED = 40;
export const REPEAT_REPORTERS = ["per-000011", "per-000012", "per-000013", "per-000014", "per-000015"];

/** The neighbourhoods the demo's problem-solving cases are about (the busiest in the data). */
export const CASE_NEIGHBOURHOODS = ["E01032739", "E01032740", "E01000005"];

export function personId(n: number): string {
  return `per-${String(n).padStart(6, "0")}`;
}

/**
 * The people of the demo partnership: deterministic for a seed, scale and calendar year. About
 * a quarter are children and young people, so school, youth and consent rules have subjects.
 */
export function demoPeople(seed: number, scale: Scale): DemoPerson[] {
  const random = randomFor(seed, "people");
  const hoods = neighbourhoods();
  const people: DemoPerson[] = [];
  // Ages as of the current year, so the young people are young when the rules judge age today
  // (consent, age bands); the 2019 records show them as they were then.
  const todayYear = new Date().getUTCFullYear();
  for (let n = 1; n <= SCALES[scale].people; n++) {
    const drawn = random.weighted([
      [random.int(8, 12), 10],
      [random.int(13, 17), 15],
      [random.int(18, 24), 15],
      [random.int(25, 64), 50],
      [random.int(65, 90), 10],
    ] as const);
    const age = n === 1 ? 12 : n <= FEATURED_YOUNG ? 13 + (n % 3) : n <= FEATURED ? 25 + (n % 40) : drawn;
    const month = random.int(1, 12);
    const day = random.int(1, 28);
    people.push({
      id: personId(n),
      givenName: random.pick(GIVEN),
      familyName: random.pick(FAMILY),
      dateOfBirth: `${todayYear - age}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
      homeLsoa: n <= FEATURED ? CASE_NEIGHBOURHOODS[n % CASE_NEIGHBOURHOODS.length] : random.pick(hoods).code,
    });
  }
  return people;
}

/** Age in whole years on a date (YYYY-MM-DD). */
export { ageOnDate as ageOn } from "../facts";
