import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { Client } from "pg";
import { councilIngest } from "../../subgraphs/council/ingest";
import { asbCaseRollup } from "../../subgraphs/council/rollup";
import { type Sql } from "../../subgraphs/shared/database";
import { ingestDatabaseUrl, serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { parseDate } from "../../subgraphs/shared/ingest/formats";
import { streamProgress } from "../../subgraphs/shared/ingest/progress";
import { MappingError, parseMapping, type Mapping } from "../../subgraphs/shared/ingest/mapping";
import { rejectsCsv } from "../../subgraphs/shared/ingest/rejects";
import { IngestError } from "../../subgraphs/shared/ingest/run";
import { rollupDifferences } from "../../subgraphs/shared/rollups";
import { agencyImports } from "../support/ingest";

const imports = agencyImports("council", {
  label: "ingest_council",
  tables: ["asb_cases", "asb_parties", "asb_interventions", "monthly_counts"],
});
const { admin, run, snapshot, variant } = imports;
const CASES = imports.example("asb-cases-2024-06.csv");
const PARTIES = imports.example("asb-parties-2024-06.csv");
const ACTIONS = imports.example("asb-actions-2024-06.csv");

const count = async (sql: Sql, table: string) =>
  Number((await sql.one<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))!.n);

test("dates in the formats agencies use, and only real ones", () => {
  expect(parseDate("03/06/2024", "DD/MM/YYYY")).toEqual(new Date("2024-06-03T00:00:00Z"));
  expect(parseDate("14-Mar-57", "DD-MMM-YY", new Date("2026-01-01"))).toEqual(
    new Date("1957-03-14T00:00:00Z"),
  );
  expect(parseDate("14-mar-07", "DD-MMM-YY", new Date("2026-01-01"))).toEqual(
    new Date("2007-03-14T00:00:00Z"),
  );
  expect(parseDate("2024-06-03 17:45", "YYYY-MM-DD HH:mm")).toEqual(new Date("2024-06-03T17:45:00Z"));
  expect(parseDate("31/02/2024", "DD/MM/YYYY")).toMatch(/not a real date/);
  expect(parseDate("2024-06-03", "DD/MM/YYYY")).toMatch(/not a date in the format DD\/MM\/YYYY/);
});

test("progress: on a terminal one line redrawn with a bar, rate and ETA; otherwise a plain line now and then", () => {
  let now = 0;
  const written: string[] = [];
  const stream = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  const tty = streamProgress(stream, { tty: true, now: () => now });
  tty.start("big.csv", 1000);
  now = 2000;
  tty.advance(250);
  expect(written).toEqual([
    "\r[######------------------] big.csv: 250/1000 rows (25%), 125 rows/s, ETA 6s\u001b[K",
  ]);
  written.length = 0;
  const plain = streamProgress(stream, { tty: false, now: () => now });
  plain.start("big.csv", 1000);
  now += 1000;
  plain.advance(100); // too soon: nothing
  now += 5000;
  plain.advance(700);
  now += 1000;
  plain.finish();
  plain.advance(1000);
  expect(written).toEqual([
    "big.csv: 700/1000 rows (70%), 117 rows/s, ETA 3s\n",
    "big.csv: 700/1000 rows (70%), 100 rows/s, ETA 3s\n",
  ]);
});

test("a bad mapping is refused with every problem and its path", () => {
  const bad = JSON.parse(readFileSync(imports.example("mapping.json"), "utf8")) as Mapping;
  bad.agency = "housing";
  bad.files[0].codes.category.XXX = "LITTERING";
  delete (bad.files[0].fields as Record<string, unknown>).openedAt;
  (bad.files[0].fields as Record<string, unknown>).colour = "Colour";
  bad.files[1].record = "asbPerson";
  (bad.files[2] as { dateFormat: string }).dateFormat = "DD/QQ/YYYY";
  let error: unknown;
  try {
    parseMapping(JSON.stringify(bad), "bad.json", councilIngest);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MappingError);
  // The shape first (a bad date format), then nothing else is checked until it is right.
  expect((error as MappingError).problems).toEqual([
    expect.stringMatching(/^files\[2\]\.dateFormat: not a date format/),
  ]);
  (bad.files[2] as { dateFormat: string }).dateFormat = "DD/MM/YYYY";
  try {
    parseMapping(JSON.stringify(bad), "bad.json", councilIngest);
  } catch (e) {
    error = e;
  }
  expect((error as MappingError).problems).toEqual([
    'agency: "housing" but the import is for "council"',
    expect.stringMatching(/^files\[0\]\.fields\.colour: asbCase has no such field/),
    "files[0].fields.openedAt: required by asbCase but not mapped",
    expect.stringMatching(/^files\[0\]\.codes\.category\.XXX: "LITTERING" is not one of NOISE, /),
    'files[1].record: "asbPerson" is not one of asbCase, asbParty, asbIntervention',
  ]);
});

