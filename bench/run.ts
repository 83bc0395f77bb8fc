import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SUPERGRAPH_FILE } from "../gateway/supergraph";
import { loadConfig, SUBGRAPH_NAMES, type Config } from "../subgraphs/shared/config";
import { subgraphCounters, type SubgraphMetrics } from "../subgraphs/shared/subgraph";
import { BENCH_SEED, prepareBenchDatabase, takeStatementStats, type BenchDatabase } from "./database";
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
  waitUntilReady,
  type Service,
} from "./processes";
import {
  checkTargets,
  markdownReport,
  ratio,
  SETUP_LABELS,
  SETUPS,
  type CpuPerOp,
  type OperationResult,
  type SetupKey,
  type SetupResult,
} from "./report";

const USAGE = `usage: npm run bench -- [--duration <s>] [--rounds <n>] [--warmup <s>] [--connections <n>] [--only <operation>]... [--setup <setup>]... [--skip-seed]
  operations: Person360, IncidentsInArea50, IncidentsInArea500, NeighbourhoodDashboard, LinkCaseRecord
  setups: ours, plainGateway, hiveGateway, direct (all four unless named; ratios need both sides)
  rounds: the routers take turns this many times (default 3); each reports its median round
  warmup: load before each router's first round (default 15 s; later rounds 3 s)`;
const say = (message: string) => process.stdout.write(`${message}\n`);

