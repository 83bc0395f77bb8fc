import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import {
  importPoliceUkFiles,
  incidentIdFor,
  PoliceImportError,
  type ImportReport,
} from "../../subgraphs/police/importer";
import { IncidentRepository, policeHoldings } from "../../subgraphs/police/repository";
import { incidentRollup } from "../../subgraphs/police/rollup";
import { police } from "../../subgraphs/police/server";
import type { Sql } from "../../subgraphs/shared/database";
import { Role } from "../../subgraphs/shared/enums";
import { rollupDifferences } from "../../subgraphs/shared/rollups";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const ROOT = join(__dirname, "..", "..");
const DATA = join(ROOT, "data", "police-uk");
const MORE = join(ROOT, "test", "fixtures", "police-uk-outcomes");
const DECEMBER = join(ROOT, "test", "fixtures", "police-uk", "2018-12-city-of-london-street.csv");
const AS: As = { agency: "police", purpose: "CRIME_PREVENTION" };
const OUTCOME_HEADER =
  "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type";

type CsvRow = Record<string, string>;
const readCsv = (file: string) =>
  parse(readFileSync(file, "utf8"), { columns: true, bom: true, skip_empty_lines: true }) as CsvRow[];
const moreFiles = readdirSync(MORE)
  .filter((f) => f.endsWith(".csv"))
  .sort();
const outcomeFiles = moreFiles.filter((f) => f.endsWith("-outcomes.csv"));

interface Entry {
  month: string;
  outcome: string;
  line: number;
}

/**
 * The test's own reading of the outcome files: per crime, one entry per month and outcome type
 * (a repeated row is one; its later line counts), oldest first, then by line within a month.
 */
function expectedHistories(): Map<string, Entry[]> {
  const byCrime = new Map<string, Map<string, Entry>>();
  for (const name of outcomeFiles) {
    readCsv(join(MORE, name)).forEach((row, i) => {
      const crime = row["Crime ID"].toLowerCase();
      const entries = byCrime.get(crime) ?? new Map<string, Entry>();
      byCrime.set(crime, entries);
      entries.set(`${row.Month}|${row["Outcome type"]}`, {
        month: row.Month,
        outcome: row["Outcome type"],
        line: i + 2,
      });
    });
  }
  return new Map(
    [...byCrime].map(([crime, entries]) => [
      crime,
      [...entries.values()].sort((a, b) => a.month.localeCompare(b.month) || a.line - b.line),
    ]),
  );
}

/** Every incident and every outcome, all columns: equal checksums mean nothing changed. */
async function checksum(sql: Sql): Promise<string> {
  const row = await sql.one<{ md5: string }>(
    `SELECT md5((SELECT string_agg(t::text, '|' ORDER BY t.id) FROM incidents t) || '#' ||
                (SELECT string_agg(o::text, '|' ORDER BY o.crime_id, o.month, o.outcome) FROM incident_outcomes o)) AS md5`,
  );
  return row!.md5;
}

let subgraph: TestSubgraph;
let first: ImportReport;

beforeAll(async () => {
  subgraph = await startTestSubgraph(police, async (sql) => {
    await importPoliceUkFiles(sql, [DATA]);
    first = await importPoliceUkFiles(sql, [MORE]);
  });
});
afterAll(() => subgraph?.stop());

const INCIDENT = `query($id: ID!) { incident(id: $id) { id outcome outcomes { month outcome } } }`;
type IncidentAnswer = {
  incident: { id: string; outcome: string | null; outcomes: { month: string; outcome: string }[] } | null;
};

