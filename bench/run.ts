import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SUPERGRAPH_FILE } from "../gateway/supergraph";
import { loadConfig, SUBGRAPH_NAMES, type Config } from "../subgraphs/shared/config";
import { subgraphCounters, type SubgraphMetrics } from "../subgraphs/shared/subgraph";
import {
  BENCH_SCALES,
  BENCH_SEED,
  prepareBenchDatabase,
  seedScale,
  takeStatementStats,
  type BenchDatabase,
  type BenchScale,
} from "./database";
import { captureDirectCalls, type DirectCall } from "./direct";
import { classifyBody, runLoad, type LoadResult } from "./load";
import { benchOperations, callerHeaders, type BenchOperation } from "./operations";
import {
  assertPortFree,
  LOG_DIR,
  peakRssMb,
  postgresCpuMs,
  resetPeakRss,
  ROOT,
  serviceCpuMs,
  startService,
  stopAll,
  stopServices,
  waitUntilReady,
  type Service,
} from "./processes";
import {
  checkTargets,
  markdownReport,
  ratio,
  type ObservabilityResult,
  SETUP_LABELS,
  SETUPS,
  type CpuPerOp,
  type OperationResult,
  type SetupKey,
  type SetupResult,
} from "./report";

const say = (message: string) => process.stdout.write(`${message}\n`);

const PORTS = {
  ours: 4100,
  rulesOn: 4101,
  plain: 4110,
  rulesOff: 4111,
  hive: 4120,
  hiveRust: 4125,
  floor: 4130,
  /** A stack of (a) started for a phase (huge seed, observability): its gateway, subgraphs next. */
  phase: 4140,
  /** A second one beside it (an observability variant beside its baseline). */
  phase2: 4150,
  otlpSink: 4160,
};
/** The operations run on the huge seed too. */
const SCALED = ["IncidentsInArea50", "NeighbourhoodDashboard"];

/** Benchmark-only changes to (a), each measured on its own stack: what each observability part costs. */
const OBSERVABILITY_VARIANTS: Record<string, { description: string; env: Record<string, string> }> = {
  "off:logs": {
    description: "pino silenced (LOG_LEVEL=silent; the bench's services otherwise log at warn)",
    env: { LOG_LEVEL: "silent" },
  },
  "on:request-logs": {
    description: "pino at info, a line per request (LOG_LEVEL=info, the services' default outside the bench)",
    env: { LOG_LEVEL: "info" },
  },
  "off:metrics": {
    description: "prom-client recording made a no-op (BENCH_METRICS=off, benchmark only)",
    env: { BENCH_METRICS: "off" },
  },
  "on:tracing": {
    description:
      "OpenTelemetry on (OTEL_EXPORTER_OTLP_ENDPOINT to a sink in the bench that accepts and drops spans; off in the bench otherwise, as with no endpoint)",
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:4160` },
  },
};
const WARMUP_S = 3;
/** Connection counts tried to find where (a) peaks, when --connections is not given. */
const CALIBRATION = [4, 8, 16];
const CALIBRATION_S = 5;
/** Requests sent one at a time per operation to count SQL and subgraph requests exactly. */
const PROBE_REQUESTS = 10;
const CACHE = join(__dirname, ".cache");
const RESULTS = join(__dirname, "results");
const HIVE_BIN = join(ROOT, "node_modules", "@graphql-hive", "gateway", "dist", "bin.js");
/** False once the kernel refuses a peak RSS reset: peaks are then over the processes' lifetimes. */
let peakReset = true;

const USAGE = `usage: npm run bench -- [--duration <s>] [--rounds <n>] [--warmup <s>] [--connections <n>] [--only <operation>]... [--setup <setup>]... [--scale large,huge] [--observability <variant>]... [--skip-seed]
  operations: Person360, IncidentsInArea50, IncidentsInArea500, NeighbourhoodDashboard, LinkCaseRecord
  setups: ours, plainGateway, hiveGateway, hiveRustPlanner, direct, floor (all unless named; ratios need both sides)
  rounds: the routers take turns this many times (default 3); each reports its median round
  warmup: load before each router's first round (default 15 s; later rounds 3 s)
  scale: large (default and always), huge too with large,huge (the default): IncidentsInArea50 and
    NeighbourhoodDashboard run through (a) on the huge seed as well (generated once, cached)
  observability: (a) again with one part changed, on a stack of its own taking turns with (a) unchanged:
    ${Object.keys(OBSERVABILITY_VARIANTS).join(", ")} (all unless named; none: skip)`;

interface Options {
  duration: number;
  rounds: number;
  warmup: number;
  connections?: number;
  only: string[];
  setups: SetupKey[];
  skipSeed: boolean;
  scales: BenchScale[];
  observability: string[];
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "20" },
      rounds: { type: "string", default: "3" },
      warmup: { type: "string", default: "15" },
      connections: { type: "string" },
      only: { type: "string", multiple: true },
      setup: { type: "string", multiple: true },
      "skip-seed": { type: "boolean", default: false },
      scale: { type: "string", default: "large,huge" },
      observability: { type: "string", multiple: true },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    process.exit(0);
  }
  const duration = Number(values.duration);
  if (!Number.isFinite(duration) || duration < 1)
    throw new Error(`--duration must be a number of seconds\n${USAGE}`);
  const connections = values.connections === undefined ? undefined : Number(values.connections);
  if (connections !== undefined && (!Number.isInteger(connections) || connections < 1))
    throw new Error(`--connections must be a positive integer\n${USAGE}`);
  const unknownSetups = (values.setup ?? []).filter((s) => !SETUPS.includes(s as SetupKey));
  if (unknownSetups.length) throw new Error(`unknown setup ${unknownSetups.join(", ")}\n${USAGE}`);
  const setups = values.setup?.length ? SETUPS.filter((s) => values.setup!.includes(s)) : [...SETUPS];
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a whole number, 1 or more\n${USAGE}`);
  const warmup = Number(values.warmup);
  if (!Number.isFinite(warmup) || warmup < 0)
    throw new Error(`--warmup must be a number of seconds\n${USAGE}`);
  const scales = values.scale.split(",").map((x) => x.trim());
  if (!scales.includes("large") || scales.some((x) => !(x in BENCH_SCALES)))
    throw new Error(`--scale must be large or large,huge\n${USAGE}`);
  const named = values.observability ?? [];
  const unknownVariants = named.filter((v) => v !== "none" && !(v in OBSERVABILITY_VARIANTS));
  if (unknownVariants.length)
    throw new Error(`unknown observability variant ${unknownVariants.join(", ")}\n${USAGE}`);
  const observability = named.includes("none")
    ? []
    : named.length
      ? named
      : Object.keys(OBSERVABILITY_VARIANTS);
  return {
    duration,
    rounds,
    warmup,
    connections,
    only: values.only ?? [],
    setups,
    skipSeed: values["skip-seed"],
    scales: scales as BenchScale[],
    observability,
  };
}

