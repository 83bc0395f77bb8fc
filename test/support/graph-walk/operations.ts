import { Supergraph } from "@apollo/federation-internals";
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isLeafType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";

/**
 * Operations generated from the composed supergraph, so that a field added to any subgraph is
 * walked without anyone writing a test for it: every root field of Query, called with the ids of
 * real seeded records (and one unknown id), selecting every leaf and recursing to a bounded depth.
 */

/** The API schema clients query (the supergraph without join__ machinery). */
export function apiSchema(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).schema.toAPISchema().toGraphQLJSSchema();
}

/** Every `Type.field` of the API schema's object types (root types included). */
export function allFields(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith("__"))
    .flatMap((t) => Object.keys(t.getFields()).map((f) => `${t.name}.${f}`));
}

/** The fields reachable from Query (through any object field, whatever its arguments). */
export function reachableFromQuery(schema: GraphQLSchema): string[] {
  const seen = new Set<string>();
  const fields = new Set<string>();
  const visit = (type: GraphQLObjectType) => {
    if (seen.has(type.name)) return;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) {
      fields.add(`${type.name}.${field.name}`);
      const named = getNamedType(field.type);
      if (isObjectType(named)) visit(named);
    }
  };
  visit(schema.getQueryType()!);
  return [...fields].sort();
}

/**
 * Argument values from the demo partnership: ids of seeded records per type, and values for the
 * other arguments by name. A required argument with no value here fails the walk, naming it.
 */
export interface Seeds {
  /** Real ids per type (at least one), as found in the stores. */
  ids: Record<string, string[]>;
  /** Values by argument name (`first`, `fromMonth`, `uprn`, `search`...), for any field. */
  byName: Record<string, unknown>;
  /** Values by coordinate `Type.field.arg`, where the name alone is ambiguous. */
  byCoordinate: Record<string, unknown>;
}

/** An id no seeded record has, in the shape of a real one. */
export function unknownId(realId: string): string {
  return /\d$/.test(realId) ? realId.replace(/\d(?=\d*$)/g, "9") : `${realId}-0`;
}

export interface Walked {
  /** The operation's document. */
  document: string;
  /** Root aliases, with the record id asked for (by an `id` argument), null otherwise. */
  roots: { alias: string; field: string; id: string | null; unknown: boolean; type?: "Mutation" }[];
}

export interface Generated {
  operations: Walked[];
  /** Every `Type.field` selected at least once. */
  covered: Set<string>;
  /** Required arguments the seeds give no value for (the walk fails on them). */
  missing: string[];
}

/** Objects are selected to this depth; deeper only to reach a field no operation selects yet. */
const MAX_DEPTH = 4;
const HARD_DEPTH = 8;

