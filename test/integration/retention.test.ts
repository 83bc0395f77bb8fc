import { spawn } from "node:child_process";
import { join } from "node:path";
import { runAuditVerify } from "../../subgraphs/governance/repositories/audit";
import { DataProtectionRepository } from "../../subgraphs/governance/repositories/data-protection";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { RetentionStart } from "../../subgraphs/shared/data-protection";
import { incidentSummary } from "../../subgraphs/police/importer";
import type { CrimeCategory } from "../../subgraphs/police/types";
import { roleName } from "../../subgraphs/shared/database-roles";
import { DataCategory } from "../../subgraphs/shared/enums";
import { seedDemoPartnership } from "../../scripts/lib/demo";
import { runRetention } from "../../scripts/lib/retention";
import { closeAllStores, openAllStores, type Stores } from "../../scripts/lib/stores";
import { uniqueDatabaseUrl } from "../support/database";
import { DEMO_SEED } from "../support/demo-databases";
import { testConfig } from "../support/graphql";

/**
 * The retention job (`npm run retention`) on the demo partnership: a record just inside its
 * period stays, one just outside goes, one about a person under a legal hold stays; a run killed
 * in the middle leaves whole batches and is finished by the next; an expired police incident keeps
 * only what police.uk publishes; the audit verifies throughout.
 */
const ROOT = join(__dirname, "..", "..");
const databases = Object.fromEntries(
  SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_DATABASE_URL`, uniqueDatabaseUrl(`ret_${n}`)]),
);
let stores: Stores;
beforeAll(async () => {
  stores = await openAllStores({ ...testConfig(databases), DATABASE_POOL_SIZE: 2 });
  await seedDemoPartnership(stores, { seed: DEMO_SEED, scale: "small" });
  // Only the council's rule, one year from closure: the cases below are placed around it.
  await stores.governance.sql.exec(`DELETE FROM retention_rules`);
  await DataProtectionRepository.putRule(
    stores.governance.sql,
    "council",
    { category: DataCategory.ASB_CASE, retainForMonths: 12, from: RetentionStart.CLOSED, basis: "test" },
    "test",
  );
  // Every closed case closed yesterday: none due until the test moves one.
  await stores.council.sql.exec(
    `UPDATE asb_cases SET closed_at = now() - interval '1 day' WHERE closed_at IS NOT NULL`,
  );
}, 180_000);
afterAll(() => closeAllStores(stores));

const day = 24 * 3600 * 1000;
const council = () => stores.council.sql;
const exists = async (id: string) => !!(await council().one(`SELECT 1 FROM asb_cases WHERE id = $1`, [id]));
const stores6 = () => ({
  governance: stores.governance.sql,
  partnership: stores.partnership.sql,
  police: stores.police.sql,
  council: stores.council.sql,
  youth: stores.youth.sql,
  housing: stores.housing.sql,
});

/** Closed cases with parties, none sharing a person with another in the list. */
async function separateCases(n: number): Promise<{ id: string; people: string[] }[]> {
  const rows = await council().many<{ id: string; people: string[] }>(
    `SELECT c.id, array_agg(p.person_id) AS people FROM asb_cases c JOIN asb_parties p ON p.case_id = c.id
      WHERE c.closed_at IS NOT NULL GROUP BY c.id ORDER BY c.id`,
  );
  const picked: { id: string; people: string[] }[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.people.some((p) => seen.has(p))) continue;
    row.people.forEach((p) => seen.add(p));
    picked.push(row);
    if (picked.length === n) break;
  }
  expect(picked.length).toBe(n);
  return picked;
}

async function closeAt(id: string, at: Date) {
  await council().exec(`UPDATE asb_cases SET closed_at = $2 WHERE id = $1`, [id, at]);
}

test("just inside its period stays, just outside goes, and a legal hold keeps what is due; dry run changes nothing", async () => {
  const [inside, outside, held] = await separateCases(3);
  const now = new Date();
  const yearAgo = new Date(now);
  yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
  await closeAt(inside.id, new Date(yearAgo.getTime() + day));
  await closeAt(outside.id, new Date(yearAgo.getTime() - day));
  await closeAt(held.id, new Date(yearAgo.getTime() - day));
  await DataProtectionRepository.placeHold(stores.governance.sql, "council", held.people[0], "claim", "test");

  const lines: string[] = [];
  const dry = await runRetention(stores6(), {
    dryRun: true,
    batchSize: 50,
    at: now,
    log: (l) => lines.push(l),
  });
  expect(dry.find((r) => r.agencyId === "council")).toMatchObject({ due: 1, expired: 0 });
  expect(lines.filter((l) => l.startsWith("council ASB_CASE"))).toEqual([
    expect.stringMatching(new RegExp(`^council ASB_CASE ${outside.id} ASB_CASE due since `)),
  ]);
  expect(await exists(outside.id)).toBe(true);

  const real = await runRetention(stores6(), { dryRun: false, batchSize: 50, at: now, log: () => {} });
  expect(real.find((r) => r.agencyId === "council")).toMatchObject({ due: 1, expired: 1, batches: 1 });
  expect([await exists(inside.id), await exists(outside.id), await exists(held.id)]).toEqual([
    true,
    false,
    true,
  ]);
  const audited = await stores.governance.sql.many<{ record_ids: string[] }>(
    `SELECT record_ids FROM audit_log WHERE kind = 'DATA_PROTECTION' AND operation_name = 'retention'`,
  );
  expect(audited.map((a) => a.record_ids)).toEqual([[`ASB_CASE:${outside.id}`]]);
  expect((await runAuditVerify(stores.governance.sql)).ok).toBe(true);

  // The hold lifted, the held case goes on the next run.
  await DataProtectionRepository.liftHold(stores.governance.sql, "council", held.people[0]);
  await runRetention(stores6(), { dryRun: false, batchSize: 50, at: now, log: () => {} });
  expect(await exists(held.id)).toBe(false);
  expect(await exists(inside.id)).toBe(true);
});

test("a run killed in the middle leaves whole batches, and the next run finishes it", async () => {
  const cases = (await separateCases(40)).slice(10, 16).map((c) => c.id);
  for (const id of cases) await closeAt(id, new Date(Date.now() - 3 * 365 * day));
  // The third record due (first of the second batch) is locked: the run stops there, and is killed.
  const due = [...cases].sort();
  const lock = await stores.council.dataSource.createQueryRunner();
  await lock.connect();
  await lock.startTransaction();
  await lock.query(`SELECT 1 FROM asb_cases WHERE id = $1 FOR UPDATE`, [due[2]]);
  const child = spawn("node", ["-r", "@swc-node/register", "scripts/retention.ts", "--batch-size", "2"], {
    cwd: ROOT,
    env: { ...process.env, ...databases, NODE_ENV: "development", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first batch: ${out} ${err}`)), 60_000);
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (/council: batch 1 expired 2 records/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // Blocked in the second batch's transaction: killed there.
  await new Promise((r) => setTimeout(r, 500));
  const exited = new Promise((r) => child.on("close", r));
  child.kill("SIGKILL");
  await exited;
  await lock.rollbackTransaction();
  await lock.release();
  expect(await Promise.all(due.map(exists))).toEqual([false, false, true, true, true, true]);

  const rerun = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const again = spawn("node", ["-r", "@swc-node/register", "scripts/retention.ts", "--batch-size", "2"], {
      cwd: ROOT,
      env: { ...process.env, ...databases, NODE_ENV: "development", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    again.stdout.on("data", (c: Buffer) => (text += c.toString()));
    again.on("close", (code) => resolve({ code, out: text }));
  });
  expect(rerun.code).toBe(0);
  expect(rerun.out).toMatch(/council: 4 records expired in 2 batches/);
  expect(await Promise.all(due.map(exists))).toEqual([false, false, false, false, false, false]);
  expect((await runAuditVerify(stores.governance.sql)).ok).toBe(true);
}, 120_000);

