import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { Pool } from "pg";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics. What belongs to the process (CPU, memory, event loop, access decisions,
 * the audit, the facts cache) is registered once in `processRegistry`; what belongs to one
 * service (its requests, SQL, pools) in that service's own registry, so that several services in
 * one process (`npm start`, tests) each report their own. A service's /metrics shows both.
 */
export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

/** Latency buckets (seconds) from a cached decision to a slow federated answer. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Hooks for the access rules (subgraphs/shared/access/), process-wide: a decision's outcome and
 * reason, how long each audit append took, and whether access facts came from the kept cache.
 */
export const accessMetrics = {
  decisions: new Counter({
    name: "access_decisions_total",
    help: "Access decisions taken, by outcome (permitted or refused) and reason",
    labelNames: ["outcome", "reason"] as const,
    registers: [processRegistry],
  }),
  auditAppendSeconds: new Histogram({
    name: "audit_append_duration_seconds",
    help: "Time to append a group of audit records to the governance chain, by result",
    labelNames: ["result"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [processRegistry],
  }),
  factsCache: new Counter({
    name: "access_facts_cache_total",
    help: "Access-fact lookups answered from the kept facts (hit) or read from governance (miss)",
    labelNames: ["result"] as const,
    registers: [processRegistry],
  }),
};

/** Infrastructure faults, process-wide: database connections lost (checked out, or idle in a pool). */
export const faultMetrics = {
  connectionsLost: new Counter({
    name: "db_connections_lost_total",
    help: "PostgreSQL connections lost, by where they were (checked out by a request, or idle in the pool)",
    labelNames: ["where"] as const,
    registers: [processRegistry],
  }),
};

/** Distinct error codes kept as labels; past it "other" (codes are the services' own, but bounded all the same). */
const MAX_ERROR_CODES = 50;

/** Distinct operation names kept as labels; past it "other", so callers cannot grow the series without bound. */
const MAX_OPERATION_LABELS = 200;

/** One service's metrics: requests by operation; a subgraph adds its SQL and pools, the gateway its fetches. */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  readonly requestSeconds: Histogram<"operation" | "status">;

  private readonly errorCodes = new Set<string>();
  readonly errors: Counter<"code">;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    this.errors = new Counter({
      name: "graphql_errors_total",
      help: "Errors in GraphQL answers, by extensions.code (FORBIDDEN, DATABASE_UNAVAILABLE, SUBGRAPH_UNAVAILABLE...)",
      labelNames: ["code"],
      registers: [this.registry],
    });
    this.requestSeconds = new Histogram({
      name: "graphql_request_duration_seconds",
      help: "GraphQL requests served over HTTP, by operation name and HTTP status",
      labelNames: ["operation", "status"],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  /** An Apollo Server plugin counting the errors of every answer by code. */
  errorCounter<Ctx extends BaseContext>(): ApolloServerPlugin<Ctx> {
    const count = (code: string) => {
      if (!this.errorCodes.has(code) && this.errorCodes.size < MAX_ERROR_CODES) this.errorCodes.add(code);
      this.errors.inc({ code: this.errorCodes.has(code) ? code : "other" });
    };
    return {
      async requestDidStart() {
        return {
          async didEncounterErrors({ errors }) {
            for (const error of errors) {
              const code = error.extensions?.code;
              count(typeof code === "string" ? code : "INTERNAL_SERVER_ERROR");
            }
          },
        };
      },
    };
  }

  /**
   * The operation as a label: a subgraph sees the gateway's `<operation>__<subgraph>__<fetch>`,
   * counted under the client's operation; past MAX_OPERATION_LABELS names, "other".
   */
  operationLabel(given: string | undefined): string {
    if (!given) return "(none)";
    const name = given.replace(/__[a-z]+__\d+$/, "");
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_LABELS) return "other";
    this.operations.add(name);
    return name;
  }

  /**
   * A counter mirroring a total kept elsewhere (e.g. Sql.statements), read at scrape time: one
   * reader, or one per value of `label`.
   */
  mirrorCounter(
    name: string,
    help: string,
    readers: (() => number) | Record<string, () => number>,
    label = "store",
  ): void {
    const seen = new Map<string, number>();
    const labelled = typeof readers === "function" ? null : Object.entries(readers);
    new Counter({
      name,
      help,
      labelNames: labelled ? [label] : [],
      registers: [this.registry],
      collect() {
        for (const [value, read] of labelled ?? [["", readers as () => number] as const]) {
          const now = read();
          const delta = now - (seen.get(value) ?? 0);
          if (delta > 0) {
            if (labelled) this.inc({ [label]: value }, delta);
            else this.inc(delta);
          }
          seen.set(value, now);
        }
      },
    });
  }

  /** Connections of each pool: open, idle, and requests waiting for one. */
  poolGauge(pools: Record<string, Pool>): void {
    new Gauge({
      name: "db_pool_connections",
      help: "PostgreSQL pool connections by pool and state (total, idle, waiting)",
      labelNames: ["pool", "state"] as const,
      registers: [this.registry],
      collect() {
        for (const [pool, p] of Object.entries(pools)) {
          this.set({ pool, state: "total" }, p.totalCount);
          this.set({ pool, state: "idle" }, p.idleCount);
          this.set({ pool, state: "waiting" }, p.waitingCount);
        }
      },
    });
  }

  /** The most connections each pool may open (shared/connection-budget.ts): its ceiling, not its use. */
  budgetGauge(budget: Record<string, number>): void {
    const gauge = new Gauge({
      name: "db_connections_budget",
      help: "The most PostgreSQL connections each pool of this service may open (README, Connections)",
      labelNames: ["pool"] as const,
      registers: [this.registry],
    });
    for (const [pool, max] of Object.entries(budget)) gauge.set({ pool }, max);
  }

  /** How old the registry of partner agencies in use is (+Inf before any was verified). */
  registryAgeGauge(verifiedAt: () => number | null): void {
    new Gauge({
      name: "agency_registry_age_seconds",
      help: "Seconds since the registry of partner agencies in use was read from governance (kept through its outages)",
      registers: [this.registry],
      collect() {
        const at = verifiedAt();
        this.set(at === null ? Number.POSITIVE_INFINITY : (Date.now() - at) / 1000);
      },
    });
  }

  /** Prometheus text: this service's metrics and the process's. */
  async text(): Promise<string> {
    // Concatenated rather than merged: a merged registry drops this one's `service` label.
    return (await this.registry.metrics()) + (await processRegistry.metrics());
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics for Prometheus, never to anonymous callers: without METRICS_TOKEN configured the
 * path does not exist (404); with it, only `Authorization: Bearer <METRICS_TOKEN>` is answered (else 401).
 */
export async function serveMetrics(
  metrics: ServiceMetrics,
  token: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  };
  if (!token) return json(404, { error: "not found" });
  const given = (req.headers.authorization ?? "").match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!given || !sameSecret(given, token)) {
    return json(
      401,
      { error: "metrics need Authorization: Bearer <METRICS_TOKEN>" },
      {
        "www-authenticate": 'Bearer realm="metrics"',
      },
    );
  }
  res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
  res.end(await metrics.text());
}

/**
 * Reads the samples of a Prometheus text exposition: `name{labels}` to value. For the
 * benchmark and tests, which read counters rather than a dashboard.
 */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = line.match(/^([a-zA-Z_:][\w:]*(?:\{.*\})?)\s+(\S+)/);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

/** The sum of every sample of `name` whose labels include all of `labels`. */
export function sampleSum(
  samples: Map<string, number>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf("{");
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) sum += value;
  }
  return sum;
}
