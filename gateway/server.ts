import "reflect-metadata";
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { GraphQLError } from "graphql";
import type { IncomingMessage } from "node:http";
import {
  registryState,
  type Caller,
  type KeptAgencyRegistry,
  type TokenVerifier,
} from "../subgraphs/shared/auth";
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from "../subgraphs/shared/config";
import {
  callerFrom,
  header,
  parseBreakGlass,
  parsePurpose,
  requestIdOf,
  textHeader,
  textHeaderValue,
} from "../subgraphs/shared/context";
import type { Purpose } from "../subgraphs/shared/enums";
import { Counter, Gauge, Histogram } from "prom-client";
import {
  createHttpService,
  listen,
  operationNamePlugin,
  type RunningService,
} from "../subgraphs/shared/http";
import { operationDefences } from "../subgraphs/shared/limits";
import { ServiceMetrics } from "../subgraphs/shared/metrics";
import type { Delivery } from "../subgraphs/shared/deadline";
import { rateLimitedLog } from "../subgraphs/shared/faults";
import type CircuitBreaker from "opossum";
import {
  breakerState,
  CallFailure,
  createBreaker,
  currentCall,
  fetcherWithDeadline,
  isOpenBreaker,
  pathsOfFetch,
  unavailable,
  type BreakerState,
} from "./resilience";
import { formatErrorFor } from "../subgraphs/shared/subgraph";
import { inClientSpan } from "../subgraphs/shared/tracing";
import { GATEWAY_REGISTRY_POOL_SIZE } from "../subgraphs/shared/connection-budget";
import { consoleRoute } from "./console";
import { serveGraphiQL } from "./graphiql";
import { createRateLimits } from "./rate-limits";
import { readManifest, trustedDocuments, type TrustedDocumentsManifest } from "./trusted-documents";

/** What the gateway knows of a request: the verified caller and what it forwards. */
export interface GatewayContext {
  requestId: string;
  caller: Caller;
  authorization: string;
  purpose: Purpose | null;
  breakGlass: string | null;
  /** Epoch ms by which the whole request must be answered (REQUEST_DEADLINE_MS from arrival). */
  deadline: number;
  /** Aborted when the caller has gone or the deadline has passed: subgraph calls stop. */
  signal: AbortSignal;
  /** Subgraph failures already logged for this request (subgraph and cause). */
  failures: Set<string>;
}

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>["fetcher"];
type GatewayResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/** A subgraph call that failed as a whole; `reported` is the subgraph's own refusal, if any. */
class SubgraphCallError extends CallFailure {
  constructor(
    why: string,
    countsAgainstSubgraph: boolean,
    readonly reported?: { message: string; code: string },
  ) {
    super(why, countsAgainstSubgraph);
  }
}

const failureLog = rateLimitedLog();

/**
 * Forwards the caller's own token (subgraphs verify it again: they trust no header they
 * cannot verify), the purpose, any break-glass justification and the request id. Every call
 * goes through the subgraph's circuit breaker, within the request's one deadline.
 */
class PartnerDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    config: { url: string; fetcher: Fetcher },
    private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>,
  ) {
    super(config);
  }

  /**
   * A subgraph that fails as a whole (down, too slow, an HTTP error, its breaker open) costs only
   * its own fields: each gets an error with its path; the raw cause (addresses, sockets) goes to
   * the log, once per request and subgraph.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
    const context = options.context as GatewayContext | Record<string, never>;
    const budget = "caller" in context ? { deadline: context.deadline, signal: context.signal } : undefined;
    const call = () => super.process(options);
    try {
      return (await this.breaker.fire(() =>
        budget ? currentCall.run(budget, call) : call(),
      )) as GatewayResponse;
    } catch (error) {
      const failure =
        error instanceof SubgraphCallError
          ? error
          : isOpenBreaker(error)
            ? new SubgraphCallError("it keeps failing, so calls to it are paused for a moment", false)
            : new SubgraphCallError("it could not be reached", true);
      if ("caller" in context) {
        const key = `${this.serviceName}:${failure.message}`;
        if (!context.failures.has(key)) {
          context.failures.add(key);
          failureLog(
            "warn",
            "subgraph call failed",
            {
              subgraph: this.serviceName,
              requestId: context.requestId,
              cause: failure.message,
              detail: (error as Error).message,
              breaker: breakerState(this.breaker),
            },
            key,
          );
        }
      }
      const paths = pathsOfFetch(options.request.query, options.request.variables?.representations);
      const errors = (paths.length ? paths : [undefined]).map((path) => {
        const error = failure.reported
          ? new GraphQLError(failure.reported.message, {
              path,
              extensions: { code: failure.reported.code, serviceName: this.serviceName },
            })
          : unavailable(this.serviceName, failure.message, path);
        return { message: error.message, path: error.path, extensions: error.extensions };
      });
      return { errors } as GatewayResponse;
    }
  }

  override didEncounterError(error: Error): void {
    throw asCallError(error);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !("caller" in context)) return;
    const ctx = context as GatewayContext;
    headers.set("authorization", ctx.authorization);
    headers.set("x-request-id", ctx.requestId);
    if (ctx.purpose) headers.set("x-purpose", ctx.purpose);
    if (ctx.breakGlass) headers.set("x-break-glass", textHeaderValue(ctx.breakGlass));
  }
}

/**
 * Node's fetch within the request's deadline (see fetcherWithDeadline). Each call is a client
 * span (its traceparent sent on) and is timed by subgraph and outcome.
 */
