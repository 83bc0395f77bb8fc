import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  TypeInfo,
  getNamedType,
  responsePathAsArray,
  visit,
  visitWithTypeInfo,
  type GraphQLResolveInfo,
} from "graphql";
import type { Caller } from "../auth";
import type { Connection } from "../connection";
import type { RequestContext } from "../context";
import { log } from "../logger";
import { Sql } from "../database";
import { forbidden } from "../errors";
import { cellKeyOfRecords, cellKeyWithout, release } from "../statistics";
import { agencyRef } from "../types";
import { gateDenial, type AccessDecision } from "./decision";
import { StaleFactsError, dependsOnConsent, type AccessGuard, type AccessQuestion } from "./guard";
import { gateIsOpen, rulesOf, type ChangeCheck, type FieldRule, type RecordRule } from "./rules";

/** Whom a record is about, when it inherits its parent record's subjects (a tenancy's actions). */
const SUBJECTS = Symbol("subjects");
/** Everyone its parent record names, for the audit of a sub-record (a tenancy's household). */
const NAMED = Symbol("named");
type Subjected = { [SUBJECTS]?: readonly string[]; [NAMED]?: readonly string[]; id?: unknown };

/** Whom a record is about, and everyone it names: what its sub-records inherit. */
interface People {
  subjects: readonly string[];
  named: readonly string[];
}

function tag(value: unknown, people: People): void {
  if (Array.isArray(value)) for (const item of value) tag(item, people);
  else if (value && typeof value === "object") {
    (value as Subjected)[SUBJECTS] = people.subjects;
    (value as Subjected)[NAMED] = people.named;
  }
}

function idsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(idsOf);
  const id = (value as Subjected | null)?.id;
  return typeof id === "string" ? [id] : [];
}

const NO_ONE: readonly string[] = [];
const NOBODY: People = { subjects: NO_ONE, named: NO_ONE };

/** A record's own subjects, worked out once per record: every field of it asks again. */
const OWN_SUBJECTS = Symbol("own subjects");

/** The people a record is about: declared on its type, else inherited from its parent record. */
export function subjectsOf(record: unknown, rule: RecordRule): readonly string[] {
  if (!record || typeof record !== "object") return NO_ONE;
  if (rule.subjects) {
    const held = record as { [OWN_SUBJECTS]?: readonly string[] };
    return (held[OWN_SUBJECTS] ??= [...new Set(rule.subjects(record))].sort());
  }
  return (record as Subjected)[SUBJECTS] ?? NO_ONE;
}

/** A record's own named people, worked out once per record. */
const OWN_NAMED = Symbol("own named");

/**
 * Everyone a record names, whom its audit names: its subjects and those its type declares
 * (`names`: a tenancy's household members), else everyone its parent record names.
 */
export function namedIn(record: unknown, rule: RecordRule): readonly string[] {
  if (!record || typeof record !== "object") return NO_ONE;
  const subjects = subjectsOf(record, rule);
  const inherited = rule.subjects ? subjects : ((record as Subjected)[NAMED] ?? subjects);
  if (!rule.names) return inherited;
  // Cached only where it is the record's own: an inherited part may be reached from another parent.
  if (!rule.subjects) return [...new Set([...inherited, ...rule.names(record)])].sort();
  const held = record as { [OWN_NAMED]?: readonly string[] };
  return (held[OWN_NAMED] ??= [...new Set([...subjects, ...rule.names(record)])].sort());
}

/** What a record's sub-records inherit from it. */
function peopleOf(record: unknown, rule: RecordRule): People {
  return { subjects: subjectsOf(record, rule), named: namedIn(record, rule) };
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return isConnection(value) ? value.edges.length === 0 : false;
}

function isConnection(value: unknown): value is Connection<Subjected> {
  return !!value && typeof value === "object" && Array.isArray((value as Connection<unknown>).edges);
}

type Resolve = (
  root: unknown,
  args: Record<string, unknown>,
  context: RequestContext,
  info: GraphQLResolveInfo,
) => unknown;