test("each file's kind and force come from its name; outcome files count outcomes and the crimes not imported yet", () => {
  expect(first.files.map((f) => [basename(f.file), f.kind, f.force])).toEqual([
    ["2019-01-btp-street.csv", "street", "btp"],
    ["2019-01-metropolitan-street.csv", "street", "metropolitan"],
    ["2019-02-btp-outcomes.csv", "outcomes", "btp"],
    ["2019-02-city-of-london-outcomes.csv", "outcomes", "city-of-london"],
    ["2019-04-city-of-london-outcomes.csv", "outcomes", "city-of-london"],
    ["2019-07-city-of-london-outcomes.csv", "outcomes", "city-of-london"],
  ]);
  const histories = expectedHistories();
  for (const report of first.files.filter((f) => f.kind === "outcomes")) {
    const rows = readCsv(report.file);
    const distinct = new Set(rows.map((r) => `${r["Crime ID"]}|${r.Month}|${r["Outcome type"]}`));
    expect(report).toMatchObject({
      rows: rows.length,
      crimes: new Set(rows.map((r) => r["Crime ID"])).size,
      asb: 0,
      inserted: distinct.size,
      updated: 0,
      unchanged: 0,
    });
  }
  // The five 2018-12 crimes (a month not imported) wait; every other crime was imported.
  expect(first.files.find((f) => f.file.endsWith("2019-02-city-of-london-outcomes.csv"))!.waiting).toBe(5);
  expect(first.totals.waiting).toBe(5);
  expect(histories.size).toBeGreaterThan(30);
});

test("every outcome is kept as its crime's history, oldest first, and served on the incident", async () => {
  const histories = expectedHistories();
  const stored = await subgraph.adminSql.many<{ crime_id: string; month: string; outcome: string }>(
    `SELECT crime_id, month::text AS month, outcome FROM incident_outcomes ORDER BY crime_id, month, line`,
  );
  const expected = [...histories]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([crime, entries]) =>
      entries.map((e) => ({ crime_id: crime, month: e.month, outcome: e.outcome })),
    );
  expect(stored).toEqual(expected);

  // Through the graph, with the per-request loader: every imported crime with a history at once.
  const ids = [...histories.keys()].map(incidentIdFor);
  const found = await new IncidentRepository(subgraph.sql).findByIds(ids);
  expect(found.length).toBe(histories.size - 5);
  for (const incident of found.slice(0, 12)) {
    const res = await subgraph.query<IncidentAnswer>(INCIDENT, { id: incident.id }, AS);
    expect(res.errors).toBeUndefined();
    const crime = [...histories.keys()].find((c) => incidentIdFor(c) === incident.id)!;
    expect(res.data!.incident!.outcomes).toEqual(
      histories.get(crime)!.map(({ month, outcome }) => ({ month, outcome })),
    );
  }
});

test("an incident's outcome is the latest of its history, else its street file's Last outcome category", async () => {
  const histories = expectedHistories();
  const repository = new IncidentRepository(subgraph.sql);
  const found = await repository.findByIds([...histories.keys()].map(incidentIdFor));
  for (const incident of found) {
    const crime = [...histories.keys()].find((c) => incidentIdFor(c) === incident.id)!;
    expect(incident.outcome).toBe(histories.get(crime)!.at(-1)!.outcome);
  }

  // The 2019-06 crime its street file left awaiting court: the 2019-07 result shows.
  const june = readCsv(join(DATA, "2019-06-city-of-london-street.csv")).find(
    (r) => r["Last outcome category"] === "Awaiting court outcome",
  )!;
  const awaited = await subgraph.query<IncidentAnswer>(INCIDENT, { id: incidentIdFor(june["Crime ID"]) }, AS);
  expect(awaited.data!.incident).toMatchObject({
    outcome: "Offender fined",
    outcomes: [{ month: "2019-07", outcome: "Offender fined" }],
  });
  const street = await subgraph.adminSql.one<{ outcome: string }>(
    `SELECT outcome FROM incidents WHERE source_key = $1`,
    [june["Crime ID"]],
  );
  expect(street!.outcome).toBe("Awaiting court outcome");

  // Two outcomes in one month: the later line is the later outcome.
  const twice = [...histories].find(([, e]) => e.length === 2 && e[0].month === e[1].month)!;
  const res = await subgraph.query<IncidentAnswer>(INCIDENT, { id: incidentIdFor(twice[0]) }, AS);
  expect(res.data!.incident!.outcomes.map((o) => o.outcome)).toEqual([
    "Awaiting court outcome",
    twice[1][1].outcome,
  ]);
  expect(res.data!.incident!.outcome).toBe(twice[1][1].outcome);

  // No history: the street file's value, and an empty history.
  const plain = readCsv(join(DATA, "2019-03-city-of-london-street.csv")).find(
    (r) => r["Crime ID"] && r["Last outcome category"] && !histories.has(r["Crime ID"]),
  )!;
  const none = await subgraph.query<IncidentAnswer>(INCIDENT, { id: incidentIdFor(plain["Crime ID"]) }, AS);
  expect(none.data!.incident).toMatchObject({ outcome: plain["Last outcome category"], outcomes: [] });
});

