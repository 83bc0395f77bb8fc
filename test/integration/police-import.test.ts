import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import { importPoliceUkFiles, PoliceImportError, type ImportReport } from "../../subgraphs/police/importer";
import { police } from "../../subgraphs/police/server";
import { openStore, type Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import { uniqueDatabaseUrl } from "../support/database";

const DATA = join(__dirname, "..", "..", "data", "police-uk");
const FIXTURES = join(__dirname, "..", "fixtures", "police-uk");
const HEADER =
  "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";

type CsvRow = Record<string, string>;

/** The test's own reading of a police.uk file, independent of the importer. */
function readCsv(file: string): CsvRow[] {
  return parse(readFileSync(file, "utf8"), { columns: true, bom: true, skip_empty_lines: true }) as CsvRow[];
}

const csvFiles = [DATA, FIXTURES].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => join(dir, f)),
);

/** Every column of every incident (record keys too), in id order: equal checksums mean nothing changed. */
async function checksum(sql: Sql): Promise<{ rows: number; md5: string }> {
  const row = await sql.one<{ rows: string; md5: string }>(
    `SELECT count(*) AS rows, md5(string_agg(t::text, '|' ORDER BY t.id)) AS md5 FROM incidents t`,
  );
  return { rows: Number(row!.rows), md5: row!.md5 };
}

const hex64 = (n: number) => n.toString(16).padStart(64, "0");
const csvLine = (id: string, month: string, lng: string, lat: string, type = "Burglary") =>
  `${id},${month},City of London Police,City of London Police,${lng},${lat},On or near Test Street,E01000001,City of London 001A,${type},Under investigation,`;

let store: SubgraphStore;
let demoMonths: ImportReport;
let demoMonthsMs: number;
let fixtureMonths: ImportReport;

beforeAll(async () => {
  store = await openStore(police, uniqueDatabaseUrl("police_import"), { poolSize: 2 });
  const started = Date.now();
  demoMonths = await importPoliceUkFiles(store.sql, [DATA]);
  demoMonthsMs = Date.now() - started;
  fixtureMonths = await importPoliceUkFiles(store.sql, [FIXTURES]);
});
afterAll(() => store.close());

test("imports a folder's files in name order, the six demo months in a couple of seconds", () => {
  expect(demoMonths.files.map((f) => basename(f.file))).toEqual(csvFiles.slice(0, 6).map((f) => basename(f)));
  expect(fixtureMonths.files.map((f) => basename(f.file))).toEqual(csvFiles.slice(6).map((f) => basename(f)));
  expect(demoMonths.totals).toMatchObject({ files: 6, updated: 0, unchanged: 0 });
  expect(demoMonthsMs).toBeLessThan(3000);
});

test.each(csvFiles.map((f) => [basename(f), f]))(
  "%s: one incident per distinct Crime ID and one per anti-social behaviour row",
  async (name, file) => {
    const rows = readCsv(file);
    const crimeIds = new Set(rows.filter((r) => r["Crime ID"]).map((r) => r["Crime ID"]));
    const asbRows = rows.filter((r) => !r["Crime ID"]);
    expect(asbRows.every((r) => r["Crime type"] === "Anti-social behaviour")).toBe(true);

    const found = await store.sql.one<{ crimes: string; asb: string }>(
      `SELECT count(*) FILTER (WHERE category <> 'ANTI_SOCIAL_BEHAVIOUR') AS crimes,
              count(*) FILTER (WHERE category = 'ANTI_SOCIAL_BEHAVIOUR') AS asb
         FROM incidents WHERE source = $1`,
      [`police.uk:${name}`],
    );
    expect(Number(found!.crimes)).toBe(crimeIds.size);
    expect(Number(found!.asb)).toBe(asbRows.length);

    const report = [...demoMonths.files, ...fixtureMonths.files].find((f) => basename(f.file) === name)!;
    expect(report).toMatchObject({ rows: rows.length, crimes: crimeIds.size, asb: asbRows.length });
    expect(report.inserted).toBe(crimeIds.size + asbRows.length);
  },
);