/** The environment every service starts from: ours, without anything that would point it elsewhere. */
function serviceEnv(db: BenchDatabase): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/(^|_)(DATABASE_URL|URL|PORT)$/.test(key)) continue;
    if (
      ["ACCESS_RULES", "NODE_ENV", "LOG_LEVEL", "FORK", "HOST", "CONFIG_PATH", "SUPERGRAPH_PATH"].includes(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  return {
    ...env,
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    NO_COLOR: "1",
    DATABASE_URL: db.serverUrl,
    DATABASE_PREFIX: db.config.DATABASE_PREFIX,
    // The harness reads every subgraph's counters from /metrics; the load must not be limited.
    METRICS_TOKEN,
    RATE_LIMITS: "off",
    TRUSTED_DOCUMENTS: "off",
  };
}

/** Bearer token for the services' /metrics, new for each run. */
const METRICS_TOKEN = randomBytes(24).toString("hex");

const subgraphUrl = (base: number, index: number) => `http://127.0.0.1:${base + index}/graphql`;

/** The committed supergraph, pointing at one set of subgraph ports. */
function supergraphFor(base: number, file: string): { sdl: string; path: string } {
  let sdl = readFileSync(SUPERGRAPH_FILE, "utf8");
  SUBGRAPH_NAMES.forEach((name, i) => {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(sdl)) throw new Error(`schema/supergraph.graphql has no join__graph for ${name}`);
    sdl = sdl.replace(pattern, `$1${subgraphUrl(base, i)}$2`);
  });
  const path = join(CACHE, file);
  writeFileSync(path, sdl);
  return { sdl, path };
}

type Routed = Exclude<SetupKey, "direct">;

interface Stack {
  serverUrl: string;
  rulesOn: Service[];
  rulesOff: Service[];
  ours: Service;
  plain: Service;
  hive: Service;
  /** Processes per setup, for peak RSS; the rules-on subgraphs serve (a), (c), (c2) and (d). */
  processes: Record<SetupKey, Service[]>;
  /** Subgraphs whose /metrics count a setup's SQL and subgraph requests. */
  metered: Record<SetupKey, Service[]>;
  url: Record<Routed, string>;
}

/** What one loaded run is sent to and measured on. */
interface Target {
  url: string;
  /** Its processes, the router (or the floor) first, for peak RSS and CPU. */
  processes: Service[];
  /** The subgraphs whose /metrics count its SQL (none for the floor); their CPU is the subgraphs'. */
  metered: Service[];
  /** Count SQL and subgraph requests with a probe first (needs the subgraphs' metrics on). */
  probe: boolean;
}

const targetOf = (stack: Stack, setup: Routed): Target => ({
  url: stack.url[setup],
  processes: stack.processes[setup],
  metered: stack.metered[setup],
  probe: true,
});

const hiveArgs = (sdl: string, port: number, rust: boolean) => [
  HIVE_BIN,
  "supergraph",
  sdl,
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  "-c",
  join("routers", "hive", "gateway.config.ts"),
  // Hive Router's Rust query planner and executor (@graphql-hive/router-runtime), in place of the JavaScript ones.
  ...(rust ? ["--hive-router-runtime"] : []),
];

