import { SUBGRAPHS } from "../../../subgraphs";
import type { FieldRule, RecordRule } from "../../../subgraphs/shared/access/rules";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../../subgraphs/shared/config";
import type { Sql } from "../../../subgraphs/shared/database";
import { fieldRules } from "../../../subgraphs/shared/federation";
import { actorRuleOf, type PartyRule } from "../../../subgraphs/shared/policy";
import { subgraphSchema } from "../../../subgraphs/shared/subgraph";
import * as councilTypes from "../../../subgraphs/council/types";
import * as governanceTypes from "../../../subgraphs/governance/types";
import * as housingTypes from "../../../subgraphs/housing/types";
import * as partnershipTypes from "../../../subgraphs/partnership/types";
import * as policeTypes from "../../../subgraphs/police/types";
import * as youthTypes from "../../../subgraphs/youth/types";

/**
 * The declared rules as the walk's oracle reads them: every subgraph's FieldRules (one per
 * field, worked out when its schema was built: `fieldRules(schema)`), and for a governed record
 * the record itself as its owner's repository returns it (through the subgraph's own reference
 * resolver, in process), so that its owner, data subjects and party rule are the declared ones.
 * Nothing here restates a rule: a field or record type added to any subgraph is read the same way.
 */

export interface WalkRules {
  /** Rules of a field, one per subgraph that resolves it. */
  field(coordinate: string): (FieldRule & { subgraph: SubgraphName })[];
  /** The rule of a governed record type, from the subgraph that holds such records. */
  record(typeName: string): (RecordRule & { subgraph: SubgraphName }) | null;
  /** Whether the holder resolves records of the type by id (an entity it owns). */
  resolvable(typeName: string): boolean;
  /** A record as its holder's repository returns it (null when there is none with that id). */
  raw(typeName: string, id: string): Promise<unknown>;
  /** Every FieldRule of every subgraph. */
  all(): (FieldRule & { subgraph: SubgraphName })[];
  /** Who may change a record of the type (its @ChangedBy rule), or null. */
  actor(typeName: string): PartyRule | null;
  /** Forgets the records read so far (after the walk changed them and put them back). */
  forget(): void;
}

/**
 * How to read a record of a type no subgraph resolves by id (a break-glass access, a case action),
 * as the answer shows it: what its party and @ChangedBy rules read. Null when there is none.
 */
export type RecordReaders = Record<string, (id: string) => Promise<unknown>>;

/** The classes every subgraph declares, with their names (a type several subgraphs share appears once each). */
const TYPE_CLASSES = [
  councilTypes,
  governanceTypes,
  housingTypes,
  partnershipTypes,
  policeTypes,
  youthTypes,
].flatMap((m) => Object.entries(m).filter((e): e is [string, object] => typeof e[1] === "function"));

type Resolvers = Record<string, { __resolveReference?: (ref: unknown, ctx: unknown) => unknown }>;

export async function walkRules(
  sqlOf: (subgraph: SubgraphName) => Sql,
  readers: RecordReaders = {},
): Promise<WalkRules> {
  const fields = new Map<string, (FieldRule & { subgraph: SubgraphName })[]>();
  const records = new Map<string, (RecordRule & { subgraph: SubgraphName })[]>();
  for (const name of SUBGRAPH_NAMES) {
    const rules = fieldRules(await subgraphSchema(SUBGRAPHS[name]));
    for (const [coordinate, rule] of rules.fields)
      fields.set(coordinate, [...(fields.get(coordinate) ?? []), { ...rule, subgraph: name }]);
    for (const [typeName, rule] of rules.records)
      records.set(typeName, [...(records.get(typeName) ?? []), { ...rule, subgraph: name }]);
  }
  const references = (name: SubgraphName) => (SUBGRAPHS[name].referenceResolvers ?? {}) as Resolvers;
  /** The holder: the subgraph whose own agency owns the type and resolves it by reference. */
  const holderOf = (typeName: string) => {
    const candidates = records.get(typeName) ?? [];
    const own = (r: RecordRule & { subgraph: SubgraphName }) =>
      r.ownerName === (SUBGRAPHS[r.subgraph].ownerAgencyId ?? "governance");
    return (
      candidates.find((r) => own(r) && references(r.subgraph)[typeName]) ??
      candidates.find(own) ??
      candidates[0] ??
      null
    );
  };
  const raws = new Map<string, Promise<unknown>>();
  return {
    field: (coordinate) => fields.get(coordinate) ?? [],
    record: holderOf,
    resolvable(typeName) {
      const holder = holderOf(typeName);
      return (!!holder && !!references(holder.subgraph)[typeName]?.__resolveReference) || !!readers[typeName];
    },
    raw(typeName, id) {
      const key = `${typeName}:${id}`;
      let found = raws.get(key);
      if (!found && readers[typeName]) {
        found = readers[typeName](id);
        raws.set(key, found);
      }
      if (!found) {
        const holder = holderOf(typeName);
        const resolve = holder && references(holder.subgraph)[typeName]?.__resolveReference;
        found = resolve
          ? Promise.resolve(
              resolve(
                { __typename: typeName, id },
                { loaders: SUBGRAPHS[holder.subgraph].createLoaders(sqlOf(holder.subgraph)) },
              ),
            ).then((r) => r ?? null)
          : Promise.resolve(null);
        raws.set(key, found);
      }
      return found;
    },
    all: () => [...fields.values()].flat(),
    forget: () => raws.clear(),
    actor(typeName) {
      for (const [name, type] of TYPE_CLASSES)
        if (name === typeName && actorRuleOf(type)) return actorRuleOf(type);
      return null;
    },
  };
}
