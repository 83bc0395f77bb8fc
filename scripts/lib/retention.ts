import { randomUUID } from "node:crypto";
import { councilHoldings } from "../../subgraphs/council/repository";
import { AuditRepository } from "../../subgraphs/governance/repositories/audit";
import { DataProtectionRepository } from "../../subgraphs/governance/repositories/data-protection";
import {
  ABANDONED_AFTER_MS,
  settleEach,
  settleUnderWay,
  type ErasureStores,
} from "../../subgraphs/governance/services/data-protection";
import { housingHoldings } from "../../subgraphs/housing/repository";
import { forgetRecords, settleErasureHere } from "../../subgraphs/partnership/repositories/people";
import { policeHoldings } from "../../subgraphs/police/repository";
import type { Sql } from "../../subgraphs/shared/database";
import type { Holdings } from "../../subgraphs/shared/data-protection";
import { discardErasure, erasuresAside, undoErasure } from "../../subgraphs/shared/erasure";
import { Purpose } from "../../subgraphs/shared/enums";
import { youthHoldings } from "../../subgraphs/youth/repository";

/** Every agency store's holdings, in the order the job visits them. */
export const HOLDINGS: readonly Holdings[] = [
  policeHoldings,
  councilHoldings,
  youthHoldings,
  housingHoldings,
];

export interface RetentionStores {
  governance: Sql;
  partnership: Sql;
  police: Sql;
  council: Sql;
  youth: Sql;
  housing: Sql;
}

/** The stores an erasure touches, as the job reaches them: directly, one transaction each. */
export function storesDirectly(stores: RetentionStores): ErasureStores {
  return {
    async settle(erasure, decided) {
      const holdings = HOLDINGS.find((h) => h.agencyId === erasure.agencyId);
      const own = async () => {
        if (!holdings) return;
        await stores[holdings.agencyId as keyof RetentionStores].transaction((tx) =>
          decided ? discardErasure(tx, erasure.id) : undoErasure(tx, erasure.id),
        );
      };
      const index = () =>
        stores.partnership.transaction((tx) =>
          settleErasureHere(tx, erasure.id, erasure.personId, decided, decided && erasure.anonymise),
        );
      await settleEach([own, index]);
    },
  };
}

/**
 * Ends what erasures left under way (killed, a store down): decided ones are finished, the others
 * undone (services/data-protection.ts, settleUnderWay). Then rows an erasure moved aside in a
 * store that governance has no erasure for (its first phase committed after the erasure was given
 * up and forgotten) are put back. Returns how many it settled, and those it could not (a store
 * still down: they stay for the next run).
 */
export async function settleErasures(
  stores: RetentionStores,
  options: { at?: Date; log: (line: string) => void },
): Promise<{ settled: number; unsettled: string[] }> {
  const at = options.at ?? new Date();
  const { settled, failed } = await settleUnderWay(stores.governance, storesDirectly(stores), null, at);
  const known = new Set(
    (await new DataProtectionRepository(stores.governance).erasuresUnderWay(null)).map((e) => e.id),
  );
  const before = new Date(at.getTime() - ABANDONED_AFTER_MS);
  let orphans = 0;
  for (const sql of [
    ...HOLDINGS.map((h) => stores[h.agencyId as keyof RetentionStores]),
    stores.partnership,
  ]) {
    for (const id of await erasuresAside(sql, before)) {
      if (known.has(id)) continue;
      await sql.transaction((tx) => undoErasure(tx, id));
      orphans += 1;
    }
  }
  if (settled || orphans)
    options.log(`erasures: ${settled} left under way settled, ${orphans} orphaned put back`);
  for (const { erasure, error } of failed)
    options.log(`erasures: ${erasure.id} (${erasure.state}) could not be settled yet: ${String(error)}`);
  return { settled: settled + orphans, unsettled: failed.map((f) => f.erasure.id) };
}

export interface RetentionOptions {
  /** List what is due; change nothing (and audit nothing). */
  dryRun: boolean;
  /** Records per batch: each batch is one transaction of the owner's store. */
  batchSize: number;
  /** The moment periods are judged at (now). */
  at?: Date;
  log: (line: string) => void;
}

export interface AgencyRun {
  agencyId: string;
  due: number;
  expired: number;
  batches: number;
}

