import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Pool } from "pg";
import type { QueryRunner } from "typeorm";
import { ConfigError, type Config, type SubgraphName } from "./config";

/**
 * Least privilege in PostgreSQL. Migrations (run by a privileged step: `npm run migrate`, the
 * seed, `npm start` before it starts the services) own every table; each service logs in as a
 * role that owns nothing and may only read and write the rows its subgraph serves.
 *
 * Roles are cluster-wide while databases are per subgraph (and per test run), so every role is
 * named after the database it serves: one migration knows its roles from `current_database()`,
 * and two sets of databases on one server (parallel test runs, a bench beside `npm start`)
 * never share a role.
 */
export type RoleKind =
  /** The subgraph's service (LOGIN): DML on its own tables only. */
  | "service"
  /** Governance only (LOGIN): what the gateway reads the access facts (registered agencies) with. */
  | "access"
  /**
   * Governance only (LOGIN), one per other subgraph: reads what `access` reads and appends that
   * subgraph's own audit records through `audit_append`, which knows it by its login.
   */
  | `access_${AuditingSubgraph}`
  /** Governance only (LOGIN): reads the audit log and its checkpoints, for `npm run audit:verify`. */
  | "auditor"
  /** Governance only (NOLOGIN): owns `audit_append`, the one way into the audit log. */
  | "audit_writer"
  /**
   * An agency's database, and partnership's (LOGIN): what `npm run ingest` writes with, INSERT and
   * UPDATE on the tables a mapping loads (shared/ingest/store.ts); the service stays read-only. In
   * governance, what it audits the matcher's links with: `audit_append` of those records only.
   */
  | "ingest";

/** The subgraphs whose migrations create an ingest role. */
export const INGEST_SUBGRAPHS: readonly SubgraphName[] = [
  "police",
  "council",
  "youth",
  "housing",
  "partnership",
  "governance",
];

/** The subgraphs that consult governance through a login of their own (governance uses its store). */
export type AuditingSubgraph = Exclude<SubgraphName, "governance">;
export const AUDITING_SUBGRAPHS: readonly AuditingSubgraph[] = [
  "police",
  "council",
  "youth",
  "housing",
  "partnership",
];

const MAX_NAME = 63;