function located(info: GraphQLResolveInfo) {
  return { nodes: info.fieldNodes, path: responsePathAsArray(info.path) };
}

/** What becomes of one record the caller asked for. */
export type Verdict = "SHOW" | "HIDE" | { refused: AccessDecision };

/**
 * Whether a refusal is the holder's to make, not this subgraph's: the record is a stub of one
 * another subgraph holds (@HeldBy), whose subjects are unknown here, and the agreement shares its
 * category only with consent. The holder decides it with the record's own subjects when the router
 * resolves the record, so that a record linked to a case gets the decision it gets by id.
 */
export function deferredToHolder(rule: RecordRule, decision: AccessDecision): boolean {
  return rule.heldElsewhere && dependsOnConsent(decision);
}

/**
 * Checks one record a mutation declares it changes (@Changes): found with the declaration's
 * `find`; none, or one whose type's party rule does not admit the caller, is answered as unknown
 * (nothing revealed); one whose @ChangedBy rule does not admit the caller is refused
 * ROLE_NOT_PERMITTED (the caller may see it, but not change it).
 */
async function checkChange(change: ChangeCheck, args: Record<string, unknown>, sql: Sql, caller: Caller) {
  const record = await change.policy.find(args, sql);
  if (!record || (change.party && !change.party.test(record as never, caller)))
    throw change.policy.unknown(args);
  if (change.actor && !change.actor.test(record as never, caller))
    throw forbidden("ROLE_NOT_PERMITTED", `only ${change.actor.name} may change this ${change.typeName}`);
}

/**
 * The Sql a mutation that declares its changes is given: every transaction it opens starts by
 * finding (and locking) the records it changes and checking them again, so that what is changed
 * is what was checked, whatever happened between the check and the change.
 */
class CheckedSql extends Sql {
  constructor(
    pool: Sql["pool"],
    private readonly check: (tx: Sql) => Promise<void>,
  ) {
    super(pool);
  }

  override transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return super.transaction(async (tx) => {
      await this.check(tx);
      return work(tx);
    });
  }
}

/**
 * A mutation's declared changes (@Changes), checked by the shared code before its resolver runs
 * (so a caller who may not change the record changes nothing, and is told so before any other
 * work), and again on the locked records in every transaction it opens (see CheckedSql).
 */
function checkingChanges(changes: readonly ChangeCheck[], resolve: Resolve): Resolve {
  return async (root, args, context, info) => {
    const check = async (sql: Sql) => {
      for (const change of changes) await checkChange(change, args, sql, context.caller);
    };
    await check(context.sql);
    return resolve(root, args, { ...context, sql: new CheckedSql(context.sql.pool, check) }, info);
  };
}

/**
 * Judges one record by its type's rule: a record whose party rule the caller fails, or that is
 * refused because the owner has no active agreement with the caller for the purpose, is hidden as
 * an unknown id would be (same data, same errors, no reason); a record refused under an agreement
 * that does exist (category not covered, consent missing or withdrawn) is refused with the reason.
 */
export async function judgeRecord(
  rule: RecordRule,
  record: unknown,
  guard: AccessGuard,
): Promise<{ verdict: Verdict; subjects: readonly string[]; decision?: AccessDecision }> {
  const subjects = subjectsOf(record, rule);
  if (rule.party && !rule.party.test(record as never, guard.caller)) return { verdict: "HIDE", subjects };
  if (!rule.category) return { verdict: "SHOW", subjects };
  const question: AccessQuestion = {
    ownerAgencyId: rule.owner(record),
    category: rule.category,
    personIds: subjects,
    named: namedIn(record, rule),
  };
  const decision = await guard.decide(question);
  // A stub of another subgraph's record, where consent decides: the holder judges it (and
  // records the decision) with the record's own subjects when it resolves it.
  if (deferredToHolder(rule, decision)) return { verdict: "SHOW", subjects };
  guard.record(question, decision, idsOf(record));
  if (decision.permitted) return { verdict: "SHOW", subjects, decision };
  // No agreement from the owner for the purpose: nothing revealed, not even that the record
  // exists (a list may still be signposted where the agencies share the other way; see admit).
  if (hides(decision)) return { verdict: "HIDE", subjects, decision };
  return { verdict: { refused: decision }, subjects, decision };
}

