import { getNamedType, isObjectType, type GraphQLSchema } from "graphql";
import type { DataCategory } from "../enums";
import type { FieldPolicy } from "../policy";

/**
 * What the schema declares, indexed once when it is built: the category of each type and
 * field, which types are aggregates, and which connections list which node type.
 */
export interface PolicyIndex {
  /** Record-level category of an object type (`@Category` on the class). */
  typeCategory: Map<string, DataCategory>;
  /** Field-level category that differs from its type's (`@Category` on the field). */
  fieldCategory: Map<string, DataCategory>;
  /** Types and fields that are aggregates (`@Aggregate`). */
  aggregate: Set<string>;
  /** Aggregates that are part of a problem-solving case (`@Aggregate({ caseWork: true })`). */
  caseWork: Set<string>;
  /** `XConnection` → the node type it lists. */
  connectionNode: Map<string, string>;
}

function policyOf(extensions: unknown): FieldPolicy | undefined {
  return (extensions as { policy?: FieldPolicy } | undefined)?.policy;
}

/** Reads the declarations type-graphql kept on the schema it built (before federation reprints it). */
export function indexPolicies(schema: GraphQLSchema): PolicyIndex {
  const index: PolicyIndex = {
    typeCategory: new Map(),
    fieldCategory: new Map(),
    aggregate: new Set(),
    caseWork: new Set(),
    connectionNode: new Map(),
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    const typePolicy = policyOf(type.extensions);
    if (typePolicy?.category) index.typeCategory.set(type.name, typePolicy.category);
    if (typePolicy?.aggregate) index.aggregate.add(type.name);
    if (typePolicy?.caseWork) index.caseWork.add(type.name);
    for (const field of Object.values(type.getFields())) {
      const fieldPolicy = policyOf(field.extensions);
      const key = `${type.name}.${field.name}`;
      if (fieldPolicy?.category) index.fieldCategory.set(key, fieldPolicy.category);
      if (fieldPolicy?.aggregate) index.aggregate.add(key);
      if (fieldPolicy?.caseWork) index.caseWork.add(key);
    }
    if (type.name.endsWith("Connection")) {
      const edges = type.getFields().edges;
      const edge = edges && getNamedType(edges.type);
      const node = isObjectType(edge) ? edge.getFields().node : undefined;
      if (node) index.connectionNode.set(type.name, getNamedType(node.type).name);
    }
  }
  return index;
}

/**
 * Whether a field needs the enforcement wrapper: those that disclose categorised data, enter
 * aggregates, or return categorised records. Everything else (ids, page info, statistics
 * cells, plain value types) resolves as graphql-js would, with no per-field cost.
 */
export function needsEnforcement(
  index: PolicyIndex,
  typeName: string,
  fieldName: string,
  returned: string,
): boolean {
  const key = `${typeName}.${fieldName}`;
  // Cells of an aggregate were checked where the aggregate was entered.
  if (index.aggregate.has(typeName)) return false;
  if (index.aggregate.has(key) || index.aggregate.has(returned)) return true;
  if (index.fieldCategory.has(key)) return true;
  if (index.typeCategory.has(typeName) && fieldName !== "id") return true;
  const node = index.connectionNode.get(returned);
  if (node && index.typeCategory.has(node)) return true;
  return index.typeCategory.has(returned) && returned !== typeName;
}
