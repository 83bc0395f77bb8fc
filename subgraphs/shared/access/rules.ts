import {
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import type { DataCategory, Purpose, Role } from "../enums";
import {
  POLICY_KEYS,
  type CategoryPolicy,
  type ChangeDeclaration,
  type ChangePolicy,
  type GovernedPolicy,
  type PartyRule,
} from "../policy";

/**
 * One FieldRule per field of every object type, worked out once when a subgraph's schema is
 * built from the declarations in shared/policy.ts. The enforcement (enforcement.ts) reads only
 * these; a test or tool reads them with `fieldRules(schema)`.
 */

/**
 * What a field discloses:
 * - REFERENCE: partnership reference data, for anyone signed in;
 * - PART: a value disclosed only with the governed field that returned it;
 * - AGGREGATE: enters perturbed counts (STATISTICS, or a case's purpose for case work);
 * - RECORD: a field of a governed record (agency data, a case, a governance record);
 * - ENTRY: an entry point (root field, or a field of reference data) whose rule is that of the
 *   records it returns.
 */
export type RuleKind = "REFERENCE" | "PART" | "AGGREGATE" | "RECORD" | "ENTRY";

/** Checks that need no facts: run before the field resolves (so before a mutation changes anything). */
export interface Gate {
  roles: readonly Role[] | null;
  purposes: readonly Purpose[] | null;
  purposeRequired: boolean;
  /** About a person: no ANALYST, never under STATISTICS. */
  personLevel: boolean;
  /**
   * Only these service identities (shared/service-identity.ts), and no user: set on the few fields
   * a service may call. A service is refused every field that does not declare it.
   */
  services?: readonly string[];
}

/** How a governed record type is decided, per record. */
export interface RecordRule {
  typeName: string;
  /** The data category; null when only the gate and party rules govern it (cases, governance records). */
  category: DataCategory | null;
  /** The agency holding a record; `ownerName` in words ("police", "per record"). */
  owner(record: unknown): string;
  ownerName: string;
  /** Whom a record is about; null when it inherits its parent record's subjects. */
  subjects: ((record: unknown) => readonly string[]) | null;
  /** Everyone else a record names, for its audit (see CategoryPolicy.names); null when no one. */
  names: ((record: unknown) => readonly string[]) | null;
  party: PartyRule | null;
  gate: Gate;
  /**
   * A stub of a record another subgraph holds (@HeldBy): its subjects are unknown here, so a
   * refusal that turns on consent is the holder's to make (see enforcement.ts deferredToHolder).
   */
  heldElsewhere: boolean;
}

/** A record a mutation changes, with the rules of its type the shared enforcement checks on it. */
export interface ChangeCheck {
  typeName: string;
  policy: ChangePolicy<Record<string, unknown>>;
  /** The type's party rule: a caller it does not admit is told the record does not exist. */
  party: PartyRule | null;
  /** The type's @ChangedBy rule: a caller it does not admit is refused ROLE_NOT_PERMITTED. */
  actor: PartyRule | null;
}

export interface FieldRule {
  /** `Type.field`. */
  coordinate: string;
  kind: RuleKind;
  /** Where the rule was declared: on the field, its type, the operation, or the type it returns. */
  declaredOn: "field" | "type" | "returned type";
  gate: Gate;
  /** RECORD: the category of the parent record this field discloses (a field may differ from its type's). */
  category: DataCategory | null;
  /**
   * RECORD: the category per record, where the field declares it so (else the fixed `category`);
   * null when the record is of no category the rules know (refused).
   */
  categoryOf: ((record: unknown) => DataCategory | null) | null;
  /** How the category is chosen, in words, where it is per record. */
  categoryName: string | null;
  /** RECORD: the parent record's rule. */
  record: RecordRule | null;
  /** AGGREGATE: whether these counts are case work (see @Aggregate). */
  caseWork: boolean;
  /** The subgraph's own agency: the owner of the counts an aggregate enters. */
  owner: string;
  /** Governed records the field returns: one, a list, or a connection's nodes. */
  returns: { record: RecordRule; shape: "ONE" | "LIST" | "CONNECTION" } | null;
  /** A mutation: the records it changes, checked in order before it runs (see @Changes). */
  changes: readonly ChangeCheck[];
  /** The @ChangedBy rule of the field's own type, shown with its rule. */
  changedBy: PartyRule | null;
}

/** A subgraph's rules: per field, and per governed record type (for `_entities`). */
export interface SubgraphRules {
  fields: Map<string, FieldRule>;
  records: Map<string, RecordRule>;
}

/** Thrown when a field carries no declared policy: nothing ungoverned leaves a subgraph. */
export class UndeclaredFieldError extends Error {
  constructor(readonly coordinates: string[]) {
    super(
      `access rules: ${coordinates.length} field(s) declare no policy (@Category, @Aggregate, @Reference, @Part ` +
        `or @Governed on the field, its type or the operation): ${coordinates.join(", ")}`,
    );
  }
}

/** Thrown when a mutation changes a @ChangedBy type without saying which record (@Changes) or that it makes one (@Creates). */
export class UndeclaredChangeError extends Error {
  constructor(readonly problems: string[]) {
    super(`access rules: ${problems.length} mutation(s) break the change rules: ${problems.join("; ")}`);
  }
}

const NO_GATE: Gate = { roles: null, purposes: null, purposeRequired: false, personLevel: false };

interface Declarations {
  category?: CategoryPolicy;
  aggregate?: { caseWork: boolean };
  reference?: true;
  part?: true;
  governed?: GovernedPolicy;
  changedBy?: PartyRule;
  changes?: readonly ChangeDeclaration[];
}

function declarationsOf(extensions: unknown): Declarations {
  const ext = (extensions ?? {}) as Record<string, unknown>;
  return {
    category: ext[POLICY_KEYS.category] as CategoryPolicy | undefined,
    aggregate: ext[POLICY_KEYS.aggregate] as { caseWork: boolean } | undefined,
    reference: ext[POLICY_KEYS.reference] as true | undefined,
    part: ext[POLICY_KEYS.part] as true | undefined,
    governed: ext[POLICY_KEYS.governed] as GovernedPolicy | undefined,
    changedBy: ext[POLICY_KEYS.changedBy] as PartyRule | undefined,
    changes: ext[POLICY_KEYS.changes] as readonly ChangeDeclaration[] | undefined,
  };
}

function mergeGates(...gates: (Gate | null | undefined)[]): Gate {
  const merged: Gate = { ...NO_GATE };
  for (const g of gates) {
    if (!g) continue;
    if (g.roles) merged.roles = merged.roles ? merged.roles.filter((r) => g.roles!.includes(r)) : g.roles;
    if (g.purposes)
      merged.purposes = merged.purposes ? merged.purposes.filter((p) => g.purposes!.includes(p)) : g.purposes;
    merged.purposeRequired ||= g.purposeRequired;
    merged.personLevel ||= g.personLevel;
    if (g.services)
      merged.services = merged.services ? merged.services.filter((x) => g.services!.includes(x)) : g.services;
  }
  merged.purposeRequired ||= merged.personLevel || merged.purposes !== null;
  return merged;
}

function gateOf(policy: GovernedPolicy | undefined): Gate | null {
  if (!policy) return null;
  return mergeGates({
    roles: policy.roles ?? null,
    purposes: policy.purposes ?? null,
    purposeRequired: policy.purposeRequired ?? false,
    personLevel: policy.personLevel ?? false,
    ...(policy.services ? { services: policy.services } : {}),
  });
}

/** Whether a gate asks anything at all. */
export function gateIsOpen(gate: Gate): boolean {
  return !gate.roles && !gate.purposes && !gate.purposeRequired && !gate.personLevel && !gate.services;
}

function shapeOf(type: GraphQLOutputType): "ONE" | "LIST" {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner) ? "LIST" : "ONE";
}

