import { Client, Pool } from "pg";
import { governance } from "../../subgraphs/governance/server";
import { AuditRepository, type NewAuditRecord } from "../../subgraphs/governance/repositories/audit";
import { councilReadOfPoliceIncident } from "../support/audit";
import { council } from "../../subgraphs/council/server";
import { housing } from "../../subgraphs/housing/server";
import { police } from "../../subgraphs/police/server";
import { youth } from "../../subgraphs/youth/server";
import { incidentSummary } from "../../subgraphs/police/importer";
import { CrimeCategory } from "../../subgraphs/police/types";
import { partnership } from "../../subgraphs/partnership/server";
import type { Config } from "../../subgraphs/shared/config";
import { openServiceStore, openStore, Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import {
  AUDITING_SUBGRAPHS,
  auditorDatabaseUrl,
  connectOnlyWhereServed,
  databaseOf,
  MAINTENANCE_DATABASES,
  governanceAccessDatabaseUrl,
  ingestDatabaseUrl,
  roleName,
  serviceDatabaseUrl,
  urlAs,
  type AuditingSubgraph,
} from "../../subgraphs/shared/database-roles";
import { uniqueDatabaseUrl } from "../support/database";
import { testConfig } from "../support/graphql";
import { keptRegistryIn } from "../../subgraphs/shared/kept-registry";
import { startSubgraph } from "../../subgraphs/shared/run";
import { governanceAdapter } from "../../subgraphs/shared/access/governance-adapter";

/**
 * Each role the migrations create, connected as it is deployed, against what an attacker who took
 * over a service would try: DDL, another subgraph's data, rewriting or silencing the audit log.
 */
const INSUFFICIENT_PRIVILEGE = "42501";

function record(n: number, vary: Partial<NewAuditRecord> = {}): NewAuditRecord {
  return councilReadOfPoliceIncident({
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    requestId: `roles-${n}`,
    recordIds: [`inc-${n}`],
    ...vary,
  });
}

interface DatabaseSet {
  config: Config;
  admin: Record<"police" | "partnership" | "governance", SubgraphStore>;
}

async function databaseSet(label: string): Promise<DatabaseSet> {
  const urls = {
    police: uniqueDatabaseUrl(`${label}_police`),
    partnership: uniqueDatabaseUrl(`${label}_partnership`),
    governance: uniqueDatabaseUrl(`${label}_governance`),
  };
  const config = testConfig({
    POLICE_DATABASE_URL: urls.police,
    PARTNERSHIP_DATABASE_URL: urls.partnership,
    GOVERNANCE_DATABASE_URL: urls.governance,
  });
  const [p, pa, g] = await Promise.all([
    openStore(police, urls.police, { poolSize: 1, roles: config }),
    openStore(partnership, urls.partnership, { poolSize: 1, roles: config }),
    openStore(governance, urls.governance, { poolSize: 1, roles: config }),
  ]);
  return { config, admin: { police: p, partnership: pa, governance: g } };
}

let set: DatabaseSet;
let other: DatabaseSet;
/** The other agencies' stores, migrated only: their grants are checked by the catalogue. */
let agencies: Record<"council" | "youth" | "housing", SubgraphStore>;
const clients: Client[] = [];

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

beforeAll(async () => {
  [set, other] = await Promise.all([databaseSet("roles"), databaseSet("roles_other")]);
  const [c, y, h] = await Promise.all(
    [council, youth, housing].map((d) => openStore(d, uniqueDatabaseUrl(`roles_${d.name}`), { poolSize: 1 })),
  );
  agencies = { council: c, youth: y, housing: h };
  await set.admin.governance.sql.exec(
    `INSERT INTO agencies (id, name, kind, contact) VALUES ('police', 'Police', 'POLICE', 'dso@police'), ('council', 'Council', 'COUNCIL', 'dso@council')`,
  );
  await AuditRepository.append(set.admin.governance.sql, [record(1), record(2)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  for (const s of [set, other]) if (s) await Promise.all(Object.values(s.admin).map((a) => a.close()));
  if (agencies) await Promise.all(Object.values(agencies).map((a) => a.close()));
});

/** Expects PostgreSQL to refuse `statement` for lack of privilege. */
async function refused(client: Client, statement: string, values: unknown[] = []): Promise<void> {
  await expect(client.query(statement, values)).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
}

describe("every service role", () => {
  it("is named after its database, so two database sets on one server never share one", () => {
    const ours = serviceDatabaseUrl(set.config, "police")!;
    const theirs = serviceDatabaseUrl(other.config, "police")!;
    expect(new URL(ours).username).toBe(roleName(databaseOf(ours), "service"));
    expect(new URL(ours).username).not.toBe(new URL(theirs).username);
  });

  it.each(["police", "partnership", "governance"] as const)(
    "%s: not a superuser, owns nothing, may not create or alter tables, nor set session_replication_role",
    async (name) => {
      const db = await connect(serviceDatabaseUrl(set.config, name)!);
      const { rows } = await db.query<{ rolsuper: boolean; owned: number }>(
        `SELECT r.rolsuper, (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(rows).toEqual([{ rolsuper: false, owned: 0 }]);
      const table = { police: "incidents", partnership: "people", governance: "consents" }[name];
      await refused(db, `CREATE TABLE stolen (id int)`);
      await refused(db, `CREATE TEMP TABLE stolen (id int)`);
      await refused(db, `CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT now()'`);
      await refused(db, `ALTER TABLE ${table} ADD COLUMN extra text`);
      await refused(db, `DROP TABLE ${table}`);
      await refused(db, `TRUNCATE ${table}`);
      await refused(db, `SET session_replication_role = replica`);
      await refused(db, `CREATE ROLE intruder LOGIN SUPERUSER`);
      await refused(db, `SELECT * FROM migrations`);
    },
  );

  it("may not connect to another subgraph's database, nor to another database set's", async () => {
    const police = serviceDatabaseUrl(set.config, "police")!;
    for (const target of [
      set.config.databaseUrl("governance")!,
      set.config.databaseUrl("partnership")!,
      other.config.databaseUrl("police")!,
    ]) {
      const foreign = new URL(police);
      foreign.pathname = new URL(target).pathname;
      const client = new Client({ connectionString: foreign.toString() });
      await expect(client.connect()).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
      await client.end().catch(() => undefined);
    }
  });

  it("may connect to no database it does not serve: not the server's own postgres and template1 either (issue 15, finding 5)", async () => {
    const governanceUrl = set.config.databaseUrl("governance")!;
    const served: [string, string][] = [
      [serviceDatabaseUrl(set.config, "police")!, databaseOf(set.config.databaseUrl("police")!)],
      [serviceDatabaseUrl(set.config, "partnership")!, databaseOf(set.config.databaseUrl("partnership")!)],
      [serviceDatabaseUrl(set.config, "governance")!, databaseOf(governanceUrl)],
      [governanceAccessDatabaseUrl(set.config)!, databaseOf(governanceUrl)],
      [auditorDatabaseUrl(set.config)!, databaseOf(governanceUrl)],
      ...AUDITING_SUBGRAPHS.map(
        (n) => [governanceAccessDatabaseUrl(set.config, n)!, databaseOf(governanceUrl)] as [string, string],
      ),
    ];
    const databases = [
      ...MAINTENANCE_DATABASES,
      ...[set, other].flatMap((s) =>
        (["police", "partnership", "governance"] as const).map((n) => databaseOf(s.config.databaseUrl(n)!)),
      ),
    ];
    for (const [url, own] of served) {
      const role = decodeURIComponent(new URL(url).username);
      // By the catalogue: the one database it serves, of every database it might try.
      const { rows } = await set.admin.governance.sql.pool.query<{ name: string }>(
        `SELECT d.datname AS name FROM pg_database d
          WHERE d.datname = ANY($2::text[]) AND has_database_privilege($1, d.oid, 'CONNECT')`,
        [role, databases],
      );
      expect(rows.map((r) => r.name)).toEqual([own]);
      // And by trying, where a role used to get in and could make temporary tables.
      for (const target of MAINTENANCE_DATABASES) {
        const foreign = new URL(url);
        foreign.pathname = `/${target}`;
        const client = new Client({ connectionString: foreign.toString() });
        await expect(client.connect()).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
        await client.end().catch(() => undefined);
      }
    }
    // The migrations run it in every database, on every start: doing it again changes nothing.
    const runner = set.admin.police.dataSource.createQueryRunner();
    try {
      expect(await connectOnlyWhereServed(runner)).toEqual([]);
    } finally {
      await runner.release();
    }
  });

  it("police reads its incidents and writes nothing but erasures (the importer and seed write, as the migrator)", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "police")!);
    await expect(db.query(`SELECT count(*) FROM incidents`)).resolves.toBeDefined();
    await refused(
      db,
      `INSERT INTO incidents (id, source_key, reference, month, category, source) VALUES ('x', 'x', 'x', '2020-01', 'x', 'x')`,
    );
    // Erasure and retention remove a person's involvement (DataProtection1765100000004); nothing else.
    await refused(db, `DELETE FROM incidents`);
    await refused(db, `INSERT INTO involvements (incident_id, person_id, role) VALUES ('x', 'x', 'VICTIM')`);
    await refused(db, `UPDATE incidents SET narrative = 'forged'`);
    // Nor forge what an undo would put back, nor an erasure given up, nor an incident's summary or time.
    await refused(
      db,
      `INSERT INTO erasure_pending (erasure_id, table_name, row) VALUES ('era-x', 'involvements', '{"incident_id": "x", "person_id": "x", "role": "VICTIM"}')`,
    );
    await refused(db, `INSERT INTO erasures_undone (erasure_id) VALUES ('era-x')`);
    await refused(db, `UPDATE incidents SET summary = 'forged'`);
    await refused(db, `UPDATE incidents SET occurred_at = now()`);
    // Outcome history: read with its incidents, written by the importer alone.
    await expect(db.query(`SELECT count(*) FROM incident_outcomes`)).resolves.toBeDefined();
    await refused(
      db,
      `INSERT INTO incident_outcomes (crime_id, month, outcome, line, source) VALUES (repeat('0', 64), '2020-01', 'Local resolution', 2, 'x')`,
    );
    await refused(db, `UPDATE incident_outcomes SET outcome = 'forged'`);
    await refused(db, `DELETE FROM incident_outcomes`);
  });

  it("police moves an involvement aside and puts it back only through the definer's functions, which move real rows of its erased tables alone", async () => {
    const admin = set.admin.police.sql;
    await admin.exec(
      `INSERT INTO incidents (id, source_key, reference, month, category, street, summary, narrative, occurred_at, source)
       VALUES ('inc-roles', 'inc-roles', 'R1', '2024-01', 'BURGLARY', 'On or near High Street', 'Burglary at no. 4', 'PC Smith attended', now(), 'test')`,
    );
    await admin.exec(
      `INSERT INTO involvements (incident_id, person_id, role) VALUES ('inc-roles', 'per-roles', 'VICTIM'), ('inc-roles', 'per-other', 'WITNESS')`,
    );
    const db = await connect(serviceDatabaseUrl(set.config, "police")!);
    const involvements = async () =>
      (
        await admin.many<{ person_id: string; role: string }>(
          `SELECT person_id, role FROM involvements WHERE incident_id = 'inc-roles' ORDER BY person_id`,
        )
      ).map((r) => `${r.person_id}:${r.role}`);
    const aside = async () =>
      (
        await admin.many<{ erasure_id: string; row: { person_id: string; role: string } }>(
          `SELECT erasure_id, row FROM erasure_pending ORDER BY position`,
        )
      ).map((r) => `${r.erasure_id}:${r.row.person_id}:${r.row.role}`);

    // The row is found by its key and moved as it is in the table: what the caller sent says nothing more.
    const { rows: moved } = await db.query(
      `SELECT * FROM erasure_move_aside('era-roles', 'involvements',
         (SELECT jsonb_agg(to_jsonb(v) || '{"role": "SUSPECT"}') FROM involvements v WHERE person_id = 'per-roles'))`,
    );
    expect(moved).toHaveLength(1);
    expect(await involvements()).toEqual(["per-other:WITNESS"]);
    expect(await aside()).toEqual(["era-roles:per-roles:VICTIM"]);
    // A row that is not in the table is not moved aside, so an undo cannot "put it back".
    const { rows: forged } = await db.query(
      `SELECT * FROM erasure_move_aside('era-roles', 'involvements',
         '[{"id": 999999, "incident_id": "inc-roles", "person_id": "per-forged", "role": "SUSPECT"}]')`,
    );
    expect(forged).toEqual([]);
    // A table outside the erased ones is refused.
    await refused(
      db,
      `SELECT * FROM erasure_move_aside('era-roles', 'incidents', (SELECT jsonb_agg(to_jsonb(i)) FROM incidents i))`,
    );
    const { rows: undone } = await db.query(`SELECT erasure_undo('era-roles') AS restored`);
    expect(undone).toEqual([{ restored: 1 }]);
    expect(await involvements()).toEqual(["per-other:WITNESS", "per-roles:VICTIM"]);
    expect(await aside()).toEqual([]);
    // Retention's: the incident back to what police.uk publishes, through its function.
    const { rows: published } = await db.query(
      `SELECT incidents_back_to_published('{inc-roles}') AS changed`,
    );
    expect(published).toEqual([{ changed: 1 }]);
    expect(
      await admin.one(`SELECT summary, narrative, occurred_at FROM incidents WHERE id = 'inc-roles'`),
    ).toEqual({
      summary: incidentSummary(CrimeCategory.BURGLARY, "On or near High Street"),
      narrative: null,
      occurred_at: null,
    });
  });

  it("partnership inserts no reference and nothing aside, and moves them through the definer's functions", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "partnership")!);
    await refused(
      db,
      `INSERT INTO person_references (person_id, agency_id, reference) VALUES ('per-x', 'police', 'forged')`,
    );
    await refused(
      db,
      `INSERT INTO erasure_pending (erasure_id, table_name, row) VALUES ('era-x', 'person_references', '{}')`,
    );
    await refused(db, `INSERT INTO erasures_undone (erasure_id) VALUES ('era-x')`);
    await expect(db.query(`SELECT erasure_undo('era-none') AS restored`)).resolves.toMatchObject({
      rows: [{ restored: 0 }],
    });
  });

  it.each([
    ["police", ["involvements"]],
    ["council", ["asb_cases", "asb_interventions", "asb_parties"]],
    ["youth", ["enrolments"]],
    ["housing", ["tenancies", "tenancy_actions", "tenancy_occupants", "housing_reports"]],
    ["partnership", ["person_references"]],
  ] as const)(
    "%s: inserts into none of its erased tables nor erasure_pending; executes the erasure functions, definers owned by the tables' owner with a pinned search_path",
    async (name, erased) => {
      const sql = name === "police" || name === "partnership" ? set.admin[name].sql : agencies[name].sql;
      const { db } = (await sql.one<{ db: string }>(`SELECT current_database() AS db`))!;
      const service = roleName(db, "service");
      const { rows: inserts } = await sql.pool.query<{ name: string }>(
        `SELECT t AS name FROM unnest($2::text[]) AS t WHERE has_table_privilege($1, t, 'INSERT')`,
        [service, [...erased, "erasure_pending", "erasures_undone"]],
      );
      expect(inserts).toEqual([]);
      const { rows: functions } = await sql.pool.query(
        `SELECT p.oid::regprocedure::text AS fn, p.prosecdef AS secdef, p.proconfig AS config,
                p.proowner = (SELECT c.relowner FROM pg_class c WHERE c.oid = 'public.erasure_pending'::regclass) AS "ownerOwnsTables"
           FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege($1, p.oid, 'EXECUTE')
            AND p.proname IN ('erasure_move_aside', 'erasure_undo', 'incidents_back_to_published')
          ORDER BY 1`,
        [service],
      );
      const definer = { secdef: true, config: ["search_path=pg_catalog, pg_temp"], ownerOwnsTables: true };
      expect(functions).toEqual([
        { fn: "erasure_move_aside(text,text,jsonb)", ...definer },
        { fn: "erasure_undo(text)", ...definer },
        ...(name === "police" ? [{ fn: "incidents_back_to_published(text[])", ...definer }] : []),
      ]);
      if (name === "police") {
        const { rows } = await sql.pool.query(
          `SELECT c AS name FROM unnest(ARRAY['summary', 'narrative', 'occurred_at', 'category', 'month']) AS c
            WHERE has_column_privilege($1, 'incidents', c, 'UPDATE')`,
          [service],
        );
        expect(rows).toEqual([]);
      }
    },
  );

  it.each([["police"], ["council"], ["youth"], ["housing"]] as const)(
    "%s: neither service nor ingest reads or writes the forgotten-record entries or their key; the ingest may only ask forgotten_among",
    async (name) => {
      const sql = name === "police" ? set.admin.police.sql : agencies[name].sql;
      const { db } = (await sql.one<{ db: string }>(`SELECT current_database() AS db`))!;
      const roles = [roleName(db, "service"), roleName(db, "ingest")];
      const { rows: tables } = await sql.pool.query(
        `SELECT r AS role, t || ' ' || p AS what
           FROM unnest($1::text[]) r, unnest(ARRAY['forgotten_records', 'forgotten_record_key']) t,
                unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
          WHERE has_table_privilege(r, t, p)`,
        [roles],
      );
      expect(tables).toEqual([]);
      const { rows: functions } = await sql.pool.query(
        `SELECT r AS role, p.oid::regprocedure::text AS fn, p.prosecdef AS secdef, p.proconfig AS config
           FROM unnest($1::text[]) r, pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege(r, p.oid, 'EXECUTE')
            AND p.proname IN ('forgotten_among', 'forgotten_record_digest', 'remember_forgotten_records')`,
        [roles],
      );
      expect(functions).toEqual([
        {
          role: roles[1],
          fn: "forgotten_among(text,text[])",
          secdef: true,
          config: ["search_path=pg_catalog, pg_temp"],
        },
      ]);
    },
  );

  it("police keeps the registry of partner agencies it last verified, and can only replace it", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "police")!);
    const pool = new Pool({ connectionString: serviceDatabaseUrl(set.config, "police")!, max: 1 });
    const kept = keptRegistryIn(new Sql(pool));
    try {
      await kept.save(["council", "police"], Date.parse("2026-01-01T10:00:00Z"));
      // An older verification (another replica's, late) does not replace a newer one.
      await kept.save(["police"], Date.parse("2026-01-01T09:00:00Z"));
      await expect(kept.load()).resolves.toEqual({
        ids: ["council", "police"],
        verifiedAt: Date.parse("2026-01-01T10:00:00Z"),
      });
      await refused(db, `DELETE FROM kept_agency_registry`);
      await refused(db, `TRUNCATE kept_agency_registry`);
    } finally {
      await pool.end();
    }
  });

  it("partnership writes cases but not the people index", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "partnership")!);
    await db.query(`INSERT INTO case_reference_counters (year, last_number) VALUES (2026, 1)`);
    await refused(db, `DELETE FROM case_reference_counters`);
    await refused(db, `INSERT INTO people (id, given_name, family_name) VALUES ('per-x', 'Some', 'One')`);
  });

  it("partnership reads the matcher's tables, writes none of them, and decides a review only through person_match_decide", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "partnership")!);
    const admin = set.admin.partnership.sql;
    await admin.exec(
      `INSERT INTO people (id, given_name, family_name) VALUES ('per-m1', 'Ann', 'Lee'), ('per-m2', 'A', 'Lee')`,
    );
    await admin.exec(
      `INSERT INTO person_references (person_id, agency_id, reference) VALUES ('per-m2', 'youth', 'UPN-9')`,
    );
    await admin.exec(
      `INSERT INTO person_match_reviews (id, agency_id, reference, candidate_person_id, provisional_person_id, score,
         agreements, created_at) VALUES ('pmr-1', 'youth', 'UPN-9', 'per-m1', 'per-m2', 14, '{}', now())`,
    );
    await expect(db.query(`SELECT * FROM person_match_reviews`)).resolves.toMatchObject({ rowCount: 1 });
    await expect(db.query(`SELECT * FROM matched_references`)).resolves.toBeDefined();
    await refused(db, `UPDATE person_match_reviews SET status = 'CONFIRMED'`);
    await refused(db, `DELETE FROM person_match_reviews`);
    await refused(
      db,
      `INSERT INTO matched_references (agency_id, reference, person_id, method, matched_at) VALUES ('youth', 'x', 'per-m1', 'NEW', now())`,
    );
    await refused(db, `UPDATE person_references SET person_id = 'per-m1'`);
    // The function decides for the agency of the review only, and only a pending one.
    await expect(
      db.query(`SELECT person_match_decide('pmr-1', 'police', true, 'x', 'n')`),
    ).rejects.toMatchObject({
      code: "P0002",
    });
    await db.query(`SELECT person_match_decide('pmr-1', 'youth', true, 'youth.dso', 'same pupil')`);
    await expect(
      db.query(`SELECT person_match_decide('pmr-1', 'youth', false, 'x', 'n')`),
    ).rejects.toMatchObject({
      code: "P0002",
    });
    expect(
      await admin.one(
        `SELECT person_id FROM person_references WHERE agency_id = 'youth' AND reference = 'UPN-9'`,
      ),
    ).toEqual({ person_id: "per-m1" });
    const { db: name } = (await admin.one<{ db: string }>(`SELECT current_database() AS db`))!;
    const { rows } = await admin.pool.query(
      `SELECT p.prosecdef AS secdef, p.proconfig AS config FROM pg_proc p
        WHERE p.proname = 'person_match_decide' AND has_function_privilege($1, p.oid, 'EXECUTE')`,
      [roleName(name, "service")],
    );
    expect(rows).toEqual([{ secdef: true, config: ["search_path=pg_catalog, pg_temp"] }]);
  });

  it("partnership records a merge and its split, and can neither undo a split, change whom a merge joined, nor delete one", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "partnership")!);
    const admin = set.admin.partnership.sql;
    await admin.exec(
      `INSERT INTO people (id, given_name, family_name) VALUES ('per-g1', 'Gil', 'Ray'), ('per-g2', 'Gill', 'Ray'), ('per-g3', 'G', 'Ray')`,
    );
    await db.query(
      `INSERT INTO person_merges (id, survivor_id, merged_id, agency_id, merged_by, merged_at, note)
       VALUES ('pmg-1', 'per-g1', 'per-g2', 'youth', 'youth.dso', now(), 'same')`,
    );
    await refused(db, `UPDATE person_merges SET survivor_id = 'per-g3'`);
    await refused(db, `UPDATE person_merges SET merged_id = 'per-g3'`);
    await refused(db, `DELETE FROM person_merges`);
    await db.query(
      `UPDATE person_merges SET split_agency_id = 'youth', split_by = 'youth.dso', split_at = now(), split_note = 'not'`,
    );
    // A split is set once (a trigger): the merge is not brought back, nor its split rewritten.
    await expect(
      db.query(
        `UPDATE person_merges SET split_at = NULL, split_by = NULL, split_note = NULL, split_agency_id = NULL`,
      ),
    ).rejects.toMatchObject({ code: "23514" });
    // Whom it joined is kept; nothing but a split's own columns changed.
    expect(await admin.one(`SELECT survivor_id, merged_id, split_by FROM person_merges`)).toEqual({
      survivor_id: "per-g1",
      merged_id: "per-g2",
      split_by: "youth.dso",
    });
    await admin.exec(`DELETE FROM person_merges`);
  });

  it("partnership's ingest role adds people and references through the matcher, and can do nothing more", async () => {
    const url = ingestDatabaseUrl(set.config, "partnership")!;
    const role = decodeURIComponent(new URL(url).username);
    const admin = set.admin.partnership.sql;
    // By the catalogue: every privilege it holds on every table, column and function of the schema.
    const { rows: tables } = await admin.pool.query(
      `SELECT c.relname || ' ' || p AS privilege
         FROM pg_class c CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
          AND has_table_privilege($1, c.oid, p)
        ORDER BY 1`,
      [role],
    );
    expect(tables.map((r) => r.privilege)).toEqual([
      "matched_references INSERT",
      "matched_references SELECT",
      "people INSERT",
      "people SELECT",
      "person_match_reviews INSERT",
      // The matcher offers a merged person's survivor (matching/repository.ts).
      "person_merges SELECT",
      "person_references INSERT",
      "person_references SELECT",
    ]);
    const { rows: columns } = await admin.pool.query(
      `SELECT a.attrelid::regclass::text || '.' || a.attname AS "column"
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
          AND has_column_privilege($1, a.attrelid, a.attnum, 'UPDATE')
        ORDER BY 1`,
      [role],
    );
    // An export may change the identity a reference was matched by; never whom or how it was linked.
    expect(columns.map((r) => r.column)).toEqual(
      [
        "birth_year",
        "date_of_birth",
        "family_codes",
        "family_name",
        "given_initial",
        "given_name",
        "postcode",
        "swapped_date_of_birth",
        "uprn",
      ].map((c) => `matched_references.${c}`),
    );
    const { rows: functions } = await admin.pool.query(
      `SELECT p.proname FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege($1, p.oid, 'EXECUTE')`,
      [role],
    );
    expect(functions).toEqual([]);
    // And by trying.
    await admin.exec(
      `INSERT INTO people (id, given_name, family_name) VALUES ('per-i1', 'Ann', 'Lee'), ('per-i2', 'A', 'Lee')
       ON CONFLICT DO NOTHING`,
    );
    const db = await connect(url);
    await db.query(
      `INSERT INTO person_references (person_id, agency_id, reference) VALUES ('per-i2', 'council', 'CN-9')`,
    );
    await db.query(
      `INSERT INTO matched_references (agency_id, reference, person_id, given_name, method, matched_at)
       VALUES ('council', 'CN-9', 'per-i2', 'A', 'NEW', now())`,
    );
    await db.query(`UPDATE matched_references SET given_name = 'Ann' WHERE reference = 'CN-9'`);
    await db.query(
      `INSERT INTO person_match_reviews (id, agency_id, reference, candidate_person_id, provisional_person_id, score,
         agreements, created_at) VALUES ('pmr-i1', 'council', 'CN-9', 'per-i1', 'per-i2', 14, '{}', now())`,
    );
    await refused(db, `UPDATE matched_references SET person_id = 'per-i1', method = 'REVIEW'`);
    await refused(db, `UPDATE person_references SET person_id = 'per-i1'`);
    await refused(db, `DELETE FROM person_references`);
    await refused(db, `DELETE FROM people`);
    await refused(db, `UPDATE people SET given_name = 'forged'`);
    await refused(db, `SELECT * FROM person_match_reviews`);
    await refused(db, `UPDATE person_match_reviews SET status = 'CONFIRMED'`);
    await refused(db, `SELECT person_match_decide('pmr-i1', 'council', true, 'x', 'n')`);
    await refused(db, `SELECT * FROM problem_cases`);
  });

  it("the services refuse to start as a superuser (the migrator), or to reach governance as one", async () => {
    await expect(openServiceStore(police, set.config.databaseUrl("police")!)).rejects.toThrow(
      /superuser or may create roles/,
    );
    const store = await openServiceStore(police, serviceDatabaseUrl(set.config, "police")!, { poolSize: 1 });
    await store.close();
    // Nor reach governance as one.
    const config = testConfig({
      POLICE_DATABASE_URL: set.config.databaseUrl("police")!,
      POLICE_GOVERNANCE_ACCESS_DATABASE_URL: set.config.databaseUrl("governance")!,
    });
    await expect(startSubgraph(police, config, 0, governanceAdapter)).rejects.toThrow(
      /governance access.*superuser/,
    );
  });
});

