import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLFormattedError, GraphQLSchema } from "graphql";
import type { NonEmptyArray } from "type-graphql";
import { auditBeforeResponse, enforceAccess } from "./access/enforcement";
import type { PolicyStore } from "./access/guard";
import type { TokenVerifier } from "./auth";
import type { Config, SubgraphName } from "./config";
import { buildRequestContext, type RequestContext } from "./context";
import type { Sql, StoreDefinition, SubgraphStore } from "./database";
import { buildFederatedSchema, type FederatedSchemaOptions } from "./federation";
import { createHttpService, listen, type RunningService } from "./http";

/** Everything that makes one subgraph: the same shape for all six. */
export interface SubgraphDefinition<Loaders> extends StoreDefinition {
  name: SubgraphName;
  /**
   * The agency whose data this subgraph holds, for the access rules; null for governance,
   * whose every operation checks its own (data-sharing officer) rules.
   */
  ownerAgencyId: string | null;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  referenceResolvers?: FederatedSchemaOptions["referenceResolvers"];
  /** Per-request DataLoaders over the subgraph's repositories. */
  createLoaders(sql: Sql): Loaders;
}

const schemas = new Map<SubgraphName, Promise<GraphQLSchema>>();

/** The subgraph's schema; built once per process (type-graphql metadata is global). */
export function subgraphSchema<L>(definition: SubgraphDefinition<L>): Promise<GraphQLSchema> {
  let schema = schemas.get(definition.name);
  if (!schema) {
    const owner = definition.ownerAgencyId;
    schema = buildFederatedSchema({
      ...definition,
      enforcement: owner ? (index) => enforceAccess(index, owner) : undefined,
    });
    schemas.set(definition.name, schema);
  }
  return schema;
}

/** Hides internals from callers in production: no stack, SQL or personal data in messages. */
export function formatErrorFor(config: Config) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
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
  deps: { config: Config; store: SubgraphStore; verify: TokenVerifier; policy: PolicyStore },
): Promise<SubgraphServer> {
  const schema = await subgraphSchema(definition);
  const apollo = new ApolloServer<RequestContext<L>>({
    schema,
    // Inline tracing costs a lot per request and nothing here reads it.
    plugins: [ApolloServerPluginInlineTraceDisabled(), auditBeforeResponse()],
    introspection: deps.config.NODE_ENV !== "production",
    includeStacktraceInErrorResponses: deps.config.NODE_ENV === "development",
    formatError: formatErrorFor(deps.config),
  });
  await apollo.start();
  const http = createHttpService({
    name: definition.name,
    apollo,
    context: (req) =>
      buildRequestContext(req.headers, {
        subgraph: definition.name,
        verify: deps.verify,
        sql: deps.store.sql,
        createLoaders: definition.createLoaders,
        policy: deps.policy,
      }),
    ready: async () => {
      await deps.store.sql.pool.query("SELECT 1");
    },
  });
  return {
    name: definition.name,
    schema,
    store: deps.store,
    async listen(port) {
      const running = await listen(definition.name, http, port);
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