test("a Crime ID that appears twice keeps the later row's values", async () => {
  const later = new Map<string, CsvRow>();
  const twice = new Set<string>();
  for (const file of csvFiles) {
    for (const row of readCsv(file)) {
      const id = row["Crime ID"];
      if (!id) continue;
      if (later.has(id)) twice.add(id);
      later.set(id, row);
    }
  }
  expect(twice.size).toBeGreaterThan(10);
  const stored = await store.sql.many<{
    source_key: string;
    street: string | null;
    latitude: number | null;
    longitude: number | null;
    lsoa_code: string | null;
    outcome: string | null;
  }>(
    `SELECT source_key, street, latitude, longitude, lsoa_code, outcome FROM incidents WHERE source_key = ANY($1)`,
    [[...twice]],
  );
  expect(stored).toHaveLength(twice.size);
  for (const row of stored) {
    const csv = later.get(row.source_key)!;
    expect(row).toEqual({
      source_key: row.source_key,
      street: csv.Location === "No Location" ? null : csv.Location,
      latitude: csv.Latitude ? Number(csv.Latitude) : null,
      longitude: csv.Longitude ? Number(csv.Longitude) : null,
      lsoa_code: csv["LSOA code"] || null,
      outcome: csv["Last outcome category"] || null,
    });
  }
});

test("rows with no location keep a null location", async () => {
  for (const file of csvFiles) {
    const noLocation = readCsv(file).filter((r) => !r.Latitude);
    expect(noLocation.every((r) => r.Location === "No Location" && !r.Longitude && !r["LSOA code"])).toBe(
      true,
    );
    const asbWithout = noLocation.filter((r) => !r["Crime ID"]).length;
    const found = await store.sql.one<{ asb: string; with_partial: string }>(
      `SELECT count(*) FILTER (WHERE category = 'ANTI_SOCIAL_BEHAVIOUR' AND latitude IS NULL) AS asb,
              count(*) FILTER (WHERE latitude IS NULL AND (longitude IS NOT NULL OR lsoa_code IS NOT NULL OR street IS NOT NULL)) AS with_partial
         FROM incidents WHERE source = $1`,
      [`police.uk:${basename(file)}`],
    );
    expect(Number(found!.asb)).toBe(asbWithout);
    expect(Number(found!.with_partial)).toBe(0);
  }
  const summary = await store.sql.one<{ summary: string }>(
    `SELECT summary FROM incidents WHERE latitude IS NULL LIMIT 1`,
  );
  expect(summary!.summary).toMatch(/, location not published$/);
});

test("imported incidents carry the published values, a reference and a summary", async () => {
  const id = "e61ea9c08a68948f25d4299a426ef060e87d6e861d8780fb1ed2319df93dadd1";
  const row = await store.sql.one(
    `SELECT reference, month, category, outcome, street, lsoa_code, latitude, longitude, summary, narrative, source
       FROM incidents WHERE source_key = $1`,
    [id],
  );
  expect(row).toEqual({
    reference: "E61EA9C08A68",
    month: "2019-03",
    category: "BURGLARY",
    outcome: "Investigation complete; no suspect identified",
    street: "On or near Pedestrian Subway",
    lsoa_code: "E01000914",
    latitude: 51.518226,
    longitude: -0.111497,
    summary: "Burglary on or near Pedestrian Subway",
    narrative: null,
    source: "police.uk:2019-03-city-of-london-street.csv",
  });
});

test("importing the same files again changes nothing", async () => {
  const before = await checksum(store.sql);
  const again = await importPoliceUkFiles(store.sql, [DATA, FIXTURES]);
  expect(again.totals).toMatchObject({ files: 8, inserted: 0, updated: 0, unchanged: before.rows });
  expect(await checksum(store.sql)).toEqual(before);
});

