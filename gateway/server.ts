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
import type { Caller, TokenVerifier } from "../subgraphs/shared/auth";
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from "../subgraphs/shared/config";
import { callerFrom, header, parseBreakGlass, parsePurpose, requestIdOf } from "../subgraphs/shared/context";
import type { Purpose } from "../subgraphs/shared/enums";
import { Counter, Histogram } from "prom-client";
import {
  createHttpService,
  listen,
  operationNamePlugin,
  type RunningService,
} from "../subgraphs/shared/http";
import { operationDefences } from "../subgraphs/shared/limits";
import { log } from "../subgraphs/shared/logger";
import { ServiceMetrics } from "../subgraphs/shared/metrics";
import { formatErrorFor } from "../subgraphs/shared/subgraph";
import { inClientSpan } from "../subgraphs/shared/tracing";
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
}

type Fetcher = NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>["fetcher"];

/**
 * Forwards the caller's own token (subgraphs verify it again: they trust no header they
 * cannot verify), the purpose, any break-glass justification and the request id.
 */
class PartnerDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    config: { url: string; fetcher: Fetcher },
  ) {
    super(config);
  }

  /**
   * A subgraph that fails as a whole (down, too slow, an HTTP error) fails only its own part of
   * the answer, with an error that names it; the raw cause (addresses, sockets) goes to the log.
   */
  override didEncounterError(
    error: Error,
    _request: unknown,
    _response?: unknown,
    context?: GatewayContext | Record<string, unknown>,
  ): void {
    log("warn", "subgraph call failed", {
      subgraph: this.serviceName,
      requestId: (context as GatewayContext | undefined)?.requestId,
      error: error.message,
    });
    throw subgraphFailure(this.serviceName, error);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !("caller" in context)) return;
    const ctx = context as GatewayContext;
    headers.set("authorization", ctx.authorization);
    headers.set("x-request-id", ctx.requestId);
    if (ctx.purpose) headers.set("x-purpose", ctx.purpose);
    if (ctx.breakGlass) headers.set("x-break-glass", ctx.breakGlass);
  }
}

/**
 * Node's fetch keeps connections alive; a timeout bounds a slow subgraph to its own fields.
 * The abort's DOMException has a read-only message, which the gateway tries to rewrite (and
 * would fail the whole request with a 500), so it is rethrown as a plain Error. Each call is a
 * client span (its traceparent sent on) and is timed by subgraph and outcome.
 */
function fetcherWithTimeout(
  subgraph: string,
  timeoutMs: number,
  seconds: Histogram<"subgraph" | "outcome">,
): Fetcher {
  const timed = async (input: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const stop = seconds.startTimer({ subgraph });
    let outcome = "error";
    try {
      const response = await inClientSpan(
        `gateway fetch ${subgraph}`,
        { "peer.service": subgraph },
        headers,
        () => fetch(input, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) }),
      );
      outcome = String(response.status);
      return response;
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        outcome = "timeout";
        throw new SubgraphTimeout(timeoutMs);
      }
      throw error;
    } finally {
      stop({ outcome });
    }
  };
  return timed as unknown as Fetcher;
}

class SubgraphTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

type ReportedErrors = { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };

/** The error a client sees for a subgraph that failed as a whole. */
function subgraphFailure(serviceName: string, error: Error): GraphQLError {
  const response = (error as GraphQLError).extensions?.response as
    { status?: number; body?: ReportedErrors } | undefined;
  const reported = response?.body?.errors?.[0];
  if (typeof reported?.message === "string") {
    // The subgraph's own refusal (a 401, say), already formatted, and masked in production, by it.
    const code =
      typeof reported.extensions?.code === "string" ? reported.extensions.code : "DOWNSTREAM_SERVICE_ERROR";
    return new GraphQLError(reported.message, { extensions: { code, serviceName } });
  }
  const why =
    error instanceof SubgraphTimeout
      ? `no answer within ${error.timeoutMs} ms`
      : response?.status
        ? `it answered HTTP ${response.status}`
        : "it could not be reached";
  return new GraphQLError(`the ${serviceName} service is unavailable: ${why}`, {
    extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName },
  });
}

export interface GatewayOptions {
  config: Config;
  supergraphSdl: string;
  /** Where each subgraph listens; defaults to the configured URLs. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  verify: TokenVerifier;
  /** The trusted documents; read from TRUSTED_DOCUMENTS_MANIFEST when not given. */
  trustedDocuments?: TrustedDocumentsManifest;
}

export interface GatewayServer {
  listen(port: number): Promise<RunningService>;
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
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) =>
      new PartnerDataSource(name, {
        url: urls[name as SubgraphName],
        fetcher: fetcherWithTimeout(name, config.SUBGRAPH_TIMEOUT_MS, fetchSeconds),
      }),
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
    plugins: [...defences.plugins, ApolloServerPluginLandingPageDisabled(), operationNamePlugin()],
  });
  await apollo.start();

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    // Verified before any planning: a bad token never reaches a subgraph.
    const caller = await callerFrom(req.headers, verify);
    await limits?.consume(caller);
    const purpose = parsePurpose(header(req.headers, "x-purpose"));
    return {
      requestId: requestIdOf(req.headers),
      caller,
      authorization: header(req.headers, "authorization") as string,
      purpose,
      breakGlass: parseBreakGlass(header(req.headers, "x-break-glass"), purpose),
    };
  };

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
    route: production ? undefined : serveGraphiQL,
    bodyLimitBytes: defences.bodyLimitBytes,
    metrics,
    metricsToken: config.METRICS_TOKEN,
    admit,
  });

  return {
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
