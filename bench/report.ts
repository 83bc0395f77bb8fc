/** The four setups side by side, in the order the issue names them. */
export const SETUPS = ["ours", "plainGateway", "hiveGateway", "hiveRustPlanner", "direct", "floor"] as const;
export type SetupKey = (typeof SETUPS)[number];

export const SETUP_LABELS: Record<SetupKey, string> = {
  ours: "(a) ours, rules on",
  plainGateway: "(b) plain @apollo/gateway, rules off",
  hiveGateway: "(c) Hive Gateway, rules on",
  hiveRustPlanner: "(c2) Hive Gateway, Rust planner, rules on",
  direct: "(d) subgraphs direct",
  floor: "(e) floor: the SQL alone, no GraphQL",
};

/** CPU time per operation, in ms, by where it was spent. */
export interface CpuPerOp {
  router: number;
  subgraphs: number;
  postgres: number;
  /** The bench process itself (autocannon): it shares the two cores with everything else. */
  loadTool: number;
  /** `subgraphs` by subgraph. */
  bySubgraph?: Record<string, number>;
}

export interface SetupResult {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** SQL statements per operation: own stores plus the governance store. */
  sqlPerOp: number;
  subgraphRequestsPerOp: number;
  /** Sum over the setup's processes of their peak RSS during this operation's run. */
  peakRssMb: number;
  peakRssMbByProcess: Record<string, number>;
  /** Where each operation's CPU went during the loaded run: on two cores, this bounds rps. */
  cpuMsPerOp: CpuPerOp;
  detail: Record<string, unknown>;
}

export type OperationResult = {
  title: string;
  ratios: Ratios;
} & Partial<Record<SetupKey, SetupResult>> & {
    /** IncidentsInArea50 and NeighbourhoodDashboard on the huge seed, (a) only. */
    huge?: SetupResult;
  };

export interface Ratios {
  "a/b": number | null;
  "a/c": number | null;
  "a/c2": number | null;
  "a/d": number | null;
  "a/e": number | null;
  /** p50 on the huge seed over p50 on the large, (a). */
  "huge/large p50"?: number | null;
}