/**
 * Refuses, before anything is written, a mutation whose result the caller could not see: the
 * record as it will be written (`draft`, shaped as the repository returns it) is judged by the
 * declared rule of the type the field returns, as its answer will be. So a change is never
 * written and then withheld (a non-null result answered null fails as INTERNAL_SERVER_ERROR):
 * the caller gets FORBIDDEN with the decision's reason, audited like any denial, and nothing is
 * written. The record does not exist yet, so the reason reveals nothing about another's data.
 */
export async function enforceVisibleResult(
  draft: unknown,
  info: GraphQLResolveInfo,
  guard: AccessGuard,
): Promise<void> {
  const returned = getNamedType(info.returnType).name;
  const rule = rulesOf(info.schema)?.records.get(returned);
  if (!rule) throw new Error(`${info.parentType.name}.${info.fieldName} returns no governed record`);
  // The type's gate was the mutation's own, checked before it resolved.
  const { verdict, decision } = await judgeRecord(rule, draft, guard);
  if (verdict === "SHOW") return;
  const refusal = decision?.reason ?? "ROLE_NOT_PERMITTED";
  throw forbidden(
    refusal,
    `${info.parentType.name}.${info.fieldName}: you could not see the ${returned} it would write (${refusal}), so nothing was written`,
    located(info),
  );
}

/**
 * Judges records by a field's declared rule before they are returned, for an answer that must know
 * which records it may count before it counts them (the case review counts each agency's reports
 * only where the caller may know of them): each record as its field would decide it, per record
 * category, owner and subjects; hidden where nothing may be revealed (no agreement for the purpose,
 * or a record of no category the rules know), refused with the reason where an agreement exists.
 * Denials are noted for the audit, and so are disclosures where the records name people.
 */
export async function judgeByField(
  rule: FieldRule,
  records: readonly unknown[],
  guard: AccessGuard,
): Promise<Verdict[]> {
  const record = rule.record;
  if (rule.kind !== "RECORD" || !record || !rule.categoryOf)
    throw new Error(`${rule.coordinate} is not a categorised field of a record`);
  return Promise.all(
    records.map(async (item): Promise<Verdict> => {
      const category = rule.categoryOf!(item);
      if (!category) return "HIDE";
      const subjects = subjectsOf(item, record);
      const question: AccessQuestion = { ownerAgencyId: record.owner(item), category, personIds: subjects };
      const decision = await guard.decide(question);
      if (!decision.permitted || subjects.length) guard.record(question, decision, idsOf(item));
      if (decision.permitted) return "SHOW";
      if (hides(decision)) return "HIDE";
      return { refused: decision };
    }),
  );
}

/** A refusal for want of an agreement for the purpose: the caller may not know the records exist. */
function hides(decision: AccessDecision): boolean {
  return decision.reason === "NO_AGREEMENT" || decision.reason === "PURPOSE_NOT_COVERED";
}

/**
 * Nothing found where the caller may not know whether the owner holds anything (an id the owner
 * does not hold, a person of whom it holds no records): decided and audited as the records would
 * be, so that "none" costs what "withheld" costs (the same governance round trips: facts, then
 * the audit append) and answers the same. Where the rules would hide the records, the audit gets
 * a probe record: a denial naming what was asked for (the id, or the person whose records were
 * listed), which the owner's DSOs see, so enumeration shows. Where the caller could tell anyway
 * (its own data, a shared category, a refusal with a reason) nothing is recorded.
 */
export async function probe(
  rule: RecordRule,
  guard: AccessGuard,
  personIds: readonly string[],
  recordIds: readonly string[],
): Promise<void> {
  // Decided once per owner and category, however many people are probed, and recorded against
  // the person asked about.
  const asked = await agreementsAlone(rule, guard);
  if (asked && hides(asked.decision))
    guard.record({ ...asked.question, personIds }, asked.decision, recordIds);
}

