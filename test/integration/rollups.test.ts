import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { council } from "../../subgraphs/council/server";
import { councilHoldings } from "../../subgraphs/council/repository";
import { seedCouncil } from "../../subgraphs/council/seed";
import { housing } from "../../subgraphs/housing/server";
import { housingHoldings } from "../../subgraphs/housing/repository";
import { seedHousing } from "../../subgraphs/housing/seed";
import { importPoliceUkFiles } from "../../subgraphs/police/importer";
import { police } from "../../subgraphs/police/server";
import { seedPolice } from "../../subgraphs/police/seed";
import type { Sql } from "../../subgraphs/shared/database";
import { withDatabase } from "../../subgraphs/shared/config";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import {
  monthlyCells,
  rebuildRollup,
  rollupDifferences,
  windowCounts,
  type RollupSource,
} from "../../subgraphs/shared/rollups";
import { cellKeyOf, release } from "../../subgraphs/shared/statistics";
import { youth } from "../../subgraphs/youth/server";
import { youthHoldings } from "../../subgraphs/youth/repository";
import { seedYouth } from "../../subgraphs/youth/seed";
import { ROLLUPS, type RollupOwner } from "../../scripts/lib/rollups";
import { testServerUrl } from "../support/database";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const SEED = 7;
const PEOPLE = demoPeople(SEED, "small");
const ROOT = join(__dirname, "..", "..");

const owners: Partial<Record<RollupOwner, TestSubgraph>> = {};
const at = (owner: RollupOwner) => owners[owner]!;

beforeAll(async () => {
  const options = { seed: SEED, scale: "small" as const, people: PEOPLE };
  // One after another: each seeds and migrates its own database (the machine is shared).
  owners.police = await startTestSubgraph(police, async (sql) => {
    await importPoliceUkFiles(sql, [join(ROOT, "data", "police-uk")]);
    await seedPolice(sql, options);
  });
  owners.council = await startTestSubgraph(council, (sql) => seedCouncil(sql, options));
  owners.youth = await startTestSubgraph(youth, (sql) => seedYouth(sql, options));
  owners.housing = await startTestSubgraph(housing, (sql) => seedHousing(sql, options));
}, 240_000);
afterAll(async () => {
  for (const subgraph of Object.values(owners)) await subgraph?.stop();
});

/**
 * The cells as the statistics counted them before rollups: a GROUPING SETS query over the raw
 * rows, with the cell key as the exact numeric fraction of the record-key sum.
 */
async function rawCells(sql: Sql, source: RollupSource) {
  const rows = await sql.many<{
    lsoa_code: string;
    month: string;
    kind: string | null;
    count: string;
    cell_key: string;
    total: boolean;
  }>(
    `SELECT lsoa_code, month, kind, count(*) AS count, sum(record_key) % 1 AS cell_key, GROUPING(kind) = 1 AS total
       FROM (${source.cells(source.table)}) c
      GROUP BY GROUPING SETS ((lsoa_code, month, kind), (lsoa_code, month))
      ORDER BY lsoa_code, month, kind NULLS FIRST`,
  );
  return rows.map((r) => ({
    lsoaCode: r.lsoa_code,
    month: r.month,
    kind: r.kind,
    count: Number(r.count),
    cellKey: cellKeyOf(r.cell_key),
    total: r.total,
  }));
}

/** Every neighbourhood the owner counts, over every month it holds. */
async function everything(sql: Sql): Promise<{ codes: string[]; from: string; to: string }> {
  const row = await sql.one<{ codes: string[] | null; from: string | null; to: string | null }>(
    `SELECT array_agg(DISTINCT lsoa_code) AS codes, min(month) AS "from", max(month) AS "to" FROM monthly_counts WHERE records > 0`,
  );
  return { codes: row?.codes ?? [], from: row?.from ?? "2000-01", to: row?.to ?? "2000-01" };
}

/** The rollup equals the raw rows cell by cell, and every statistic read from it is what the rows give. */
async function expectExact(owner: RollupOwner): Promise<void> {
  const { adminSql } = at(owner);
  const source = ROLLUPS[owner];
  expect(await rollupDifferences(adminSql, source)).toEqual([]);
  const raw = await rawCells(adminSql, source);
  const { codes, from, to } = await everything(adminSql);
  const rolled = await monthlyCells(adminSql, codes, from, to, "kind");
  // Same cells, same true counts, the very same cell keys (so the same noise) and totals.
  expect(rolled).toEqual(raw);
  expect(rolled.map((c) => release(c.count, c.cellKey))).toEqual(raw.map((c) => release(c.count, c.cellKey)));
}

