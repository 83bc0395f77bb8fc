import { GraphQLError } from "graphql";
import type { SubgraphName } from "../../shared/config";
import type { Sql } from "../../shared/database";
import {
  addMonthsTo,
  RetentionStart,
  type HeldRecordKey,
  type HoldingsErased,
  type RetentionRuleFacts,
} from "../../shared/data-protection";
import type { DataCategory } from "../../shared/enums";
import { badInput } from "../../shared/errors";
import { askPeer, peerUnavailable, type PeerAccess } from "../../shared/peers";
import { AuditRepository } from "../repositories/audit";
import {
  DataProtectionRepository,
  type LegalHoldRow,
  type RetentionRuleRow,
} from "../repositories/data-protection";
import { changeRecord, requiredText, type Acting } from "./acting";

/**
 * Erasure and retention, orchestrated from governance (which keeps the rules, the holds and the
 * audit) over the stores that hold the data, each asked through its own subgraph as the DSO:
 *
 * 1. the agency's subgraph lists what it holds about the person (`_heldAbout`);
 * 2. governance decides what a retention rule or a legal hold keeps;
 * 3. the agency's subgraph erases the rest in one transaction of its own store (`_eraseHeld`);
 * 4. the partnership subgraph drops the cases' links to records deleted, the agency's reference
 *    when it keeps nothing, and anonymises the person once every agency has erased what it held
 *    (`_forgetHeld`), in one transaction;
 * 5. governance, in one transaction, appends the audit record, removes the consents the agency
 *    recorded, and destroys the audit keys (crypto-shredding) that are no longer needed.
 *
 * There is no transaction across databases: each step is all-or-nothing in its own store, and a
 * failure stops the steps after it. Every step is idempotent, so the same request run again
 * (the error says so) finishes what was left: what step 3 erased is no longer listed in step 1,
 * and steps 4 and 5 repeat harmlessly. The README ("Erasure") says what this means.
 */

/** The agencies whose records a subgraph of this graph holds, and which subgraph. */
const HOLDERS: Readonly<Record<string, SubgraphName>> = {
  police: "police",
  council: "council",
  youth: "youth",
  housing: "housing",
};

export function holderOf(agencyId: string): SubgraphName | null {
  return HOLDERS[agencyId] ?? null;
}

/** One internal operation of another subgraph; its refusal or failure stops the request. */
async function ask<T>(
  peers: PeerAccess,
  name: SubgraphName,
  what: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const answer = await askPeer<T>(peers, name, what, query, variables, 30_000);
  const error = answer.errors?.[0];
  if (error) {
    if (error.extensions?.code === "FORBIDDEN")
      throw new GraphQLError(error.message, { extensions: { ...error.extensions, serviceName: name } });
    throw peerUnavailable(name, what);
  }
  if (!answer.data) throw peerUnavailable(name, what);
  return answer.data;
}

interface HeldAbout {
  kind: string;
  id: string;
  category: DataCategory;
  createdAt: string;
  closedAt: string | null;
  lastActivityAt: string;
}

/** Why a rule keeps a record at `now`, or null when it may go. */
export function keptBy(rule: RetentionRuleFacts | undefined, record: HeldAbout, now: Date): string | null {
  if (!rule) return null;
  const from =
    rule.from === RetentionStart.CREATED
      ? record.createdAt
      : rule.from === RetentionStart.CLOSED
        ? record.closedAt
        : record.lastActivityAt;
  const period = `${rule.category}: kept ${rule.retainForMonths} months from ${rule.from} under ${rule.basis}`;
  if (from === null) return `${period} (still open)`;
  return addMonthsTo(new Date(from), rule.retainForMonths) > now ? period : null;
}

export interface ErasureOutcome {
  agencyId: string;
  erasedRecords: number;
  retainedRecords: number;
  retainedBecause: string[];
}

/** One record an agency holds about a person, and why erasure would keep it (empty: it would go). */
export interface PlannedRecord {
  kind: string;
  id: string;
  categories: DataCategory[];
  keptBecause: string[];
}

export interface ErasurePlan {
  agencyId: string;
  held: HeldAbout[];
  hold: LegalHoldRow | null;
  records: PlannedRecord[];
  toErase: HeldRecordKey[];
  retainedRecords: number;
  retainedBecause: string[];
}

/**
 * What erasing a person at the caller's agency would erase and keep, and why: what
 * `erasePersonData` then does, and what a DSO is shown before confirming it (`erasurePlan`).
 */
