import { randomUUID } from "node:crypto";
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
import { log } from "../../shared/logger";
import { askPeer, peerUnavailable, type PeerAccess } from "../../shared/peers";
import { AuditRepository } from "../repositories/audit";
import {
  DataProtectionRepository,
  type ErasureRow,
  type LegalHoldRow,
  type RetentionRuleRow,
} from "../repositories/data-protection";
import { changeRecord, requiredText, type Acting } from "./acting";

/**
 * Erasure and retention, orchestrated from governance (which keeps the rules, the holds and the
 * audit) over the stores that hold the data, each asked through its own subgraph as the DSO. An
 * erasure is all or nothing across the stores, without a transaction across them (shared/erasure.ts):
 *
 * 1. the agency's subgraph says what it holds about the person (`_heldAbout`, the read subject
 *    access makes too); governance decides what a retention rule or a legal hold keeps;
 * 2. governance notes the erasure (`erasures`, PREPARING);
 * 3. first phase, one transaction per store: the agency's store moves the person's part in the rest
 *    aside (`_eraseHeld`), then the people index moves aside the cases' links to records deleted and,
 *    when the agency keeps nothing, its reference (`_forgetHeld`). Reads find it all gone already.
 *    A failure here undoes what was moved (`_settleErasure`/`_settleForget`, decided false): the
 *    stores are as they were;
 * 4. the decision, one transaction of governance: DECIDED, the audit record, the consents the
 *    agency recorded and the audit keys no longer needed (crypto-shredding). From here it is done;
 * 5. second phase: each store drops what it moved aside (and the people index anonymises the person
 *    once every agency has erased); then the erasure's row goes.
 *
 * Whatever stops it part-way is settled later from the row (`settleUnderWay`): at the agency's
 * next erasure, or by `npm run retention` (scripts/lib/retention.ts), which reaches every store.
 */

/** How long an erasure may stay in its first phase before it is taken for abandoned and undone. */
export const ABANDONED_AFTER_MS = 5 * 60_000;

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

/** A record as `_heldAbout` gives it (dates as the API writes them). */
export interface HeldAbout {
  kind: string;
  type: string;
  id: string;
  categories: DataCategory[];
  retentionCategories: DataCategory[];
  createdAt: string;
  closedAt: string | null;
  lastActivityAt: string;
  fields: Record<string, unknown> | null;
  people: { role: string; subject: boolean }[] | null;
  parts: Record<string, unknown[]> | null;
}

/**
 * Everything the agency `holder` serves holds about the person, asked as the caller (a DSO of
 * that agency, under DATA_PROTECTION): the one read of subject access and erasure.
 */
export async function heldAbout(
  peers: PeerAccess,
  holder: SubgraphName,
  personId: string,
): Promise<HeldAbout[]> {
  return (
    await ask<{ _heldAbout: HeldAbout[] }>(
      peers,
      holder,
      "what it holds about the person",
      `query HeldAbout($p: ID!) { _heldAbout(personId: $p) {
         kind type id categories retentionCategories createdAt closedAt lastActivityAt fields people parts } }`,
      { p: personId },
    )
  )._heldAbout;
}

/** Why a rule keeps a record at `now`, or null when it may go. */
export function keptBy(
  rule: RetentionRuleFacts | undefined,
  record: Pick<HeldAbout, "createdAt" | "closedAt" | "lastActivityAt">,
  now: Date,
): string | null {
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
  const held = holder ? await heldAbout(peers, holder, personId) : [];
  const rules = new Map((await repo.rules(agencyId)).map((r) => [r.category, r]));
  const hold = await repo.hold(agencyId, personId);

  const records: PlannedRecord[] = [];
  const toErase: HeldRecordKey[] = [];
  const because = new Set<string>();
  let retainedRecords = 0;
  for (const record of held) {
    // A record in several categories (a suspect's and a victim's part) is kept if any keeps it.
    const kept = hold
      ? [`legal hold: ${hold.reason}`]
      : record.retentionCategories.map((c) => keptBy(rules.get(c), record, now)).filter((k) => k !== null);
    const keptBecause = [...new Set(kept)].sort();
    records.push({ kind: record.kind, id: record.id, categories: record.retentionCategories, keptBecause });
    if (keptBecause.length) {
      retainedRecords += 1;
      for (const k of keptBecause) because.add(k);
    } else toErase.push({ kind: record.kind, id: record.id });
  }
  return { agencyId, held, hold, records, toErase, retainedRecords, retainedBecause: [...because].sort() };
}

