import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { governance } from "../../subgraphs/governance/server";
import { incidentRollup } from "../../subgraphs/police/rollup";
import { openStore } from "../../subgraphs/shared/database";
import { databaseOf, roleName } from "../../subgraphs/shared/database-roles";
import { IngestError } from "../../subgraphs/shared/ingest/run";
import { rollupDifferences } from "../../subgraphs/shared/rollups";
import { agencyImports, startIngestCommand } from "../support/ingest";

const imports = agencyImports("police", {
  label: "ingest_police",
  tables: ["incidents", "involvements", "monthly_counts"],
  governance: true,
});
const { admin, urls, run, snapshot, variant, cli } = imports;
const INCIDENTS = imports.example("incidents-2024-06.jsonl");
const PEOPLE = imports.example("involved-people-2024-06.csv");
const MAPPING = imports.example("mapping.json");

// Three agencies registered, housing not among them: the CLI names those there are.
beforeAll(async () => {
  const gov = await openStore(governance, urls.governance!, { poolSize: 1, roles: imports.config });
  await gov.sql.exec(
    `INSERT INTO agencies (id, name, kind, contact) VALUES ('police', 'Police', 'POLICE', 'dso@police'),
       ('council', 'Council', 'COUNCIL', 'dso@council'), ('youth', 'Youth services', 'YOUTH', 'dso@youth')`,
  );
  await gov.close();
}, 60_000);

let before: string;

test("loads the records system's incidents (JSON Lines) and the people involved (semicolons, DD-MMM-YY)", async () => {
  const report = await run([PEOPLE, INCIDENTS]);
  expect(report.totals).toEqual({
    rows: 17,
    new: 17,
    changed: 0,
    unchanged: 0,
    rejected: 0,
    forgotten: 0,
    peopleKnown: 0,
    peopleLinked: 0,
    peopleQueuedForReview: 0,
    peopleNew: 8,
  });
  expect(
    await admin.police.sql.one(
      `SELECT reference, month, occurred_at, category, outcome, street, lsoa_code, summary, narrative, source, source_key
         FROM incidents WHERE reference = 'CR/061214/24'`,
    ),
  ).toEqual({
    reference: "CR/061214/24",
    month: "2024-06",
    occurred_at: new Date("2024-06-04T23:15:00Z"),
    category: "VIOLENCE_AND_SEXUAL_OFFENCES",
    outcome: "Suspect charged",
    street: "Golden Lane",
    lsoa_code: "E01000001",
    summary: "Violence and sexual offences on or near Golden Lane",
    narrative: "Assault outside the estate office following a dispute over bins",
    source: "ingest:rms",
    source_key: "rms:OCC-24-061214",
  });
  // A JSON null is no location: kept, and left out of the neighbourhood statistics.
  expect(
    await admin.police.sql.one(
      `SELECT street, lsoa_code, latitude FROM incidents WHERE reference = 'CR/061290/24'`,
    ),
  ).toEqual({ street: null, lsoa_code: null, latitude: null });
  const people = await admin.partnership.sql.many<{ reference: string; date_of_birth: string }>(
    `SELECT r.reference, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth
       FROM person_references r JOIN people p ON p.id = r.person_id WHERE r.agency_id = 'police' ORDER BY 1`,
  );
  // Ten involvements, eight nominals; a two-digit year of birth is never in the future.
  expect(people).toHaveLength(8);
  expect(people).toContainEqual({ reference: "NOM-778812", date_of_birth: "2007-05-05" });
  expect(people).toContainEqual({ reference: "NOM-401122", date_of_birth: "1957-03-14" });
  const involved = await admin.police.sql.many(
    `SELECT v.role, i.reference FROM involvements v JOIN incidents i ON i.id = v.incident_id
      WHERE v.source_key = 'rms:INV-4'`,
  );
  expect(involved).toEqual([{ role: "REPORTER", reference: "CR/061230/24" }]);
  expect(await rollupDifferences(admin.police.sql, incidentRollup)).toEqual([]);
  before = await snapshot();
});

test("again: nothing changes; a changed line of JSON updates its incident, and its rollup cell moves", async () => {
  expect((await run([INCIDENTS, PEOPLE])).totals).toMatchObject({ new: 0, changed: 0, unchanged: 17 });
  expect(await snapshot()).toBe(before);
  const changed = variant(INCIDENTS, "incidents-2024-07.jsonl", (text) =>
    text.replace(
      '"offence_group":"CDA","occurred":"2024-06-07T02:05"',
      '"offence_group":"CDA","occurred":"2024-05-31T23:55"',
    ),
  );
  expect((await run([changed])).files[0]).toMatchObject({ new: 0, changed: 1, unchanged: 6 });
  expect(
    await admin.police.sql.one(
      `SELECT month, occurred_at FROM incidents WHERE source_key = 'rms:OCC-24-061230'`,
    ),
  ).toEqual({ month: "2024-05", occurred_at: new Date("2024-05-31T23:55:00Z") });
  expect(await rollupDifferences(admin.police.sql, incidentRollup)).toEqual([]);
  await run([INCIDENTS]);
  expect(await snapshot()).toBe(before);
});