/** A connection or edge type, whose records the field returning the connection judges. */
function connectionPart(type: GraphQLObjectType): boolean {
  return !!connectionNode(type) || (type.name.endsWith("Edge") && !!type.getFields().node);
}

/** `XConnection` → its node type, when the type is a connection. */
function connectionNode(type: GraphQLNamedType): GraphQLObjectType | null {
  if (!isObjectType(type) || !type.name.endsWith("Connection")) return null;
  const edges = type.getFields().edges;
  const edge = edges && getNamedType(edges.type);
  const node = isObjectType(edge) ? edge.getFields().node : undefined;
  const named = node && getNamedType(node.type);
  return named && isObjectType(named) ? named : null;
}

/** What every field's rule is worked out from: the schema, its governed record types, the owner. */
interface Building {
  schema: GraphQLSchema;
  records: Map<string, RecordRule>;
  defaultOwner: string;
}

/** One field as its rule is worked out: where it sits, what it and its type declare, what it returns. */
interface FieldSite {
  type: GraphQLObjectType;
  typeDecl: Declarations;
  typeRecord: RecordRule | null;
  root: boolean;
  returnedName: string;
  fieldDecl: Declarations;
  fieldGate: Gate | null;
  returns: FieldRule["returns"];
  /** What every kind of rule shares. */
  base: Omit<FieldRule, "kind" | "declaredOn" | "gate">;
}