function observedFetcher(
  subgraph: string,
  perCallMs: number,
  seconds: Histogram<"subgraph" | "outcome">,
): Fetcher {
  const send = async (input: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    const stop = seconds.startTimer({ subgraph });
    let outcome = "error";
    try {
      const response = await inClientSpan(
        `gateway fetch ${subgraph}`,
        { "peer.service": subgraph },
        headers,
        () => fetch(input, { ...init, headers }),
      );
      outcome = String(response.status);
      return response;
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError") outcome = "timeout";
      throw error;
    } finally {
      stop({ outcome });
    }
  };
  return fetcherWithDeadline(perCallMs, send) as unknown as Fetcher;
}

type ReportedErrors = { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };

/** What a failed call says about the subgraph, and what its caller may be told. */
function asCallError(error: Error): SubgraphCallError {
  if (error instanceof CallFailure) return new SubgraphCallError(error.message, error.countsAgainstSubgraph);
  const response = (error as GraphQLError).extensions?.response as
    { status?: number; body?: ReportedErrors } | undefined;
  const status = response?.status;
  const reported = response?.body?.errors?.[0];
  if (typeof reported?.message === "string") {
    // The subgraph's own refusal (a 401, say), already formatted, and masked in production, by it.
    const code =
      typeof reported.extensions?.code === "string" ? reported.extensions.code : "DOWNSTREAM_SERVICE_ERROR";
    return new SubgraphCallError(reported.message, (status ?? 0) >= 500, { message: reported.message, code });
  }
  if (status) return new SubgraphCallError(`it answered HTTP ${status}`, status >= 500);
  return new SubgraphCallError("it could not be reached", true);
}

export interface GatewayOptions {
  config: Config;
  supergraphSdl: string;
  /** Where each subgraph listens; defaults to the configured URLs. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  verify: TokenVerifier;
  /** The registry `verify` checks agencies against, for its age in /ready and /metrics. */
  registry?: KeptAgencyRegistry;
  /** The trusted documents; read from TRUSTED_DOCUMENTS_MANIFEST when not given. */
  trustedDocuments?: TrustedDocumentsManifest;
}

export interface GatewayServer {
  listen(port: number): Promise<RunningService>;
  /** Each subgraph's circuit breaker: closed, open or half-open. */
  breakers(): Record<SubgraphName, BreakerState>;
}