/** Six rules-on subgraphs from `base + 1` and our gateway on `base`, over one scale's databases. */
async function startOurs(
  db: BenchDatabase,
  options: { base: number; prefix: string; tag: string; env?: Record<string, string> },
): Promise<{ gateway: Service; subgraphs: Service[]; url: string }> {
  const env = { ...serviceEnv(db), DATABASE_PREFIX: options.prefix, ...options.env };
  const subgraphs = SUBGRAPH_NAMES.map((name, i) =>
    startService({
      name: `${name}-${options.tag}`,
      port: options.base + 1 + i,
      args: ["-r", "@swc-node/register", join("subgraphs", name, "index.ts")],
      env: { ...env, ACCESS_RULES: "on", [`${name.toUpperCase()}_PORT`]: String(options.base + 1 + i) },
      readyPath: "/ready",
    }),
  );
  await waitUntilReady(subgraphs);
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_URL`, subgraphUrl(options.base + 1, i)]),
  );
  const gateway = startService({
    name: `gateway-${options.tag}`,
    port: options.base,
    args: ["-r", "@swc-node/register", join("gateway", "index.ts")],
    env: { ...env, ...urls, GATEWAY_PORT: String(options.base) },
    readyPath: "/ready",
  });
  await waitUntilReady([gateway]);
  return {
    gateway,
    subgraphs,
    url: `http://127.0.0.1:${options.base}/graphql`,
  };
}

/**
 * Hive Gateway falls back to its JavaScript planner, with a warning only, when the Rust runtime
 * cannot load (no addon for this platform): (c2) would then be (c) again under another name.
 */
async function assertRustPlanner(hive: Service): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const log = readFileSync(hive.logFile, "utf8");
  if (log.includes("Could not load the @graphql-hive/router-runtime"))
    throw new Error(
      `(c2): Hive Gateway could not load @graphql-hive/router-runtime and fell back to its JavaScript planner; see ${hive.logFile}`,
    );
  if (!log.includes("Using Hive Router Runtime"))
    say(
      `  note: ${hive.logFile} does not say "Using Hive Router Runtime"; (c2) may not be using the Rust planner`,
    );
}

/** Accepts OTLP/HTTP exports and drops them, so that tracing can be on without a collector. */
function startOtlpSink(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

async function startStack(db: BenchDatabase, rulesOnSdl: string, rulesOffSdl: string): Promise<Stack> {
  const env = serviceEnv(db);
  const subgraphs = (base: number, rules: "on" | "off") =>
    SUBGRAPH_NAMES.map((name, i) =>
      startService({
        name: `${name}-rules-${rules}`,
        port: base + i,
        args: ["-r", "@swc-node/register", join("subgraphs", name, "index.ts")],
        env: { ...env, ACCESS_RULES: rules, [`${name.toUpperCase()}_PORT`]: String(base + i) },
        readyPath: "/ready",
      }),
    );
  say("Starting 12 subgraphs (rules on 4101-4106, rules off 4111-4116)…");
  const rulesOn = subgraphs(PORTS.rulesOn, "on");
  const rulesOff = subgraphs(PORTS.rulesOff, "off");
  await waitUntilReady([...rulesOn, ...rulesOff]);

  say(
    "Starting the routers (ours 4100, plain @apollo/gateway 4110, Hive Gateway 4120, with the Rust planner 4125) and the floor (4130)…",
  );
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name, i) => [`${name.toUpperCase()}_URL`, subgraphUrl(PORTS.rulesOn, i)]),
  );
  const ours = startService({
    name: "gateway-ours",
    port: PORTS.ours,
    args: ["-r", "@swc-node/register", join("gateway", "index.ts")],
    env: { ...env, ...urls, GATEWAY_PORT: String(PORTS.ours) },
    readyPath: "/ready",
  });
  const plain = startService({
    name: "gateway-plain",
    port: PORTS.plain,
    args: ["-r", "@swc-node/register", join("bench", "plain-gateway.ts")],
    env: { ...env, SUPERGRAPH_PATH: rulesOffSdl, PLAIN_GATEWAY_PORT: String(PORTS.plain) },
    readyPath: "/ready",
  });
  const hive = startService({
    name: "gateway-hive",
    port: PORTS.hive,
    args: hiveArgs(rulesOnSdl, PORTS.hive, false),
    env,
    readyPath: "/readiness",
  });
  const hiveRust = startService({
    name: "gateway-hive-rust",
    port: PORTS.hiveRust,
    args: hiveArgs(rulesOnSdl, PORTS.hiveRust, true),
    env,
    readyPath: "/readiness",
  });
  const floor = startService({
    name: "floor",
    port: PORTS.floor,
    args: ["-r", "@swc-node/register", join("bench", "floor-server.ts")],
    env: { ...env, FLOOR_PORT: String(PORTS.floor) },
    readyPath: "/ready",
  });
  await waitUntilReady([ours, plain, hive, hiveRust, floor]);
  await assertRustPlanner(hiveRust);
  return {
    serverUrl: db.serverUrl,
    rulesOn,
    rulesOff,
    ours,
    plain,
    hive,
    processes: {
      ours: [ours, ...rulesOn],
      plainGateway: [plain, ...rulesOff],
      hiveGateway: [hive, ...rulesOn],
      hiveRustPlanner: [hiveRust, ...rulesOn],
      direct: rulesOn,
      floor: [floor],
    },
    metered: {
      ours: rulesOn,
      plainGateway: rulesOff,
      hiveGateway: rulesOn,
      hiveRustPlanner: rulesOn,
      direct: rulesOn,
      floor: [],
    },
    url: {
      ours: `http://127.0.0.1:${PORTS.ours}/graphql`,
      plainGateway: `http://127.0.0.1:${PORTS.plain}/graphql`,
      hiveGateway: `http://127.0.0.1:${PORTS.hive}/graphql`,
      hiveRustPlanner: `http://127.0.0.1:${PORTS.hiveRust}/graphql`,
      floor: `http://127.0.0.1:${PORTS.floor}/`,
    },
  };
}