describe("the council's example export", () => {
  let before: string;

  test("loads cases, then their parties and interventions, whatever order the files are given in", async () => {
    const report = await run([ACTIONS, PARTIES, CASES]);
    expect(
      report.files.map((f) => [f.name, f.rows, f.new, f.changed, f.unchanged, f.rejected, f.loaded]),
    ).toEqual([
      ["asb-cases-2024-06.csv", 8, 8, 0, 0, 0, true],
      ["asb-parties-2024-06.csv", 12, 12, 0, 0, 0, true],
      ["asb-actions-2024-06.csv", 6, 6, 0, 0, 0, true],
    ]);
    expect(await count(admin.council.sql, "asb_cases")).toBe(8);
    const closed = await admin.council.sql.one(
      `SELECT reference, status, category, risk_level, opened_at, closed_at, lsoa_code, latitude, source_key
         FROM asb_cases WHERE reference = 'ASB/24/0104'`,
    );
    expect(closed).toEqual({
      reference: "ASB/24/0104",
      status: "CLOSED",
      category: "INTIMIDATION",
      risk_level: "HIGH",
      opened_at: new Date("2024-06-10T00:00:00Z"),
      closed_at: new Date("2024-06-28T00:00:00Z"),
      lsoa_code: "E01000002",
      latitude: 51.5256,
      source_key: "asb-cms:ASB/24/0104",
    });
    // Twelve parties, nine people: the same council reference is the same person.
    const rows = parse(readFileSync(PARTIES, "utf8"), { columns: true }) as Record<string, string>[];
    const references = new Set(rows.map((r) => r["Person Ref"]));
    expect(references.size).toBe(9);
    const linked = await admin.partnership.sql.many<{
      reference: string;
      person_id: string;
      given_name: string;
      date_of_birth: string | null;
    }>(
      `SELECT r.reference, r.person_id, p.given_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth
         FROM person_references r JOIN people p ON p.id = r.person_id WHERE r.agency_id = 'council' ORDER BY r.reference`,
    );
    expect(linked.map((l) => l.reference)).toEqual([...references].sort());
    expect(linked.find((l) => l.reference === "CN-100231")).toMatchObject({
      given_name: "Maggie",
      date_of_birth: "1957-03-14",
    });
    expect(linked.find((l) => l.reference === "CN-100700")).toMatchObject({
      given_name: "Helen",
      date_of_birth: null,
    });
    const personOf = new Map(linked.map((l) => [l.reference, l.person_id]));
    const parties = await admin.council.sql.many<{
      source_key: string;
      person_id: string;
      reference: string;
      role: string;
    }>(
      `SELECT p.source_key, p.person_id, p.role, c.reference FROM asb_parties p JOIN asb_cases c ON c.id = p.case_id`,
    );
    for (const row of rows)
      expect(parties).toContainEqual({
        source_key: `asb-cms:${row["Party ID"]}`,
        person_id: personOf.get(row["Person Ref"]),
        reference: row["Case Ref"],
        role: { VIC: "VICTIM", COMP: "COMPLAINANT", PERP: "PERPETRATOR", WIT: "WITNESS" }[row.Role],
      });
    expect(await rollupDifferences(admin.council.sql, asbCaseRollup)).toEqual([]);
    before = await snapshot();
  });

  test("loading it again changes nothing, and the run is recorded as the DSO sees it", async () => {
    const report = await run([CASES, PARTIES, ACTIONS]);
    // Nine people, each by the council's own reference already.
    expect(report.totals).toEqual({
      rows: 26,
      new: 0,
      changed: 0,
      unchanged: 26,
      rejected: 0,
      forgotten: 0,
      peopleKnown: 9,
      peopleLinked: 0,
      peopleQueuedForReview: 0,
      peopleNew: 0,
    });
    expect(await snapshot()).toBe(before);
    const recorded = await admin.council.sql.one<Record<string, unknown>>(
      `SELECT agency_id, source, imported_by, dry_run, outcome, rows, new_records, unchanged_records, files, finished_at IS NOT NULL AS finished
         FROM imports WHERE id = $1`,
      [report.importId],
    );
    expect(recorded).toMatchObject({
      agency_id: "council",
      source: "asb-cms",
      imported_by: "test.dso",
      dry_run: false,
      outcome: "LOADED",
      rows: 26,
      new_records: 0,
      unchanged_records: 26,
      finished: true,
    });
    const sha = createHash("sha256").update(readFileSync(CASES)).digest("hex");
    expect((recorded!.files as { name: string; sha256: string }[])[0]).toMatchObject({
      name: "asb-cases-2024-06.csv",
      sha256: sha,
    });
  });

  test("a changed row updates its record, and the rollup follows it exactly", async () => {
    const changed = variant(CASES, "asb-cases-2024-07.csv", (text) =>
      text
        .replace("ASB/24/0101,O,NOI,03/06/2024,,Std", "ASB/24/0101,C,NOI,03/06/2024,30/06/2024,Std")
        // Moved to another neighbourhood: its rollup cell moves with it.
        .replace("Old Street,E01000003,51.5254", "Old Street,E01000002,51.5254"),
    );
    const report = await run([changed]);
    expect(report.files[0]).toMatchObject({ new: 0, changed: 2, unchanged: 6 });
    expect(
      await admin.council.sql.many(
        `SELECT reference, status, closed_at, lsoa_code FROM asb_cases WHERE reference IN ('ASB/24/0101', 'ASB/24/0105') ORDER BY 1`,
      ),
    ).toEqual([
      {
        reference: "ASB/24/0101",
        status: "CLOSED",
        closed_at: new Date("2024-06-30T00:00:00Z"),
        lsoa_code: "E01000001",
      },
      { reference: "ASB/24/0105", status: "OPEN", closed_at: null, lsoa_code: "E01000002" },
    ]);
    expect(await rollupDifferences(admin.council.sql, asbCaseRollup)).toEqual([]);
    // And back: the same file as before restores exactly what was there (record keys too).
    expect((await run([CASES])).files[0]).toMatchObject({ changed: 2, unchanged: 6 });
    expect(await snapshot()).toBe(before);
  });

  test("bad rows refuse the whole file, each named by file:line, column and reason", async () => {
    const bad = variant(
      PARTIES,
      "asb-parties-2024-08.csv",
      (text) =>
        text
          .replace("P-5002,ASB/24/0101,PERP", "P-5002,ASB/24/0101,BYSTANDER") // line 3: unknown code
          .replace("23-Jul-1988,EC1Y 0SH\nP-5004", "31-Feb-1988,EC1Y 0SH\nP-5004") // line 4: no such date
          .replace("P-5009,ASB/24/0105", "P-5009,ASB/24/0999") // line 10: no such case
          .replace("P-5012,ASB/24/0107,COMP,CN-100700,Helen", "P-5012,ASB/24/0107,COMP,,Helen") // line 13: no reference
          .concat("P-5001,ASB/24/0101,COMP,CN-100231,Margaret,O'Neill,14-Mar-1957,EC1Y 8RT\n"), // line 14: key again
    );
    const error = await run([bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    const { report } = error as IngestError;
    expect(report.files[0]).toMatchObject({ loaded: false, new: 0, rejected: 5 });
    expect(report.files[0].problems).toEqual([
      'asb-parties-2024-08.csv:3 (Role): unknown code "BYSTANDER" for role (mapped codes: VIC, COMP, PERP, WIT)',
      'asb-parties-2024-08.csv:4 (DOB): date of birth: "31-Feb-1988" is not a real date in the format DD-MMM-YYYY',
      'asb-parties-2024-08.csv:10 (Case Ref): no asbCase with key "ASB/24/0999" from asb-cms (load its file first)',
      "asb-parties-2024-08.csv:13 (Person Ref): the person reference is empty",
      "asb-parties-2024-08.csv:14: the record key is already on line 2",
    ]);
    expect((error as Error).message).toMatch(/^asb-parties-2024-08\.csv: nothing from this file was loaded:/);
    expect(await snapshot()).toBe(before);
    const recorded = await admin.council.sql.one<{ outcome: string; failure: string }>(
      `SELECT outcome, failure FROM imports WHERE id = $1`,
      [report.importId],
    );
    // Kept without the value it quotes: the record outlives the rows and no erasure reaches it.
    expect(recorded).toEqual({
      outcome: "FAILED",
      failure:
        'asb-parties-2024-08.csv:3 (Role): unknown code "…" for role (mapped codes: VIC, COMP, PERP, WIT)',
    });
  });

  test("a case that breaks the case rules is refused by them (closed without a date, closed before opened)", async () => {
    const bad = variant(CASES, "asb-cases-2024-09.csv", (text) =>
      text
        .replace("ASB/24/0102,UI,NBR,05/06/2024,,", "ASB/24/0102,C,NBR,05/06/2024,,")
        .replace("ASB/24/0108,C,FLY,20/06/2024,24/06/2024", "ASB/24/0108,C,FLY,20/06/2024,14/06/2024")
        .replace("ASB/24/0103,AT,VAN", "ASB/24/0103,AT,GRAFFITI"),
    );
    const { report } = (await run([bad]).catch((e: unknown) => e)) as IngestError;
    expect(report.files[0].problems).toEqual([
      "asb-cases-2024-09.csv:3 (Date Closed): closedAt: a CLOSED case needs a closing date",
      'asb-cases-2024-09.csv:4 (Category Code): unknown code "GRAFFITI" for category (mapped codes: NOI, NBR, VAN, INT, DRG, STD, YTH, VEH, FLY)',
      "asb-cases-2024-09.csv:9 (Date Closed): closedAt: is before the case was opened",
    ]);
    expect(await snapshot()).toBe(before);
  });

  test("with rejects, the bad rows are returned (file, line, reason, the row) and the rest loaded", async () => {
    const file = variant(ACTIONS, "asb-actions-2024-10.csv", (text) =>
      text
        .replace("A-9002,ASB/24/0102,VW,12/06/2024,Complied", "A-9002,ASB/24/0102,VW,12/13/2024,Complied")
        .concat("A-9007,ASB/24/0107,WL,01/07/2024,Issued\nA-9008,ASB/24/0107,SPRAY,01/07/2024,Issued\n"),
    );
    const report = await run([file], { collectRejects: true });
    expect(report.files[0]).toMatchObject({
      rows: 8,
      new: 1,
      changed: 0,
      unchanged: 5,
      rejected: 2,
      loaded: true,
    });
    expect(await count(admin.council.sql, "asb_interventions")).toBe(7);
    const csv = parse(rejectsCsv(report.rejected), { columns: true }) as Record<string, string>[];
    expect(csv).toEqual([
      {
        file: "asb-actions-2024-10.csv",
        line: "3",
        column: "Action Date",
        reason: 'issuedAt: "12/13/2024" is not a real date in the format DD/MM/YYYY',
        "Action ID": "A-9002",
        "Case Ref": "ASB/24/0102",
        "Action Type": "VW",
        "Action Date": "12/13/2024",
        Outcome: "Complied",
      },
      expect.objectContaining({ line: "9", column: "Action Type", "Action ID": "A-9008" }),
    ]);
    // The good row stays loaded; the rejected one left the stored one as it was.
    expect(
      await admin.council.sql.one(
        `SELECT issued_at FROM asb_interventions WHERE source_key = 'asb-cms:A-9002'`,
      ),
    ).toEqual({ issued_at: new Date("2024-06-12T00:00:00Z") });
    before = await snapshot();
  });

  test("a dry run reports new, changed, unchanged and rejected, writes nothing, and is recorded as one", async () => {
    const cases = variant(CASES, "asb-cases-2024-11.csv", (text) =>
      text
        .replace("ASB/24/0106,O,YTH", "ASB/24/0106,UI,YTH")
        .concat("ASB/24/0109,O,VEH,29/06/2024,,,Abandoned van,Garrett Street,E01000003,51.5244,-0.0931\n"),
    );
    const parties = variant(PARTIES, "asb-parties-2024-11.csv", (text) =>
      text.concat(
        "P-5013,ASB/24/0109,COMP,CN-100999,Sam,Price,01-Jan-1980,EC1Y 0TA\nP-5014,ASB/24/0109,NEIGHBOUR,CN-100998,Lee,Park,,\n",
      ),
    );
    const peopleBefore = await count(admin.partnership.sql, "people");
    const report = await run([cases, parties], { dryRun: true });
    expect(report.files.map((f) => [f.name, f.new, f.changed, f.unchanged, f.rejected, f.loaded])).toEqual([
      ["asb-cases-2024-11.csv", 1, 1, 7, 0, false],
      // The parties file would be refused (without rejects): the case it names is seen in the same run.
      ["asb-parties-2024-11.csv", 0, 0, 0, 1, false],
    ]);
    expect(report.files[1].problems).toEqual([
      'asb-parties-2024-11.csv:15 (Role): unknown code "NEIGHBOUR" for role (mapped codes: VIC, COMP, PERP, WIT)',
    ]);
    const withRejects = await run([cases, parties], { dryRun: true, collectRejects: true });
    expect(withRejects.files.map((f) => [f.new, f.changed, f.unchanged, f.rejected])).toEqual([
      [1, 1, 7, 0],
      [1, 0, 12, 1],
    ]);
    expect(await snapshot()).toBe(before);
    expect(await count(admin.partnership.sql, "people")).toBe(peopleBefore);
    expect(
      await admin.council.sql.one(`SELECT dry_run, outcome, new_records FROM imports WHERE id = $1`, [
        withRejects.importId,
      ]),
    ).toEqual({ dry_run: true, outcome: "DRY_RUN", new_records: 2 });
  });

  test("a failure in the middle of a file leaves nothing of it written, in the records or the people index", async () => {
    const parties = variant(PARTIES, "asb-parties-2024-12.csv", (text) =>
      text.concat(
        Array.from(
          { length: 40 },
          (_, i) => `P-6${i},ASB/24/0108,WIT,CN-2${i},Wit${i},Ness,01-Jan-1990,EC1Y 0TA`,
        ).join("\n") + "\n",
      ),
    );
    let batches = 0;
    const error = await run([parties], {
      batch: 10,
      afterBatch: () => {
        batches += 1;
        if (batches === 3) throw new Error("connection lost (simulated)");
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as Error).message).toMatch(/could not be loaded \(connection lost \(simulated\)\)/);
    expect(batches).toBe(3);
    expect(await snapshot()).toBe(before);
  });
});

describe("the ingest role", () => {
  let db: Client;
  beforeAll(async () => {
    db = new Client({ connectionString: ingestDatabaseUrl(imports.config, "council") });
    await db.connect();
  });
  afterAll(() => db?.end());

  it("inserts and updates the tables a mapping loads, and deletes nothing, nor touches the rollup or erasures", async () => {
    const refused = (statement: string) =>
      expect(db.query(statement)).rejects.toMatchObject({ code: "42501" });
    await refused(`DELETE FROM asb_cases`);
    await refused(`DELETE FROM imports`);
    await refused(`UPDATE monthly_counts SET records = 0`);
    await refused(
      `INSERT INTO erasure_pending (erasure_id, table_name, row) VALUES ('era-x', 'asb_cases', '{}')`,
    );
    await refused(`TRUNCATE asb_parties`);
  });

  it("is not the service's role, which still writes no case", async () => {
    expect(ingestDatabaseUrl(imports.config, "council")).not.toBe(
      serviceDatabaseUrl(imports.config, "council"),
    );
    const service = new Client({ connectionString: serviceDatabaseUrl(imports.config, "council") });
    await service.connect();
    try {
      await expect(
        service.query(`UPDATE asb_cases SET status = 'OPEN' WHERE reference = 'ASB/24/0104'`),
      ).rejects.toMatchObject({ code: "42501" });
    } finally {
      await service.end();
    }
  });
});