/** The stores an erasure moved things aside in, told how it ended: decided (drop) or not (put back). */
export interface ErasureStores {
  settle(erasure: ErasureRow, decided: boolean): Promise<void>;
}

/**
 * Runs every store's step, each even when one before it failed (a store that is down must not keep
 * another from settling), then fails with the first error: the erasure is settled again later.
 */
export async function settleEach(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length) throw errors[0];
}

/** The stores as governance reaches them: each through its own subgraph, as the caller. */
export function storesThroughPeers(peers: PeerAccess): ErasureStores {
  return {
    async settle(erasure, decided) {
      const holder = holderOf(erasure.agencyId);
      const what = decided ? "to finish the erasure" : "to undo the erasure";
      const own = async () => {
        if (holder)
          await ask(
            peers,
            holder,
            what,
            `mutation ($e: ID!, $d: Boolean!) { _settleErasure(erasureId: $e, decided: $d) }`,
            { e: erasure.id, d: decided },
          );
      };
      const index = () =>
        ask(
          peers,
          "partnership",
          what,
          `mutation ($e: ID!, $a: ID!, $p: ID!, $d: Boolean!, $n: Boolean!) {
             _settleForget(erasureId: $e, agencyId: $a, personId: $p, decided: $d, anonymise: $n) }`,
          {
            e: erasure.id,
            a: erasure.agencyId,
            p: erasure.personId,
            d: decided,
            n: decided && erasure.anonymise,
          },
        );
      await settleEach([own, index]);
    },
  };
}

/**
 * Ends an erasure left under way: a decided one is finished; one that is not is given up (unless
 * it is decided meanwhile) and undone. Either way its row goes once every store has settled.
 */
export async function settleErasure(sql: Sql, stores: ErasureStores, erasure: ErasureRow): Promise<void> {
  const now =
    erasure.state === "DECIDED" ? erasure : await DataProtectionRepository.giveUpErasure(sql, erasure.id);
  if (!now) return;
  await stores.settle(now, now.state === "DECIDED");
  await DataProtectionRepository.endErasure(sql, now.id);
}

/**
 * Settles the erasures under way (of one agency, or all) that no request is still working on:
 * decided ones, ones given up, and first phases older than ABANDONED_AFTER_MS. Returns those it
 * could not settle (a store still down), which stay for the next time.
 */