/**
 * The rule's owner and category asked with no one named: what the agreements alone decide (not
 * anyone's consent). Undefined where that question does not arise: no category, an owner per
 * record, or a gate that refuses whatever the agreements say (the refusal has its own reason).
 */
async function agreementsAlone(
  rule: RecordRule,
  guard: AccessGuard,
): Promise<{ question: AccessQuestion; decision: AccessDecision } | undefined> {
  if (!rule.category || rule.ownerName === "per record" || guard.gateRefusal(rule.gate)) return undefined;
  const question: AccessQuestion = {
    ownerAgencyId: rule.owner(undefined),
    category: rule.category,
    personIds: NO_ONE,
  };
  return { question, decision: await guard.decide(question) };
}

/**
 * A person's records (a list on `Person`) that the rules withhold whole, without signposting (no
 * agreement from the owner for the purpose, none either way for it): decided before they are
 * read, so that a person the owner holds records about costs and answers exactly what a person it
 * holds none about does (no read, the same decision, the same probe record), and the caller cannot
 * tell them apart by time. Returns true when withheld (audited as a probe against the person).
 */
async function withheldBeforeRead(
  rule: RecordRule,
  guard: AccessGuard,
  about: readonly string[],
): Promise<boolean> {
  if (!about.length) return false;
  const asked = await agreementsAlone(rule, guard);
  if (!asked || !hides(asked.decision) || (await guard.signposting(asked.question.ownerAgencyId)))
    return false;
  guard.record({ ...asked.question, personIds: about }, asked.decision, []);
  return true;
}

/**
 * A record asked for by id that the agreements alone hide (no agreement for the purpose): decided
 * before it is read, so that an id the owner holds costs and answers exactly what an id it does
 * not hold does (no read, the same decision, the same probe record against the id asked for).
 */
export async function hiddenBeforeRead(
  rule: RecordRule,
  guard: AccessGuard,
  recordIds: readonly string[],
): Promise<boolean> {
  const asked = await agreementsAlone(rule, guard);
  if (!asked || !hides(asked.decision)) return false;
  guard.record(asked.question, asked.decision, recordIds);
  return true;
}

/** What a list withheld whole answers: the same as a person of whom the owner holds nothing. */
function noneHeld(shape: "ONE" | "LIST" | "CONNECTION"): unknown {
  if (shape === "LIST") return [];
  return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0, restricted: [] };
}

/** The person a field's records are about, when the field is on a `Person` (one named person). */
function namedPerson(rule: FieldRule, root: unknown): readonly string[] {
  if (!rule.coordinate.startsWith("Person.")) return NO_ONE;
  const id = (root as { id?: unknown } | null)?.id;
  return typeof id === "string" ? [id] : NO_ONE;
}

/**
 * A count of records the caller may not see (signposted as withheld, or inside a total). About
 * one named person it is exact: it is the signposting the agreements allow about that person,
 * whose records the owner would name on request (README "Access rules"). Over an area, a period or
 * a category it is released by the one cell-key engine with the key of exactly those records, so
 * the same records always get the same noise and no count from 1 to 4 is shown; records without
 * keys release no count (null).
 */
function releasedCount(count: number, cellKey: number | null, aboutPerson: boolean): number | null {
  if (aboutPerson) return count;
  return cellKey === null ? null : release(count, cellKey);
}

const recordKeyOf = (record: unknown): string | undefined =>
  (record as { recordKey?: string } | null)?.recordKey;

/**
 * The one place access rules are enforced, for every field of every subgraph: wraps a field's
 * resolver with its FieldRule (worked out once, when the schema was built; see rules.ts).
 * - the gate (roles, purposes, person-level data) is checked before the field resolves, so before
 *   a mutation changes anything;
 * - a mutation's declared changes (@Changes) are checked next, before it runs (checkingChanges);
 * - an aggregate needs the STATISTICS rules (or the case's purpose, for case work);
 * - a field of a governed record is decided for the record's owner, category and subjects; once
 *   permitted in this request, the record's other fields take a fast path with no await;
 * - records a field returns (one, a list, a connection's nodes) are judged one by one
 *   (judgeRecord): hidden, withheld with signposting, or refused.
 * Every disclosure of another agency's data, and every denial, is noted for the audit.
 */