describe("the audit log", () => {
  const auditAttacks = [
    `UPDATE audit_log SET purpose = 'STATISTICS'`,
    `DELETE FROM audit_log`,
    `TRUNCATE audit_log CASCADE`,
    `DELETE FROM audit_checkpoints`,
    `INSERT INTO audit_log SELECT * FROM audit_log LIMIT 0`,
    `ALTER TABLE audit_log DISABLE TRIGGER USER`,
    `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
    `DROP TRIGGER audit_log_append_only ON audit_log`,
    `SET session_replication_role = replica`,
    `UPDATE access_facts_version SET version = 1`,
    `ALTER FUNCTION audit_append(jsonb, bigint) SECURITY INVOKER`,
    `CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'`,
  ];

  it.each([
    ["the governance service", () => serviceDatabaseUrl(set.config, "governance")!],
    ["the gateway's access role", () => governanceAccessDatabaseUrl(set.config)!],
    ["the police subgraph's login into governance", () => governanceAccessDatabaseUrl(set.config, "police")!],
    [
      "the partnership subgraph's login into governance",
      () => governanceAccessDatabaseUrl(set.config, "partnership")!,
    ],
    ["the auditor", () => auditorDatabaseUrl(set.config)!],
  ])("%s may not update, delete, truncate, insert into it or silence its triggers", async (_, url) => {
    const db = await connect(url());
    for (const attack of auditAttacks) await refused(db, attack);
  });

  it("is appended through audit_append alone, which runs as a NOLOGIN definer with a safe search_path", async () => {
    const { rows } = await set.admin.governance.sql.pool.query<{
      secdef: boolean;
      config: string[];
      owner: string;
      login: boolean;
    }>(
      `SELECT p.prosecdef AS secdef, p.proconfig AS config, r.rolname AS owner, r.rolcanlogin AS login
         FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
        WHERE p.oid = 'public.audit_append(jsonb, bigint)'::regprocedure`,
    );
    expect(rows).toEqual([
      {
        secdef: true,
        config: ["search_path=pg_catalog, pg_temp"],
        owner: roleName(databaseOf(set.config.databaseUrl("governance")!), "audit_writer"),
        login: false,
      },
    ]);
    // The definer cannot be logged in as.
    const definer = urlAs(
      set.config.databaseUrl("governance")!,
      roleName(databaseOf(set.config.databaseUrl("governance")!), "audit_writer"),
      undefined,
    );
    const client = new Client({ connectionString: definer });
    await expect(client.connect()).rejects.toThrow(/not permitted to log in/);
    await client.end().catch(() => undefined);
  });

  /** Appends as `subgraph`'s own login into governance. */
  async function appendAs(subgraph: AuditingSubgraph, records: NewAuditRecord[]) {
    const pool = new Pool({ connectionString: governanceAccessDatabaseUrl(set.config, subgraph)!, max: 1 });
    try {
      return await AuditRepository.append(new Sql(pool), records);
    } finally {
      await pool.end();
    }
  }

  /** Appends as npm run ingest's login into governance. */
  async function appendAsIngest(records: NewAuditRecord[]) {
    const pool = new Pool({ connectionString: ingestDatabaseUrl(set.config, "governance")!, max: 1 });
    try {
      return await AuditRepository.append(new Sql(pool), records);
    } finally {
      await pool.end();
    }
  }

  const auditedSequences = async () => {
    const auditor = await connect(auditorDatabaseUrl(set.config)!);
    const { rows } = await auditor.query(`SELECT sequence FROM audit_log ORDER BY sequence`);
    return rows.map((r) => Number(r.sequence));
  };

  it("each subgraph appends its own agency's records through audit_append, as its own login, and the chain goes on", async () => {
    // Police recording that it showed council one of its incidents.
    const stored = await appendAs("police", [record(3)]);
    expect(stored[0].sequence).toBe(3);
    // Council recording that police were refused one of its cases, and a refusal of the people index.
    await appendAs("council", [
      record(4, {
        agencyId: "police",
        ownerAgencyId: "council",
        categories: ["ASB_CASE"],
        decision: "DENIED",
        reason: "NO_AGREEMENT",
        basis: null,
        agreementId: null,
        kind: "DENIAL",
      }),
      record(5, {
        ownerAgencyId: "partnership",
        categories: ["IDENTITY"],
        decision: "DENIED",
        kind: "DENIAL",
      }),
    ]);
    // The partnership: a council reference number it keeps, and a police record a case links to.
    await appendAs("partnership", [
      record(6, { ownerAgencyId: "council", categories: ["IDENTITY"] }),
      record(7, { decision: "DENIED", reason: "NO_AGREEMENT", basis: null, kind: "DENIAL" }),
    ]);
    // Youth services: the council's decision to refer a young person to it (the council's own record
    // of them, sent to youth services by acting), refused for want of consent.
    await appendAs("youth", [
      record(8, {
        agencyId: "council",
        ownerAgencyId: "council",
        categories: ["ASB_CASE"],
        decision: "DENIED",
        reason: "CONSENT_REQUIRED",
        basis: null,
        kind: "DENIAL",
        detail: "sent to youth",
      }),
    ]);
    // npm run ingest, as its own login: a council reference linked to a person by its matcher.
    await appendAsIngest([
      record(9, {
        agencyId: "council",
        role: "INGEST",
        ownerAgencyId: "partnership",
        categories: ["IDENTITY"],
        basis: null,
        kind: "PERSON_MATCH",
        detail: "council import 1 (parties.csv) linked a reference to a person another agency holds",
      }),
    ]);
    expect(await auditedSequences()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("refuses a forged record for another agency, whoever's credential appends it, and writes nothing (issue 15, finding 6)", async () => {
    const before = await auditedSequences();
    const forgeries: [AuditingSubgraph, NewAuditRecord][] = [
      // Police claiming council disclosed an ASB case, or refused one.
      ["police", record(10, { ownerAgencyId: "council", categories: ["ASB_CASE"] })],
      [
        "police",
        record(11, { ownerAgencyId: "council", decision: "DENIED", reason: "NO_AGREEMENT", kind: "DENIAL" }),
      ],
      // Housing claiming a disclosure of the people index, which is only ever refused by another subgraph.
      ["housing", record(12, { ownerAgencyId: "partnership", categories: ["IDENTITY"] })],
      // Youth writing what only governance writes: a consent change.
      ["youth", record(13, { ownerAgencyId: "youth", kind: "CONSENT_CHANGE", detail: "forged" })],
      // A record of no one's data.
      ["youth", record(14, { ownerAgencyId: null })],
      // Police claiming a council user sent council data to youth services.
      ["police", record(17, { agencyId: "council", ownerAgencyId: "council", detail: "sent to youth" })],
      // The partnership, which records links to any agency's records, writing what only governance writes.
      ["partnership", record(15, { kind: "AGREEMENT_CHANGE", detail: "forged" })],
      // A person match review is the partnership's, of the people index, and no one else's.
      [
        "housing",
        record(18, { ownerAgencyId: "partnership", kind: "PERSON_MATCH_REVIEW", detail: "forged" }),
      ],
      [
        "partnership",
        record(19, { ownerAgencyId: "council", kind: "PERSON_MATCH_REVIEW", detail: "forged" }),
      ],
      // An import's automatic link or queued review is npm run ingest's, and no subgraph's.
      ["council", record(20, { ownerAgencyId: "partnership", kind: "PERSON_MATCH", detail: "forged" })],
      ["partnership", record(21, { ownerAgencyId: "partnership", kind: "PERSON_MATCH", detail: "forged" })],
      // So are a merge of people and its split.
      ["council", record(22, { ownerAgencyId: "partnership", kind: "PERSON_MERGE", detail: "forged" })],
      ["partnership", record(23, { ownerAgencyId: "police", kind: "PERSON_SPLIT", detail: "forged" })],
    ];
    for (const [subgraph, forged] of forgeries) {
      // A genuine record in the same append does not carry a forged one through.
      const own = record(16, { ownerAgencyId: subgraph === "partnership" ? "partnership" : subgraph });
      await expect(appendAs(subgraph, [own, forged])).rejects.toMatchObject({
        message: expect.stringMatching(/may append only records of its own agency's data/),
      });
    }
    // npm run ingest's login appends PERSON_MATCH records of the people index, and nothing else:
    // not of another agency's data, not a disclosure, not what the partnership's login may.
    for (const forged of [
      record(22, { ownerAgencyId: "council", kind: "PERSON_MATCH", detail: "forged" }),
      record(23, { ownerAgencyId: "partnership", kind: "PERSON_MATCH_REVIEW", detail: "forged" }),
      record(24, { ownerAgencyId: "council", categories: ["ASB_CASE"] }),
      record(25, { ownerAgencyId: "partnership", kind: "RECTIFICATION", detail: "forged" }),
    ])
      await expect(
        appendAsIngest([record(26, { ownerAgencyId: "partnership", kind: "PERSON_MATCH" }), forged]),
      ).rejects.toMatchObject({
        message: expect.stringMatching(/may append only records of its own agency's data/),
      });
    // Nor read anything: the audit, the facts.
    const ingest = await connect(ingestDatabaseUrl(set.config, "governance")!);
    for (const table of ["audit_log", "agreements", "consents", "person_keys", "audit_writers"])
      await refused(ingest, `SELECT 1 FROM ${table} LIMIT 1`);
    // The gateway's access role reads the facts and appends nothing at all.
    const access = await connect(governanceAccessDatabaseUrl(set.config)!);
    await refused(access, `SELECT * FROM audit_append('[]'::jsonb, NULL)`);
    expect(await auditedSequences()).toEqual(before);
  });
});

describe("the agencies' access role into governance", () => {
  it("reads the access facts and nothing else", async () => {
    const db = await connect(governanceAccessDatabaseUrl(set.config)!);
    for (const table of [
      "agencies",
      "agreements",
      "agreement_approvals",
      "consents",
      "person_dates_of_birth",
      "access_facts_version",
    ])
      await expect(db.query(`SELECT * FROM ${table} LIMIT 1`)).resolves.toBeDefined();
    for (const table of ["audit_log", "audit_checkpoints", "break_glass_reviews", "migrations", "demo_seed"])
      await refused(db, `SELECT * FROM ${table} LIMIT 1`);
    await refused(
      db,
      `INSERT INTO consents (id, person_id, recipient_agency_id, purposes, categories, given_by, given_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-x', 'per-1', 'council', '{STATISTICS}', '{IDENTITY}', 'SELF', now(), 'x', 'police', 'x', now())`,
    );
    await refused(db, `UPDATE agreements SET status = 'ACTIVE'`);
  });

  it("calls no function of governance's schema; each subgraph's login may call audit_append and nothing else (partnership's also notify)", async () => {
    const database = databaseOf(set.config.databaseUrl("governance")!);
    const callable = async (role: string) => {
      const { rows } = await set.admin.governance.sql.pool.query<{ fn: string }>(
        `SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
          WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege($1, p.oid, 'EXECUTE')`,
        [role],
      );
      return rows.map((r) => r.fn);
    };
    expect(await callable(roleName(database, "access"))).toEqual([]);
    // The partnership relays its case work notifications to governance (notify takes only those kinds from it).
    for (const subgraph of AUDITING_SUBGRAPHS)
      expect((await callable(roleName(database, `access_${subgraph}`))).sort()).toEqual(
        subgraph === "partnership"
          ? ["audit_append(jsonb,bigint)", "notify(jsonb)"]
          : ["audit_append(jsonb,bigint)"],
      );
    const db = await connect(governanceAccessDatabaseUrl(set.config)!);
    await refused(db, `SELECT access_facts_changed()`);
  });
});

describe("the auditor", () => {
  it("reads the audit log and its checkpoints, and nothing else", async () => {
    const db = await connect(auditorDatabaseUrl(set.config)!);
    await expect(db.query(`SELECT count(*) FROM audit_checkpoints`)).resolves.toBeDefined();
    for (const table of ["consents", "agreements", "break_glass_reviews"])
      await refused(db, `SELECT * FROM ${table} LIMIT 1`);
    await refused(db, `SELECT * FROM audit_append('[]'::jsonb, NULL)`);
  });
});

describe("the governance service", () => {
  it("records consents, which moves the access facts version through the definer's trigger", async () => {
    const db = await connect(serviceDatabaseUrl(set.config, "governance")!);
    const version = async () =>
      Number((await db.query(`SELECT version FROM access_facts_version`)).rows[0].version);
    const before = await version();
    await db.query(
      `INSERT INTO consents (id, person_id, provider_agency_id, recipient_agency_id, purposes, categories, given_by, given_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-roles', 'per-000001', 'police', 'council', '{STATISTICS}', '{IDENTITY}', 'SELF', now(), 'form-1', 'police', 'dso', now())`,
    );
    expect(await version()).toBe(before + 1);
    await refused(db, `INSERT INTO agencies (id, name, kind, contact) VALUES ('acme', 'Acme', 'OTHER', 'x')`);
    // An erasure removes the consents an agency recorded about the person; agreements stay.
    await refused(db, `DELETE FROM agreements`);
  });
});
