import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from "@apollo/server/plugin/disabled";
import { unwrapResolverError } from "@apollo/server/errors";
import type { GraphQLFormattedError, GraphQLSchema } from "graphql";
import { DatabaseError } from "pg";
import type { NonEmptyArray } from "type-graphql";
import { auditBeforeResponse, serviceFieldsOnly } from "./access/enforcement";
import type { PolicyStore } from "./access/guard";
import { registryState, type KeptAgencyRegistry, type TokenVerifier } from "./auth";
import type { Config, SubgraphName } from "./config";
import { buildRequestContext, type RequestContext } from "./context";
import type { Sql, StoreDefinition, SubgraphStore } from "./database";
import { buildFederatedSchema, type FederatedSchemaOptions } from "./federation";
import { createHttpService, listen, operationNamePlugin, type RunningService } from "./http";
import { faultLogPlugin } from "./faults";
import { operationDefences } from "./limits";
import { log } from "./logger";
import { parsePrometheusText, sampleSum, ServiceMetrics } from "./metrics";

/** Everything that makes one subgraph: the same shape for all six. */
export interface SubgraphDefinition<Loaders> extends StoreDefinition {
  name: SubgraphName;
  /**
   * The agency whose data this subgraph holds, for the access rules; null for governance, whose
   * records (agreements, consents, the audit) are the partnership's, governed by role and party rules.
   */
  ownerAgencyId: string | null;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  referenceResolvers?: FederatedSchemaOptions["referenceResolvers"];
  /** Per-request DataLoaders over the subgraph's repositories. */
  createLoaders(sql: Sql): Loaders;
  /**
   * Work the running service does on its own (relaying and delivering notifications, sweeping
   * for time-based ones), started once it listens; returns how to stop it.
   */
  background?(deps: BackgroundDeps): () => void;
}

/** What a subgraph's background work runs on: its own store and governance's, as its own roles. */
export interface BackgroundDeps {
  sql: Sql;
  governanceSql: Sql;
  config: Config;
  /** Where the other subgraphs listen, when not where the configuration says. */
  peerUrl?: (name: SubgraphName) => string;
}

const schemas = new Map<string, Promise<GraphQLSchema>>();

/**
 * The subgraph's schema; built once per process (type-graphql metadata is global). With
 * `accessRules: false` (ACCESS_RULES=off, benchmarks only) the same SDL without the enforcement.
 */
export function subgraphSchema<L>(
  definition: SubgraphDefinition<L>,
  options: { accessRules?: boolean } = {},
): Promise<GraphQLSchema> {
  const enforced = options.accessRules ?? true;
  const key = `${definition.name}:${enforced ? "on" : "off"}`;
  let schema = schemas.get(key);
  if (!schema) {
    schema = buildFederatedSchema({ ...definition, enforce: enforced });
    schemas.set(key, schema);
  }
  return schema;
}

/** An error PostgreSQL raised (pg's DatabaseError: a five-character SQLSTATE and a severity). */
function isDatabaseError(error: unknown): error is DatabaseError {
  if (error instanceof DatabaseError) return true;
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === "string";
}

/** graphql-js's "Did you mean ...?" hints, in validation and variable errors alike. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Never suggests field, argument, type or enum names (they map the schema for a prober, even
 * with introspection off); in production also hides internals: no stack, SQL or personal data.
 */