test("a re-import that changes an incident keeps its record key (disclosure control)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "police-key-"));
  try {
    const file = join(dir, "2019-07-city-of-london-street.csv");
    const id = hex64(0x7e57);
    writeFileSync(file, `${HEADER}\n${csvLine(id, "2019-07", "-0.09", "51.51")}\n`);
    expect((await importPoliceUkFiles(store.sql, [file])).totals).toMatchObject({ inserted: 1 });
    const keyOf = () =>
      store.sql.one<{ key: string; category: string }>(
        `SELECT record_key::text AS key, category FROM incidents WHERE source_key = $1`,
        [id],
      );
    const before = await keyOf();
    expect(Number(before!.key)).toBeGreaterThanOrEqual(0);
    expect(Number(before!.key)).toBeLessThan(1);
    writeFileSync(file, `${HEADER}\n${csvLine(id, "2019-07", "-0.09", "51.51", "Robbery")}\n`);
    expect((await importPoliceUkFiles(store.sql, [file])).totals).toMatchObject({ updated: 1 });
    const after = await keyOf();
    expect(after!.category).not.toBe(before!.category);
    expect(after!.key).toBe(before!.key);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("a malformed file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "police-uk-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is rolled back whole, naming file and line, while a good file before it stays", async () => {
    const good = join(dir, "2016-01-city-of-london-street.csv");
    const bad = join(dir, "2016-02-city-of-london-street.csv");
    writeFileSync(
      good,
      [HEADER, csvLine(hex64(1), "2016-01", "-0.1", "51.51"), csvLine(hex64(2), "2016-01", "", "")].join(
        "\n",
      ) + "\n",
    );
    writeFileSync(
      bad,
      [
        HEADER,
        csvLine(hex64(3), "2016-02", "-0.1", "51.51"),
        csvLine(hex64(4), "2016-02", "-0.1", "51.5x"),
      ].join("\n") + "\n",
    );
    const before = await checksum(store.sql);

    const error = await importPoliceUkFiles(store.sql, [good, bad]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PoliceImportError);
    const failure = error as PoliceImportError;
    expect(failure.message).toContain("2016-02-city-of-london-street.csv:3");
    expect(failure.message).toMatch(/Latitude "51.5x" is not a number/);
    expect(failure.report.files.map((f) => basename(f.file))).toEqual(["2016-01-city-of-london-street.csv"]);

    const keys = await store.sql.many<{ source_key: string }>(
      `SELECT source_key FROM incidents WHERE source_key = ANY($1) ORDER BY source_key`,
      [[1, 2, 3, 4].map(hex64)],
    );
    expect(keys.map((k) => k.source_key)).toEqual([hex64(1), hex64(2)]);
    expect((await checksum(store.sql)).rows).toBe(before.rows + 2);
  });

  test.each([
    ["wrong column count", `${hex64(5)},2016-03,City of London Police`, /expected 12 columns, found 3/],
    ["month not YYYY-MM", csvLine(hex64(5), "2016-3", "-0.1", "51.5"), /Month "2016-3" is not YYYY-MM/],
    [
      "month of another file",
      csvLine(hex64(5), "2016-04", "-0.1", "51.5"),
      /Month 2016-04 differs from the file's month 2016-03/,
    ],
    [
      "unknown crime type",
      csvLine(hex64(5), "2016-03", "-0.1", "51.5", "Jaywalking"),
      /unknown Crime type "Jaywalking"/,
    ],
    [
      "non-numeric longitude",
      csvLine(hex64(5), "2016-03", "west", "51.5"),
      /Longitude "west" is not a number/,
    ],
    [
      "reported by another force than the file's",
      csvLine(hex64(5), "2016-03", "-0.1", "51.5").replace(
        "City of London Police,City of London Police",
        "Metropolitan Police Service,City of London Police",
      ),
      /Reported by "Metropolitan Police Service" is not the force the file is named for \(city-of-london\)/,
    ],
    [
      "Crime ID not 64 hex",
      csvLine("abc123", "2016-03", "-0.1", "51.5"),
      /Crime ID "abc123" is not 64 hexadecimal/,
    ],
  ])("%s is reported with file and line", async (_label, line, reason) => {
    const file = join(dir, "2016-03-city-of-london-street.csv");
    writeFileSync(file, [HEADER, csvLine(hex64(6), "2016-03", "-0.1", "51.5"), line].join("\n") + "\n");
    const before = await checksum(store.sql);
    await expect(importPoliceUkFiles(store.sql, [file])).rejects.toThrow(reason);
    await expect(importPoliceUkFiles(store.sql, [file])).rejects.toThrow(`${file}:3: `);
    expect(await checksum(store.sql)).toEqual(before);
  });

  test.each([
    "2016-03-street.csv",
    "city-of-london-street.csv",
    "2016-03-city-of-london-stop-and-search.csv",
  ])(
    "a file not named YYYY-MM-<force>-street.csv or -outcomes.csv (%s) is refused: the force is never assumed",
    async (name) => {
      const file = join(dir, name);
      writeFileSync(file, [HEADER, csvLine(hex64(7), "2016-03", "-0.1", "51.5")].join("\n") + "\n");
      const before = await checksum(store.sql);
      await expect(importPoliceUkFiles(store.sql, [file])).rejects.toThrow(
        `${file}: not a police.uk file name: expected YYYY-MM-<force>-street.csv or YYYY-MM-<force>-outcomes.csv`,
      );
      expect(await checksum(store.sql)).toEqual(before);
    },
  );

  test("a path that does not exist is refused before anything is imported", async () => {
    await expect(importPoliceUkFiles(store.sql, [join(dir, "missing.csv")])).rejects.toThrow(
      /missing\.csv: no such file or folder/,
    );
  });
});
