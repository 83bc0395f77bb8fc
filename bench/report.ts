/** The four setups side by side, in the order the issue names them. */
export const SETUPS = ["ours", "plainGateway", "hiveGateway", "direct"] as const;
export type SetupKey = (typeof SETUPS)[number];

export const SETUP_LABELS: Record<SetupKey, string> = {
  ours: "(a) ours, rules on",
  plainGateway: "(b) plain @apollo/gateway, rules off",
  hiveGateway: "(c) Hive Gateway, rules on",
  direct: "(d) subgraphs direct (floor)",
};

/** CPU time per operation, in ms, by where it was spent. */
export interface CpuPerOp {
  router: number;
  subgraphs: number;
  postgres: number;
  /** The bench process itself (autocannon): it shares the two cores with everything else. */
  loadTool: number;
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
  ratios: { "a/b": number | null; "a/c": number | null; "a/d": number | null };
} & Partial<Record<SetupKey, SetupResult>>;

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

/** The issue's targets, each with the size of its miss. */
export function checkTargets(operations: Record<string, OperationResult>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const [key, op] of Object.entries(operations)) {
    const a = op.ours;
    if (!a) continue;
    for (const [name, other, required] of [
      ["(a) >= 0.85 x (b) rps", op.plainGateway, 0.85],
      ["(a) >= 1.0 x (c) rps", op.hiveGateway, 1.0],
    ] as const) {
      if (!other || other.rps <= 0) continue;
      const measured = a.rps / other.rps;
      const met = measured >= required;
      checks.push({
        target: name,
        operation: key,
        met,
        detail: met
          ? `${round(measured)} (required ${required})`
          : `${round(measured, 3)}, short by ${round(required - measured, 3)}: (a) needs ${
              Math.ceil((required * other.rps - a.rps) * 10) / 10
            } more rps (+${Math.round(((required * other.rps) / a.rps - 1) * 100)}%)`,
      });
    }
    const limit = 3 * a.p50;
    checks.push({
      target: "(a) p99 <= 3 x p50",
      operation: key,
      met: a.p99 <= limit,
      detail:
        a.p99 <= limit
          ? `p99 ${round(a.p99, 1)} ms <= ${round(limit, 1)} ms`
          : `p99 ${round(a.p99, 1)} ms vs limit ${round(limit, 1)} ms: ${round(a.p99 / a.p50, 1)} x p50, over by ${round(a.p99 - limit, 1)} ms`,
    });
  }
  const small = operations.IncidentsInArea50?.ours;
  const large = operations.IncidentsInArea500?.ours;
  if (small && large) {
    const met = small.sqlPerOp === large.sqlPerOp;
    checks.push({
      target: "SQL per op identical for 50 and 500 incidents",
      operation: "IncidentsInArea",
      met,
      detail: `${small.sqlPerOp} for 50, ${large.sqlPerOp} for 500${met ? "" : ` (differs by ${round(large.sqlPerOp - small.sqlPerOp)})`}`,
    });
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

/** The Markdown report: the machine, the settings, the table, the ratios and the targets. */
export function markdownReport(report: {
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  operations: Record<string, OperationResult>;
  targets: TargetCheck[];
}): string {
  const m = report.machine;
  const s = report.settings;
  const lines = [
    "# npm run bench: latest results",
    "",
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.date} (load average at start ${m.loadAverageAtStart}).`,
    `Settings: ${s.connections} connections, ${s.durationS} s per run after a ${s.warmupS} s warm-up (${s.firstWarmupS} s before a router's first), routers taking turns for ${s.rounds} round(s) (median shown); large seed (${s.seed}); subgraph pool ${s.poolSize}.`,
    "",
    "| operation | setup | rps | p50 ms | p95 ms | p99 ms | errors | SQL/op | subgraph req/op | peak RSS MB | CPU ms/op: router + subgraphs + PostgreSQL |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [key, op] of Object.entries(report.operations)) {
    for (const setup of SETUPS) {
      const r = op[setup];
      if (!r) continue;
      lines.push(
        `| ${key} | ${SETUP_LABELS[setup]} | ${cell(r.rps)} | ${cell(r.p50)} | ${cell(r.p95)} | ${cell(r.p99)} | ${r.errors} | ${cell(r.sqlPerOp)} | ${cell(r.subgraphRequestsPerOp)} | ${cell(r.peakRssMb, 0)} | ${cpuCell(r.cpuMsPerOp)} |`,
      );
    }
  }
  lines.push("", "| operation | (a)/(b) | (a)/(c) | (a)/(d) |", "| --- | ---: | ---: | ---: |");
  for (const [key, op] of Object.entries(report.operations)) {
    lines.push(
      `| ${key} | ${cell(op.ratios["a/b"], 2)} | ${cell(op.ratios["a/c"], 2)} | ${cell(op.ratios["a/d"], 2)} |`,
    );
  }
  lines.push("", "Targets:", "");
  for (const t of report.targets) {
    lines.push(`- ${t.met ? "met" : "MISSED"}: ${t.target}, ${t.operation}: ${t.detail}`);
  }
  lines.push(
    "",
    "(d) is the sum of each subgraph call of the operation's query plan run alone (rps as 1 / the sum of 1/rps per call, latencies summed).",
    "CPU ms/op: user + system time of the router, the subgraphs and every PostgreSQL process during the loaded run, per answer ((d): per call, weighted as the plan makes them); the load tool's own share is in latest.json.",
    `Peak RSS: ${report.settings.peakRss}, summed over the setup's processes (the rules-on subgraphs serve (a), (c) and (d)); per process in latest.json.`,
  );
  return `${lines.join("\n")}\n`;
}