/**
 * The retention job (`npm run retention`, and the CronJob in production): for each agency with
 * rules, the records whose period has run out (a legal hold keeps a person's records out), in
 * batches. Per batch, in this order, each step one transaction of its own store:
 *
 * 1. governance: an audit record of the batch (`DATA_PROTECTION`, the record ids, "expiring");
 * 2. partnership: the cases' links and report index entries for records about to be deleted;
 * 3. the owner: the records deleted or anonymised (`Holdings.expire`).
 *
 * Resumable: what is due is worked out afresh before every batch, so a run stopped anywhere
 * (killed, a store down) is finished by running it again. A batch stopped after step 1 is audited
 * twice ("expiring" both times, expired once); after step 2, its records lose their case links
 * first, which is what step 3 would have done.
 */
export async function runRetention(stores: RetentionStores, options: RetentionOptions): Promise<AgencyRun[]> {
  const at = options.at ?? new Date();
  const requestId = `retention-${randomUUID()}`;
  const rulesOf = new DataProtectionRepository(stores.governance);
  const runs: AgencyRun[] = [];
  // An erasure left half-way is settled first: its records are then either gone or back. One that
  // cannot be yet (a store down) fails the run, after the rules are applied, so that it is seen.
  const unsettled = options.dryRun ? [] : (await settleErasures(stores, { at, log: options.log })).unsettled;
  for (const holdings of HOLDINGS) {
    const agencyId = holdings.agencyId;
    const owner = stores[agencyId as keyof RetentionStores];
    const rules = await rulesOf.rules(agencyId);
    const run: AgencyRun = { agencyId, due: 0, expired: 0, batches: 0 };
    runs.push(run);
    if (!rules.length) {
      options.log(`${agencyId}: no retention rules; nothing is due`);
      continue;
    }
    const held = (await rulesOf.holds(agencyId, null)).map((h) => h.personId);
    if (options.dryRun) {
      for (let offset = 0; ; offset += options.batchSize) {
        const page = await holdings.due(owner, rules, held, at, { offset, limit: options.batchSize });
        run.due = page.totalCount;
        for (const r of page.records)
          options.log(
            `${agencyId} ${r.kind} ${r.id} ${r.retentionCategories[0]} due since ${r.dueSince!.toISOString().slice(0, 10)}`,
          );
        if (page.records.length < options.batchSize) break;
      }
      options.log(`${agencyId}: ${run.due} due (dry run: nothing changed)`);
      continue;
    }
    for (;;) {
      const page = await holdings.due(owner, rules, held, at, { offset: 0, limit: options.batchSize });
      if (!run.batches) run.due = page.totalCount;
      if (!page.records.length) break;
      const keys = page.records.map((r) => ({ kind: r.kind, id: r.id }));
      await AuditRepository.append(stores.governance, [
        {
          at: new Date(),
          userId: "retention-job",
          agencyId,
          role: "SYSTEM",
          purpose: Purpose.DATA_PROTECTION,
          operationName: "retention",
          requestId,
          ownerAgencyId: agencyId,
          personIds: [],
          categories: [...new Set(page.records.flatMap((r) => r.retentionCategories))].sort(),
          recordIds: keys.map((k) => `${k.kind}:${k.id}`),
          decision: "PERMITTED",
          reason: null,
          basis: "OWN_DATA",
          agreementId: null,
          consentId: null,
          breakGlass: false,
          justification: null,
          kind: "DATA_PROTECTION",
          detail: `retention: expiring ${keys.length} records (batch ${run.batches + 1})`,
        },
      ]);
      const deleting = keys.filter((k) => holdings.expireDeletes.includes(k.kind)).map((k) => k.id);
      if (deleting.length)
        await stores.partnership.transaction((tx) => forgetRecords(tx, agencyId, deleting));
      const done = await owner.transaction((tx) => holdings.expire(tx, keys));
      run.batches += 1;
      run.expired += keys.length;
      options.log(
        `${agencyId}: batch ${run.batches} expired ${keys.length} records (${done.deleted.length} deleted)`,
      );
    }
    options.log(`${agencyId}: ${run.expired} records expired in ${run.batches} batches`);
  }
  if (unsettled.length)
    throw new Error(`erasures left under way that could not be settled: ${unsettled.join(", ")}`);
  return runs;
}