/** The record rules of governed types (@Category or @Governed on the type), by type name. */
function recordRules(
  objectTypes: readonly GraphQLObjectType[],
  defaultOwner: string,
): Map<string, RecordRule> {
  const records = new Map<string, RecordRule>();
  for (const type of objectTypes) {
    const d = declarationsOf(type.extensions);
    if (!d.category && !d.governed) continue;
    const owner = d.category?.owner;
    const subjects = d.category?.subjects ?? d.governed?.subjects ?? null;
    const category = d.category?.category ?? null;
    if (typeof category === "function")
      throw new Error(`access rules: ${type.name} declares a per-record category; declare it on its fields`);
    records.set(type.name, {
      typeName: type.name,
      category,
      owner:
        typeof owner === "function"
          ? (owner as (r: unknown) => string)
          : () => (owner as string | undefined) ?? defaultOwner,
      ownerName: typeof owner === "function" ? "per record" : (owner ?? defaultOwner),
      subjects: subjects as ((r: unknown) => readonly string[]) | null,
      names: (d.category?.names ?? null) as ((r: unknown) => readonly string[]) | null,
      party: d.governed?.party ?? null,
      heldElsewhere: d.category?.heldElsewhere ?? false,
      gate: mergeGates(gateOf(d.governed), d.category ? { ...NO_GATE, personLevel: true } : null),
    });
  }
  return records;
}

/** The governed records a field returns: one, a list, or a connection's nodes; null when none. */
function returnsOf(
  records: Map<string, RecordRule>,
  field: GraphQLField<unknown, unknown>,
): FieldRule["returns"] {
  const named = getNamedType(field.type);
  const direct = records.get(named.name);
  if (direct) return { record: direct, shape: shapeOf(field.type) };
  const node = connectionNode(named);
  const nodeRecord = node && records.get(node.name);
  return nodeRecord ? { record: nodeRecord, shape: "CONNECTION" } : null;
}

/** A mutation's declared changes, with the rules of each type; what the build refuses is noted in `problems`. */
function changeChecks(
  schema: GraphQLSchema,
  coordinate: string,
  field: GraphQLField<unknown, unknown>,
  isMutation: boolean,
  problems: string[],
): ChangeCheck[] {
  const declared = declarationsOf(field.extensions).changes ?? [];
  if (!isMutation) {
    if (declared.length) problems.push(`${coordinate} declares @Changes but is not a mutation`);
    return [];
  }
  const returned = getNamedType(field.type);
  const changed = connectionNode(returned) ?? returned;
  if (declarationsOf(changed.extensions).changedBy && !declared.some((c) => c.typeName === changed.name))
    problems.push(
      `${coordinate} returns ${changed.name}, whose changes are ruled (@ChangedBy), but declares neither ` +
        `@Changes(${changed.name}, ...) nor @Creates(${changed.name})`,
    );
  const checks: ChangeCheck[] = [];
  for (const { typeName, policy } of declared) {
    if (!policy) continue;
    const changedType = schema.getType(typeName);
    if (!changedType) {
      problems.push(`${coordinate} declares @Changes(${typeName}), which is not a type of this schema`);
      continue;
    }
    const d = declarationsOf(changedType.extensions);
    const party = d.governed?.party ?? null;
    const actor = d.changedBy ?? null;
    if (!party && !actor)
      problems.push(`${coordinate} declares @Changes(${typeName}), which has no party or @ChangedBy rule`);
    checks.push({ typeName, policy, party, actor });
  }
  return checks;
}