export function enforceField(rule: FieldRule, resolveField: Resolve): Resolve {
  // A mutation's declared changes are checked after its gate, before it runs.
  const resolve = rule.changes.length ? checkingChanges(rule.changes, resolveField) : resolveField;
  const gateOpen = gateIsOpen(rule.gate);
  // A refusal at the gate is audited like any denial: against the record the field is of, or
  // (an entry point, refused before anything was read) the kind of record it would have returned.
  const audited: RecordRule | null =
    rule.kind === "RECORD" && rule.record?.category ? rule.record : (rule.returns?.record ?? null);
  const refuseAtGate = (root: unknown, context: RequestContext, info: GraphQLResolveInfo): void => {
    const reason = context.access.gateRefusal(rule.gate);
    if (!reason) return;
    const auditedCategory =
      rule.kind === "RECORD" ? (rule.categoryOf?.(root) ?? null) : (rule.returns?.record.category ?? null);
    if (audited && auditedCategory && (rule.kind === "RECORD" || audited.ownerName !== "per record")) {
      const onRecord = rule.kind === "RECORD";
      context.access.record(
        {
          ownerAgencyId: audited.owner(onRecord ? root : undefined),
          category: auditedCategory,
          personIds: onRecord ? subjectsOf(root, audited) : NO_ONE,
          named: onRecord ? namedIn(root, audited) : NO_ONE,
        },
        gateDenial(reason, rule.coordinate),
        onRecord ? idsOf(root) : [],
      );
    }
    throw forbidden(reason, `${rule.coordinate}: ${reason}`, located(info));
  };

  if (rule.kind === "AGGREGATE") {
    return async (root, args, context, info) => {
      if (!gateOpen) refuseAtGate(root, context, info);
      const guard = context.access;
      const question: AccessQuestion = {
        ownerAgencyId: rule.owner,
        category: null,
        personIds: NO_ONE,
        aggregate: true,
        caseWork: rule.caseWork,
      };
      const decision = await guard.decide(question);
      if (!decision.permitted) {
        guard.record(question, decision, []);
        throw guard.error(decision, rule.coordinate, info);
      }
      return resolve(root, args, context, info);
    };
  }

  const returnsGateOpen = !rule.returns || rule.kind === "ENTRY" || gateIsOpen(rule.returns.record.gate);
  const record = rule.kind === "RECORD" ? rule.record : null;
  const categoryOf = record ? rule.categoryOf : null;
  const returns = rule.returns;
  return (root, args, context, info) => {
    if (!gateOpen) refuseAtGate(root, context, info);
    const guard = context.access;
    if (record && categoryOf) {
      const category = categoryOf(root);
      // A record of no category the rules know (per record): deny by default.
      if (!category)
        throw forbidden("CATEGORY_NOT_COVERED", `${rule.coordinate}: CATEGORY_NOT_COVERED`, located(info));
      const people = peopleOf(root, record);
      const question: AccessQuestion = {
        ownerAgencyId: record.owner(root),
        category,
        personIds: people.subjects,
        named: people.named,
      };
      // Fast path, without an await: the record's category is already decided and permitted.
      if (!guard.permittedAgain(question, idsOf(root))) {
        return decideThenResolve(question, people);
      }
      if (!returns) return resolve(root, args, context, info);
      return admitted(people);
    }
    if (!returns) return resolve(root, args, context, info);
    return admitted(record ? peopleOf(root, record) : NOBODY);

    async function decideThenResolve(question: AccessQuestion, people: People) {
      const decision = await guard.decide(question);
      const deferred = deferredToHolder(record!, decision);
      if (!deferred) guard.record(question, decision, idsOf(root));
      if (!decision.permitted && !deferred) throw guard.error(decision, rule.coordinate, info);
      return returns ? admitted(people) : resolve(root, args, context, info);
    }

    async function admitted(parent: People): Promise<unknown> {
      const about = returns ? namedPerson(rule, root) : NO_ONE;
      if (returns && returns.shape !== "ONE" && (await withheldBeforeRead(returns.record, guard, about)))
        return noneHeld(returns.shape);
      // A query's record by id (a mutation's answer is the record it changed, found already).
      if (
        returns?.shape === "ONE" &&
        info.operation.operation === "query" &&
        typeof args.id === "string" &&
        (await hiddenBeforeRead(returns.record, guard, [args.id]))
      )
        return null;
      const result: unknown = await resolve(root, args, context, info);
      if (!returns) return result;
      if (result === null || result === undefined) {
        await probe(returns.record, guard, about, typeof args.id === "string" ? [args.id] : []);
        return result;
      }
      // Records of a gated type (a case's people) take their gate when there are any to show.
      if (!returnsGateOpen && !isEmpty(result)) {
        const reason = guard.gateRefusal(returns.record.gate);
        if (reason) throw forbidden(reason, `${rule.coordinate}: ${reason}`, located(info));
      }
      return admit(returns.record, returns.shape, result, parent, context, info, rule.coordinate, about);
    }
  };
}

