import "reflect-metadata";
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { IncomingMessage } from "node:http";
import type { Caller, TokenVerifier } from "../subgraphs/shared/auth";
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from "../subgraphs/shared/config";
import { callerFrom, header, parseBreakGlass, parsePurpose, requestIdOf } from "../subgraphs/shared/context";
import type { Purpose } from "../subgraphs/shared/enums";
import { createHttpService, listen, type RunningService } from "../subgraphs/shared/http";
import { formatErrorFor } from "../subgraphs/shared/subgraph";
import { serveGraphiQL } from "./graphiql";

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

/** Node's fetch keeps connections alive; a timeout bounds a slow subgraph to its own fields. */
function fetcherWithTimeout(timeoutMs: number): Fetcher {
  const timed = (input: string, init?: RequestInit) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return timed as unknown as Fetcher;
}

export interface GatewayOptions {
  config: Config;
  supergraphSdl: string;
  /** Where each subgraph listens; defaults to the configured URLs. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  verify: TokenVerifier;
}

export interface GatewayServer {
  listen(port: number): Promise<RunningService>;
}

export async function createGatewayServer(options: GatewayOptions): Promise<GatewayServer> {
  const { config, verify } = options;
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, options.subgraphUrls?.[name] ?? config.subgraphUrl(name)]),
  ) as Record<SubgraphName, string>;
  const fetcher = fetcherWithTimeout(config.SUBGRAPH_TIMEOUT_MS);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) => new PartnerDataSource({ url: urls[name as SubgraphName], fetcher }),
  });
  const production = config.NODE_ENV === "production";
  // Depth, alias, token and cost limits, and no field suggestions that map the schema for a prober.
  const armor = new ApolloArmor({
    maxDepth: { n: config.GATEWAY_MAX_DEPTH },
    maxAliases: { n: config.GATEWAY_MAX_ALIASES },
    maxTokens: { n: config.GATEWAY_MAX_TOKENS },
    costLimit: { maxCost: config.GATEWAY_MAX_COST },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: true },
  }).protect();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: config.NODE_ENV === "development",
    formatError: formatErrorFor(config),
    validationRules: armor.validationRules,
    allowBatchedHttpRequests: false,
    plugins: [...armor.plugins, ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    // Verified before any planning: a bad token never reaches a subgraph.
    const caller = await callerFrom(req.headers, verify);
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
    bodyLimitBytes: config.GATEWAY_BODY_LIMIT_BYTES,
  });

  return {
    async listen(port) {
      const running = await listen("gateway", http, port);
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
