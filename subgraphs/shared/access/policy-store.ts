import { loadAccessFacts } from "../../governance/repositories/access-facts";
import { AgencyRepository } from "../../governance/repositories/agencies";
import { accessAuditRecord, AuditRepository } from "../../governance/repositories/audit";
import { ConsentRepository } from "../../governance/repositories/consents";
import type { Sql } from "../database";
import type { AuditEntry, PolicyStore } from "./guard";

/**
 * Group commit for the audit: requests that finish while an append is in flight are written
 * together in the next one, so concurrent requests share one lock, one head read and one
 * commit instead of queueing one by one. Each request still waits for its own rows to be
 * durable (or for the append to fail, which fails every request in it: fail closed).
 */
function groupCommit(
  write: (entries: AuditEntry[]) => Promise<void>,
): (entries: AuditEntry[]) => Promise<void> {
  let waiting: { entries: AuditEntry[]; settle: { resolve(): void; reject(e: unknown): void }[] } | null =
    null;
  let writing = false;
  const drain = async (): Promise<void> => {
    writing = true;
    while (waiting) {
      const batch = waiting;
      waiting = null;
      try {
        await write(batch.entries);
        batch.settle.forEach((s) => s.resolve());
      } catch (error) {
        batch.settle.forEach((s) => s.reject(error));
      }
    }
    writing = false;
  };
  return (entries) =>
    new Promise<void>((resolve, reject) => {
      waiting ??= { entries: [], settle: [] };
      waiting.entries.push(...entries);
      waiting.settle.push({ resolve, reject });
      if (!writing) void drain();
    });
}

/**
 * The governance store as every subgraph consults it: agreements and consents read fresh for
 * each request (a change holds from the very next one), and the audit chain appended to.
 */
export function governancePolicyStore(sql: Sql): PolicyStore {
  const appendAudit = groupCommit(async (entries) => {
    await AuditRepository.append(sql, entries.map(accessAuditRecord));
  });
  return {
    loadFacts: (recipientAgencyId, providerAgencyIds, personIds) =>
      loadAccessFacts(sql, { recipientAgencyId, providerAgencyIds, personIds }),
    async agencyContacts() {
      const agencies = await new AgencyRepository(sql).all();
      return new Map(agencies.map((a) => [a.id, a.contact]));
    },
    dateOfBirth: (personId) => new ConsentRepository(sql).dateOfBirth(personId),
    appendAudit,
  };
}