export async function planErasure(
  sql: Sql,
  peers: PeerAccess,
  acting: Acting,
  personId: string,
  now = new Date(),
): Promise<ErasurePlan> {
  if (!personId.trim()) throw badInput("personId", "must not be empty");
  const agencyId = acting.caller.agencyId;
  const repo = new DataProtectionRepository(sql);
  const holder = holderOf(agencyId);
  const held = holder
    ? (
        await ask<{ _heldAbout: HeldAbout[] }>(
          peers,
          holder,
          "what it holds about the person",
          `query ($p: ID!) { _heldAbout(personId: $p) { kind id category createdAt closedAt lastActivityAt } }`,
          { p: personId },
        )
      )._heldAbout
    : [];
  const rules = new Map((await repo.rules(agencyId)).map((r) => [r.category, r]));
  const hold = await repo.hold(agencyId, personId);

  // A record in several categories (a suspect's and a victim's part) is one record: kept if any keeps it.
  const byKey = new Map<string, PlannedRecord & { kept: Set<string> }>();
  for (const record of held) {
    const key = `${record.kind}:${record.id}`;
    const kept = hold ? `legal hold: ${hold.reason}` : keptBy(rules.get(record.category), record, now);
    const planned = byKey.get(key) ?? {
      kind: record.kind,
      id: record.id,
      categories: [],
      keptBecause: [],
      kept: new Set<string>(),
    };
    if (!planned.categories.includes(record.category)) planned.categories.push(record.category);
    if (kept) planned.kept.add(kept);
    byKey.set(key, planned);
  }
  const records: PlannedRecord[] = [];
  const toErase: HeldRecordKey[] = [];
  const because = new Set<string>();
  let retainedRecords = 0;
  for (const { kept, ...record } of byKey.values()) {
    records.push({ ...record, keptBecause: [...kept].sort() });
    if (kept.size) {
      retainedRecords += 1;
      for (const r of kept) because.add(r);
    } else toErase.push({ kind: record.kind, id: record.id });
  }
  return {
    agencyId,
    held,
    hold,
    records,
    toErase,
    retainedRecords,
    retainedBecause: [...because].sort(),
  };
}

export async function erasePersonData(
  sql: Sql,
  peers: PeerAccess,
  acting: Acting,
  personId: string,
  requestRef: string,
  reason: string,
): Promise<ErasureOutcome> {
  if (!personId.trim()) throw badInput("personId", "must not be empty");
  const ref = requiredText("requestRef", requestRef);
  const why = requiredText("reason", reason);
  const repo = new DataProtectionRepository(sql);
  const { agencyId, held, toErase, retainedRecords, retainedBecause } = await planErasure(
    sql,
    peers,
    acting,
    personId,
  );
  const holder = holderOf(agencyId);

  let erased: HoldingsErased = { erased: 0, deleted: [] };
  if (holder && toErase.length) {
    erased = (
      await ask<{ _eraseHeld: HoldingsErased }>(
        peers,
        holder,
        "to erase the person's records",
        `mutation ($p: ID!, $r: [HeldRecordKey!]!) { _eraseHeld(personId: $p, records: $r) { erased deleted } }`,
        { p: personId, r: toErase },
      )
    )._eraseHeld;
  }
  const keepsNothing = retainedRecords === 0;
  // Each agency is its own controller: the index entry is anonymised once every agency has erased
  // what it held (an agency that holds nothing confirms it by its own erasure, erasing nothing).
  const anonymise = keepsNothing && (await repo.everyAgencyErased(personId, agencyId));
  const deleted = erased.deleted.map((d) => {
    const at = d.indexOf(":");
    return { kind: d.slice(0, at), id: d.slice(at + 1) };
  });
  const forgotten = (
    await ask<{ _forgetHeld: { anonymised: boolean } }>(
      peers,
      "partnership",
      "to forget the person's links to the erased records",
      `mutation ($a: ID!, $p: ID!, $d: [HeldRecordKey!]!, $k: Boolean!, $n: Boolean!) {
         _forgetHeld(agencyId: $a, personId: $p, deleted: $d, dropReference: $k, anonymise: $n) { anonymised } }`,
      { a: agencyId, p: personId, d: deleted, k: keepsNothing, n: anonymise },
    )
  )._forgetHeld;

  await sql.transaction(async (tx) => {
    // Appended first, under the person's key: destroyed next, so this record too forgets them.
    await AuditRepository.append(tx, [
      changeRecord(acting, "DATA_PROTECTION", {
        ownerAgencyId: agencyId,
        personIds: [personId],
        categories: [...new Set(held.map((h) => h.category))].sort(),
        detail:
          `erasure ${ref}: ${erased.erased} erased, ${retainedRecords} retained` +
          `${forgotten.anonymised ? ", people index entry anonymised" : ""}; reason: ${why}`,
      }),
    ]);
    if (keepsNothing) {
      await DataProtectionRepository.noteErased(tx, personId, agencyId);
      await DataProtectionRepository.forgetAtAgency(tx, agencyId, personId);
      await AuditRepository.forgetPerson(tx, personId, [agencyId]);
    }
    if (forgotten.anonymised) {
      await DataProtectionRepository.forgetEverywhere(tx, personId);
      await AuditRepository.forgetPerson(tx, personId, null);
    }
  });
  return { agencyId, erasedRecords: erased.erased, retainedRecords, retainedBecause };
}

