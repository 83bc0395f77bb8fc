import { buildSubgraphSchema, printSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  parse,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from "graphql";
import { buildSchema, createResolversMap, type MiddlewareFn, type NonEmptyArray } from "type-graphql";
import { indexPolicies, needsEnforcement, type PolicyIndex } from "./access/policies";
import type { RequestContext } from "./context";

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])`;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = Function[];

export interface FederatedSchemaOptions {
  resolvers: NonEmptyArray<ClassList[number]>;
  orphanedTypes?: ClassList;
  /** `__resolveReference` per entity type name, merged into type-graphql's resolvers. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
  /** The access rules, built from the declarations the schema carries; wraps the fields they govern. */
  enforcement?: (index: PolicyIndex) => MiddlewareFn<RequestContext>;
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
  // Root types have no class to describe them on; they are described here, once for all subgraphs.
  const query = schema.getQueryType();
  if (query) query.description ??= "Entry points for reading the partnership's records.";
  const mutation = schema.getMutationType();
  if (mutation)
    mutation.description ??=
      "Entry points for changing the partnership's records; each change is validated and audited.";
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  if (options.enforcement) {
    // Federation reprints the schema from SDL, which drops extensions: index them before that.
    const index = indexPolicies(schema);
    const enforce = options.enforcement(index);
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        if (!needsEnforcement(index, type.name, field.name, getNamedType(field.type).name)) continue;
        const typeResolvers = (resolvers[type.name] ??= {}) as Record<string, unknown>;
        const resolve =
          (typeResolvers[field.name] as GraphQLFieldResolver<unknown, RequestContext>) ??
          defaultFieldResolver;
        // Only declared fields are wrapped: the rest resolve at graphql-js speed. `next` may return
        // a plain value, so the enforcement's fast path adds no await.
        typeResolvers[field.name] = (
          root: unknown,
          args: Record<string, unknown>,
          context: RequestContext,
          info: GraphQLResolveInfo,
        ) =>
          enforce({ root, args, context, info }, (() =>
            resolve(root, args, context, info)) as () => Promise<unknown>);
      }
    }
  }
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