const PORTS = {
  ours: 4100,
  rulesOn: 4101,
  plain: 4110,
  rulesOff: 4111,
  hive: 4120,
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

interface Options {
  duration: number;
  rounds: number;
  warmup: number;
  connections?: number;
  only: string[];
  setups: SetupKey[];
  skipSeed: boolean;
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
  return {
    duration,
    rounds,
    warmup,
    connections,
    only: values.only ?? [],
    setups,
    skipSeed: values["skip-seed"],
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

interface Stack {
  serverUrl: string;
  rulesOn: Service[];
  rulesOff: Service[];
  ours: Service;
  plain: Service;
  hive: Service;
  /** Processes per setup, for peak RSS; the rules-on subgraphs serve (a), (c) and (d). */
  processes: Record<SetupKey, Service[]>;
  /** Subgraphs whose /metrics count a setup's SQL and subgraph requests. */
  metered: Record<SetupKey, Service[]>;
  url: Record<Exclude<SetupKey, "direct">, string>;
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

  say("Starting the routers (ours 4100, plain @apollo/gateway 4110, Hive Gateway 4120)…");
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
    args: [
      HIVE_BIN,
      "supergraph",
      rulesOnSdl,
      "--host",
      "127.0.0.1",
      "--port",
      String(PORTS.hive),
      "-c",
      join("routers", "hive", "gateway.config.ts"),
    ],
    env,
    readyPath: "/readiness",
  });
  await waitUntilReady([ours, plain, hive]);
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
      direct: rulesOn,
    },
    metered: { ours: rulesOn, plainGateway: rulesOff, hiveGateway: rulesOn, direct: rulesOn },
    url: {
      ours: `http://127.0.0.1:${PORTS.ours}/graphql`,
      plainGateway: `http://127.0.0.1:${PORTS.plain}/graphql`,
      hiveGateway: `http://127.0.0.1:${PORTS.hive}/graphql`,
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

/** CPU time used so far by the router, the subgraphs, PostgreSQL and this process (the load tool). */
function cpuNow(router: Service | null, subgraphs: Service[]): CpuPerOp {
  const own = process.cpuUsage();
  return {
    router: router ? serviceCpuMs(router) : 0,
    subgraphs: subgraphs.reduce((sum, s) => sum + serviceCpuMs(s), 0),
    postgres: postgresCpuMs(),
    loadTool: (own.user + own.system) / 1000,
  };
}

/** CPU ms per operation between two readings, `operations` answered in between. */
function cpuPerOp(before: CpuPerOp, after: CpuPerOp, operations: number): CpuPerOp {
  const per = (k: keyof CpuPerOp) =>
    operations > 0 ? Math.round(((after[k] - before[k]) / operations) * 100) / 100 : 0;
  return {
    router: per("router"),
    subgraphs: per("subgraphs"),
    postgres: per("postgres"),
    loadTool: per("loadTool"),
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

/** Setups (a), (b), (c): the operation through a router. */
async function runThroughRouter(
  stack: Stack,
  setup: Exclude<SetupKey, "direct">,
  op: BenchOperation,
  headers: Record<string, string>,
  settings: { connections: number; duration: number; warmup: number },
): Promise<SetupResult> {
  const url = stack.url[setup];
  const bodies = bodiesOf(op);
  // Every variant equally often, as (d) counts them.
  const rounds = Math.ceil(PROBE_REQUESTS / bodies.length);
  const sends = Array.from({ length: rounds * bodies.length }, (_, i) => ({
    url,
    body: bodies[i % bodies.length],
  }));
  const counted = await probe(stack.metered[setup], sends, headers, sends.length, `${op.key}-${setup}`);
  if (counted.firstError)
    say(`    probe: ${JSON.stringify(counted.verdicts)}; first failure: ${counted.firstError}`);
  const load = { url, headers, bodies, connections: settings.connections };
  await runLoad({ ...load, duration: settings.warmup, label: `${op.key}-${setup}-warmup` });
  for (const s of stack.processes[setup]) peakReset &&= resetPeakRss(s);
  const router = stack.processes[setup][0];
  await takeStatementStats(stack.serverUrl);
  const cpuBefore = cpuNow(router, stack.metered[setup]);
  const result = await runLoad({ ...load, duration: settings.duration, label: `${op.key}-${setup}` });
  const cpu = cpuPerOp(cpuBefore, cpuNow(router, stack.metered[setup]), result.completed);
  const statements = await takeStatementStats(stack.serverUrl);
  const rss = peaks(stack.processes[setup]);
  say(`  ${SETUP_LABELS[setup].padEnd(38)} ${describe(result)}`);
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
    for (const base of [PORTS.ours, PORTS.plain, PORTS.hive]) await assertPortFree(base);
    for (let i = 0; i < SUBGRAPH_NAMES.length; i++) {
      await assertPortFree(PORTS.rulesOn + i);
      await assertPortFree(PORTS.rulesOff + i);
    }
    mkdirSync(CACHE, { recursive: true });
    mkdirSync(RESULTS, { recursive: true });
    db = await prepareBenchDatabase({ skipSeed: opts.skipSeed, log: say });

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
    const settings = { connections: calibration.connections, duration: opts.duration };

    const results: Record<string, OperationResult> = {};
    for (const op of operations) {
      const headers = headersOf.get(op.key)!;
      say(`\n${op.title} (${op.variants.length} variant${op.variants.length === 1 ? "" : "s"}):`);
      const calls = await captureDirectCalls(op, rulesOn.sdl, headers);
      // Variants whose answers leave part of the plan idle (no people, say) do less work per request.
      const partial = calls.filter((c) => c.perOperation < 1);
      if (partial.length)
        say(
          `  note: only some variants make ${partial.map((c) => `${c.operationName} (${Math.round(c.perOperation * 100)}%)`).join(", ")}`,
        );
      const result: OperationResult = { title: op.title, ratios: { "a/b": null, "a/c": null, "a/d": null } };
      // The routers take turns, round after round, so that a slow minute of a shared machine
      // falls on every setup alike; each reports its median round.
      const rounds: Partial<Record<SetupKey, SetupResult[]>> = {};
      for (let round = 1; round <= opts.rounds; round++) {
        if (opts.rounds > 1) say(`  round ${round} of ${opts.rounds}`);
        // Each round starts with the next router, so none is always first after the others.
        const routers = opts.setups.filter((x): x is Exclude<SetupKey, "direct"> => x !== "direct");
        const turn = (round - 1) % Math.max(1, routers.length);
        for (const setup of [...routers.slice(turn), ...routers.slice(0, turn)]) {
          // A first run warms longer: compiled code and caches take tens of seconds to settle,
          // and the setup measured first would otherwise pay for it.
          const warmup = round === 1 ? opts.warmup : WARMUP_S;
          (rounds[setup] ??= []).push(
            await runThroughRouter(stack, setup, op, headers, { ...settings, warmup }),
          );
        }
      }
      for (const setup of opts.setups) {
        result[setup] =
          setup === "direct"
            ? await runDirect(stack, op, calls, headers, settings)
            : medianRound(rounds[setup]!);
      }
      result.ratios = {
        "a/b": ratio(result.ours, result.plainGateway),
        "a/c": ratio(result.ours, result.hiveGateway),
        "a/d": ratio(result.ours, result.direct),
      };
      results[op.key] = result;
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
        seed: `large:${BENCH_SEED}, 1M incidents, 100k people`,
        database: db.embedded ? "embedded PostgreSQL (bench/.cache/postgres, port 54400)" : "DATABASE_URL",
        poolSize: loadConfig(serviceEnv(db)).DATABASE_POOL_SIZE,
        peakRss: peakReset ? "VmHWM per run (reset before each)" : "VmHWM over each process's lifetime",
        gateway:
          "ours: NODE_ENV=development, LOG_LEVEL=warn; Hive Gateway 1 process; (d) against the rules-on subgraphs",
        elapsedS: Math.round((Date.now() - startedAt) / 1000),
      },
      operations: results,
      targets,
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