/** AGGREGATE: declared on the field, or on the type it returns (unless read inside an aggregate). */
function aggregateRule(site: FieldSite, { schema }: Building): FieldRule | null {
  const { fieldDecl, typeDecl, returnedName } = site;
  const aggregate =
    fieldDecl.aggregate ??
    (!typeDecl.aggregate ? declarationsOf(schema.getType(returnedName)?.extensions).aggregate : undefined);
  if (!aggregate) return null;
  return {
    ...site.base,
    kind: "AGGREGATE",
    declaredOn: fieldDecl.aggregate ? "field" : "returned type",
    gate: mergeGates(site.fieldGate),
    caseWork: aggregate.caseWork,
  };
}

/**
 * PART: cells of an aggregate, a location, a page's edges: checked where they were entered (a
 * connection's records were judged by the field that returned the connection).
 */
function partRule(site: FieldSite): FieldRule | null {
  const { typeDecl, fieldDecl, returns, type } = site;
  if (!(typeDecl.aggregate || typeDecl.part || fieldDecl.part) || !(!returns || connectionPart(type)))
    return null;
  return {
    ...site.base,
    returns: null,
    kind: "PART",
    declaredOn: fieldDecl.part ? "field" : "type",
    gate: mergeGates(site.fieldGate),
  };
}

/** REFERENCE, declared on the field, or on its type for a field that discloses nothing governed. */
function referenceRule(site: FieldSite): FieldRule | null {
  const { fieldDecl, typeDecl, returns } = site;
  if (!(fieldDecl.reference || (typeDecl.reference && !fieldDecl.category && !returns))) return null;
  return {
    ...site.base,
    kind: "REFERENCE",
    declaredOn: fieldDecl.reference ? "field" : "type",
    gate: mergeGates(site.fieldGate),
  };
}

/** RECORD: a field of a governed record, or a categorised field (of its own record) on any type but a root. */
function recordRule(site: FieldSite, { defaultOwner }: Building): FieldRule | null {
  const { fieldDecl, typeRecord, type } = site;
  if (site.root || !(fieldDecl.category || typeRecord)) return null;
  const declared = fieldDecl.category;
  const perRecord = typeof declared?.category === "function" ? declared.category : null;
  const fixed = declared && !perRecord ? (declared.category as DataCategory) : null;
  const fieldOwner = declared?.owner;
  const record =
    typeRecord ??
    ({
      // A categorised field on an undeclared type: a record of the subgraph's owner, or of
      // the owner (and category, and subjects) the field declares per record.
      typeName: type.name,
      category: fixed,
      owner:
        typeof fieldOwner === "function"
          ? (fieldOwner as (r: unknown) => string)
          : () => fieldOwner ?? defaultOwner,
      ownerName: typeof fieldOwner === "function" ? "per record" : (fieldOwner ?? defaultOwner),
      subjects: (declared?.subjects as ((r: unknown) => readonly string[]) | undefined) ?? null,
      names: null,
      party: null,
      heldElsewhere: false,
      gate: { ...NO_GATE, personLevel: true, purposeRequired: true },
    } satisfies RecordRule);
  const category = fixed ?? (perRecord ? null : record.category);
  return {
    ...site.base,
    kind: "RECORD",
    declaredOn: fieldDecl.category || fieldDecl.governed ? "field" : "type",
    gate: mergeGates(
      record.gate,
      site.fieldGate,
      fieldDecl.category ? { ...NO_GATE, personLevel: true } : null,
    ),
    category,
    categoryOf: perRecord
      ? (perRecord as (r: unknown) => DataCategory | null)
      : category
        ? () => category
        : null,
    categoryName: perRecord ? (declared?.categoryName ?? "per record") : null,
    record,
  };
}

