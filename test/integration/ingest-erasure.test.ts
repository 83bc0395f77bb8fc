import { createHash } from "node:crypto";
import { councilHoldings } from "../../subgraphs/council/repository";
import { council } from "../../subgraphs/council/server";
import { governance } from "../../subgraphs/governance/server";
import { openServiceStore, openStore } from "../../subgraphs/shared/database";
import { ingestDatabaseUrl, roleName, serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { discardErasure, undoErasure } from "../../subgraphs/shared/erasure";
import { type IngestOptions } from "../../subgraphs/shared/ingest/run";
import { agencyImports, forgottenOf, rejectedOf, today } from "../support/ingest";

/**
 * Issue 20: an erased record stays erased when its agency imports again. The council's example
 * export is loaded; a person is erased (both phases, as the council's subgraph runs them for
 * governance), a case expires under retention (the retention job's step in the owner's store), an
 * erasure is undone; the same files again load nothing of what was taken, each such row skipped and
 * counted as forgotten with why and when (no error: the files load, no rejects file needed), and
 * nothing else changes.
 */
const imports = agencyImports("council", {
  label: "ingest_erasure_council",
  tables: ["asb_cases", "asb_parties", "asb_interventions", "monthly_counts"],
  service: true,
  // Where npm run ingest finds the council registered.
  governance: true,
});
const { admin, key, snapshot, personOf } = imports;
const FILES = ["asb-cases-2024-06.csv", "asb-parties-2024-06.csv", "asb-actions-2024-06.csv"].map(
  imports.example,
);
const run = (more: Partial<IngestOptions> = {}) => imports.run(FILES, more);

const stored = async (table: string, sourceKey: string) =>
  !!(await admin.council.sql.one(`SELECT 1 FROM ${table} WHERE source_key = $1`, [key(sourceKey)]));
const forgottenCount = async () =>
  Number((await admin.council.sql.one<{ n: string }>(`SELECT count(*) AS n FROM forgotten_records`))!.n);

beforeAll(async () => {
  const gov = await openStore(governance, imports.urls.governance!, { poolSize: 1, roles: imports.config });
  await gov.sql.exec(
    `INSERT INTO agencies (id, name, kind, contact) VALUES ('council', 'Council', 'COUNCIL', 'dso@council')`,
  );
  await gov.close();
}, 60_000);

/** Erasure's first phase, of someone the council holds records about. */
async function prepareErasure(personId: string): Promise<string> {
  const { erasureId, records } = await imports.prepareErasure(personId);
  expect(records).toBeGreaterThan(0);
  return erasureId;
}

test("the example loads; a re-import changes nothing and refuses nothing", async () => {
  const first = await run();
  expect(first.totals).toMatchObject({ new: 26, rejected: 0 });
  const before = await snapshot();
  const again = await run({ collectRejects: true });
  expect(again.totals).toMatchObject({ new: 0, changed: 0, rejected: 0 });
  expect(await snapshot()).toBe(before);
  expect(await forgottenCount()).toBe(0);
});

test("an erased person's case, part and actions stay erased when the same files come again", async () => {
  // Robert Hughes is the only party to ASB/24/0105: his erasure takes the case and its action.
  const robert = await personOf("asb_parties", "P-5009");
  const erasureId = await prepareErasure(robert);
  await imports.service.sql.transaction((tx) => discardErasure(tx, erasureId));
  expect(await stored("asb_cases", "ASB/24/0105")).toBe(false);
  const erased = await snapshot();

  // Without --rejects: the rows are skipped and counted, not errors, and the files load.
  const erasedRows = [
    `asb-cases-2024-06.csv:6: erased on ${today()}`,
    `asb-parties-2024-06.csv:10: erased on ${today()}`,
    `asb-actions-2024-06.csv:6: erased on ${today()}`,
  ];
  const report = await run();
  expect(forgottenOf(report)).toEqual(erasedRows);
  expect(report.rejected).toEqual([]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 0, forgotten: 3 });
  expect(report.files.map((f) => [f.loaded, f.forgotten, f.problems])).toEqual([
    [true, 1, []],
    [true, 1, []],
    [true, 1, []],
  ]);
  expect(await stored("asb_cases", "ASB/24/0105")).toBe(false);
  expect(await stored("asb_parties", "P-5009")).toBe(false);
  expect(await snapshot()).toBe(erased);
  // The import's record counts them, per file.
  const recorded = (await admin.council.sql.one<{ outcome: string; files: { forgotten: number }[] }>(
    `SELECT outcome, files FROM imports WHERE id = $1`,
    [report.importId],
  ))!;
  expect([recorded.outcome, recorded.files.map((f) => f.forgotten)]).toEqual(["LOADED", [1, 1, 1]]);

  // With --rejects, nothing is rejected either.
  const collecting = await run({ collectRejects: true });
  expect([rejectedOf(collecting), forgottenOf(collecting)]).toEqual([[], erasedRows]);
  expect(await snapshot()).toBe(erased);

  // npm run ingest, as a nightly import runs it (no --rejects): loaded, the rows counted and named.
  const nightly = await imports.cli([
    "--agency",
    "council",
    "--mapping",
    imports.example("mapping.json"),
    ...FILES,
  ]);
  expect(nightly.err).not.toMatch(/ingest:|nothing from this file/);
  expect(nightly.code).toBe(0);
  expect(nightly.out).toMatch(/^file \(record\)\s+rows\s+new\s+changed\s+unchanged\s+rejected\s+forgotten$/m);
  expect(nightly.out).toMatch(/^total\s+26\s+0\s+0\s+23\s+0\s+3$/m);
  expect(nightly.out).toContain(
    `3 row(s) of erased or expired records skipped (not loaded again):\n  ${erasedRows.join("\n  ")}\n`,
  );
  expect(await snapshot()).toBe(erased);

  // A dry run reports them the same way, with no problem.
  const dry = await run({ dryRun: true });
  expect(dry.files.map((f) => f.problems)).toEqual([[], [], []]);
  expect(forgottenOf(dry)).toEqual(erasedRows);
  expect(await snapshot()).toBe(erased);
});