describe.each(Object.keys(ROLLUPS) as RollupOwner[])("%s's rollup", (owner) => {
  it("equals the raw rows after the seed, with cells and month totals in every neighbourhood", async () => {
    const { adminSql } = at(owner);
    const cells = await adminSql.one<{ n: string }>(`SELECT count(*) AS n FROM monthly_counts`);
    expect(Number(cells!.n)).toBeGreaterThan(10);
    await expectExact(owner);
  });

  it("a window over the rollup counts what the raw rows in it count, with the same cell key", async () => {
    const { adminSql } = at(owner);
    const source = ROLLUPS[owner];
    const { codes, from, to } = await everything(adminSql);
    const some = codes.slice(0, 3);
    const [counted] = await windowCounts(adminSql, [
      { lsoaCodes: [...some, some[0]], fromMonth: from, toMonth: to },
    ]);
    const raw = await adminSql.one<{ n: string; key: string | null }>(
      `SELECT count(*) AS n, sum(record_key) % 1 AS key FROM (${source.cells(source.table)}) c
        WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3`,
      [some, from, to],
    );
    expect(counted).toEqual({ count: Number(raw!.n), cellKey: cellKeyOf(raw!.key) });
  });

  it("--rebuild puts back a rollup that drifted, and --check names what differs until then", async () => {
    const { adminSql } = at(owner);
    const source = ROLLUPS[owner];
    const cell = await adminSql.one<{ lsoa_code: string; month: string; kind: string }>(
      `SELECT lsoa_code, month, kind FROM monthly_counts ORDER BY lsoa_code, month, kind LIMIT 1`,
    );
    await adminSql.exec(
      `UPDATE monthly_counts SET records = records + 1, key_units = key_units + 5 WHERE lsoa_code = $1 AND month = $2 AND kind = $3`,
      [cell!.lsoa_code, cell!.month, cell!.kind],
    );
    const differences = await rollupDifferences(adminSql, source);
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatchObject({ lsoaCode: cell!.lsoa_code, month: cell!.month, kind: cell!.kind });
    expect(differences[0].rollup.records).toBe(differences[0].raw.records + 1);
    await rebuildRollup(adminSql, source);
    await expectExact(owner);
  });
});

/** The records of one kind that the holdings hold about someone, for erasure and retention. */
async function someHeld(owner: RollupOwner, table: string, kind: string, count: number) {
  const { adminSql } = at(owner);
  const rows = await adminSql.many<{ id: string }>(`SELECT id FROM ${table} ORDER BY id LIMIT $1`, [count]);
  return rows.map((r) => ({ kind, id: r.id }));
}