/** The role of `kind` for `database`; a name too long for PostgreSQL ends in a hash of the whole. */
export function roleName(database: string, kind: RoleKind): string {
  const name = `${database}_${kind}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(database).digest("hex").slice(0, 8);
  return `${database.slice(0, MAX_NAME - kind.length - hash.length - 2)}_${hash}_${kind}`;
}

export function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
}

/** A role's password derived from the deployment's secret: nothing to store per role. */
export function rolePassword(secret: string, role: string): string {
  return createHmac("sha256", secret).update(`partnership-graph-role:${role}`).digest("hex");
}

/** The same server and database as `url`, logged in as `role`. */
export function urlAs(url: string, role: string, password: string | undefined): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = password ? encodeURIComponent(password) : "";
  return u.toString();
}

/**
 * The secret role passwords are derived from: DATABASE_ROLE_SECRET, else (outside production)
 * one generated on first use into DATABASE_ROLE_SECRET_FILE (an ignored folder), so `npm start`,
 * `npm run seed` and a subgraph started alone agree without anyone typing a password.
 */
export function roleSecret(config: Config): string {
  if (config.DATABASE_ROLE_SECRET) return config.DATABASE_ROLE_SECRET;
  if (config.NODE_ENV === "production") {
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_ROLE_SECRET: required in production unless every *_SERVICE_DATABASE_URL, *GOVERNANCE_ACCESS_DATABASE_URL and AUDITOR_DATABASE_URL is set",
    );
  }
  const file = config.DATABASE_ROLE_SECRET_FILE;
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    // Another process wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFileSync(file, "utf8").trim();
}

function derived(config: Config, adminUrl: string | undefined, kind: RoleKind): string | undefined {
  if (!adminUrl) return undefined;
  const role = roleName(databaseOf(adminUrl), kind);
  return urlAs(adminUrl, role, rolePassword(roleSecret(config), role));
}

const upper = <S extends SubgraphName>(s: S) => s.toUpperCase() as Uppercase<S>;

/** Where a subgraph's service connects: <NAME>_SERVICE_DATABASE_URL, else its role on the admin URL's database. */
export function serviceDatabaseUrl(config: Config, subgraph: SubgraphName): string | undefined {
  return (
    config[`${upper(subgraph)}_SERVICE_DATABASE_URL`] ??
    derived(config, config.databaseUrl(subgraph), "service")
  );
}

/**
 * Where a subgraph reaches governance (access facts, `audit_append` of its own records):
 * <NAME>_GOVERNANCE_ACCESS_DATABASE_URL, else derived; without a subgraph, where the gateway reads
 * the access facts: GOVERNANCE_ACCESS_DATABASE_URL, else derived.
 */
export function governanceAccessDatabaseUrl(config: Config, subgraph?: AuditingSubgraph): string | undefined {
  if (subgraph) {
    return (
      config[`${upper(subgraph)}_GOVERNANCE_ACCESS_DATABASE_URL`] ??
      derived(config, config.databaseUrl("governance"), `access_${subgraph}`)
    );
  }
  return config.GOVERNANCE_ACCESS_DATABASE_URL ?? derived(config, config.databaseUrl("governance"), "access");
}

/**
 * Where `npm run ingest` and the ingest service write a subgraph's records:
 * <NAME>_INGEST_DATABASE_URL, else its ingest role on the admin URL's database.
 */
export function ingestDatabaseUrl(config: Config, subgraph: SubgraphName): string | undefined {
  return (
    config[`${upper(subgraph)}_INGEST_DATABASE_URL`] ??
    derived(config, config.databaseUrl(subgraph), "ingest")
  );
}

/** Where `npm run audit:verify` reads: AUDITOR_DATABASE_URL, else derived. */
export function auditorDatabaseUrl(config: Config): string | undefined {
  return config.AUDITOR_DATABASE_URL ?? derived(config, config.databaseUrl("governance"), "auditor");
}

/** The login roles a subgraph's migrations create, with the URL each is configured to log in with. */
export function loginRoles(config: Config, subgraph: SubgraphName): { kind: RoleKind; url?: string }[] {
  const roles: { kind: RoleKind; url?: string }[] = [
    { kind: "service", url: config[`${upper(subgraph)}_SERVICE_DATABASE_URL`] },
  ];
  if (subgraph === "governance") {
    roles.push({ kind: "access", url: config.GOVERNANCE_ACCESS_DATABASE_URL });
    for (const name of AUDITING_SUBGRAPHS)
      roles.push({ kind: `access_${name}`, url: config[`${upper(name)}_GOVERNANCE_ACCESS_DATABASE_URL`] });
    roles.push({ kind: "auditor", url: config.AUDITOR_DATABASE_URL });
  }
  // The ingest service's login, when given (the command derives it from the secret).
  if (INGEST_SUBGRAPHS.includes(subgraph))
    roles.push({ kind: "ingest", url: config[`${upper(subgraph)}_INGEST_DATABASE_URL`] });
  return roles;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Part of the privileged migration step, after the migrations: gives each login role of the
 * database its password, from its configured URL when there is one (its user must be the role
 * the migrations created), else derived from the secret. With neither, the role keeps the
 * password an operator gave it.
 */
export async function setRolePasswords(
  pool: Pool,
  config: Config,
  subgraph: SubgraphName,
  adminUrl: string,
): Promise<void> {
  const database = databaseOf(adminUrl);
  for (const { kind, url } of loginRoles(config, subgraph)) {
    const role = roleName(database, kind);
    let password: string | undefined;
    if (url) {
      const given = new URL(url);
      if (decodeURIComponent(given.username) !== role) {
        throw new ConfigError(
          `Invalid configuration:\n  the ${kind} URL for ${subgraph} logs in as "${decodeURIComponent(given.username)}", but its migrations created "${role}"`,
        );
      }
      password = decodeURIComponent(given.password) || undefined;
    } else if (config.DATABASE_ROLE_SECRET || config.NODE_ENV !== "production") {
      password = rolePassword(roleSecret(config), role);
    }
    if (password) await pool.query(`ALTER ROLE ${ident(role)} PASSWORD ${literal(password)}`);
  }
}

/**
 * Services refuse to run with more power than they need: not as a superuser, nor as a role
 * that can create roles or databases or bypass row security, nor as the owner of a table.
 */
export async function assertLeastPrivilege(pool: Pool, what: string): Promise<void> {
  const { rows } = await pool.query<{ role: string; powerful: boolean; owns: number }>(
    `SELECT r.rolname AS role,
            (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls OR r.rolreplication) AS powerful,
            (SELECT count(*)::int FROM pg_class c
              WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace) AS owns
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const me = rows[0];
  if (me?.powerful || (me?.owns ?? 0) > 0) {
    throw new Error(
      `${what}: connected as "${me.role}", which ${me.powerful ? "is a superuser or may create roles or databases" : "owns tables"}; services connect with their own least-privileged role (see README, Configuration)`,
    );
  }
}