/** ENTRY: an entry point, ruled by its own declared gate and that of the records it returns. */
function entryRule(site: FieldSite): FieldRule | null {
  const { fieldDecl, typeDecl, returns } = site;
  if (!(fieldDecl.governed || fieldDecl.category || returns || typeDecl.reference || typeDecl.part))
    return null;
  return {
    ...site.base,
    kind: "ENTRY",
    declaredOn: fieldDecl.governed || fieldDecl.category ? "field" : "returned type",
    gate: mergeGates(
      site.fieldGate,
      returns?.record.gate,
      fieldDecl.category ? { ...NO_GATE, personLevel: true } : null,
    ),
  };
}

/** REFERENCE for a root field that returns reference data (or a connection of it) and declares nothing. */
function returnedReferenceRule(site: FieldSite, { schema }: Building): FieldRule | null {
  if (!site.root || site.returns) return null;
  const returnedType = schema.getType(site.returnedName)!;
  const node = connectionNode(returnedType);
  const referenceData =
    declarationsOf(returnedType.extensions).reference || (node && declarationsOf(node.extensions).reference);
  if (!referenceData) return null;
  return { ...site.base, kind: "REFERENCE", declaredOn: "returned type", gate: mergeGates(site.fieldGate) };
}

/** A field's rule: the first kind whose declarations it carries, in this order; null when none. */
function fieldRule(site: FieldSite, building: Building): FieldRule | null {
  return (
    aggregateRule(site, building) ??
    partRule(site) ??
    referenceRule(site) ??
    recordRule(site, building) ??
    entryRule(site) ??
    returnedReferenceRule(site, building)
  );
}

/**
 * Works out every field's rule from the declarations type-graphql kept on the schema it built
 * (before federation reprints it and drops them). Throws UndeclaredFieldError listing every field
 * that has none.
 */
export function buildRules(schema: GraphQLSchema, ownerAgencyId: string | null): SubgraphRules {
  const defaultOwner = ownerAgencyId ?? "governance";
  const objectTypes = Object.values(schema.getTypeMap()).filter(
    (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith("__"),
  );
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter((t): t is GraphQLObjectType => !!t)
      .map((t) => t.name),
  );
  // Record rules of governed types first: fields refer to them.
  const records = recordRules(objectTypes, defaultOwner);
  const building: Building = { schema, records, defaultOwner };
  const mutationType = schema.getMutationType()?.name;
  const changeProblems: string[] = [];

  const fields = new Map<string, FieldRule>();
  const undeclared: string[] = [];
  for (const type of objectTypes) {
    const typeDecl = declarationsOf(type.extensions);
    const typeRecord = records.get(type.name) ?? null;
    const root = roots.has(type.name);
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const fieldDecl = declarationsOf(field.extensions);
      const returns = returnsOf(records, field);
      const rule = fieldRule(
        {
          type,
          typeDecl,
          typeRecord,
          root,
          returnedName: getNamedType(field.type).name,
          fieldDecl,
          fieldGate: gateOf(fieldDecl.governed),
          returns,
          base: {
            coordinate,
            category: null,
            categoryOf: null,
            categoryName: null,
            record: null,
            caseWork: false,
            owner: defaultOwner,
            returns,
            changes: changeChecks(schema, coordinate, field, type.name === mutationType, changeProblems),
            changedBy: typeDecl.changedBy ?? null,
          },
        },
        building,
      );
      if (!rule) {
        undeclared.push(coordinate);
        continue;
      }
      fields.set(coordinate, rule);
    }
  }
  if (undeclared.length) throw new UndeclaredFieldError(undeclared.sort());
  if (changeProblems.length) throw new UndeclaredChangeError(changeProblems.sort());
  return { fields, records };
}

/** Each built schema's rules: for the enforcement's own look-ups, and tests and tools (`fieldRules`). */
const rulesBySchema = new WeakMap<GraphQLSchema, SubgraphRules>();

export function rememberRules(schema: GraphQLSchema, rules: SubgraphRules): void {
  rulesBySchema.set(schema, rules);
}

/** The rules a schema was built with, or undefined for a schema not built by buildFederatedSchema. */
export function rulesOf(schema: GraphQLSchema): SubgraphRules | undefined {
  return rulesBySchema.get(schema);
}