export async function createGatewayServer(options: GatewayOptions): Promise<GatewayServer> {
  const { config, verify } = options;
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, options.subgraphUrls?.[name] ?? config.subgraphUrl(name)]),
  ) as Record<SubgraphName, string>;
  const metrics = new ServiceMetrics("gateway");
  const fetchSeconds = new Histogram({
    name: "gateway_subgraph_fetch_duration_seconds",
    help: "Calls from the gateway to a subgraph, by subgraph and outcome (HTTP status, timeout or error)",
    labelNames: ["subgraph", "outcome"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });
  const rateLimited = new Counter({
    name: "gateway_rate_limited_total",
    help: "Requests refused with 429, by the limit reached (user or agency)",
    labelNames: ["scope"] as const,
    registers: [metrics.registry],
  });
  const untrusted = new Counter({
    name: "gateway_untrusted_documents_total",
    help: "Requests refused by the trusted documents: document text, or an id not in the manifest",
    labelNames: ["reason"] as const,
    registers: [metrics.registry],
  });
  const breakers = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [
      name,
      createBreaker(name, {
        resetMs: config.BREAKER_RESET_MS,
        windowMs: config.BREAKER_WINDOW_MS,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      }),
    ]),
  ) as Record<SubgraphName, ReturnType<typeof createBreaker>>;
  new Gauge({
    name: "gateway_subgraph_breaker_state",
    help: "Each subgraph's circuit breaker: 1 for the state it is in (closed, open, halfOpen), 0 for the others",
    labelNames: ["subgraph", "state"] as const,
    registers: [metrics.registry],
    collect() {
      for (const name of SUBGRAPH_NAMES) {
        const current = breakerState(breakers[name]);
        for (const state of ["closed", "open", "halfOpen"] as const)
          this.set({ subgraph: name, state }, state === current ? 1 : 0);
      }
    },
  });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) =>
      new PartnerDataSource(
        name,
        {
          url: urls[name as SubgraphName],
          fetcher: observedFetcher(name, config.SUBGRAPH_TIMEOUT_MS, fetchSeconds),
        },
        breakers[name as SubgraphName],
      ),
  });
  const safelist = config.TRUSTED_DOCUMENTS;
  const admit =
    safelist === "off"
      ? undefined
      : trustedDocuments(
          safelist,
          options.trustedDocuments ?? readManifest(config.TRUSTED_DOCUMENTS_MANIFEST),
          (reason) => untrusted.inc({ reason }),
        );
  const limits = createRateLimits(config, (scope) => rateLimited.inc({ scope }));
  const production = config.NODE_ENV === "production";
  // The same limits and checks as every subgraph enforces: one definition for all services.
  const defences = operationDefences<GatewayContext>(config);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // The process's own SIGTERM handler drains requests first; Apollo's would stop it mid-request.
    stopOnTerminationSignals: false,
    introspection: !production,
    // Stacks only when asked for: FORBIDDEN and BAD_USER_INPUT answers read better without them.
    includeStacktraceInErrorResponses: config.NODE_ENV === "development" && config.LOG_LEVEL === "debug",
    formatError: formatErrorFor(config),
    validationRules: defences.validationRules,
    parseOptions: defences.parseOptions,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries would let any document in by its hash: only without a safelist.
    persistedQueries: safelist === "off" ? undefined : false,
    plugins: [
      ...defences.plugins,
      ApolloServerPluginLandingPageDisabled(),
      operationNamePlugin(),
      metrics.errorCounter<GatewayContext>(),
    ],
  });
  await apollo.start();

  const context = async (
    req: IncomingMessage,
    _attempt: number,
    delivery: Delivery,
  ): Promise<GatewayContext> => {
    // Verified before any planning: a bad token never reaches a subgraph.
    const caller = await callerFrom(req.headers, verify);
    await limits?.consume(caller);
    const purpose = parsePurpose(header(req.headers, "x-purpose"));
    return {
      requestId: requestIdOf(req.headers),
      caller,
      authorization: header(req.headers, "authorization") as string,
      purpose,
      breakGlass: parseBreakGlass(textHeader(req.headers, "x-break-glass"), purpose),
      deadline: delivery.deadline ?? Date.now() + config.REQUEST_DEADLINE_MS,
      signal: delivery.signal,
      failures: new Set(),
    };
  };

  const serveConsole = consoleRoute(config);
  if (options.registry) metrics.registryAgeGauge(options.registry.verifiedAt);
  // This process's own pool (each of GATEWAY_WORKERS has one).
  const connectionBudget = { registry: GATEWAY_REGISTRY_POOL_SIZE };
  metrics.budgetGauge(connectionBudget);
  const http = createHttpService({
    name: "gateway",
    apollo,
    context,
    ready: async () => {
      const checks = await Promise.all(
        SUBGRAPH_NAMES.map(async (name) => {
          const response = await fetch(urls[name].replace(/\/graphql$/, "/ready"), {
            signal: AbortSignal.timeout(2000),
          }).catch(() => null);
          return response?.ok ? null : name;
        }),
      );
      const down = checks.filter(Boolean);
      if (down.length) throw new Error(`subgraphs not ready: ${down.join(", ")}`);
    },
    readyDetails: () => ({
      ...(options.registry ? { agencyRegistry: registryState(options.registry) } : {}),
      connectionBudget,
    }),
    // The console everywhere (its dev sign-in only outside production); GraphiQL only outside it.
    route: async (req, res) => (await serveConsole(req, res)) || (!production && serveGraphiQL(req, res)),
    maxRequestMs: config.REQUEST_DEADLINE_MS,
    bodyLimitBytes: defences.bodyLimitBytes,
    metrics,
    metricsToken: config.METRICS_TOKEN,
    admit,
  });

  return {
    breakers: () =>
      Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, breakerState(breakers[n])])) as Record<
        SubgraphName,
        BreakerState
      >,
    async listen(port) {
      // The public door: on every interface (subgraphs stay on HOST, loopback by default).
      const running = await listen("gateway", http, port, "0.0.0.0");
      return {
        ...running,
        stop: async (options) => {
          await running.stop(options);
          await apollo.stop();
          await limits?.close();
        },
      };
    },
  };
}