test("a row of a record hanging on an erased one is skipped as forgotten for it, naming it", async () => {
  const actions = imports.exportFile(
    "asb-actions-2024-07.csv",
    "Action ID,Case Ref,Action Type,Action Date,Outcome\nA-9100,ASB/24/0105,CPW,02/07/2024,Issued\nA-9101,ASB/24/0101,VW,03/07/2024,Issued\n",
  );
  const report = await run({ files: [actions] });
  expect(forgottenOf(report)).toEqual([
    `asb-actions-2024-07.csv:2: its asbCase "ASB/24/0105" was erased on ${today()}`,
  ]);
  expect(report.totals).toMatchObject({ new: 1, rejected: 0, forgotten: 1 });
});

test("an erasure undone before it settles leaves nothing behind: the same files load as before", async () => {
  const entries = await forgottenCount();
  // Helen Marsh is the only party to ASB/24/0107.
  const helen = await personOf("asb_parties", "P-5012");
  const erasureId = await prepareErasure(helen);
  expect(await stored("asb_cases", "ASB/24/0107")).toBe(false);
  // Between the phases an import leaves the rows aside alone (an undo must be able to put them back).
  expect(await forgottenCount()).toBe(entries + 2);
  await imports.service.sql.transaction((tx) => undoErasure(tx, erasureId));
  expect(await stored("asb_cases", "ASB/24/0107")).toBe(true);
  expect(await forgottenCount()).toBe(entries);
  const back = await snapshot();
  const report = await run();
  // Only Robert Hughes's rows (erased and settled, above) are forgotten; none of Helen Marsh's.
  expect(forgottenOf(report)).toEqual([
    `asb-cases-2024-06.csv:6: erased on ${today()}`,
    `asb-parties-2024-06.csv:10: erased on ${today()}`,
    `asb-actions-2024-06.csv:6: erased on ${today()}`,
  ]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 0 });
  expect(await snapshot()).toBe(back);
});