/** Whether the field's resolver needs the enforcement wrapper at all. */
export function needsEnforcement(rule: FieldRule): boolean {
  if (rule.changes.length) return true;
  if (rule.kind === "REFERENCE" || rule.kind === "PART") return !gateIsOpen(rule.gate) || !!rule.returns;
  return true;
}

/** Every field's rule, as a plain table: for tests, tools and docs. */
export function describeRules(rules: SubgraphRules): {
  coordinate: string;
  kind: RuleKind;
  category: DataCategory | null;
  owner: string | null;
  gate: Gate;
  party: string | null;
  returns: string | null;
}[] {
  return [...rules.fields.values()].map((r) => ({
    coordinate: r.coordinate,
    kind: r.kind,
    category: r.category,
    owner: r.record?.ownerName ?? null,
    gate: r.gate,
    party: r.record?.party?.name ?? r.returns?.record.party?.name ?? null,
    returns: r.returns ? `${r.returns.shape} ${r.returns.record.typeName}` : null,
  }));
}

/**
 * The `@access` directive that shows a field's rule in the subgraph SDL and, through
 * @composeDirective, in the composed supergraph (see ACCESS_DIRECTIVE_SDL).
 */
export function ruleDirective(rule: FieldRule): string {
  const q = (v: string) => JSON.stringify(v);
  const list = (vs: readonly string[]) => `[${vs.map(q).join(", ")}]`;
  const parts: string[] = [`kind: ${q(rule.kind)}`];
  if (rule.category) parts.push(`category: ${q(rule.category)}`);
  else if (rule.categoryName) parts.push(`category: ${q(rule.categoryName)}`);
  if (rule.kind === "RECORD" && rule.record) parts.push(`owner: ${q(rule.record.ownerName)}`);
  if (rule.gate.roles) parts.push(`roles: ${list(rule.gate.roles)}`);
  if (rule.gate.purposes) parts.push(`purposes: ${list(rule.gate.purposes)}`);
  if (rule.gate.purposeRequired) parts.push(`purposeRequired: true`);
  if (rule.gate.personLevel) parts.push(`personLevel: true`);
  if (rule.gate.services) parts.push(`services: ${list(rule.gate.services)}`);
  const party = rule.record?.party ?? rule.returns?.record.party ?? rule.changes.find((c) => c.party)?.party;
  if (party) parts.push(`party: ${q(party.name)}`);
  if (rule.changes.length) parts.push(`changes: ${list(rule.changes.map((c) => c.typeName))}`);
  // Who may change the records: the field's own type's rule, or those of the records a mutation changes.
  const changedBy = rule.changedBy
    ? [rule.changedBy.name]
    : rule.changes.flatMap((c) => (c.actor ? [`${c.typeName}: ${c.actor.name}`] : []));
  if (changedBy.length) parts.push(`changedBy: ${list(changedBy)}`);
  return `@access(${parts.join(", ")})`;
}

/** The directive's definition, the same in every subgraph so that composition keeps it. */
export const ACCESS_DIRECTIVE_SDL = `"""
The access rule of a field, declared in the subgraph's code and enforced by it (see the README's
"Access rules"): kind REFERENCE (partnership reference data, anyone signed in), PART (disclosed
with the governed field that returns it), AGGREGATE (perturbed counts), RECORD (a field of a
governed record: category and owner agency), or ENTRY (an entry point ruled by the records it
returns); with the roles, purposes and party rules that gate it. On a mutation, "changes" names the
records it changes, checked before it runs against their party rule and "changedBy" (who may change
a record of the type, declared with @ChangedBy); on a field of such a type, "changedBy" is the type's.
"services" names the only service identities that may call a field, and then no user may.
"""
directive @access(
  kind: String!
  category: String
  owner: String
  roles: [String!]
  purposes: [String!]
  purposeRequired: Boolean
  personLevel: Boolean
  services: [String!]
  party: String
  changes: [String!]
  changedBy: [String!]
) repeatable on FIELD_DEFINITION`;

export const ACCESS_LINK = `@link(url: "https://partnership-graph.example/access/v1.0", import: ["@access"]) @composeDirective(name: "@access")`;