export interface TargetCheck {
  target: string;
  operation: string;
  met: boolean;
  /** What was measured and what was required, in words, with the size of any miss. */
  detail: string;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function ratio(a: SetupResult | undefined, b: SetupResult | undefined): number | null {
  return a && b && b.rps > 0 ? round(a.rps / b.rps) : null;
}

/** Issue 19's CPU budget for (a), ms per answer (router + subgraphs + PostgreSQL). */
export const CPU_TARGETS: Record<string, number> = {
  Person360: 13.6,
  IncidentsInArea50: 45.7,
  NeighbourhoodDashboard: 40,
};
const READ_OPERATIONS = ["Person360", "IncidentsInArea50", "IncidentsInArea500", "NeighbourhoodDashboard"];
const cpuTotal = (cpu: CpuPerOp) => cpu.router + cpu.subgraphs + cpu.postgres;

/** Issue 19's targets, each with the size of its miss. */
export function checkTargets(operations: Record<string, OperationResult>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (target: string, operation: string, met: boolean, detail: string) =>
    checks.push({ target, operation, met, detail });
  for (const [key, op] of Object.entries(operations)) {
    const a = op.ours;
    if (!a) continue;
    const budget = CPU_TARGETS[key];
    if (budget !== undefined) {
      const used = cpuTotal(a.cpuMsPerOp);
      check(
        `(a) CPU per answer <= ${budget} ms`,
        key,
        used <= budget,
        used <= budget
          ? `${round(used, 1)} ms`
          : `${round(used, 1)} ms, over by ${round(used - budget, 1)} ms (+${Math.round((used / budget - 1) * 100)}%)`,
      );
    }
    const ratios: [string, SetupResult | undefined, number][] = [
      ["(a) >= 0.90 x (b) rps", op.plainGateway, 0.9],
      ["(a) >= 1.0 x (c) rps", op.hiveGateway, 1.0],
      ["(a) >= 1.0 x (c2) rps", op.hiveRustPlanner, 1.0],
    ];
    if (READ_OPERATIONS.includes(key)) ratios.push(["(a) >= 0.5 x (e) rps", op.floor, 0.5]);
    for (const [name, other, required] of ratios) {
      if (!other || other.rps <= 0) continue;
      const measured = a.rps / other.rps;
      const met = measured >= required;
      check(
        name,
        key,
        met,
        met
          ? `${round(measured)} (required ${required})`
          : `${round(measured, 3)}, short by ${round(required - measured, 3)}: (a) needs ${
              Math.ceil((required * other.rps - a.rps) * 10) / 10
            } more rps (+${Math.round(((required * other.rps) / a.rps - 1) * 100)}%)`,
      );
    }
    const limit = 3 * a.p50;
    check(
      "(a) p99 <= 3 x p50",
      key,
      a.p99 <= limit,
      a.p99 <= limit
        ? `p99 ${round(a.p99, 1)} ms <= ${round(limit, 1)} ms`
        : `p99 ${round(a.p99, 1)} ms vs limit ${round(limit, 1)} ms: ${round(a.p99 / a.p50, 1)} x p50, over by ${round(a.p99 - limit, 1)} ms`,
    );
    const [fattest, mb] = Object.entries(a.peakRssMbByProcess).sort((x, y) => y[1] - x[1])[0] ?? ["-", 0];
    check(
      "(a) peak RSS of each service <= 400 MB",
      key,
      mb <= 400,
      mb <= 400
        ? `largest ${fattest} ${round(mb, 0)} MB`
        : `${fattest} ${round(mb, 0)} MB, over by ${round(mb - 400, 0)} MB`,
    );
    if (op.huge && a.p50 > 0) {
      const times = op.huge.p50 / a.p50;
      check(
        "(a) huge p50 <= 1.5 x large p50",
        key,
        times <= 1.5,
        `huge ${round(op.huge.p50, 1)} ms / large ${round(a.p50, 1)} ms = ${round(times)}${times <= 1.5 ? "" : `, over by ${round(times - 1.5)}`}`,
      );
    }
  }
  const small = operations.IncidentsInArea50?.ours;
  const large = operations.IncidentsInArea500?.ours;
  if (small && large) {
    const met = small.sqlPerOp === large.sqlPerOp;
    check(
      "SQL per op identical for 50 and 500 incidents",
      "IncidentsInArea",
      met,
      `${small.sqlPerOp} for 50, ${large.sqlPerOp} for 500${met ? "" : ` (differs by ${round(large.sqlPerOp - small.sqlPerOp)})`}`,
    );
  }
  return checks;
}

function cell(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined ? "-" : String(round(n, digits));
}

function cpuCell(cpu: CpuPerOp | undefined): string {
  if (!cpu) return "-";
  return `${cell(cpu.router)} + ${cell(cpu.subgraphs)} + ${cell(cpu.postgres)}`;
}

/** Runs of (a) with one part of the observability stack changed (benchmark-only switches). */
export interface ObservabilityResult {
  /** Variant name → what it changes. */
  variants: Record<string, string>;
  /** Variant name → operation → (a) so changed. */
  results: Record<string, Record<string, SetupResult>>;
  /** Variant name → operation → (a) unchanged, run beside the variant in turns (same rounds, same minutes). */
  baselines: Record<string, Record<string, SetupResult>>;
}

/** CPU ms per answer a part costs: baseline less the run without it (or the run with it less baseline). */
export function observabilityCost(variant: string, baseline: SetupResult, run: SetupResult): number {
  const diff = cpuTotal(baseline.cpuMsPerOp) - cpuTotal(run.cpuMsPerOp);
  return round(variant.startsWith("on:") ? -diff : diff);
}

/** The Markdown report: the machine, the settings, the table, the ratios and the targets. */
export function markdownReport(report: {
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  operations: Record<string, OperationResult>;
  targets: TargetCheck[];
  observability?: ObservabilityResult;
}): string {
  const m = report.machine;
  const s = report.settings;
  const lines = [
    "# npm run bench: latest results",
    "",
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.date} (load average at start ${m.loadAverageAtStart}).`,
    `Settings: ${s.connections} connections, ${s.durationS} s per run after a ${s.warmupS} s warm-up (${s.firstWarmupS} s before a router's first), routers taking turns for ${s.rounds} round(s) (median shown); large seed (${s.seed})${s.hugeSeed ? `, huge seed (${s.hugeSeed})` : ""}; subgraph pool ${s.poolSize}.`,
    "",
    "| operation | setup | rps | p50 ms | p95 ms | p99 ms | errors | SQL/op | subgraph req/op | peak RSS MB | CPU ms/op: router + subgraphs + PostgreSQL |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  // The floor's SQL is not counted through subgraph metrics (its statements are in bench/floor.ts).
  const row = (key: string, label: string, r: SetupResult, floor = false) =>
    lines.push(
      `| ${key} | ${label} | ${cell(r.rps)} | ${cell(r.p50)} | ${cell(r.p95)} | ${cell(r.p99)} | ${r.errors} | ${floor ? "-" : cell(r.sqlPerOp)} | ${floor ? "-" : cell(r.subgraphRequestsPerOp)} | ${cell(r.peakRssMb, 0)} | ${cpuCell(r.cpuMsPerOp)} |`,
    );
  for (const [key, op] of Object.entries(report.operations)) {
    for (const setup of SETUPS) {
      const r = op[setup];
      if (r) row(key, SETUP_LABELS[setup], r, setup === "floor");
    }
    if (op.huge) row(key, "(a) ours, rules on, **huge** seed", op.huge);
  }
  lines.push(
    "",
    "| operation | (a)/(b) | (a)/(c) | (a)/(c2) | (a)/(d) | (a)/(e) | huge/large p50 (a) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const [key, op] of Object.entries(report.operations)) {
    const r = op.ratios;
    lines.push(
      `| ${key} | ${cell(r["a/b"], 2)} | ${cell(r["a/c"], 2)} | ${cell(r["a/c2"], 2)} | ${cell(r["a/d"], 2)} | ${cell(r["a/e"], 2)} | ${cell(r["huge/large p50"], 2)} |`,
    );
  }
  const withSubgraphs = Object.entries(report.operations).filter(([, op]) => op.ours?.cpuMsPerOp.bySubgraph);
  if (withSubgraphs.length) {
    const names = Object.keys(withSubgraphs[0][1].ours!.cpuMsPerOp.bySubgraph!);
    lines.push(
      "",
      "CPU ms per answer of (a), by process kind:",
      "",
      `| operation | router | ${names.join(" | ")} | PostgreSQL | total |`,
      `| --- | ---: | ${names.map(() => "---:").join(" | ")} | ---: | ---: |`,
    );
    for (const [key, op] of withSubgraphs) {
      const cpu = op.ours!.cpuMsPerOp;
      lines.push(
        `| ${key} | ${cell(cpu.router)} | ${names.map((n) => cell(cpu.bySubgraph![n])).join(" | ")} | ${cell(cpu.postgres)} | ${cell(cpuTotal(cpu))} |`,
      );
    }
  }
  const obs = report.observability;
  if (obs) {
    const variants = Object.keys(obs.variants).filter((v) => obs.results[v]);
    lines.push(
      "",
      "What each part of the observability stack costs (a): CPU ms per answer (router + subgraphs + PostgreSQL), each variant on a stack of its own taking turns with an unchanged (a) beside it; cost = unchanged less variant (for `off:`), variant less unchanged (for `on:`):",
      "",
      ...variants.map((v) => `- \`${v}\`: ${obs.variants[v]}`),
      "",
      "| operation | variant | unchanged (a) CPU ms/op | variant CPU ms/op | cost ms/op | unchanged rps | variant rps |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const v of variants) {
      for (const [key, run] of Object.entries(obs.results[v])) {
        const base = obs.baselines[v]?.[key];
        if (!base) continue;
        lines.push(
          `| ${key} | ${v} | ${cell(cpuTotal(base.cpuMsPerOp))} | ${cell(cpuTotal(run.cpuMsPerOp))} | ${cell(observabilityCost(v, base, run), 2)} | ${cell(base.rps)} | ${cell(run.rps)} |`,
        );
      }
    }
  }
  const skipped = Object.entries((s.skippedOperations ?? {}) as Record<string, string>);
  if (skipped.length)
    lines.push(
      "",
      ...skipped.map(([key, reason]) => `Not measured: ${key}, the graph refused it (${reason}).`),
    );
  lines.push("", "Targets (issue 19):", "");
  for (const t of report.targets) {
    lines.push(`- ${t.met ? "met" : "MISSED"}: ${t.target}, ${t.operation}: ${t.detail}`);
  }
  lines.push(
    "",
    "(d) is the sum of each subgraph call of the operation's query plan run alone (rps as 1 / the sum of 1/rps per call, latencies summed).",
    "(e) is bench/floor-server.ts: the same databases, the SQL the answer needs and nothing else (no GraphQL, no access rules, no audit), the answer's JSON as (a) gives it to a caller who may see everything; its CPU is counted as the router's.",
    "(c2) is Hive Gateway 2 with `--hive-router-runtime` (@graphql-hive/router-runtime: Hive Router's Rust query planner and its executor) over the rules-on subgraphs.",
    "CPU ms/op: user + system time of the router, the subgraphs and every PostgreSQL process during the loaded run, per answer ((d): per call, weighted as the plan makes them); the load tool's own share is in latest.json.",
    `Peak RSS: ${report.settings.peakRss}, summed over the setup's processes (the rules-on subgraphs serve (a), (c), (c2) and (d)); per process in latest.json.`,
  );
  return `${lines.join("\n")}\n`;
}