describe("writes keep the rollups exact, in the writing transaction", () => {
  it("police: incidents inserted, moved between cells, re-keyed, re-imported and deleted", async () => {
    const { adminSql } = at("police");
    await adminSql.exec(
      `INSERT INTO incidents (id, source_key, reference, month, category, outcome, street, lsoa_code, latitude, longitude, summary, source)
       SELECT 'rollup-' || n, 'rollup-' || n, 'R' || n, '2019-03', 'burglary', NULL, 'On or near Test Street', 'E01032739', 51.5, -0.09, 'test', 'demo'
         FROM generate_series(1, 7) n`,
    );
    await expectExact("police");
    await adminSql.exec(
      `UPDATE incidents SET category = 'robbery', month = '2019-04' WHERE id IN ('rollup-1', 'rollup-2')`,
    );
    await adminSql.exec(`UPDATE incidents SET lsoa_code = 'E01000001' WHERE id = 'rollup-3'`);
    await adminSql.exec(`UPDATE incidents SET lsoa_code = NULL WHERE id = 'rollup-4'`);
    await adminSql.exec(`UPDATE incidents SET record_key = 0.123456789 WHERE id = 'rollup-5'`);
    // A write that moves nothing between cells leaves the rollup alone.
    await adminSql.exec(`UPDATE incidents SET summary = 'changed' WHERE id LIKE 'rollup-%'`);
    await expectExact("police");
    // A transaction rolled back takes its rollup change with it.
    await adminSql
      .transaction(async (tx) => {
        await tx.exec(`DELETE FROM incidents WHERE id = 'rollup-6'`);
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    await expectExact("police");
    await adminSql.exec(`DELETE FROM incidents WHERE id LIKE 'rollup-%'`);
    await expectExact("police");
    // The police.uk importer again (its upsert: inserts, updates and unchanged rows).
    await importPoliceUkFiles(adminSql, [join(ROOT, "data", "police-uk")]);
    await expectExact("police");
    // Other forces' street files and outcome files (outcomes change no incident, so no cell),
    // then the month whose crimes some of those outcomes were waiting for.
    const more = await importPoliceUkFiles(adminSql, [join(ROOT, "test", "fixtures", "police-uk-outcomes")]);
    expect(more.totals).toMatchObject({ files: 6, waiting: 5 });
    expect(more.totals.inserted).toBeGreaterThan(40);
    await expectExact("police");
    await importPoliceUkFiles(adminSql, [
      join(ROOT, "test", "fixtures", "police-uk", "2018-12-city-of-london-street.csv"),
    ]);
    await expectExact("police");
  });

  it("council: ASB cases opened, recategorised, moved in time and erased by the service (its own role)", async () => {
    const { adminSql, sql } = at("council");
    await adminSql.exec(
      `UPDATE asb_cases SET category = 'NOISE', opened_at = opened_at - interval '40 days'
        WHERE id IN (SELECT id FROM asb_cases WHERE lsoa_code IS NOT NULL ORDER BY id LIMIT 5)`,
    );
    await expectExact("council");
    const records = await someHeld("council", "asb_cases", "ASB_CASE", 4);
    await sql.transaction((tx) => councilHoldings.expire(tx, records));
    expect(await adminSql.one(`SELECT 1 FROM asb_cases WHERE id = $1`, [records[0].id])).toBeUndefined();
    await expectExact("council");
  });

  it("youth: a programme's kind changed, a referral's status changed and referrals erased by the service", async () => {
    const { adminSql, sql } = at("youth");
    const programme = await adminSql.one<{ id: string; kind: string }>(
      `SELECT p.id, p.kind FROM programmes p WHERE EXISTS (SELECT 1 FROM referrals r WHERE r.programme_id = p.id AND r.lsoa_code IS NOT NULL) ORDER BY p.id LIMIT 1`,
    );
    await adminSql.exec(`UPDATE programmes SET kind = $2 WHERE id = $1`, [
      programme!.id,
      programme!.kind === "SPORT" ? "ARTS" : "SPORT",
    ]);
    await expectExact("youth");
    await sql.exec(`UPDATE referrals SET status = 'WITHDRAWN' WHERE id = (SELECT min(id) FROM referrals)`);
    const records = await someHeld("youth", "referrals", "REFERRAL", 3);
    await sql.transaction((tx) => youthHoldings.expire(tx, records));
    await expectExact("youth");
  });

  it("housing: actions taken, a tenancy moved, a property's neighbourhood changed, tenancies erased with their actions", async () => {
    const { adminSql, sql } = at("housing");
    const [first, second] = await adminSql.many<{ id: string; property_id: string }>(
      `SELECT t.id, t.property_id FROM tenancies t JOIN properties p ON p.id = t.property_id
        WHERE p.lsoa_code IS NOT NULL AND EXISTS (SELECT 1 FROM tenancy_actions a WHERE a.tenancy_id = t.id)
        ORDER BY t.id LIMIT 2`,
    );
    await adminSql.exec(
      `INSERT INTO tenancy_actions (id, tenancy_id, type, taken_at) VALUES
         ('rollup-a', $1, 'WARNING', '2019-03-04T10:00:00Z'), ('rollup-b', $1, 'EVICTION', '2019-03-31T23:30:00Z')`,
      [first.id],
    );
    await expectExact("housing");
    await adminSql.exec(`UPDATE tenancies SET property_id = $2 WHERE id = $1`, [
      first.id,
      second.property_id,
    ]);
    await adminSql.exec(`UPDATE properties SET lsoa_code = 'E01000001' WHERE id = $1`, [second.property_id]);
    await expectExact("housing");
    // Erasure deletes the tenancy; its actions go by cascade, after the tenancy can no longer place them.
    const records = await someHeld("housing", "tenancies", "TENANCY", 3);
    await sql.transaction((tx) =>
      housingHoldings.expire(tx, [...records, { kind: "TENANCY", id: first.id }]),
    );
    expect(await adminSql.one(`SELECT 1 FROM tenancy_actions WHERE id = 'rollup-a'`)).toBeUndefined();
    await expectExact("housing");
  });
});

/** The admin URL of an owner's test database. */
async function urlOf(owner: RollupOwner): Promise<string> {
  const row = await at(owner).adminSql.one<{ name: string }>(`SELECT current_database() AS name`);
  return withDatabase(testServerUrl(), row!.name);
}

describe("npm run rollups", () => {
  const urls: Partial<Record<RollupOwner, string>> = {};
  beforeAll(async () => {
    for (const owner of Object.keys(ROLLUPS) as RollupOwner[]) urls[owner] = await urlOf(owner);
  });
  const run = (args: string[]) =>
    spawnSync("node", ["-r", "@swc-node/register", "scripts/rollups.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: {
        ...process.env,
        POLICE_DATABASE_URL: urls.police,
        COUNCIL_DATABASE_URL: urls.council,
        YOUTH_DATABASE_URL: urls.youth,
        HOUSING_DATABASE_URL: urls.housing,
      },
    });

  it("--check passes on exact rollups, and fails naming the cell that differs; --rebuild mends it", async () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--check/);
    expect(run([]).status).toBe(2);

    const ok = run(["--check"]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toMatch(/police: monthly_counts match incidents/);
    expect(ok.status).toBe(0);

    await at("youth").adminSql.exec(
      `DELETE FROM monthly_counts WHERE (lsoa_code, month, kind) = (SELECT lsoa_code, month, kind FROM monthly_counts ORDER BY 1, 2, 3 LIMIT 1)`,
    );
    const bad = run(["--check"]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(
      /youth: 1 cell\(s\) of monthly_counts differ from referrals:\n {2}E\d{8} \d{4}-\d{2} [A-Z_]+: rollup 0 records/,
    );

    const rebuilt = run(["--rebuild"]);
    expect(rebuilt.status).toBe(0);
    expect(rebuilt.stdout).toMatch(/youth: monthly_counts rebuilt from referrals/);
    expect(run(["--check"]).status).toBe(0);
  }, 300_000);
});
