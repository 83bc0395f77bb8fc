import { buildSubgraphSchema, printSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { GraphQLSchema, parse } from "graphql";
import { buildSchema, createResolversMap, type MiddlewareFn, type NonEmptyArray } from "type-graphql";
import { indexPolicies, type PolicyIndex } from "./access/policies";
import type { RequestContext } from "./context";

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = Function[];

export interface FederatedSchemaOptions {
  resolvers: NonEmptyArray<ClassList[number]>;
  orphanedTypes?: ClassList;
  /** `__resolveReference` per entity type name, merged into type-graphql's resolvers. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
  /** Wraps every field: the access rules, built from the declarations the schema carries. */
  enforcement?: (index: PolicyIndex) => MiddlewareFn<RequestContext>;
}

/**
 * Builds a Federation 2 subgraph schema from type-graphql classes: type-graphql prints
 * Federation 1 SDL, so we add the @link here, once for every subgraph.
 */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  // The declarations are read from the schema being built, which the middleware then consults.
  const built: { index?: PolicyIndex } = {};
  let enforce: MiddlewareFn<RequestContext> | undefined;
  const enforcement = options.enforcement;
  const middleware: MiddlewareFn<RequestContext> | undefined = enforcement
    ? (action, next) => (enforce ??= enforcement(built.index!))(action, next)
    : undefined;
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    skipCheck: true,
    validate: false,
    globalMiddlewares: middleware ? [middleware] : [],
  });
  // Root types have no class to describe them on; they are described here, once for all subgraphs.
  const query = schema.getQueryType();
  if (query) query.description ??= "Entry points for reading the partnership's records.";
  const mutation = schema.getMutationType();
  if (mutation)
    mutation.description ??=
      "Entry points for changing the partnership's records; each change is validated and audited.";
  // Federation reprints the schema from SDL, which drops extensions: index them before that.
  built.index = indexPolicies(schema);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, reference] of Object.entries(options.referenceResolvers ?? {})) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(reference as object) };
  }
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    resolvers,
  });
}

/** The SDL a router composes from, as committed under schema/. */
export function printFederatedSdl(schema: GraphQLSchema): string {
  return printSubgraphSchema(schema);
}