async function admit(
  rule: RecordRule,
  shape: "ONE" | "LIST" | "CONNECTION",
  result: unknown,
  parent: People,
  context: RequestContext,
  info: GraphQLResolveInfo,
  coordinate: string,
  /** The named person a list is about (a field on `Person`), or no one. */
  about: readonly string[],
): Promise<unknown> {
  const guard = context.access;
  const judge = async (item: unknown) => {
    // A sub-record without subjects of its own is about its parent record's people.
    if (!rule.subjects) tag(item, parent);
    const judged = await judgeRecord(rule, item, guard);
    if (judged.verdict === "SHOW") tag(item, { subjects: judged.subjects, named: namedIn(item, rule) });
    return judged.verdict;
  };
  if (shape === "ONE") {
    const verdict = await judge(result);
    if (verdict === "SHOW") return result;
    if (verdict === "HIDE") return null;
    throw guard.error(verdict.refused, coordinate, info);
  }
  if (shape === "LIST") {
    const items = result as unknown[];
    const verdicts = await Promise.all(items.map(judge));
    const refused = verdicts.find((v): v is { refused: AccessDecision } => typeof v === "object");
    if (refused && !guard.isRecordLevel(refused.refused))
      throw guard.error(refused.refused, coordinate, info);
    return items.filter((_, i) => verdicts[i] === "SHOW");
  }
  if (!isConnection(result)) return result;
  if (result.edges.length === 0) return countOnly(rule, result, context, info, coordinate, about);
  // A list over an area, a period or a category: whether every record of it may be shown whoever
  // it is about, decided with the page's records (so with their facts, in the same round trip).
  const overArea = result.cellKey !== undefined && !!rule.category && rule.ownerName !== "per record";
  const [verdicts, everyRecord] = await Promise.all([
    Promise.all(result.edges.map((e) => judge(e.node))),
    overArea
      ? guard.decide({ ownerAgencyId: rule.owner(undefined), category: rule.category, personIds: NO_ONE })
      : null,
  ]);
  const refused = verdicts.filter((v): v is { refused: AccessDecision } => typeof v === "object");
  const firstHard = refused.find((v) => !guard.isRecordLevel(v.refused));
  if (firstHard) throw guard.error(firstHard.refused, coordinate, info);
  const edges = result.edges.filter((_, i) => verdicts[i] === "SHOW");
  const aboutPerson = about.length > 0;
  if (edges.length === result.edges.length) {
    // Every record of this page shown; where consent decides record by record, later pages may
    // hold records the caller may not see, and the total counts them: released, not exact.
    if (!everyRecord || everyRecord.permitted) return result;
    return { ...result, totalCount: visibleTotal(result, edges.length, [], aboutPerson) };
  }
  const withheldNodes = result.edges.filter((_, i) => verdicts[i] !== "SHOW").map((e) => e.node);
  const owners = new Map<string, unknown[]>();
  for (const node of withheldNodes) {
    const owner = rule.owner(node);
    const held = owners.get(owner);
    if (held) held.push(node);
    else owners.set(owner, [node]);
  }
  // A page withheld whole is a list withheld whole (the rules refused its owner's records): the
  // total then counts only what the caller sees, and signposting (only where an agreement for the
  // purpose exists between the agencies) says how many were withheld.
  const whole = edges.length === 0;
  const restricted = [...result.restricted];
  for (const [owner, nodes] of owners) {
    const contact = rule.category ? await guard.signposting(owner) : null;
    if (!contact) continue;
    const count =
      whole && owners.size === 1
        ? releasedCount(result.totalCount, result.cellKey ?? null, aboutPerson)
        : releasedCount(nodes.length, cellKeyOfRecords(nodes.map(recordKeyOf)), aboutPerson);
    if (!count) continue;
    restricted.push({ agency: agencyRef(owner), category: rule.category!, count, contact });
  }
  return {
    edges,
    pageInfo: whole ? { hasNextPage: false, endCursor: null } : result.pageInfo,
    totalCount: whole ? 0 : visibleTotal(result, edges.length, withheldNodes, aboutPerson),
    restricted,
  };
}