async function readMetrics(services: Service[]): Promise<SubgraphMetrics> {
  const all = await Promise.all(
    services.map(async (s) => {
      const response = await fetch(`http://127.0.0.1:${s.port}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      if (!response.ok) throw new Error(`${s.name}: /metrics answered ${response.status}`);
      return subgraphCounters(await response.text());
    }),
  );
  return all.reduce(
    (sum, m) => ({
      requests: sum.requests + m.requests,
      statements: sum.statements + m.statements,
      policyStatements: sum.policyStatements + m.policyStatements,
    }),
    { requests: 0, statements: 0, policyStatements: 0 },
  );
}

/**
 * Waits until the requests a loaded run left in flight have finished (the counters stop moving),
 * so they are not counted against the next probe.
 */
async function settle(services: Service[]): Promise<void> {
  let last = JSON.stringify(await readMetrics(services));
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = JSON.stringify(await readMetrics(services));
    if (now === last) return;
    last = now;
  }
}

interface Probe {
  sqlPerOp: number;
  ownSqlPerOp: number;
  governanceSqlPerOp: number;
  subgraphRequestsPerOp: number;
  verdicts: Record<string, number>;
  firstError?: string;
}

/**
 * Sends requests one at a time and reads the subgraphs' counters around them: exact SQL and
 * subgraph requests per operation, which a loaded run (requests in flight at its edges) blurs.
 */
async function probe(
  metered: Service[],
  sends: { url: string; body: string }[],
  headers: Record<string, string>,
  operations: number,
  label: string,
): Promise<Probe> {
  await settle(metered);
  const before = await readMetrics(metered);
  const verdicts: Record<string, number> = {};
  let firstError: string | undefined;
  for (const [i, send] of sends.entries()) {
    const response = await fetch(send.url, {
      method: "POST",
      headers: { ...headers, "x-request-id": `bench-probe-${process.pid}-${label}-${i}` },
      body: send.body,
    });
    const text = await response.text();
    const verdict = response.ok ? classifyBody(text) : `http ${response.status}`;
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    if (verdict !== "ok" && verdict !== "denied") firstError ??= text.slice(0, 500);
  }
  const after = await readMetrics(metered);
  const per = (n: number) => Math.round((n / operations) * 100) / 100;
  const own = after.statements - before.statements;
  const governance = after.policyStatements - before.policyStatements;
  return {
    sqlPerOp: per(own + governance),
    ownSqlPerOp: per(own),
    governanceSqlPerOp: per(governance),
    subgraphRequestsPerOp: per(after.requests - before.requests),
    verdicts,
    firstError,
  };
}

function peaks(services: Service[]): { total: number; byProcess: Record<string, number> } {
  const byProcess = Object.fromEntries(services.map((s) => [s.name, peakRssMb(s)]));
  const total = Math.round(Object.values(byProcess).reduce((a, b) => a + b, 0));
  return { total, byProcess };
}

/** A subgraph process's subgraph ("police-rules-on" is police). */
const subgraphOf = (service: Service) => service.name.split("-")[0];

/** CPU time used so far by the router, the subgraphs (each and all), PostgreSQL and this process (the load tool). */
function cpuNow(router: Service | null, subgraphs: Service[]): CpuPerOp {
  const own = process.cpuUsage();
  const bySubgraph = Object.fromEntries(subgraphs.map((s) => [subgraphOf(s), serviceCpuMs(s)]));
  return {
    router: router ? serviceCpuMs(router) : 0,
    subgraphs: Object.values(bySubgraph).reduce((sum, ms) => sum + ms, 0),
    postgres: postgresCpuMs(),
    loadTool: (own.user + own.system) / 1000,
    bySubgraph,
  };
}

/** CPU ms per operation between two readings, `operations` answered in between. */
function cpuPerOp(before: CpuPerOp, after: CpuPerOp, operations: number): CpuPerOp {
  const per = (a: number, b: number) => (operations > 0 ? Math.round(((b - a) / operations) * 100) / 100 : 0);
  const bySubgraph = after.bySubgraph
    ? Object.fromEntries(
        Object.entries(after.bySubgraph).map(([name, ms]) => [name, per(before.bySubgraph?.[name] ?? 0, ms)]),
      )
    : undefined;
  return {
    router: per(before.router, after.router),
    subgraphs: per(before.subgraphs, after.subgraphs),
    postgres: per(before.postgres, after.postgres),
    loadTool: per(before.loadTool, after.loadTool),
    ...(bySubgraph && Object.keys(bySubgraph).length ? { bySubgraph } : {}),
  };
}

function bodiesOf(op: BenchOperation): string[] {
  return op.variants.map((variables) =>
    JSON.stringify({ query: op.query, operationName: op.operationName, variables }),
  );
}

function describe(r: LoadResult): string {
  const extra = r.errors ? ` (first: ${r.firstError?.replace(/\s+/g, " ").slice(0, 200)})` : "";
  return `${r.rps} rps, p50 ${r.p50.toFixed(1)} / p95 ${r.p95.toFixed(1)} / p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors${extra}`;
}

/** Setups (a), (b), (c), (c2), (e): the operation through a router (or the floor). */
async function runThroughRouter(
  target: Target,
  label: string,
  op: BenchOperation,
  headers: Record<string, string>,
  settings: { connections: number; duration: number; warmup: number; serverUrl: string },
): Promise<SetupResult> {
  const { url } = target;
  const setup = label;
  const bodies = bodiesOf(op);
  // Every variant equally often, as (d) counts them.
  const rounds = Math.ceil(PROBE_REQUESTS / bodies.length);
  const sends = Array.from({ length: rounds * bodies.length }, (_, i) => ({
    url,
    body: bodies[i % bodies.length],
  }));
  const counted: Probe = target.probe
    ? await probe(target.metered, sends, headers, sends.length, `${op.key}-${setup}`)
    : { sqlPerOp: 0, ownSqlPerOp: 0, governanceSqlPerOp: 0, subgraphRequestsPerOp: 0, verdicts: {} };
  if (counted.firstError)
    say(`    probe: ${JSON.stringify(counted.verdicts)}; first failure: ${counted.firstError}`);
  const load = { url, headers, bodies, connections: settings.connections };
  await runLoad({ ...load, duration: settings.warmup, label: `${op.key}-${setup}-warmup` });
  for (const s of target.processes) peakReset &&= resetPeakRss(s);
  const router = target.processes[0];
  await takeStatementStats(settings.serverUrl);
  const cpuBefore = cpuNow(router, target.metered);
  const result = await runLoad({ ...load, duration: settings.duration, label: `${op.key}-${setup}` });
  const cpu = cpuPerOp(cpuBefore, cpuNow(router, target.metered), result.completed);
  const statements = await takeStatementStats(settings.serverUrl);
  const rss = peaks(target.processes);
  say(`  ${(SETUP_LABELS[setup as SetupKey] ?? setup).padEnd(42)} ${describe(result)}`);
  return {
    rps: result.rps,
    p50: result.p50,
    p95: result.p95,
    p99: result.p99,
    errors: result.errors,
    sqlPerOp: counted.sqlPerOp,
    subgraphRequestsPerOp: counted.subgraphRequestsPerOp,
    peakRssMb: rss.total,
    peakRssMbByProcess: rss.byProcess,
    cpuMsPerOp: cpu,
    detail: {
      completed: result.completed,
      non2xx: result.non2xx,
      transportErrors: result.transportErrors,
      graphqlErrors: result.graphqlErrors,
      accessDenials: result.accessDenials,
      firstError: result.firstError,
      ownSqlPerOp: counted.ownSqlPerOp,
      governanceSqlPerOp: counted.governanceSqlPerOp,
      probe: counted.verdicts,
      postgresTopStatements: statements,
    },
  };
}

/**
 * Setup (d): every subgraph call of the operation's plan sent straight to its subgraph, each
 * driven alone; the floor is their sum (time per operation = the sum of time per call).
 */
async function runDirect(
  stack: Stack,
  op: BenchOperation,
  calls: DirectCall[],
  headers: Record<string, string>,
  settings: { connections: number; duration: number },
): Promise<SetupResult> {
  const urlOf = (call: DirectCall) =>
    `http://127.0.0.1:${PORTS.rulesOn + SUBGRAPH_NAMES.indexOf(call.subgraph)}/graphql`;
  // Each variant's calls, as the plan made them, sent one at a time.
  const sends = calls.flatMap((call) => call.bodies.map((body) => ({ url: urlOf(call), body })));
  const counted = await probe(stack.metered.direct, sends, headers, op.variants.length, `${op.key}-direct`);
  if (counted.firstError)
    say(`    probe: ${JSON.stringify(counted.verdicts)}; first failure: ${counted.firstError}`);
  // Each call gets the whole duration: a slow call (seconds) in a short run would complete nothing.
  const duration = settings.duration;
  for (const s of stack.processes.direct) peakReset &&= resetPeakRss(s);
  const perCall = [];
  let secondsPerOp = 0;
  const sum = { p50: 0, p95: 0, p99: 0, errors: 0 };
  const cpu: CpuPerOp = { router: 0, subgraphs: 0, postgres: 0, loadTool: 0 };
  for (const call of calls) {
    const load = { url: urlOf(call), headers, bodies: call.bodies, connections: settings.connections };
    await runLoad({ ...load, duration: WARMUP_S, label: `${op.key}-direct-warmup` });
    const cpuBefore = cpuNow(null, stack.processes.direct);
    const r = await runLoad({ ...load, duration, label: `${op.key}-direct-${call.subgraph}` });
    const callCpu = cpuPerOp(cpuBefore, cpuNow(null, stack.processes.direct), r.completed);
    for (const k of ["subgraphs", "postgres", "loadTool"] as const) cpu[k] += call.perOperation * callCpu[k];
    if (r.rps === 0)
      say(`    ${call.operationName}: no good answer within ${duration} s (${r.errors} errors)`);
    secondsPerOp += r.rps > 0 ? call.perOperation / r.rps : Infinity;
    sum.p50 += call.perOperation * r.p50;
    sum.p95 += call.perOperation * r.p95;
    sum.p99 += call.perOperation * r.p99;
    sum.errors += r.errors;
    perCall.push({
      subgraph: call.subgraph,
      operationName: call.operationName,
      perOperation: call.perOperation,
      rps: r.rps,
      p50: r.p50,
      p95: r.p95,
      p99: r.p99,
      errors: r.errors,
      firstError: r.firstError,
      durationS: duration,
    });
  }
  const rss = peaks(stack.processes.direct);
  const result: SetupResult = {
    rps: Number.isFinite(secondsPerOp) && secondsPerOp > 0 ? Math.round((1 / secondsPerOp) * 10) / 10 : 0,
    p50: sum.p50,
    p95: sum.p95,
    p99: sum.p99,
    errors: sum.errors,
    sqlPerOp: counted.sqlPerOp,
    subgraphRequestsPerOp: Math.round(calls.reduce((n, c) => n + c.perOperation, 0) * 100) / 100,
    peakRssMb: rss.total,
    peakRssMbByProcess: rss.byProcess,
    cpuMsPerOp: cpu,
    detail: {
      ownSqlPerOp: counted.ownSqlPerOp,
      governanceSqlPerOp: counted.governanceSqlPerOp,
      probe: counted.verdicts,
      calls: perCall,
    },
  };
  say(
    `  ${SETUP_LABELS.direct.padEnd(38)} ${result.rps} rps, p50 ${result.p50.toFixed(1)} / p95 ${result.p95.toFixed(1)} / p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors (${calls.length} calls, ${duration} s each)`,
  );
  return result;
}

/** The round with the median throughput, with every round's throughput beside it. */
function medianRound(rounds: SetupResult[]): SetupResult {
  const sorted = [...rounds].sort((x, y) => x.rps - y.rps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...median, detail: { ...median.detail, rpsByRound: rounds.map((r) => r.rps) } };
}

/** Where (a) peaks: the fewest connections within 5% of the best throughput tried. */
async function calibrate(
  stack: Stack,
  op: BenchOperation,
  headers: Record<string, string>,
): Promise<{ connections: number; tried: Record<number, number> }> {
  say(`Finding the connection count where (a) peaks, on ${op.key} (${CALIBRATION.join(", ")})…`);
  const bodies = bodiesOf(op);
  await runLoad({
    url: stack.url.ours,
    headers,
    bodies,
    connections: 8,
    duration: WARMUP_S,
    label: "calibrate-warmup",
  });
  const tried: Record<number, number> = {};
  for (const connections of CALIBRATION) {
    const r = await runLoad({
      url: stack.url.ours,
      headers,
      bodies,
      connections,
      duration: CALIBRATION_S,
      label: `calibrate-${connections}`,
    });
    tried[connections] = r.rps;
    say(`  ${String(connections).padStart(3)} connections: ${describe(r)}`);
  }
  const best = Math.max(...Object.values(tried));
  const connections = CALIBRATION.find((c) => tried[c] >= 0.95 * best) ?? CALIBRATION[0];
  say(`  using ${connections} connections`);
  return { connections, tried };
}

function machine(loadAtStart: number[]): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart: loadAtStart.map((n) => n.toFixed(2)).join(" "),
    loadAverageAtEnd: loadavg()
      .map((n) => n.toFixed(2))
      .join(" "),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const loadAtStart = loadavg();
  const startedAt = Date.now();
  let db: BenchDatabase | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopAll().catch(() => undefined);
    await db?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once("SIGINT", () => {
    say("\nInterrupted: stopping every service…");
    void shutdown(130);
  });
  process.once("SIGTERM", () => void shutdown(143));

  try {
    for (const base of [
      PORTS.ours,
      PORTS.plain,
      PORTS.hive,
      PORTS.hiveRust,
      PORTS.floor,
      PORTS.phase,
      PORTS.phase2,
      PORTS.otlpSink,
    ])
      await assertPortFree(base);
    for (let i = 0; i < SUBGRAPH_NAMES.length; i++) {
      await assertPortFree(PORTS.rulesOn + i);
      await assertPortFree(PORTS.rulesOff + i);
      await assertPortFree(PORTS.phase + 1 + i);
      await assertPortFree(PORTS.phase2 + 1 + i);
    }
    mkdirSync(CACHE, { recursive: true });
    mkdirSync(RESULTS, { recursive: true });
    db = await prepareBenchDatabase({ skipSeed: opts.skipSeed, log: say });
    const huge =
      opts.scales.includes("huge") && (!opts.only.length || opts.only.some((o) => SCALED.includes(o)));
    // Generated once into databases of its own (bench_huge_*), then reused like the large seed.
    if (huge) await seedScale(db.serverUrl, "huge", { skipSeed: opts.skipSeed, log: say });

    const all = await benchOperations(db.serverUrl);
    const unknown = opts.only.filter((o) => !all.some((op) => op.key.toLowerCase() === o.toLowerCase()));
    if (unknown.length) throw new Error(`unknown operation ${unknown.join(", ")}\n${USAGE}`);
    const operations = opts.only.length
      ? all.filter((op) => opts.only.some((o) => o.toLowerCase() === op.key.toLowerCase()))
      : all;

    const rulesOn = supergraphFor(PORTS.rulesOn, "supergraph-rules-on.graphql");
    const rulesOff = supergraphFor(PORTS.rulesOff, "supergraph-rules-off.graphql");
    const stack = await startStack(db, rulesOn.path, rulesOff.path);
    say(`Every service is ready (logs: ${LOG_DIR}).`);

    const tokenConfig: Config = loadConfig({ ...process.env, NODE_ENV: "development" });
    const headersOf = new Map<string, Record<string, string>>();
    for (const op of operations) headersOf.set(op.key, await callerHeaders(tokenConfig, op.caller));

    const calibration = opts.connections
      ? { connections: opts.connections, tried: {} }
      : await calibrate(stack, operations[0], headersOf.get(operations[0].key)!);
    const settings = {
      connections: calibration.connections,
      duration: opts.duration,
      serverUrl: db.serverUrl,
    };

    const results: Record<string, OperationResult> = {};
    const skipped: Record<string, string> = {};
    for (const op of operations) {
      const headers = headersOf.get(op.key)!;
      say(`\n${op.title} (${op.variants.length} variant${op.variants.length === 1 ? "" : "s"}):`);
      let calls: DirectCall[];
      try {
        calls = await captureDirectCalls(op, rulesOn.sdl, headers);
      } catch (error) {
        // One operation the graph refuses (LinkCaseRecord since linking again is refused, issue
        // 17) is reported and left out, rather than ending a run of an hour and more.
        const reason = (error as Error).message.slice(0, 300);
        say(`  skipped: ${reason}`);
        skipped[op.key] = reason;
        continue;
      }
      // Variants whose answers leave part of the plan idle (no people, say) do less work per request.
      const partial = calls.filter((c) => c.perOperation < 1);
      if (partial.length)
        say(
          `  note: only some variants make ${partial.map((c) => `${c.operationName} (${Math.round(c.perOperation * 100)}%)`).join(", ")}`,
        );
      const result: OperationResult = {
        title: op.title,
        ratios: { "a/b": null, "a/c": null, "a/c2": null, "a/d": null, "a/e": null },
      };
      // The routers take turns, round after round, so that a slow minute of a shared machine
      // falls on every setup alike; each reports its median round.
      const rounds: Partial<Record<SetupKey, SetupResult[]>> = {};
      for (let round = 1; round <= opts.rounds; round++) {
        if (opts.rounds > 1) say(`  round ${round} of ${opts.rounds}`);
        // Each round starts with the next router, so none is always first after the others.
        // The floor answers the read operations only.
        const routers = opts.setups.filter(
          (x): x is Routed => x !== "direct" && (x !== "floor" || op.operationName !== "LinkCaseRecord"),
        );
        const turn = (round - 1) % Math.max(1, routers.length);
        for (const setup of [...routers.slice(turn), ...routers.slice(0, turn)]) {
          // A first run warms longer: compiled code and caches take tens of seconds to settle,
          // and the setup measured first would otherwise pay for it.
          const warmup = round === 1 ? opts.warmup : WARMUP_S;
          (rounds[setup] ??= []).push(
            await runThroughRouter(targetOf(stack, setup), setup, op, headers, { ...settings, warmup }),
          );
        }
      }
      for (const setup of opts.setups) {
        if (setup === "direct") result.direct = await runDirect(stack, op, calls, headers, settings);
        else if (rounds[setup]) result[setup] = medianRound(rounds[setup]!);
      }
      result.ratios = {
        "a/b": ratio(result.ours, result.plainGateway),
        "a/c": ratio(result.ours, result.hiveGateway),
        "a/c2": ratio(result.ours, result.hiveRustPlanner),
        "a/d": ratio(result.ours, result.direct),
        "a/e": ratio(result.ours, result.floor),
      };
      results[op.key] = result;
    }

    // Only the phases' stacks from here: the main one would sit in memory beside them.
    await stopServices([...stack.rulesOn, ...stack.rulesOff, ...Object.values(stack.processes).flat()]);

    /** (a) on a fresh stack for each scaled operation, rounds as the main run, the median kept. */
    const measureOurs = async (
      ours: Awaited<ReturnType<typeof startOurs>>,
      ops: BenchOperation[],
      tag: string,
      probeSql: boolean,
    ): Promise<Record<string, SetupResult>> => {
      const target: Target = {
        url: ours.url,
        processes: [ours.gateway, ...ours.subgraphs],
        metered: ours.subgraphs,
        probe: probeSql,
      };
      const out: Record<string, SetupResult> = {};
      for (const op of ops) {
        const headers = headersOf.get(op.key) ?? (await callerHeaders(tokenConfig, op.caller));
        const runs: SetupResult[] = [];
        for (let round = 1; round <= opts.rounds; round++)
          runs.push(
            await runThroughRouter(target, `${op.key} ${tag}`, op, headers, {
              ...settings,
              warmup: round === 1 ? opts.warmup : WARMUP_S,
            }),
          );
        out[op.key] = medianRound(runs);
      }
      return out;
    };

    if (huge) {
      say("\nThe huge seed: (a) on IncidentsInArea50 and NeighbourhoodDashboard…");
      const hugeOps = (await benchOperations(db.serverUrl, BENCH_SCALES.huge.prefix)).filter(
        (op) => SCALED.includes(op.key) && results[op.key]?.ours,
      );
      const ours = await startOurs(db, { base: PORTS.phase, prefix: BENCH_SCALES.huge.prefix, tag: "huge" });
      const measured = await measureOurs(ours, hugeOps, "huge", true);
      await stopServices([ours.gateway, ...ours.subgraphs]);
      for (const [key, r] of Object.entries(measured)) {
        const op = results[key];
        op.huge = r;
        op.ratios["huge/large p50"] =
          op.ours!.p50 > 0 ? Math.round((r.p50 / op.ours!.p50) * 100) / 100 : null;
      }
    }

    let observability: ObservabilityResult | undefined;
    if (opts.observability.length) {
      say(
        "\nWhat each part of the observability stack costs (a), each variant taking turns with (a) unchanged…",
      );
      const sink = await startOtlpSink(PORTS.otlpSink);
      observability = {
        variants: Object.fromEntries(
          opts.observability.map((v) => [v, OBSERVABILITY_VARIANTS[v].description]),
        ),
        results: {},
        baselines: {},
      };
      const readOps = operations.filter((op) => op.operationName !== "LinkCaseRecord");
      const large = BENCH_SCALES.large.prefix;
      const unchanged = await startOurs(db, { base: PORTS.phase, prefix: large, tag: "obs-unchanged" });
      // Metrics off leaves nothing for a probe to count; SQL per answer is the main run's anyway.
      const targetOfOurs = (ours: typeof unchanged): Target => ({
        url: ours.url,
        processes: [ours.gateway, ...ours.subgraphs],
        metered: ours.subgraphs,
        probe: false,
      });
      for (const variant of opts.observability) {
        say(`  ${variant}: ${OBSERVABILITY_VARIANTS[variant].description}`);
        const changed = await startOurs(db, {
          base: PORTS.phase2,
          prefix: large,
          tag: `obs-${variant.replace(/[^a-z]+/g, "-")}`,
          env: OBSERVABILITY_VARIANTS[variant].env,
        });
        const results: Record<string, SetupResult> = {};
        const baselines: Record<string, SetupResult> = {};
        for (const op of readOps) {
          const headers = headersOf.get(op.key)!;
          const runs: Record<"unchanged" | "changed", SetupResult[]> = { unchanged: [], changed: [] };
          for (let round = 1; round <= opts.rounds; round++) {
            // Turns as in the main run: a slow minute of the machine falls on both alike.
            const order =
              round % 2 ? (["unchanged", "changed"] as const) : (["changed", "unchanged"] as const);
            for (const which of order) {
              const target = targetOfOurs(which === "unchanged" ? unchanged : changed);
              const label = `${op.key} ${which === "unchanged" ? "unchanged" : variant}`;
              const warmup = round === 1 ? opts.warmup : WARMUP_S;
              runs[which].push(await runThroughRouter(target, label, op, headers, { ...settings, warmup }));
            }
          }
          results[op.key] = medianRound(runs.changed);
          baselines[op.key] = medianRound(runs.unchanged);
        }
        observability.results[variant] = results;
        observability.baselines[variant] = baselines;
        await stopServices([changed.gateway, ...changed.subgraphs]);
      }
      await stopServices([unchanged.gateway, ...unchanged.subgraphs]);
      sink.close();
    }

    const targets = checkTargets(results);
    const report = {
      machine: machine(loadAtStart),
      settings: {
        durationS: opts.duration,
        rounds: opts.rounds,
        warmupS: WARMUP_S,
        firstWarmupS: opts.warmup,
        connections: settings.connections,
        calibration: calibration.tried,
        seed: `large:${BENCH_SEED}, ${BENCH_SCALES.large.label}`,
        hugeSeed: huge ? `huge:${BENCH_SEED}, ${BENCH_SCALES.huge.label}` : undefined,
        database: db.embedded ? "embedded PostgreSQL (bench/.cache/postgres, port 54400)" : "DATABASE_URL",
        poolSize: loadConfig(serviceEnv(db)).DATABASE_POOL_SIZE,
        peakRss: peakReset ? "VmHWM per run (reset before each)" : "VmHWM over each process's lifetime",
        gateway:
          "ours: NODE_ENV=development, LOG_LEVEL=warn; Hive Gateway 1 process, (c2) with --hive-router-runtime; (d) against the rules-on subgraphs; (e) bench/floor-server.ts",
        elapsedS: Math.round((Date.now() - startedAt) / 1000),
        skippedOperations: skipped,
      },
      operations: results,
      targets,
      observability,
    };
    writeFileSync(join(RESULTS, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = markdownReport(report);
    writeFileSync(join(RESULTS, "latest.md"), markdown);
    say(`\n${markdown}`);
    say("Written: bench/results/latest.json, bench/results/latest.md");
    await shutdown(0);
  } catch (error) {
    process.stderr.write(`npm run bench failed: ${(error as Error).stack ?? (error as Error).message}\n`);
    await shutdown(1);
  }
}

void main();
