import { buildSubgraphSchema, printSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { GraphQLSchema, parse } from "graphql";
import { buildSchema, createResolversMap, type NonEmptyArray } from "type-graphql";

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = Function[];

export interface FederatedSchemaOptions {
  resolvers: NonEmptyArray<ClassList[number]>;
  orphanedTypes?: ClassList;
  /** `__resolveReference` per entity type name, merged into type-graphql's resolvers. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
}

/**
 * Builds a Federation 2 subgraph schema from type-graphql classes: type-graphql prints
 * Federation 1 SDL, so we add the @link here, once for every subgraph.
 */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    skipCheck: true,
    validate: false,
  });
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