test("another force's street files are imported like City of London's, owned by the partnership's police", async () => {
  for (const name of ["2019-01-btp-street.csv", "2019-01-metropolitan-street.csv"]) {
    const rows = readCsv(join(MORE, name));
    const counted = await subgraph.adminSql.one<{ crimes: string; asb: string; located: string }>(
      `SELECT count(*) FILTER (WHERE category <> 'ANTI_SOCIAL_BEHAVIOUR') AS crimes,
              count(*) FILTER (WHERE category = 'ANTI_SOCIAL_BEHAVIOUR') AS asb,
              count(latitude) AS located
         FROM incidents WHERE source = $1`,
      [`police.uk:${name}`],
    );
    expect(Number(counted!.crimes)).toBe(rows.filter((r) => r["Crime ID"]).length);
    expect(Number(counted!.asb)).toBe(rows.filter((r) => !r["Crime ID"]).length);
    expect(Number(counted!.located)).toBe(rows.filter((r) => r.Latitude).length);
  }
  // A British Transport Police crime at Liverpool Street, with its outcome, to the police agency.
  const btp = readCsv(join(MORE, "2019-01-btp-street.csv"))[0];
  const res = await subgraph.query<IncidentAnswer>(INCIDENT, { id: incidentIdFor(btp["Crime ID"]) }, AS);
  expect(res.data!.incident).toMatchObject({
    outcome: btp["Last outcome category"],
    outcomes: [{ month: "2019-02", outcome: btp["Last outcome category"] }],
  });
  // Another agency with no agreement learns nothing of it, outcomes included.
  const council = await subgraph.query<IncidentAnswer>(
    INCIDENT,
    { id: incidentIdFor(btp["Crime ID"]) },
    { agency: "council", purpose: "CRIME_PREVENTION" },
  );
  expect(council.data?.incident ?? null).toBeNull();
  // Nor does an analyst of the police, even its own agency's.
  const analyst = await subgraph.query<IncidentAnswer>(
    INCIDENT,
    { id: incidentIdFor(btp["Crime ID"]) },
    { ...AS, role: Role.ANALYST },
  );
  expect(analyst.data?.incident?.outcomes ?? null).toBeNull();
  expect(analyst.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
});

test("outcomes waiting for their crime join it when its street file is imported; re-importing then changes nothing", async () => {
  const histories = expectedHistories();
  const december = readCsv(DECEMBER).map((r) => r["Crime ID"]);
  const waiting = [...histories.keys()].filter((c) => december.includes(c));
  expect(waiting).toHaveLength(5);
  expect(await new IncidentRepository(subgraph.sql).findByIds(waiting.map(incidentIdFor))).toEqual([]);

  await importPoliceUkFiles(subgraph.adminSql, [DECEMBER]);
  for (const crime of waiting) {
    const res = await subgraph.query<IncidentAnswer>(INCIDENT, { id: incidentIdFor(crime) }, AS);
    expect(res.data!.incident!.outcomes).toEqual(
      histories.get(crime)!.map(({ month, outcome }) => ({ month, outcome })),
    );
    expect(res.data!.incident!.outcome).toBe(histories.get(crime)!.at(-1)!.outcome);
  }

  const before = await checksum(subgraph.adminSql);
  const again = await importPoliceUkFiles(subgraph.adminSql, [DATA, MORE, DECEMBER]);
  expect(again.totals).toMatchObject({ inserted: 0, updated: 0, waiting: 0 });
  expect(await checksum(subgraph.adminSql)).toBe(before);
  expect(await rollupDifferences(subgraph.adminSql, incidentRollup)).toEqual([]);
});

test("a subject access request gives an incident's outcome history with it", async () => {
  const btp = readCsv(join(MORE, "2019-01-btp-street.csv"))[1];
  await subgraph.adminSql.exec(
    `INSERT INTO involvements (incident_id, person_id, role) VALUES ($1, 'per-outcomes', 'VICTIM')`,
    [incidentIdFor(btp["Crime ID"])],
  );
  const held = await policeHoldings.about(subgraph.sql, "per-outcomes");
  expect(
    held.map((h) => ({ id: h.id, outcome: h.fields?.outcome, people: h.people, parts: h.parts })),
  ).toEqual([
    {
      id: incidentIdFor(btp["Crime ID"]),
      outcome: btp["Last outcome category"],
      people: [{ role: "VICTIM", subject: true }],
      parts: { outcomes: [{ month: "2019-02", outcome: btp["Last outcome category"] }] },
    },
  ]);
});

describe("a malformed outcome file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "police-outcomes-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const crime = (n: number) => n.toString(16).padStart(64, "0");
  const row = (
    id: string,
    month: string,
    outcome = "Unable to prosecute suspect",
    force = "City of London Police",
  ) =>
    `${id},${month},${force},City of London Police,-0.09,51.51,On or near Test Street,E01000001,City of London 001A,${outcome}`;

  test.each([
    ["wrong header", null, /:1: unexpected header; expected: Crime ID,.*,Outcome type;/],
    ["wrong column count", `${crime(2)},2019-08,City of London Police`, /:3: expected 10 columns, found 3/],
    ["no Crime ID", row("", "2019-08"), /:3: Crime ID is missing \(every outcome is of a crime\)/],
    ["Crime ID not 64 hex", row("abc", "2019-08"), /:3: Crime ID "abc" is not 64 hexadecimal characters/],
    [
      "month of another file",
      row(crime(2), "2019-09"),
      /:3: Month 2019-09 differs from the file's month 2019-08/,
    ],
    ["no outcome type", row(crime(2), "2019-08", ""), /:3: Outcome type is missing/],
    [
      "another force's row",
      row(crime(2), "2019-08", "Local resolution", "Metropolitan Police Service"),
      /:3: Reported by "Metropolitan Police Service" is not the force the file is named for \(city-of-london\)/,
    ],
  ])("%s: named by file and line, and nothing of the file is written", async (_label, bad, reason) => {
    const file = join(dir, "2019-08-city-of-london-outcomes.csv");
    const header =
      bad === null ? OUTCOME_HEADER.replace("Outcome type", "Last outcome category") : OUTCOME_HEADER;
    writeFileSync(file, [header, row(crime(1), "2019-08"), ...(bad === null ? [] : [bad])].join("\n") + "\n");
    const before = await checksum(subgraph.adminSql);
    const error = await importPoliceUkFiles(subgraph.adminSql, [file]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PoliceImportError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(reason);
    expect(await checksum(subgraph.adminSql)).toBe(before);
  });

  test("a street file's rows in a file named for outcomes are refused by their header", async () => {
    const file = join(dir, "2019-01-city-of-london-outcomes.csv");
    writeFileSync(file, readFileSync(join(DATA, "2019-01-city-of-london-street.csv")));
    await expect(importPoliceUkFiles(subgraph.adminSql, [file])).rejects.toThrow(
      `${file}:1: unexpected header`,
    );
  });
});