function render(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(render).join(", ")}]`;
  if (typeof value === "object" && (value as { __enum?: string }).__enum)
    return (value as { __enum: string }).__enum;
  if (typeof value === "object")
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${render(v)}`)
      .join(", ")}}`;
  return JSON.stringify(value);
}

/** A GraphQL enum value in a generated document. */
export const enumValue = (name: string) => ({ __enum: name });

function valueFor(
  coordinate: string,
  arg: GraphQLArgument | { name: string; type: GraphQLInputType },
  seeds: Seeds,
  missing: string[],
): unknown {
  const key = `${coordinate}.${arg.name}`;
  if (key in seeds.byCoordinate) return seeds.byCoordinate[key];
  if (arg.name in seeds.byName) return seeds.byName[arg.name];
  const type = arg.type;
  const named = getNamedType(type);
  if (!isNonNullType(type)) return undefined;
  if (isInputObjectType(named) && !isListType(type.ofType)) {
    const out: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) {
      const v = valueFor(`${coordinate}.${arg.name}`, field, seeds, missing);
      if (v !== undefined) out[field.name] = v;
    }
    return out;
  }
  if (isEnumType(named)) return enumValue(named.getValues()[0].name);
  missing.push(key);
  return undefined;
}

function argsText(values: [string, unknown][]): string {
  const present = values.filter(([, v]) => v !== undefined);
  return present.length ? `(${present.map(([k, v]) => `${k}: ${render(v)}`).join(", ")})` : "";
}

/**
 * The selection of every field of `type` (leaves, and objects to MAX_DEPTH), with `__typename`
 * (and `id` where the type has one) so that the oracle can tell which record each object is.
 */
function selection(
  type: GraphQLObjectType,
  depth: number,
  seeds: Seeds,
  covered: Set<string>,
  missing: string[],
): string {
  const parts = ["__typename"];
  for (const field of Object.values(type.getFields())) {
    // In a subgraph: fields another subgraph resolves, and those needing them, are walked through the router.
    if (field.astNode?.directives?.some((d) => d.name.value === "external" || d.name.value === "requires"))
      continue;
    const named = getNamedType(field.type);
    const coordinate = `${type.name}.${field.name}`;
    const args = argsText(field.args.map((a) => [a.name, valueFor(coordinate, a, seeds, missing)]));
    if (isLeafType(named)) {
      parts.push(`${field.name}${args}`);
      covered.add(coordinate);
    } else if (
      isObjectType(named) &&
      (depth < MAX_DEPTH || (depth < HARD_DEPTH && !covered.has(coordinate)))
    ) {
      covered.add(coordinate);
      parts.push(`${field.name}${args} ${selection(named, depth + 1, seeds, covered, missing)}`);
    }
  }
  return `{ ${parts.join(" ")} }`;
}

/**
 * `_entities` of one subgraph, called directly: for each entity type it resolves (keyed by a
 * single field), the seeded keys and one unknown key, selecting every field it resolves.
 * Each representation becomes a root named `<Type>_<n>` so the same oracle judges it.
 */
export function generateEntityOperations(
  schema: GraphQLSchema,
  subgraph: string,
  seeds: Seeds,
): { operation: Walked; representations: Record<string, unknown>[]; typeName: string }[] {
  const entity = schema.getType("_Entity");
  if (!isUnionType(entity)) return [];
  const covered = new Set<string>();
  const missing: string[] = [];
  const out: { operation: Walked; representations: Record<string, unknown>[]; typeName: string }[] = [];
  for (const type of entity.getTypes()) {
    const key = Object.keys(type.getFields()).includes("id") ? "id" : "code";
    const real = key === "id" ? seeds.ids[type.name] : (seeds.byName.codes as string[]);
    if (!real?.length) continue;
    const keys = [...real.map((k) => ({ k, unknown: false })), { k: unknownId(real[0]), unknown: true }];
    const representations = keys.map(({ k }) => ({ __typename: type.name, [key]: k }));
    out.push({
      typeName: type.name,
      representations,
      operation: {
        document: `query Walk_entities_${subgraph}_${type.name}($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${type.name} ${selection(type, 2, seeds, covered, missing)} } }`,
        roots: keys.map(({ k, unknown }, i) => ({
          alias: `${type.name}_${i}`,
          field: `_entities:${type.name}`,
          id: k,
          unknown,
        })),
      },
    });
  }
  return out;
}

/**
 * One operation per root field of Query (all its argument sets aliased in it): for a field
 * taking an `id`, each seeded id of the type it returns and one unknown id.
 */
export function generateOperations(schema: GraphQLSchema, seeds: Seeds): Generated {
  const covered = new Set<string>();
  const missing: string[] = [];
  const operations: Walked[] = [];
  const query = schema.getQueryType()!;
  for (const field of Object.values(query.getFields()) as GraphQLField<unknown, unknown>[]) {
    const named = getNamedType(field.type);
    const coordinate = `Query.${field.name}`;
    covered.add(coordinate);
    const idArg = field.args.find((a) => a.name === "id" && isNonNullType(a.type));
    const body = isObjectType(named) ? ` ${selection(named, 1, seeds, covered, missing)}` : "";
    const roots: Walked["roots"] = [];
    const lines: string[] = [];
    const argSets: { id: string | null; unknown: boolean }[] = [];
    if (idArg) {
      const ids = seeds.byCoordinate[`${coordinate}.id`] as string[] | undefined;
      const real = ids ?? seeds.ids[named.name];
      if (!real?.length) {
        missing.push(`${coordinate}.id (no seeded ${named.name})`);
        continue;
      }
      for (const id of real) argSets.push({ id, unknown: false });
      argSets.push({ id: unknownId(real[0]), unknown: true });
    } else argSets.push({ id: null, unknown: false });
    argSets.forEach((set, i) => {
      const alias = `${field.name}_${i}`;
      const values: [string, unknown][] = field.args.map((a) =>
        a === idArg ? [a.name, set.id] : [a.name, valueFor(coordinate, a, seeds, missing)],
      );
      lines.push(`${alias}: ${field.name}${argsText(values)}${body}`);
      roots.push({ alias, field: field.name, ...set });
    });
    operations.push({ document: `query Walk_${field.name} {\n  ${lines.join("\n  ")}\n}`, roots });
  }
  return { operations, covered, missing: [...new Set(missing)].sort() };
}

/** One generated mutation call: its operation, and the existing record it acts on, if any. */
export interface WalkedMutation {
  field: string;
  operation: Walked;
  /** The records its id arguments name (`id`: of the type returned; others as `targets` says), the one acted on first. */
  targets: { type: string; id: string }[];
}

/**
 * One operation per root field of Mutation, with arguments from the seeds (by coordinate, then
 * by name; input objects field by field) and every leaf of what it returns selected as a query's.
 * `targets` names the type of a record an id argument other than `id` points to (`caseId`...),
 * most specific first.
 */
export function generateMutations(
  schema: GraphQLSchema,
  seeds: Seeds,
  targets: Record<string, string>,
): { mutations: WalkedMutation[]; covered: Set<string>; missing: string[] } {
  const covered = new Set<string>();
  const missing: string[] = [];
  const mutations: WalkedMutation[] = [];
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {}) as GraphQLField<unknown, unknown>[]) {
    const named = getNamedType(field.type);
    const coordinate = `Mutation.${field.name}`;
    covered.add(coordinate);
    const values: [string, unknown][] = field.args.map((a) => [
      a.name,
      valueFor(coordinate, a, seeds, missing),
    ]);
    const body = isObjectType(named) ? ` ${selection(named, 1, seeds, covered, missing)}` : "";
    const alias = `${field.name}_0`;
    // The record acted on first: `id`, else in the order of `targets` (an action before its case).
    const given = new Map(values.filter(([, v]) => typeof v === "string") as [string, string][]);
    const acted = ["id", ...Object.keys(targets)]
      .filter((name) => given.has(name))
      .map((name) => ({ type: name === "id" ? named.name : targets[name], id: given.get(name)! }));
    mutations.push({
      field: field.name,
      targets: acted,
      operation: {
        document: `mutation Walk_${field.name} {\n  ${alias}: ${field.name}${argsText(values)}${body}\n}`,
        roots: [{ alias, field: field.name, id: null, unknown: false, type: "Mutation" }],
      },
    });
  }
  return { mutations, covered, missing: [...new Set(missing)].sort() };
}