/**
 * The total of a page some of whose records were withheld: every match but those withheld here,
 * so it may count records on later pages the caller would not see either. Over an area, a period
 * or a category it is released by the cell-key engine (never below the records shown); without
 * record keys it counts only the records shown.
 */
function visibleTotal(
  result: Connection<Subjected>,
  shown: number,
  withheld: readonly unknown[],
  aboutPerson: boolean,
): number {
  const total = Math.max(0, result.totalCount - withheld.length);
  const keys = withheld.map(recordKeyOf);
  const cellKey =
    result.cellKey === undefined || keys.some((k) => k === undefined)
      ? null
      : cellKeyWithout(result.cellKey, keys as string[]);
  return Math.max(shown, releasedCount(total, cellKey, aboutPerson) ?? shown);
}

/** A page that says nothing: no records, no count, no further pages. */
function nothing(result: Connection<Subjected>): Connection<Subjected> {
  return {
    edges: [],
    pageInfo: { hasNextPage: false, endCursor: null },
    totalCount: 0,
    restricted: result.restricted,
  };
}

/**
 * An empty page (`first: 0`, or a cursor past the end) has no record to judge, yet its total and
 * `hasNextPage` say how many records the owner holds. They are released only as the records
 * themselves would be: decided for the owner and category about no one in particular (so that
 * where the agreement asks for consent the count is withheld); a count withheld is signposted
 * exactly as a withheld page is, and with no agreement for the purpose nothing is revealed.
 */
async function countOnly(
  rule: RecordRule,
  result: Connection<Subjected>,
  context: RequestContext,
  info: GraphQLResolveInfo,
  coordinate: string,
  about: readonly string[],
): Promise<Connection<Subjected>> {
  if (result.totalCount === 0 && !result.pageInfo.hasNextPage) {
    // None held: decided and audited as a list withheld whole would be (see probe).
    await probe(rule, context.access, about, []);
    return result;
  }
  // Party-only records (cases, consents) are selected for the caller's agency by the query itself.
  if (!rule.category) return rule.party ? result : nothing(result);
  // Records each held by whoever the record says: nothing to decide on without them.
  if (rule.ownerName === "per record") return nothing(result);
  const guard = context.access;
  const question: AccessQuestion = {
    ownerAgencyId: rule.owner(undefined),
    category: rule.category,
    personIds: NO_ONE,
  };
  const decision = await guard.decide(question);
  // Audited against the person a list is about, as its probe is (see probe).
  guard.record({ ...question, personIds: about }, decision, []);
  if (decision.permitted) return result;
  if (!hides(decision) && !guard.isRecordLevel(decision)) throw guard.error(decision, coordinate, info);
  // Withheld whole, and signposted as a withheld page is (only where the agencies share for the purpose).
  const contact = await guard.signposting(question.ownerAgencyId);
  const withheld = nothing(result);
  const count = releasedCount(result.totalCount, result.cellKey ?? null, about.length > 0);
  if (!contact || !count) return withheld;
  return {
    ...withheld,
    restricted: [
      ...result.restricted,
      { agency: agencyRef(question.ownerAgencyId), category: rule.category, count, contact },
    ],
  };
}