test("a line that is not JSON refuses the file, naming the line; an unknown offence code names its column", async () => {
  const broken = variant(INCIDENTS, "incidents-2024-08.jsonl", (text) =>
    text.replace('"lon":-0.0899,', '"lon":-0.0899'),
  );
  const error = (await run([broken]).catch((e: unknown) => e)) as IngestError;
  expect(error).toBeInstanceOf(IngestError);
  expect(error.report.files[0].problems).toEqual([
    expect.stringMatching(/^incidents-2024-08\.jsonl:5: not a JSON line/),
  ]);
  const unknown = variant(INCIDENTS, "incidents-2024-09.jsonl", (text) =>
    text.replace('"offence_group":"VAP"', '"offence_group":"HATE"'),
  );
  const second = (await run([unknown]).catch((e: unknown) => e)) as IngestError;
  expect(second.report.files[0].problems).toEqual([
    expect.stringMatching(/^incidents-2024-09\.jsonl:2 \(offence_group\): unknown code "HATE" for category/),
  ]);
  expect(await snapshot()).toBe(before);
});

describe("npm run ingest", () => {
  it("refuses an agency that is not registered, naming those that are", async () => {
    const result = await cli(["--agency", "fire", "--mapping", MAPPING, INCIDENTS]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('"fire" is not a registered agency (registered: council, police, youth)');
  });

  it("refuses a bad mapping with each problem and its path", async () => {
    const bad = variant(MAPPING, "bad-mapping.json", (text) =>
      text.replace('"VIC": "VICTIM"', '"VIC": "INJURED_PARTY"'),
    );
    const result = await cli(["--agency", "police", "--mapping", bad, INCIDENTS]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'files[1].codes.role.VIC: "INJURED_PARTY" is not one of VICTIM, SUSPECT, WITNESS, REPORTER',
    );
  });

  it("writes the rejects file, and a dry run writes nothing", async () => {
    const people = variant(PEOPLE, "involved-people-2024-10.csv", (text) =>
      text.concat("INV-11;OCC-24-061290;BYSTANDER;NOM-405118;Li;Na;01-JAN-90;EC2Y 8DS\n"),
    );
    const rejects = imports.inFolder("rejects.csv");
    const dry = await cli([
      "--agency",
      "police",
      "--mapping",
      MAPPING,
      "--dry-run",
      "--rejects",
      rejects,
      people,
    ]);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/involved-people-2024-10\.csv \(involvement\)\s+11\s+0\s+0\s+10\s+1/);
    expect(dry.out).toContain("Dry run: nothing was written");
    expect(parse(readFileSync(rejects, "utf8"), { columns: true })).toEqual([
      expect.objectContaining({
        file: "involved-people-2024-10.csv",
        line: "12",
        column: "Involvement Type",
        "Nominal ID": "NOM-405118",
      }),
    ]);
    expect(await snapshot()).toBe(before);
    const without = await cli(["--agency", "police", "--mapping", MAPPING, people]);
    expect(without.code).toBe(1);
    expect(without.err).toContain(
      'involved-people-2024-10.csv:12 (Involvement Type): unknown code "BYSTANDER" for role (mapped codes: VIC, SUS, WIT, INF)',
    );
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it("killed in the middle of a large file, leaves nothing of it written; run again, it loads it all", async () => {
    // 5,000 incidents; the 1,500th is one already stored, changed, and locked here: the import
    // writes its first batch, then waits on the lock in its second, and is killed there.
    const lines = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({
        occurrence_id: `OCC-BIG-${i}`,
        crime_no: `CR/9${String(i).padStart(5, "0")}/24`,
        offence_group: i % 2 ? "SHOP" : "VEH",
        occurred: "2024-07-01T10:00",
        location: "Moor Lane",
        lsoa: "E01000001",
        lat: 51.519,
        lon: -0.09,
        status: "Investigation ongoing",
        mo: null,
      }),
    );
    lines[1499] = readFileSync(INCIDENTS, "utf8")
      .split("\n")[0]
      .replace("Investigation ongoing", "Suspect charged");
    const big = imports.exportFile("incidents-2024-big.jsonl", lines.join("\n") + "\n");
    const lock = admin.police.dataSource.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query(`SELECT 1 FROM incidents WHERE source_key = 'rms:OCC-24-061201' FOR UPDATE`);
    const child = startIngestCommand(["--agency", "police", "--mapping", MAPPING, big], urls, "ignore");
    const exited = new Promise((r) => child.on("close", r));
    const ingestRole = roleName(databaseOf(urls.police), "ingest");
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const waiting = await admin.police.sql.one<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`,
          [ingestRole],
        );
        if (Number(waiting!.n) > 0) break;
        if (Date.now() > deadline) throw new Error("the import never reached the locked row");
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill("SIGKILL");
      await exited;
    } finally {
      await lock.rollbackTransaction();
      await lock.release();
    }
    // The server ends the dead client's transaction: its first batch goes with it.
    for (let i = 0; i < 50; i += 1) {
      const left = await admin.police.sql.one<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1`,
        [ingestRole],
      );
      if (Number(left!.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await snapshot()).toBe(before);
    const killed = await admin.police.sql.one(
      `SELECT outcome, finished_at FROM imports ORDER BY id DESC LIMIT 1`,
    );
    expect(killed).toEqual({ outcome: "RUNNING", finished_at: null });

    const again = await cli(["--agency", "police", "--mapping", MAPPING, big]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/incidents-2024-big\.jsonl \(incident\)\s+5000\s+4999\s+1\s+0\s+0/);
    expect(await rollupDifferences(admin.police.sql, incidentRollup)).toEqual([]);
  }, 120_000);
});
