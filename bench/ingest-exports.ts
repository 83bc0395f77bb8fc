import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Random } from "../subgraphs/shared/demo/random";
import type {
  ExportedIdentity,
  Population,
  PopulationAgency,
} from "../subgraphs/partnership/matching/population";

/**
 * Exports in the shapes of examples/ingest/<agency> (so the bench loads them with those very
 * mappings): for each agency its largest file of rows about people, and the files its rows hang
 * on (loaded first, not measured). Every person reference is drawn from the agency's export of the
 * generated population (matching/population.ts), with that agency's spelling and errors; a person
 * appears on several rows (a repeat victim, a household on two tenancies, a pupil's enrolments over
 * the years), the same reference and identity each time, as one system writes them.
 */

export interface AgencyExport {
  /** The record kind measured (the mapping's `record`). */
  record: string;
  /** The measured file. */
  file: string;
  /** Files loaded before it (its parents), in order. */
  parents: string[];
  /** Rows of the measured file. */
  rows: number;
  /** Distinct person references on them. */
  references: number;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const LSOAS = Array.from({ length: 40 }, (_, i) => `E0100${String(1000 + i).padStart(4, "0")}`);
const STREETS = ["Golden Lane", "Fann Street", "Aldersgate Street", "Bastwick Street", "Whitecross Street"];

function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  return /[",;\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: string[], rows: (string | number | null)[][], delimiter = ","): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(delimiter)).join("\n") + "\n";
}

/** 1988-07-23 as the agency's system prints it. */
function dob(date: string | null, format: "DD-MMM-YYYY" | "DD-MMM-YY" | "DD/MM/YYYY" | "YYYY-MM-DD"): string {
  if (!date) return "";
  const [y, m, d] = date.split("-");
  switch (format) {
    case "DD-MMM-YYYY":
      return `${d}-${MONTHS[Number(m) - 1][0]}${MONTHS[Number(m) - 1].slice(1).toLowerCase()}-${y}`;
    case "DD-MMM-YY":
      return `${d}-${MONTHS[Number(m) - 1]}-${y.slice(2)}`;
    case "DD/MM/YYYY":
      return `${d}/${m}/${y}`;
    case "YYYY-MM-DD":
      return date;
  }
}

const ddmmyyyy = (year: number, month: number, day: number) =>
  `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${year}`;

/**
 * The people rows are about: about half the rows a person of their own, the rest a repeat of one
 * already on an earlier row (some people are on many rows, as with repeat victims), but no one on
 * more than `most` rows (a pupil has an enrolment a year) while there are people left.
 */
function peopleOnRows(
  random: Random,
  people: readonly ExportedIdentity[],
  rows: number,
  most: number,
): ExportedIdentity[] {
  if (!people.length) throw new Error("the population is too small: no people for this agency");
  const picked: ExportedIdentity[] = [];
  const count = new Map<string, number>();
  let next = 0;
  const full = (p: ExportedIdentity) => (count.get(p.reference) ?? 0) >= most;
  for (let i = 0; i < rows; i += 1) {
    let person: ExportedIdentity | undefined;
    if (picked.length && (next >= people.length || random.chance(0.5))) {
      person = picked[Math.floor(random.next() ** 2 * picked.length)];
      for (let tries = 0; full(person) && tries < 20; tries += 1) person = random.pick(picked);
      if (full(person) && next < people.length) person = undefined;
    }
    person ??= people[next++];
    count.set(person.reference, (count.get(person.reference) ?? 0) + 1);
    picked.push(person);
  }
  return picked;
}

/**
 * The parent record (incident, case, tenancy) of each row: rows spread over `parents` in turn, a
 * person never twice on one (a system holds a person once per case).
 */
function parentsOf(people: readonly ExportedIdentity[], parents: number): number[] {
  const taken = new Set<string>();
  return people.map((p, i) => {
    let parent = i % parents;
    for (let tries = 0; taken.has(`${parent}:${p.reference}`) && tries < parents; tries += 1)
      parent = (parent + 1) % parents;
    taken.add(`${parent}:${p.reference}`);
    return parent;
  });
}

type Writer = (dir: string, random: Random, people: ExportedIdentity[], rows: number) => AgencyExport;

/** Police: involved people (nominals), semicolon-separated, on incidents of a JSON Lines file. */
const police: Writer = (dir, random, people, rows) => {
  const incidents = Math.max(1, Math.round(rows / 1.6));
  const categories = ["ASB", "BURG-RES", "CDA", "VAP", "PUB-ORD", "THEFT-OTH", "DRUG-POSS", "SHOP"];
  const lines: string[] = [];
  for (let i = 0; i < incidents; i += 1)
    lines.push(
      JSON.stringify({
        occurrence_id: `OCC-B-${i}`,
        crime_no: `CR/${i}/24`,
        offence_group: random.pick(categories),
        occurred: `2024-${String(random.int(1, 12)).padStart(2, "0")}-${String(random.int(1, 28)).padStart(2, "0")}T${String(random.int(0, 23)).padStart(2, "0")}:${String(random.int(0, 59)).padStart(2, "0")}`,
        location: random.pick(STREETS),
        lsoa: random.pick(LSOAS),
        lat: 51.52,
        lon: -0.095,
        status: "Investigation complete; no suspect identified",
        mo: "Generated by the ingest bench",
      }),
    );
  const incidentsFile = join(dir, "incidents-bench.jsonl");
  writeFileSync(incidentsFile, lines.join("\n") + "\n");
  const file = join(dir, "involved-people-bench.csv");
  const parent = parentsOf(people, incidents);
  writeFileSync(
    file,
    csv(
      [
        "Involvement No",
        "Occurrence ID",
        "Involvement Type",
        "Nominal ID",
        "First Name",
        "Last Name",
        "Date of Birth",
        "Post Code",
      ],
      people.map((p, i) => [
        `INV-B-${i}`,
        `OCC-B-${parent[i]}`,
        random.pick(["VIC", "SUS", "WIT", "INF"]),
        p.reference,
        p.givenName,
        p.familyName,
        dob(p.dateOfBirth, "DD-MMM-YY"),
        p.postcode ?? null,
      ]),
      ";",
    ),
  );
  return { record: "involvement", file, parents: [incidentsFile], rows, references: 0 };
};

/** Council: ASB case parties, on cases. */
const council: Writer = (dir, random, people, rows) => {
  const cases = Math.max(1, Math.round(rows / 2.5));
  const casesFile = join(dir, "asb-cases-bench.csv");
  writeFileSync(
    casesFile,
    csv(
      [
        "Case Ref",
        "Status",
        "Category Code",
        "Date Opened",
        "Date Closed",
        "Risk",
        "Summary",
        "Street",
        "LSOA",
        "Latitude",
        "Longitude",
      ],
      Array.from({ length: cases }, (_, i) => {
        const month = random.int(1, 10);
        const closed = random.chance(0.4);
        return [
          `ASB/B/${i}`,
          closed ? "C" : random.pick(["O", "UI", "AT"]),
          random.pick(["NOI", "NBR", "VAN", "INT", "DRG", "YTH"]),
          ddmmyyyy(2024, month, random.int(1, 28)),
          closed ? ddmmyyyy(2024, month + 2, random.int(1, 28)) : null,
          random.pick(["Std", "Med", "High", ""]),
          "Generated by the ingest bench",
          random.pick(STREETS),
          random.pick(LSOAS),
          51.52,
          -0.095,
        ];
      }),
    ),
  );
  const file = join(dir, "asb-parties-bench.csv");
  const parent = parentsOf(people, cases);
  writeFileSync(
    file,
    csv(
      ["Party ID", "Case Ref", "Role", "Person Ref", "Forename", "Surname", "DOB", "Postcode"],
      people.map((p, i) => [
        `P-B-${i}`,
        `ASB/B/${parent[i]}`,
        random.pick(["VIC", "COMP", "PERP", "WIT"]),
        p.reference,
        p.givenName,
        p.familyName,
        dob(p.dateOfBirth, "DD-MMM-YYYY"),
        p.postcode ?? null,
      ]),
    ),
  );
  return { record: "asbParty", file, parents: [casesFile], rows, references: 0 };
};

/** Housing: household members (tenants and others) of tenancies, on properties. */
const housing: Writer = (dir, random, people, rows) => {
  const tenancies = Math.max(1, Math.round(rows / 2.2));
  const propertiesFile = join(dir, "properties-bench.csv");
  writeFileSync(
    propertiesFile,
    csv(
      ["Prop Ref", "UPRN", "Address Line", "Postcode", "LSOA11CD", "Lat", "Long"],
      Array.from({ length: tenancies }, (_, i) => [
        `PR-B-${i}`,
        String(200_000_000_000 + i),
        `Flat ${i}, ${random.pick(STREETS)}`,
        "EC1Y 0SH",
        random.pick(LSOAS),
        51.52,
        -0.095,
      ]),
    ),
  );
  const tenanciesFile = join(dir, "tenancies-bench.csv");
  writeFileSync(
    tenanciesFile,
    csv(
      ["Tenancy Ref", "Prop Ref", "Tenancy Status", "Tenure Type", "Start", "End", "Arrears Balance"],
      Array.from({ length: tenancies }, (_, i) => {
        const ended = random.chance(0.1);
        return [
          `T-B-${i}`,
          `PR-B-${i}`,
          ended ? "TER" : random.pick(["CUR", "CUR", "RISK"]),
          random.pick(["SEC", "INT", "AST"]),
          ddmmyyyy(random.int(2000, 2020), random.int(1, 12), random.int(1, 28)),
          ended ? ddmmyyyy(2023, random.int(1, 12), random.int(1, 28)) : null,
          random.chance(0.7) ? "0.00" : `${random.int(1, 3000)}.${random.int(10, 99)}`,
        ];
      }),
    ),
  );
  const file = join(dir, "household-bench.csv");
  const parent = parentsOf(people, tenancies);
  writeFileSync(
    file,
    csv(
      ["Member ID", "Tenancy Ref", "Relationship", "Person No", "First Name", "Surname", "DOB", "UPRN"],
      people.map((p, i) => [
        `M-B-${i}`,
        `T-B-${parent[i]}`,
        i < tenancies ? "T" : random.pick(["JT", "HM", "HM"]),
        p.reference,
        p.givenName,
        p.familyName,
        dob(p.dateOfBirth, "DD/MM/YYYY"),
        p.uprn ?? null,
      ]),
    ),
  );
  return { record: "occupant", file, parents: [propertiesFile, tenanciesFile], rows, references: 0 };
};

/** Youth: pupils' enrolments (one a pupil and academic year), at schools. */
const youth: Writer = (dir, random, people, rows) => {
  const schools = Math.max(1, Math.min(200, Math.round(rows / 500)));
  const schoolsFile = join(dir, "schools-bench.csv");
  writeFileSync(
    schoolsFile,
    csv(
      ["URN", "Establishment Name", "Phase", "LSOA"],
      Array.from({ length: schools }, (_, i) => [
        String(300_000 + i),
        `Bench School ${i}`,
        random.pick(["Primary", "Secondary", "All-through"]),
        random.pick(LSOAS),
      ]),
    ),
  );
  const file = join(dir, "enrolments-bench.csv");
  // A pupil's next row is their next academic year (the reference stays, the school may change).
  const years = new Map<string, number>();
  writeFileSync(
    file,
    csv(
      [
        "Enrol ID",
        "UPN",
        "URN",
        "NC Year",
        "Academic Year",
        "Entry Date",
        "Leaving Date",
        "Legal Forename",
        "Legal Surname",
        "DOB",
        "Postcode",
      ],
      people.map((p, i) => {
        const from = 2023 - ((years.get(p.reference) ?? 0) % 14);
        years.set(p.reference, (years.get(p.reference) ?? 0) + 1);
        return [
          `E-B-${i}`,
          p.reference,
          String(300_000 + random.int(0, schools - 1)),
          random.int(0, 13),
          `${from}/${String((from + 1) % 100).padStart(2, "0")}`,
          `${from}-09-0${random.int(1, 7)}`,
          null,
          p.givenName,
          p.familyName,
          dob(p.dateOfBirth, "YYYY-MM-DD"),
          p.postcode ?? null,
        ];
      }),
    ),
  );
  return { record: "enrolment", file, parents: [schoolsFile], rows, references: 0 };
};

const WRITERS: Record<PopulationAgency, Writer> = { police, council, housing, youth };
/** The most rows one person is on, while the agency's export has people left. */
const MOST: Record<PopulationAgency, number> = { police: 25, council: 10, housing: 3, youth: 7 };

/** Writes the agency's export of `rows` rows (and its parents' files) into `dir`. */
export function writeAgencyExport(
  agency: PopulationAgency,
  population: Population,
  rows: number,
  dir: string,
  seed: number,
): AgencyExport {
  const random = new Random(`ingest-bench:${seed}:${agency}`);
  const people = peopleOnRows(random, population.exports[agency], rows, MOST[agency]);
  const written = WRITERS[agency](dir, random, people, rows);
  return { ...written, references: new Set(people.map((p) => p.reference)).size };
}
