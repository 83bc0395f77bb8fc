import { spawn } from "node:child_process";
import { join } from "node:path";
import { Client } from "pg";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { deploymentBudget, jobsBudget } from "../../subgraphs/shared/connection-budget";
import { Role } from "../../subgraphs/shared/enums";
import { seedDemoPartnership } from "../../scripts/lib/demo";
import { closeAllStores, openAllStores } from "../../scripts/lib/stores";
import { contractOperations } from "../support/contract";
import { DEMO_SEED } from "../support/demo-databases";
import { startOwnPostgres, type OwnPostgres } from "../support/embedded-postgres";
import { graphql, testConfig, type As, type GraphQLResponse } from "../support/graphql";
import {
  baseEnv,
  freePort,
  spawnService,
  waitReady,
  type ServiceName,
  type ServiceProcess,
} from "../support/processes";

/**
 * Two replica sets of every service (two gateways, two of each subgraph, each its own process)
 * on ONE PostgreSQL with its default max_connections of 100, at the documented pool sizes: under
 * concurrent reads and writes no answer may lose data to a refused connection, and the audit chain
 * they all appended to must verify afterwards.
 */

const ROOT = join(__dirname, "..", "..");
const SECRET = process.env.DATABASE_ROLE_SECRET!;
const METRICS_TOKEN = "replica-sets-metrics-token";
/** What fails closed when PostgreSQL refuses a connection. */
const REFUSED = ["DATABASE_UNAVAILABLE", "ACCESS_DECISION_UNAVAILABLE", "AUDIT_UNAVAILABLE"];

const dataDir = join(ROOT, ".data", `replica-sets-${process.env.TEST_RUN_ID ?? "x"}-${process.pid}`);
let server: OwnPostgres | undefined;
const services: ServiceProcess[] = [];
const gateways: string[] = [];

/** Runs an npm script against the embedded server, as an operator would. */
function runScript(
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script, ...(args.length ? ["--", ...args] : [])], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** The settings every process of the deployment shares: the server, the secret, no pool sizes. */
const deploymentEnv = (): NodeJS.ProcessEnv => ({
  ...baseEnv(),
  DATABASE_URL: server!.url,
  DATABASE_ROLE_SECRET: SECRET,
  METRICS_TOKEN,
  // The machine is shared: slow answers are not what this test is about, refused ones are.
  REQUEST_DEADLINE_MS: "120000",
  SUBGRAPH_TIMEOUT_MS: "120000",
});

async function stopServices(): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      if (service.exited !== null) return;
      const gone = new Promise((resolve) => service.child.once("exit", resolve));
      service.child.kill("SIGTERM");
      await gone;
    }),
  );
}

beforeAll(async () => {
  server = await startOwnPostgres(dataDir);
  // The migration step, as its own job with its own share of the budget.
  const migrated = await runScript("migrate", deploymentEnv());
  expect(migrated).toMatchObject({ code: 0 });
  const admin = await openAllStores(testConfig({ DATABASE_URL: server.url }), { poolSize: 2 });
  try {
    await seedDemoPartnership(admin, { seed: DEMO_SEED, scale: "small" });
  } finally {
    await closeAllStores(admin);
  }

  for (let set = 0; set < 2; set++) {
    const ports = {} as Record<ServiceName, number>;
    for (const name of [...SUBGRAPH_NAMES, "gateway" as const]) ports[name] = await freePort();
    const urls = Object.fromEntries(
      SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_URL`, `http://127.0.0.1:${ports[n]}/graphql`]),
    );
    const envOf = (name: ServiceName) => ({
      ...deploymentEnv(),
      ...urls,
      [`${name.toUpperCase()}_PORT`]: String(ports[name]),
    });
    const subgraphs = SUBGRAPH_NAMES.map((name) => spawnService(name, ports[name], envOf(name)));
    services.push(...subgraphs);
    await Promise.all(subgraphs.map((s) => waitReady(s, 240_000)));
    const gateway = spawnService("gateway", ports.gateway, envOf("gateway"));
    services.push(gateway);
    await waitReady(gateway, 240_000);
    gateways.push(`http://127.0.0.1:${ports.gateway}/graphql`);
  }
}, 900_000);

afterAll(async () => {
  await stopServices();
  await server?.stop();
}, 120_000);

const operation = (name: string) => {
  const found = contractOperations().find((o) => o.name === name);
  if (!found) throw new Error(`no contract operation ${name}`);
  return found.source;
};

const police: As = {
  agency: "police",
  role: Role.PRACTITIONER,
  user: "pc.smith",
  purpose: "CRIME_PREVENTION",
};
const council: As = {
  agency: "council",
  role: Role.PRACTITIONER,
  user: "asb.officer",
  purpose: "ASB_CASE_MANAGEMENT",
};

