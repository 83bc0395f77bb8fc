import { buildSubgraphSchema, printSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import {
  defaultFieldResolver,
  isObjectType,
  Kind,
  parse,
  visit,
  type DirectiveNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type ObjectTypeDefinitionNode,
} from "graphql";
import { buildSchema, createResolversMap, type NonEmptyArray } from "type-graphql";
import { enforceField, hiddenBeforeRead, judgeRecord, probe } from "./access/enforcement";
import {
  ACCESS_DIRECTIVE_SDL,
  ACCESS_LINK,
  buildRules,
  needsEnforcement,
  rememberRules,
  ruleDirective,
  rulesOf,
  type FieldRule,
  type SubgraphRules,
} from "./access/rules";
import type { RequestContext } from "./context";

const FEDERATION_LINK =
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@inaccessible", "@external", "@requires", "@provides", "@composeDirective"])\n` +
  `  ${ACCESS_LINK}`;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassList = Function[];

export interface FederatedSchemaOptions {
  resolvers: NonEmptyArray<ClassList[number]>;
  orphanedTypes?: ClassList;
  /** `__resolveReference` per entity type name, merged into type-graphql's resolvers. */
  referenceResolvers?: GraphQLResolverMap<unknown>;
  /** The agency whose records the subgraph holds (null: governance, whose records are the partnership's). */
  ownerAgencyId: string | null;
  /**
   * Enforce the access rules (the default). Off only for benchmarks (ACCESS_RULES=off): the rules
   * are still worked out, so an undeclared field fails the build either way.
   */
  enforce?: boolean;
}

/** The FieldRules a subgraph schema was built with: one per field of every object type. */
export function fieldRules(schema: GraphQLSchema): SubgraphRules {
  const rules = rulesOf(schema);
  if (!rules) throw new Error("not a schema built by buildFederatedSchema");
  return rules;
}

/** The FieldRule declared for `Type.field` in the schema a request runs on. */
export function declaredRule(info: GraphQLResolveInfo, coordinate: string): FieldRule {
  const rule = fieldRules(info.schema).fields.get(coordinate);
  if (!rule) throw new Error(`no field ${coordinate} in this schema`);
  return rule;
}

type Reference = (ref: unknown, context: RequestContext, info: GraphQLResolveInfo) => unknown;

/**
 * Builds a Federation 2 subgraph schema from type-graphql classes: type-graphql prints
 * Federation 1 SDL, so we add the @link here, once for every subgraph. Every field's access rule
 * is worked out here, once (one FieldRule per field; UndeclaredFieldError when a field has none),
 * wraps the resolvers it governs, guards `_entities`, and is printed as `@access` in the SDL.
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
  // Federation reprints the schema from SDL, which drops extensions: the rules are read before that.
  const rules = buildRules(schema, options.ownerAgencyId);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  const enforce = options.enforce ?? true;
  if (enforce) {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        const rule = rules.fields.get(`${type.name}.${field.name}`)!;
        // Reference data and parts of checked records resolve at graphql-js speed.
        if (!needsEnforcement(rule)) continue;
        const typeResolvers = (resolvers[type.name] ??= {}) as Record<string, unknown>;
        const resolve =
          (typeResolvers[field.name] as GraphQLFieldResolver<unknown, RequestContext>) ??
          defaultFieldResolver;
        typeResolvers[field.name] = enforceField(rule, resolve as never);
      }
    }
  }
  const document = parse(`${FEDERATION_LINK}\n${ACCESS_DIRECTIVE_SDL}\n${printSchemaWithDirectives(schema)}`);
  const entities = new Set(
    document.definitions
      .filter(
        (d): d is ObjectTypeDefinitionNode =>
          d.kind === Kind.OBJECT_TYPE_DEFINITION && !!d.directives?.some((x) => x.name.value === "key"),
      )
      .map((d) => d.name.value),
  );
  const references = { ...(options.referenceResolvers ?? {}) } as Record<
    string,
    { __resolveReference?: Reference }
  >;
  if (enforce) {
    // `_entities` reaches a governed record exactly as a field returning it would: a record the
    // caller may not know is null, not an echo of the id it was asked about; a refused one is
    // null with the reason.
    for (const [typeName, record] of rules.records) {
      if (!entities.has(typeName)) continue;
      const reads = references[typeName]?.__resolveReference;
      const resolveReference: Reference = reads ?? ((ref: unknown) => ref);
      references[typeName] = {
        ...references[typeName],
        __resolveReference: async (ref, context, info) => {
          // A record the agreements alone hide is refused before it is read, so that an id the
          // holder holds takes as long as one it does not. Where nothing is read (the reference
          // is the record, as a person is outside the people index), there is nothing to time.
          const asked = (ref as { id?: unknown } | null)?.id;
          if (reads && typeof asked === "string" && (await hiddenBeforeRead(record, context.access, [asked])))
            return null;
          const found = await resolveReference(ref, context, info);
          if (!found) {
            // An id the holder does not hold costs what a hidden record costs (see probe).
            const id = (ref as { id?: unknown } | null)?.id;
            await probe(record, context.access, [], typeof id === "string" ? [id] : []);
            return found;
          }
          if (context.access.gateRefusal(record.gate)) return null;
          const { verdict } = await judgeRecord(record, found, context.access);
          if (verdict === "SHOW") return found;
          if (verdict === "HIDE") return null;
          // Refused under an agreement that exists (consent missing, category not covered): the
          // whole record, with the reason, as a field returning it by id would be refused.
          throw context.access.error(verdict.refused, typeName);
        },
      };
    }
  }
  for (const [typeName, reference] of Object.entries(references)) {
    resolvers[typeName] = { ...(resolvers[typeName] as object), ...(reference as object) };
  }
  const built = buildSubgraphSchema({
    typeDefs: withAccessDirectives(document, rules),
    resolvers,
  });
  rememberRules(built, rules);
  return built;
}

/** Adds each field's `@access` to the SDL, so routers, code generators and readers of schema/ see it. */
function withAccessDirectives<T extends ReturnType<typeof parse>>(document: T, rules: SubgraphRules): T {
  const directiveOf = new Map<string, DirectiveNode>();
  const parsed = (text: string): DirectiveNode => {
    let node = directiveOf.get(text);
    if (!node) {
      const doc = parse(`type T { f: Int ${text} }`);
      node = (doc.definitions[0] as ObjectTypeDefinitionNode).fields![0].directives![0];
      directiveOf.set(text, node);
    }
    return node;
  };
  return visit(document, {
    [Kind.OBJECT_TYPE_DEFINITION]: {
      enter(node: ObjectTypeDefinitionNode) {
        return {
          ...node,
          fields: node.fields?.map((field) => {
            const rule = rules.fields.get(`${node.name.value}.${field.name.value}`);
            return rule
              ? { ...field, directives: [...(field.directives ?? []), parsed(ruleDirective(rule))] }
              : field;
          }),
        };
      },
    },
  }) as T;
}

/** The SDL a router composes from, as committed under schema/. */
export function printFederatedSdl(schema: GraphQLSchema): string {
  return printSubgraphSchema(schema);
}