export async function setRetentionRule(
  sql: Sql,
  acting: Acting,
  input: RetentionRuleFacts,
): Promise<RetentionRuleRow> {
  if (!Number.isInteger(input.retainForMonths) || input.retainForMonths < 1 || input.retainForMonths > 1200)
    throw badInput("input.retainForMonths", "must be a whole number of months from 1 to 1200");
  const basis = requiredText("input.basis", input.basis);
  return sql.transaction(async (tx) => {
    const rule = await DataProtectionRepository.putRule(
      tx,
      acting.caller.agencyId,
      { ...input, basis },
      acting.caller.userId,
    );
    await AuditRepository.append(tx, [
      changeRecord(acting, "DATA_PROTECTION", {
        ownerAgencyId: acting.caller.agencyId,
        categories: [input.category],
        detail: `retention rule ${rule.id}: ${input.retainForMonths} months from ${input.from} under ${basis}`,
      }),
    ]);
    return rule;
  });
}

/** Places a hold, or lifts it when `reason` is null; audited. */
export async function setLegalHold(
  sql: Sql,
  acting: Acting,
  personId: string,
  reason: string | null,
): Promise<void> {
  if (!personId.trim()) throw badInput("personId", "must not be empty");
  const text = reason === null ? null : requiredText("reason", reason);
  const agencyId = acting.caller.agencyId;
  await sql.transaction(async (tx) => {
    if (text === null) await DataProtectionRepository.liftHold(tx, agencyId, personId);
    else await DataProtectionRepository.placeHold(tx, agencyId, personId, text, acting.caller.userId);
    await AuditRepository.append(tx, [
      changeRecord(acting, "DATA_PROTECTION", {
        ownerAgencyId: agencyId,
        personIds: [personId],
        detail: text === null ? "legal hold lifted" : `legal hold placed: ${text}`,
      }),
    ]);
  });
}

interface DueRecord {
  kind: string;
  id: string;
  category: DataCategory;
  dueSince: string;
}

/** A page of the caller's agency's records due under its rules (legal holds keep a person's out). */
export async function retentionDue(
  sql: Sql,
  peers: PeerAccess,
  acting: Acting,
  page: { offset: number; limit: number },
): Promise<{ records: DueRecord[]; totalCount: number }> {
  const agencyId = acting.caller.agencyId;
  const holder = holderOf(agencyId);
  const repo = new DataProtectionRepository(sql);
  const rules = await repo.rules(agencyId);
  let result: { records: DueRecord[]; totalCount: number } = { records: [], totalCount: 0 };
  if (holder && rules.length && page.limit > 0) {
    const holds = (await repo.holds(agencyId, null)).map((h) => h.personId);
    result = (
      await ask<{ _heldDue: { records: DueRecord[]; totalCount: number } }>(
        peers,
        holder,
        "which records are due",
        `query ($r: [RetentionRuleInput!]!, $h: [ID!]!, $o: Int!, $l: Int!) {
           _heldDue(rules: $r, heldPeople: $h, offset: $o, limit: $l) { records { kind id category dueSince } totalCount } }`,
        {
          r: rules.map((r) => ({
            category: r.category,
            retainForMonths: r.retainForMonths,
            from: r.from,
            basis: r.basis,
          })),
          h: holds,
          o: page.offset,
          l: page.limit,
        },
      )
    )._heldDue;
  }
  await AuditRepository.append(sql, [
    changeRecord(acting, "DATA_PROTECTION", {
      ownerAgencyId: agencyId,
      recordIds: result.records.map((r) => `${r.kind}:${r.id}`),
      categories: [...new Set(result.records.map((r) => r.category))].sort(),
      detail: `retention due listed: ${result.records.length} of ${result.totalCount}`,
    }),
  ]);
  return result;
}

/** The caller's agency's rules; the reading is audited like every data-protection operation. */
export async function retentionRules(sql: Sql, acting: Acting): Promise<RetentionRuleRow[]> {
  const rules = await new DataProtectionRepository(sql).rules(acting.caller.agencyId);
  await AuditRepository.append(sql, [
    changeRecord(acting, "DATA_PROTECTION", {
      ownerAgencyId: acting.caller.agencyId,
      detail: `retention rules listed: ${rules.length}`,
    }),
  ]);
  return rules;
}