test("an expired police incident goes back to what police.uk publishes: no one involved, no officer's account, no exact time", async () => {
  const police = stores.police.sql;
  const incident = (await police.one<{ id: string; category: CrimeCategory; street: string | null }>(
    `SELECT i.id, i.category, i.street FROM incidents i
      WHERE i.narrative IS NOT NULL AND EXISTS (SELECT 1 FROM involvements v WHERE v.incident_id = i.id)
      ORDER BY i.id LIMIT 1`,
  ))!;
  expect(incident).toBeDefined();
  for (const category of [DataCategory.INCIDENT_SUMMARY, DataCategory.OFFENDING])
    await DataProtectionRepository.putRule(
      stores.governance.sql,
      "police",
      { category, retainForMonths: 12, from: RetentionStart.CREATED, basis: "test" },
      "test",
    );
  await police.exec(`UPDATE incidents SET occurred_at = now() - interval '2 years' WHERE id = $1`, [
    incident.id,
  ]);
  const told = await police.many<{ id: string }>(`SELECT id FROM incidents WHERE narrative IS NOT NULL`);
  const runs = await runRetention(stores6(), { dryRun: false, batchSize: 200, log: () => {} });
  expect(runs.find((r) => r.agencyId === "police")!.expired).toBeGreaterThan(0);
  expect(
    await police.one(`SELECT narrative, occurred_at, summary FROM incidents WHERE id = $1`, [incident.id]),
  ).toEqual({
    narrative: null,
    occurred_at: null,
    summary: incidentSummary(incident.category, incident.street),
  });
  expect(await police.many(`SELECT 1 FROM involvements WHERE incident_id = $1`, [incident.id])).toEqual([]);
  // Every incident that expired has the summary the importer writes (the definer's function
  // writes it in SQL: the two must agree, whatever the category and street).
  const expired = await police.many<{ category: CrimeCategory; street: string | null; summary: string }>(
    `SELECT category, street, summary FROM incidents WHERE id = ANY($1::text[]) AND narrative IS NULL`,
    [told.map((t) => t.id)],
  );
  expect(new Set(expired.map((e) => e.category)).size).toBeGreaterThan(1);
  for (const e of expired) expect(e.summary).toBe(incidentSummary(e.category, e.street));
  expect((await runAuditVerify(stores.governance.sql)).ok).toBe(true);
  // As the CronJob runs it (the police service's role): through incidents_back_to_published, never
  // an UPDATE of an incident's columns of its own.
  const { db } = (await police.one<{ db: string }>(`SELECT current_database() AS db`))!;
  const may = await police.one<{ returns: boolean; rewrites: boolean }>(
    `SELECT has_function_privilege($1, 'incidents_back_to_published(text[])', 'EXECUTE') AS returns,
            bool_or(has_column_privilege($1, 'incidents', c, 'UPDATE')) AS rewrites
       FROM unnest(ARRAY['summary', 'narrative', 'occurred_at', 'category', 'month', 'outcome']) AS c`,
    [roleName(db, "service")],
  );
  expect(may).toEqual({ returns: true, rewrites: false });
}, 120_000);