/** One of the three kinds of request, in turn: a person, an area's incidents, a case opened. */
function request(url: string, i: number): Promise<GraphQLResponse> {
  switch (i % 3) {
    case 0:
      return graphql(
        url,
        operation("Person360"),
        { id: "per-000002" },
        { ...police, operationName: "Person360" },
      );
    case 1:
      return graphql(
        url,
        operation("IncidentsInArea"),
        { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03", first: 50 },
        { ...police, operationName: "IncidentsInArea" },
      );
    default:
      return graphql(
        url,
        operation("OpenCase"),
        {
          input: {
            title: `Replica load ${i}`,
            problemType: "Youth nuisance",
            neighbourhoodCodes: ["E01032739"],
            partnerAgencyIds: ["police"],
            people: [{ personId: "per-000101", role: "VICTIM" }],
          },
        },
        { ...council, operationName: "OpenCase" },
      );
  }
}

it("runs on PostgreSQL's default max_connections of 100", async () => {
  const client = new Client({ connectionString: server!.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ max_connections: string }>("SHOW max_connections");
    expect(Number(rows[0].max_connections)).toBe(100);
  } finally {
    await client.end();
  }
  // The documented defaults fit it: two replica sets and the jobs within what it accepts.
  const budget = deploymentBudget(testConfig(), 100);
  expect(budget.total).toBeLessThanOrEqual(budget.available!);
});

it("answers concurrent reads and writes across two replica sets without a refused connection, and the audit chain verifies", async () => {
  // Each kind answers before the load, so that the load is made of real work.
  const person = await request(gateways[0], 0);
  expect(person.errors).toBeUndefined();
  expect(person.data).toMatchObject({ person: { incidents: { totalCount: expect.any(Number) } } });
  const area = await request(gateways[1], 1);
  expect(area.errors).toBeUndefined();
  expect((area.data as { incidents: { totalCount: number } }).incidents.totalCount).toBeGreaterThan(0);

  // The connections the services hold, watched while they are under load.
  const watcher = new Client({ connectionString: server!.url });
  await watcher.connect();
  let peak = 0;
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const { rows } = await watcher.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename <> 'postgres'`,
      );
      peak = Math.max(peak, Number(rows[0].n));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  // 256 callers at once, half on each gateway, each sending the three kinds in turn (at the pools
  // of before, 10 and 10, this load made PostgreSQL refuse connections), and the retention job
  // (a dry run) beside them, as its nightly run may be.
  const CALLERS = 256;
  const EACH = 3;
  const answers: GraphQLResponse[] = [];
  const [retention] = await Promise.all([
    runScript("retention", deploymentEnv(), ["--dry-run"]),
    ...Array.from({ length: CALLERS }, async (_, caller) => {
      for (let i = 0; i < EACH; i++) answers.push(await request(gateways[caller % 2], caller + i));
    }),
  ]);
  watching = false;
  await watch;
  await watcher.end();

  const codes = answers.flatMap((a) => (a.errors ?? []).map((e) => String(e.extensions?.code)));
  expect(codes.filter((code) => REFUSED.includes(code))).toEqual([]);
  expect(codes).toEqual([]);
  expect(answers).toHaveLength(CALLERS * EACH);
  expect(answers.every((a) => a.status === 200 && a.data)).toBe(true);
  expect(retention).toMatchObject({ code: 0 });
  expect(retention.out).toMatch(/dry run: nothing changed/);
  // More than one replica set's pools were in use, and never more than the budget's two and the job's.
  const budget = deploymentBudget(testConfig());
  expect(peak).toBeGreaterThan(budget.replicaSet);
  expect(peak).toBeLessThanOrEqual(budget.services + jobsBudget().retention);

  // Each service says what it may open: in /ready and in /metrics.
  const police = services.find((s) => s.name === "police")!;
  const ready = (await (await fetch(`http://127.0.0.1:${police.port}/ready`)).json()) as Record<
    string,
    unknown
  >;
  expect(ready.connectionBudget).toEqual({ own: 4, governance: 2 });
  const metrics = await (
    await fetch(`http://127.0.0.1:${police.port}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    })
  ).text();
  expect(metrics).toMatch(/db_connections_budget\{[^}]*pool="governance"[^}]*\} 2/);
  // None of them found the deployment too big for the server.
  expect(services.flatMap((s) => s.lines).filter((l) => /over the server's max_connections/.test(l))).toEqual(
    [],
  );

  // Every disclosure was audited, in one unbroken chain.
  await stopServices();
  const verified = await runScript("audit:verify", deploymentEnv());
  expect(verified.code).toBe(0);
  const checked = Number(/audit chain intact: (\d+) records verified/.exec(verified.out)?.[1] ?? 0);
  expect(checked).toBeGreaterThan(0);
}, 900_000);