test("a case deleted under retention stays deleted, with its parties and actions", async () => {
  // ASB/24/0104 (closed) with three parties and two actions: the retention job's step in the store.
  const { id } = (await admin.council.sql.one<{ id: string }>(
    `SELECT id FROM asb_cases WHERE source_key = $1`,
    [key("ASB/24/0104")],
  ))!;
  await imports.service.sql.transaction((tx) => councilHoldings.expire(tx, [{ kind: "ASB_CASE", id }]));
  expect(await stored("asb_cases", "ASB/24/0104")).toBe(false);
  const expired = await snapshot();
  const report = await run();
  const retention = `deleted under retention on ${today()}`;
  expect(forgottenOf(report).filter((r) => r.includes("retention"))).toEqual([
    `asb-cases-2024-06.csv:5: ${retention}`,
    `asb-parties-2024-06.csv:7: ${retention}`,
    `asb-parties-2024-06.csv:8: ${retention}`,
    `asb-parties-2024-06.csv:9: ${retention}`,
    `asb-actions-2024-06.csv:4: ${retention}`,
    `asb-actions-2024-06.csv:5: ${retention}`,
  ]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 0, forgotten: 9 });
  expect(await snapshot()).toBe(expired);
});

test("an entry keeps a keyed digest, the table, the day and why: never the source key", async () => {
  const rows = await admin.council.sql.many<{ digest: Buffer; table_name: string; reason: string }>(
    `SELECT digest, table_name, reason FROM forgotten_records ORDER BY table_name, reason`,
  );
  expect(rows.map((r) => `${r.table_name} ${r.reason}`)).toEqual([
    "asb_cases ERASURE",
    "asb_cases RETENTION",
    "asb_interventions ERASURE",
    "asb_interventions RETENTION",
    "asb_interventions RETENTION",
    "asb_parties ERASURE",
    "asb_parties RETENTION",
    "asb_parties RETENTION",
    "asb_parties RETENTION",
  ]);
  const plain = createHash("sha256")
    .update(`asb_parties:${key("P-5009")}`)
    .digest();
  const dump = JSON.stringify(await admin.council.sql.many(`SELECT * FROM forgotten_records`));
  expect(dump).not.toContain("P-5009");
  expect(rows.some((r) => Buffer.compare(r.digest, plain) === 0)).toBe(false);
});

test("roles: neither service nor ingest reads or writes the entries or their key; the ingest only asks", async () => {
  const { db } = (await admin.council.sql.one<{ db: string }>(`SELECT current_database() AS db`))!;
  const privileges = await admin.council.sql.many<{ role: string; what: string }>(
    `SELECT r AS role, t || ' ' || p AS what
       FROM unnest($1::text[]) r, unnest(ARRAY['forgotten_records', 'forgotten_record_key']) t,
            unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
      WHERE has_table_privilege(r, t, p)`,
    [[roleName(db, "service"), roleName(db, "ingest")]],
  );
  expect(privileges).toEqual([]);
  const functions = await admin.council.sql.many<{ role: string; fn: string }>(
    `SELECT r AS role, f AS fn
       FROM unnest($1::text[]) r,
            unnest(ARRAY['forgotten_among(text, text[])', 'forgotten_record_digest(text, text)',
                         'remember_forgotten_records()']) f
      WHERE has_function_privilege(r, f, 'EXECUTE')`,
    [[roleName(db, "service"), roleName(db, "ingest")]],
  );
  expect(functions).toEqual([{ role: roleName(db, "ingest"), fn: "forgotten_among(text, text[])" }]);
  // The service, which deletes records, cannot forge or remove an entry itself.
  const asService = await openServiceStore(council, serviceDatabaseUrl(imports.config, "council")!, {
    poolSize: 1,
  });
  const asIngest = await openServiceStore(council, ingestDatabaseUrl(imports.config, "council")!, {
    poolSize: 1,
  });
  try {
    for (const sql of [asService.sql, asIngest.sql]) {
      await expect(sql.exec(`DELETE FROM forgotten_records`)).rejects.toMatchObject({ code: "42501" });
      await expect(sql.many(`SELECT * FROM forgotten_record_key`)).rejects.toMatchObject({ code: "42501" });
    }
  } finally {
    await asService.close();
    await asIngest.close();
  }
});