/** What a subgraph's roles migration grants beyond reading its own tables. */
export interface ServiceGrants {
  /** Tables the service inserts into, updates, or deletes from: privilege by table. */
  writes?: Record<string, ("INSERT" | "UPDATE" | "DELETE")[]>;
}

/** Tables the migration step keeps to itself. */
const ADMIN_ONLY_TABLES = ["migrations", "demo_seed"];

async function currentDatabase(q: QueryRunner): Promise<string> {
  const [row] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
  return row.name;
}

/** Creates a role unless it exists (roles outlive a database dropped and made again). */
export async function createRole(q: QueryRunner, role: string, login: boolean): Promise<void> {
  await q.query(`DO $$ BEGIN
    CREATE ROLE ${ident(role)} ${login ? "LOGIN" : "NOLOGIN"} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
}

/**
 * The migration every subgraph runs once: its service role, which may connect to this database
 * only, read its tables (those added later too) and write the tables named in `grants`; nothing
 * here may be created by anyone but the migrator, and no function of the schema may be called
 * unless granted by name.
 */
export async function createServiceRole(q: QueryRunner, grants: ServiceGrants = {}): Promise<string> {
  const database = await currentDatabase(q);
  const service = roleName(database, "service");
  await createRole(q, service, true);
  await q.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
  await q.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(service)}`);
  await q.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  await q.query(`GRANT USAGE ON SCHEMA public TO ${ident(service)}`);
  await q.query(`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC`);
  await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
  await q.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ident(service)}`);
  await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${ident(service)}`);
  for (const table of ADMIN_ONLY_TABLES)
    await q.query(`REVOKE ALL ON TABLE ${ident(table)} FROM ${ident(service)}`);
  const writes = Object.entries(grants.writes ?? {});
  for (const [table, privileges] of writes)
    await q.query(`GRANT ${privileges.join(", ")} ON TABLE ${ident(table)} TO ${ident(service)}`);
  // bigserial ids of the tables it inserts into.
  if (writes.length) await q.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${ident(service)}`);
  return service;
}

/**
 * The server's own databases: PostgreSQL lets every role connect to them (and make temporary
 * tables there) unless that is revoked from PUBLIC. template0 takes no connections at all.
 */
export const MAINTENANCE_DATABASES = ["postgres", "template1"] as const;

/**
 * No role but the migrator (and superusers) connects to a database it does not serve: this
 * database's CONNECT and TEMPORARY are revoked from PUBLIC (its roles were granted CONNECT by name),
 * and so are those of the server's maintenance databases, which every role could otherwise reach.
 * Cluster-wide and idempotent, so every subgraph's migrations run it (they may be on different
 * servers), and a server shared with other deployments keeps whatever they granted by name. A
 * migrator that neither is a superuser nor owns a maintenance database cannot revoke there: it is
 * left for the server's administrator (see README, Database roles), with a notice.
 */
export async function connectOnlyWhereServed(q: QueryRunner): Promise<string[]> {
  const database = await currentDatabase(q);
  await q.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
  const rows = (await q.query(
    `SELECT d.datname AS name,
            (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
              OR pg_has_role(current_user, d.datdba, 'USAGE') AS mine
       FROM pg_database d WHERE d.datname = ANY($1::text[])`,
    [MAINTENANCE_DATABASES],
  )) as { name: string; mine: boolean }[];
  const left: string[] = [];
  for (const { name, mine } of rows) {
    if (!mine) {
      left.push(name);
      continue;
    }
    // The databases of a deployment migrate at once, and a GRANT or REVOKE on the same database
    // from another transaction fails with "tuple concurrently updated" (advisory locks are per
    // database, so none serialises them): only what is still granted is revoked, and a clash is
    // tried again.
    await q.query(`DO $$ BEGIN
      FOR attempt IN 1..50 LOOP
        IF NOT has_database_privilege('public', ${literal(name)}, 'CONNECT')
           AND NOT has_database_privilege('public', ${literal(name)}, 'TEMPORARY') THEN
          RETURN;
        END IF;
        BEGIN
          REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(name)} FROM PUBLIC;
          RETURN;
        EXCEPTION WHEN internal_error THEN
          PERFORM pg_sleep(0.02 + random() * 0.08);
        END;
      END LOOP;
      REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(name)} FROM PUBLIC;
    END $$`);
  }
  if (left.length) {
    await q.query(
      `DO $$ BEGIN RAISE NOTICE '%', ${literal(`not revoked (the migrator neither is a superuser nor owns them): REVOKE CONNECT, TEMPORARY ON DATABASE ${left.map(ident).join(", ")} FROM PUBLIC`)}; END $$`,
    );
  }
  return left;
}

/** Governance's further roles: the others' access role, the auditor, and the audit's definer. */
export async function createGovernanceRoles(
  q: QueryRunner,
  grants: { accessReads: string[] },
): Promise<{ access: string; auditor: string; auditWriter: string }> {
  const database = await currentDatabase(q);
  const access = roleName(database, "access");
  const auditor = roleName(database, "auditor");
  const auditWriter = roleName(database, "audit_writer");
  await createRole(q, access, true);
  await createRole(q, auditor, true);
  await createRole(q, auditWriter, false);
  const [me] = (await q.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`)) as {
    rolsuper: boolean;
  }[];
  // A migrator that is not a superuser must be a member to make the definer own functions.
  if (!me.rolsuper) await q.query(`GRANT ${ident(auditWriter)} TO CURRENT_USER`);
  for (const role of [access, auditor]) {
    await q.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(role)}`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${ident(role)}`);
  }
  await q.query(`GRANT USAGE ON SCHEMA public TO ${ident(auditWriter)}`);
  await q.query(`GRANT SELECT ON TABLE ${grants.accessReads.map(ident).join(", ")} TO ${ident(access)}`);
  await q.query(`GRANT SELECT ON TABLE audit_log, audit_checkpoints TO ${ident(auditor)}`);
  return { access, auditor, auditWriter };
}

/**
 * For later migrations: grants one of this database's roles privileges on tables it adds (a new
 * table is readable by the service already, through default privileges; writes, and reads by
 * governance's access role, are granted by name), e.g.
 * `await grantTo(q, "service", ["INSERT"], ["case_notes"])`.
 */
export async function grantTo(
  q: QueryRunner,
  kind: Exclude<RoleKind, "audit_writer">,
  privileges: ("SELECT" | "INSERT" | "UPDATE" | "DELETE")[],
  tables: string[],
): Promise<void> {
  const role = roleName(await currentDatabase(q), kind);
  await q.query(`GRANT ${privileges.join(", ")} ON TABLE ${tables.map(ident).join(", ")} TO ${ident(role)}`);
}

export { ident as quoteIdentifier };