/** The operation name the client gave (the gateway suffixes `__<subgraph>__<n>`). */
export function clientOperationName(name: string | null | undefined): string | null {
  return name ? name.replace(/__[a-z]+__\d+$/, "") : null;
}

/**
 * Writes the request's audit records before the response leaves the subgraph; when they
 * cannot be written, nothing is released (fail closed).
 */
export function auditBeforeResponse(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          // Apollo Server gives each operation a shallow copy of the context; the guard is shared.
          const { access } = requestContext.contextValue;
          access.operationName = clientOperationName(requestContext.operationName);
          if (requestContext.operation?.operation === "mutation") access.requireFreshFacts();
        },
        async willSendResponse(requestContext) {
          const { contextValue: context, response } = requestContext;
          if (context.signal.aborted) {
            // Nobody will receive this answer (the caller went away or its deadline passed): no
            // disclosure is recorded, and the answer is emptied so it could never leak if it were sent.
            log("info", "answer not delivered: no audit written", {
              subgraph: context.subgraph,
              requestId: context.requestId,
              reason: String(context.signal.reason),
            });
            if (response.body.kind === "single") {
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [
                {
                  message: "the request was abandoned or its deadline passed: nothing was released",
                  extensions: { code: "REQUEST_NOT_DELIVERED" },
                },
              ];
            }
            return;
          }
          try {
            await context.access.flush();
          } catch (error) {
            if (error instanceof StaleFactsError) {
              // Nothing was written; the HTTP front runs the request again on fresh facts. This
              // answer is thrown away, but is emptied so that it could never leak if it were not.
              log("info", error.message, { subgraph: context.subgraph, requestId: context.requestId });
              if (response.body.kind === "single") {
                response.body.singleResult.data = null;
                response.body.singleResult.errors = [
                  { message: error.message, extensions: { code: "ACCESS_FACTS_CHANGED" } },
                ];
              }
              return;
            }
            log("error", "audit write failed: response withheld", {
              subgraph: context.subgraph,
              requestId: context.requestId,
              error: (error as Error).message,
            });
            if (response.body.kind === "single") {
              const withheld = new GraphQLError(
                "audit unavailable: the disclosure could not be recorded, so no data was released",
                {
                  extensions: { code: "AUDIT_UNAVAILABLE" },
                },
              );
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [
                { message: withheld.message, extensions: withheld.extensions },
              ];
            }
          }
        },
      };
    },
  };
}

/**
 * A service identity (shared/service-identity.ts) reaches only the fields whose access rule
 * declares it: every field of the operation is checked before anything runs, so nothing else is
 * read, not even reference data or `_entities`, and no mutation runs. Deny by default: a field
 * with no rule (or a subgraph built without rules) is refused too. The field gates check the same
 * again as each resolves (gateRefusal), for the fields that are enforced.
 */
export function serviceFieldsOnly(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const service = requestContext.contextValue.caller.service;
          if (!service) return;
          const rules = rulesOf(requestContext.schema);
          const refused = new Set<string>();
          const kind = requestContext.operation?.operation ?? "operation";
          if (kind !== "query") refused.add(kind);
          const typeInfo = new TypeInfo(requestContext.schema);
          visit(
            requestContext.document,
            visitWithTypeInfo(typeInfo, {
              Field(node) {
                if (node.name.value === "__typename") return;
                const coordinate = `${typeInfo.getParentType()?.name ?? "?"}.${node.name.value}`;
                if (!rules?.fields.get(coordinate)?.gate.services?.includes(service)) refused.add(coordinate);
              },
            }),
          );
          if (refused.size)
            throw new GraphQLError(
              `the ${service} service may reach only the fields declared for it, not ${[...refused].sort().join(", ")}`,
              { extensions: { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED", http: { status: 403 } } },
            );
        },
      };
    },
  };
}