export function formatErrorFor(config: Config) {
  return (error: GraphQLFormattedError, raw?: unknown): GraphQLFormattedError => {
    const cause = unwrapResolverError(raw);
    if (isDatabaseError(cause)) {
      // PostgreSQL's own words name tables, constraints and the values that failed (personal data
      // among them): never sent, in development as in production. The log keeps them.
      log("error", "database error", { sqlstate: cause.code, error: cause.message, path: error.path });
      return { message: "internal error", path: error.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    const message = error.message.replace(SUGGESTION, "");
    const formatted = message === error.message ? error : { ...error, message };
    if (config.NODE_ENV !== "production") return formatted;
    const code = formatted.extensions?.code;
    const { stacktrace: _stacktrace, ...extensions } = (formatted.extensions ?? {}) as Record<
      string,
      unknown
    >;
    if (code === "INTERNAL_SERVER_ERROR" || code === undefined) {
      return {
        message: "internal error",
        path: formatted.path,
        extensions: { code: "INTERNAL_SERVER_ERROR" },
      };
    }
    return { ...formatted, extensions };
  };
}

/**
 * Counters a benchmark reads from GET /metrics (Prometheus text, see `subgraphCounters`) to work
 * out the cost per operation.
 */
export interface SubgraphMetrics {
  /** GraphQL requests served (`graphql_requests_total`). */
  requests: number;
  /** SQL statements on the subgraph's own store (`sql_statements_total{store="own"}`). */
  statements: number;
  /**
   * SQL statements on the governance store (decisions, audit; `sql_statements_total{store="governance"}`);
   * 0 for governance, whose own store it is.
   */
  policyStatements: number;
}

/** The benchmark's counters out of a subgraph's Prometheus text. */
export function subgraphCounters(prometheusText: string): SubgraphMetrics {
  const samples = parsePrometheusText(prometheusText);
  return {
    requests: sampleSum(samples, "graphql_requests_total"),
    statements: sampleSum(samples, "sql_statements_total", { store: "own" }),
    policyStatements: sampleSum(samples, "sql_statements_total", { store: "governance" }),
  };
}

export interface SubgraphServer {
  name: SubgraphName;
  schema: GraphQLSchema;
  store: SubgraphStore;
  /** Listens on `port` (0 for any free port). */
  listen(port: number): Promise<RunningService>;
}

/** Builds a subgraph server over an open store, without listening (tests call this). */
export async function createSubgraphServer<L>(
  definition: SubgraphDefinition<L>,
  deps: {
    config: Config;
    store: SubgraphStore;
    verify: TokenVerifier;
    policy: PolicyStore;
    /** The Sql the policy store runs on, when it is not the subgraph's own, for /metrics. */
    policySql?: Sql;
    /** Where the other subgraphs listen, when not where the configuration says. */
    peerUrls?: Partial<Record<SubgraphName, string>>;
    /** The registry `verify` checks agencies against, for its age in /ready and /metrics. */
    registry?: KeptAgencyRegistry;
  },
): Promise<SubgraphServer> {
  const accessRules = deps.config.ACCESS_RULES === "on";
  if (!accessRules)
    log("warn", "ACCESS_RULES=off: no access rules and no audit (benchmarks only)", {
      subgraph: definition.name,
    });
  const schema = await subgraphSchema(definition, { accessRules });
  // The gateway's limits and checks, since a subgraph can be called directly with a valid token.
  const defences = operationDefences<RequestContext<L>>(deps.config);
  const metrics = new ServiceMetrics(definition.name);
  const apollo = new ApolloServer<RequestContext<L>>({
    schema,
    validationRules: defences.validationRules,
    parseOptions: defences.parseOptions,
    allowBatchedHttpRequests: false,
    // The process's own SIGTERM handler drains requests first; Apollo's would stop it mid-request.
    stopOnTerminationSignals: false,
    // Inline tracing and cache hints cost work per request (cache control a hook per field) and
    // nothing here reads them: the partnership's answers are never cached.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...defences.plugins,
      operationNamePlugin(),
      // Always, even without access rules: a service token then reaches nothing at all.
      serviceFieldsOnly(),
      ...(accessRules ? [auditBeforeResponse()] : []),
      faultLogPlugin<RequestContext<L>>(definition.name),
      metrics.errorCounter<RequestContext<L>>(),
    ],
    introspection: deps.config.NODE_ENV !== "production",
    includeStacktraceInErrorResponses:
      deps.config.NODE_ENV === "development" && deps.config.LOG_LEVEL === "debug",
    formatError: formatErrorFor(deps.config),
  });
  await apollo.start();
  // Counters only read at scrape time: nothing is added to a request's work but one increment.
  let requests = 0;
  const governanceSql = deps.policySql && deps.policySql !== deps.store.sql ? deps.policySql : undefined;
  metrics.mirrorCounter(
    "graphql_requests_total",
    "GraphQL requests executed (a rerun on fresh facts counts twice)",
    () => requests,
  );
  metrics.mirrorCounter(
    "sql_statements_total",
    "SQL statements run, on the subgraph's own store and on governance's",
    {
      own: () => deps.store.sql.statements,
      governance: () => governanceSql?.statements ?? 0,
    },
  );
  const pools = {
    own: deps.store.sql.pool,
    ...(governanceSql && governanceSql.pool !== deps.store.sql.pool
      ? { governance: governanceSql.pool }
      : {}),
  };
  metrics.poolGauge(pools);
  // The pools' own ceilings, whatever configured them: what this service may open (10: pg's default).
  const connectionBudget = Object.fromEntries(
    Object.entries(pools).map(([name, pool]) => [name, pool.options.max ?? 10]),
  );
  metrics.budgetGauge(connectionBudget);
  if (deps.registry) metrics.registryAgeGauge(deps.registry.verifiedAt);
  const http = createHttpService({
    name: definition.name,
    apollo,
    context: (req, attempt, delivery) => {
      requests += 1;
      return buildRequestContext(req.headers, {
        signal: delivery.signal,
        peerUrl: (name) => deps.peerUrls?.[name] ?? deps.config.subgraphUrl(name),
        subgraph: definition.name,
        verify: deps.verify,
        sql: deps.store.sql,
        createLoaders: definition.createLoaders,
        policy: deps.policy,
        freshFacts: attempt > 0,
      });
    },
    runAgain: (context) => context.access.staleFacts,
    ready: async () => {
      await deps.store.sql.pool.query("SELECT 1");
    },
    readyDetails: () => ({
      ...(deps.registry ? { agencyRegistry: registryState(deps.registry) } : {}),
      connectionBudget,
    }),
    bodyLimitBytes: defences.bodyLimitBytes,
    metrics,
    metricsToken: deps.config.METRICS_TOKEN,
  });
  return {
    name: definition.name,
    schema,
    store: deps.store,
    async listen(port) {
      const running = await listen(definition.name, http, port, deps.config.HOST);
      return {
        ...running,
        stop: async () => {
          await running.stop();
          await apollo.stop();
        },
      };
    },
  };
}