export async function settleUnderWay(
  sql: Sql,
  stores: ErasureStores,
  agencyId: string | null,
  now: Date = new Date(),
): Promise<{ settled: number; failed: { erasure: ErasureRow; error: unknown }[] }> {
  const failed: { erasure: ErasureRow; error: unknown }[] = [];
  let settled = 0;
  for (const erasure of await new DataProtectionRepository(sql).erasuresUnderWay(agencyId)) {
    if (erasure.state === "PREPARING" && now.getTime() - erasure.startedAt.getTime() < ABANDONED_AFTER_MS)
      continue;
    try {
      await settleErasure(sql, stores, erasure);
      settled += 1;
    } catch (error) {
      failed.push({ erasure, error });
    }
  }
  return { settled, failed };
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
  const agencyId = acting.caller.agencyId;
  const holder = holderOf(agencyId);
  const stores = storesThroughPeers(peers);
  const now = new Date();

  // What an earlier request of this agency's left under way is settled first (a store that is
  // still down leaves it for the next time: logged, and this request goes on).
  for (const { erasure, error } of (await settleUnderWay(sql, stores, agencyId, now)).failed)
    log("warn", "an erasure left under way could not be settled yet", {
      erasureId: erasure.id,
      error: String(error),
    });

  // Decided by the same function as the DSO's preview (erasurePlan), so the two cannot disagree.
  const { held, toErase, retainedRecords, retainedBecause } = await planErasure(
    sql,
    peers,
    acting,
    personId,
    now,
  );
  const keepsNothing = retainedRecords === 0;

  const erasureId = `erasure-${randomUUID()}`;
  if (!(await DataProtectionRepository.startErasure(sql, erasureId, agencyId, personId)))
    throw badInput(
      "personId",
      "an erasure of this person by your agency is still under way or being undone; retry in a few minutes",
    );
  const started: ErasureRow = {
    id: erasureId,
    agencyId,
    personId,
    state: "PREPARING",
    anonymise: false,
    startedAt: now,
  };

  // First phase: every store moves aside what goes; any failure puts it all back.
  let erased: HoldingsErased = { erased: 0, deleted: [] };
  let anonymised = false;
  try {
    if (holder && toErase.length) {
      erased = (
        await ask<{ _eraseHeld: HoldingsErased }>(
          peers,
          holder,
          "to erase the person's records",
          `mutation ($e: ID!, $p: ID!, $r: [HeldRecordKey!]!) { _eraseHeld(erasureId: $e, personId: $p, records: $r) { erased deleted } }`,
          { e: erasureId, p: personId, r: toErase },
        )
      )._eraseHeld;
    }
    await ask(
      peers,
      "partnership",
      "to forget the person's links to the erased records",
      `mutation ($e: ID!, $a: ID!, $p: ID!, $d: [HeldRecordKey!]!, $k: Boolean!) {
         _forgetHeld(erasureId: $e, agencyId: $a, personId: $p, deleted: $d, dropReference: $k) }`,
      {
        e: erasureId,
        a: agencyId,
        p: personId,
        d: erased.deleted.map((d) => ({ kind: d.slice(0, d.indexOf(":")), id: d.slice(d.indexOf(":") + 1) })),
        k: keepsNothing,
      },
    );

    // The decision: from here the erasure is done, whatever happens to the second phase.
    anonymised = await sql.transaction(async (tx) => {
      await DataProtectionRepository.lockPerson(tx, personId);
      // Each agency is its own controller: the index entry is anonymised once every agency has
      // erased what it held (an agency that holds nothing confirms it by its own erasure).
      const anonymise =
        keepsNothing && (await new DataProtectionRepository(tx).everyAgencyErased(personId, agencyId));
      if (!(await DataProtectionRepository.decideErasure(tx, erasureId, anonymise)))
        throw new GraphQLError("the erasure took too long and was given up; nothing was erased, retry", {
          extensions: { code: "SUBGRAPH_UNAVAILABLE", retryable: true },
        });
      // Appended first, under the person's key: destroyed next, so this record too forgets them.
      await AuditRepository.append(tx, [
        changeRecord(acting, "DATA_PROTECTION", {
          ownerAgencyId: agencyId,
          personIds: [personId],
          categories: [...new Set(held.flatMap((h) => h.retentionCategories))].sort(),
          detail:
            `erasure ${ref}: ${erased.erased} erased, ${retainedRecords} retained` +
            `${anonymise ? ", people index entry anonymised" : ""}; reason: ${why}`,
        }),
      ]);
      if (keepsNothing) {
        await DataProtectionRepository.noteErased(tx, personId, agencyId);
        await DataProtectionRepository.forgetAtAgency(tx, agencyId, personId);
        await AuditRepository.forgetPerson(tx, personId, [agencyId]);
      }
      if (anonymise) {
        await DataProtectionRepository.forgetEverywhere(tx, personId);
        await AuditRepository.forgetPerson(tx, personId, null);
      }
      return anonymise;
    });
  } catch (error) {
    // Not decided: put back what the first phase moved aside. Should that fail too, the erasure
    // stays UNDOING and is undone at the next settling; its records stay out of sight until then.
    await settleErasure(sql, stores, started).catch((undoError: unknown) =>
      log("warn", "an erasure given up could not be undone yet", { erasureId, error: String(undoError) }),
    );
    throw error;
  }

  // Second phase: each store drops what it moved aside. Done or not, the erasure stands (decided);
  // what is left is finished at the next settling.
  await settleErasure(sql, stores, { ...started, state: "DECIDED", anonymise: anonymised }).catch(
    (error: unknown) =>
      log("warn", "an erasure decided could not be finished yet: it will be at the next settling", {
        erasureId,
        error: String(error),
      }),
  );
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
  retentionCategories: DataCategory[];
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
           _heldDue(rules: $r, heldPeople: $h, offset: $o, limit: $l) { records { kind id retentionCategories dueSince } totalCount } }`,
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
      categories: [...new Set(result.records.flatMap((r) => r.retentionCategories))].sort(),
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
