import { getNamedType, isObjectType, type GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { SUBGRAPHS } from "../../../subgraphs";
import { indexPolicies } from "../../../subgraphs/shared/access/policies";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../../subgraphs/shared/config";
import type { DataCategory } from "../../../subgraphs/shared/enums";

/**
 * The declared rule of every field, as the walk's oracle reads it, per subgraph that resolves it.
 *
 * PRE-REDESIGN ADAPTER. This reads what main declares today (`@Category` / `@Aggregate` through
 * access/policies.ts `indexPolicies`). Main has no deny-by-default: a field with no declaration
 * is reported here as `declared: false` (the walk counts them), and no record type declares its
 * data subjects, so the oracle takes a record's subjects from the people it links to (see
 * oracle.ts). When the access-core redesign lands, this file reads its `fieldRules(schema)`
 * (one FieldRule per field, RecordRule.subjects) instead, and nothing else in the walk changes.
 */

export type WalkKind = "REFERENCE" | "PART" | "AGGREGATE" | "RECORD" | "ENTRY";

export interface WalkRule {
  coordinate: string;
  subgraph: SubgraphName;
  kind: WalkKind;
  /** False when nothing is declared for the field (it resolves ungoverned). */
  declared: boolean;
  /** RECORD: the category the field discloses. */
  category: DataCategory | null;
  /** The agency holding the data (the resolving subgraph's; governance's records are "governance"). */
  owner: string;
  caseWork: boolean;
  /** ENTRY: the governed type the field returns (directly, as a list, or a connection's nodes). */
  returns: string | null;
}

export interface WalkRules {
  /** Rules of a field, one per subgraph that resolves it. */
  field(coordinate: string): WalkRule[];
  /** The record-level category and owner of a governed type, when it has one. */
  record(typeName: string): { category: DataCategory; owner: string } | null;
  all(): WalkRule[];
}

export async function walkRules(): Promise<WalkRules> {
  const byCoordinate = new Map<string, WalkRule[]>();
  const records = new Map<string, { category: DataCategory; owner: string }>();
  for (const name of SUBGRAPH_NAMES) {
    const definition = SUBGRAPHS[name];
    const owner = definition.ownerAgencyId ?? "governance";
    const schema: GraphQLSchema = await buildSchema({
      resolvers: definition.resolvers,
      orphanedTypes: definition.orphanedTypes,
      skipCheck: true,
      validate: false,
    });
    const index = indexPolicies(schema);
    for (const [type, category] of index.typeCategory) if (!records.has(type)) records.set(type, { category, owner });
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const returned = getNamedType(field.type).name;
        const node = index.connectionNode.get(returned);
        const governedReturn = index.typeCategory.has(returned)
          ? returned
          : node && index.typeCategory.has(node)
            ? node
            : null;
        const category =
          index.fieldCategory.get(coordinate) ??
          (field.name === "id" ? undefined : index.typeCategory.get(type.name));
        const base = { coordinate, subgraph: name, owner, caseWork: false, returns: null, category: null };
        let rule: WalkRule;
        if (index.aggregate.has(type.name)) rule = { ...base, kind: "PART", declared: true };
        else if (index.aggregate.has(coordinate) || index.aggregate.has(returned))
          rule = {
            ...base,
            kind: "AGGREGATE",
            declared: true,
            caseWork: index.caseWork.has(coordinate) || index.caseWork.has(returned),
          };
        else if (category && !governedReturn) rule = { ...base, kind: "RECORD", declared: true, category };
        else if (governedReturn)
          rule = { ...base, kind: "ENTRY", declared: true, returns: governedReturn, category: category ?? null };
        else rule = { ...base, kind: "REFERENCE", declared: field.name === "id" && records.has(type.name) };
        byCoordinate.set(coordinate, [...(byCoordinate.get(coordinate) ?? []), rule]);
      }
    }
  }
  return {
    field: (coordinate) => byCoordinate.get(coordinate) ?? [],
    record: (typeName) => records.get(typeName) ?? null,
    all: () => [...byCoordinate.values()].flat(),
  };
}
