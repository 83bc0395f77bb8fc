import {
  accessAuditRecord,
  accessFactsVersion,
  agencyContacts,
  appendAuditChecked,
  loadAccessFacts,
  personDateOfBirth,
} from "./governance-sql";
import type { Sql } from "../database";
import { accessMetrics } from "../metrics";
import type { AgreementFacts, ConsentFacts } from "./decision";
import type { AuditEntry, LoadedFacts, PolicyStore } from "./guard";

type Settle = { resolve(written: boolean): void; reject(error: unknown): void };

/**
 * Group commit for the audit: requests that finish while an append is in flight are written
 * together in the next one, so concurrent requests share one lock, one head read and one
 * commit instead of queueing one by one. Requests decided on facts of different versions are
 * appended apart (each append checks one version). Each request still waits for its own rows to
 * be durable (or for the append to fail, which fails every request in it: fail closed).
 */
function groupCommit(
  write: (entries: AuditEntry[], factsVersion: number | null) => Promise<boolean>,
): (entries: AuditEntry[], factsVersion: number | null) => Promise<boolean> {
  let waiting = new Map<number | null, { entries: AuditEntry[]; settle: Settle[] }>();
  let writing = false;
  const drain = async (): Promise<void> => {
    writing = true;
    while (waiting.size) {
      const batches = waiting;
      waiting = new Map();
      for (const [factsVersion, batch] of batches) {
        try {
          const written = await write(batch.entries, factsVersion);
          batch.settle.forEach((s) => s.resolve(written));
        } catch (error) {
          batch.settle.forEach((s) => s.reject(error));
        }
      }
    }
    writing = false;
  };
  return (entries, factsVersion) =>
    new Promise<boolean>((resolve, reject) => {
      let batch = waiting.get(factsVersion);
      if (!batch) waiting.set(factsVersion, (batch = { entries: [], settle: [] }));
      batch.entries.push(...entries);
      batch.settle.push({ resolve, reject });
      if (!writing) void drain();
    });
}

/** Entries kept before the cache starts again from empty: a bound on memory, not a policy. */
const FACTS_CACHE_LIMIT = 100_000;

/**
 * Agreements and consents as last read, all at one version of `access_facts_version`. A request
 * may decide on them only because its audit append checks that version is still current and
 * writes nothing when it is not (the request then runs again on fresh facts): so no cached fact
 * outlives a change for the next request. Reading them per request was nearly half the CPU the
 * rules cost on the Person360 benchmark (5 of 11 ms per operation).
 */
class FactsCache {
  private version = -1;
  /** Agreements either way between the recipient and another agency, by `recipient|other`. */
  private readonly agreements = new Map<string, AgreementFacts[]>();
  /** A person's consents to the recipient, by `recipient|person`. */
  private readonly consents = new Map<string, ConsentFacts[]>();

  lookup(recipient: string, providers: string[], people: string[]): LoadedFacts | null {
    const agreements: AgreementFacts[] = [];
    const consents: ConsentFacts[] = [];
    for (const provider of providers) {
      const known = this.agreements.get(`${recipient}|${provider}`);
      if (!known) return null;
      agreements.push(...known);
    }
    for (const person of people) {
      const known = this.consents.get(`${recipient}|${person}`);
      if (!known) return null;
      consents.push(...known);
    }
    return { agreements, consents, version: this.version, cached: true };
  }

  keep(recipient: string, providers: string[], people: string[], facts: LoadedFacts): void {
    // A slower read of an older version must not replace a newer one.
    if (facts.version < this.version) return;
    if (facts.version > this.version || this.consents.size + this.agreements.size > FACTS_CACHE_LIMIT) {
      this.agreements.clear();
      this.consents.clear();
      this.version = facts.version;
    }
    for (const provider of providers) {
      this.agreements.set(
        `${recipient}|${provider}`,
        facts.agreements.filter(
          (a) =>
            (a.recipientAgencyId === recipient && a.providerAgencyId === provider) ||
            (a.providerAgencyId === recipient && a.recipientAgencyId === provider),
        ),
      );
    }
    for (const person of people) {
      this.consents.set(
        `${recipient}|${person}`,
        facts.consents.filter((c) => c.personId === person),
      );
    }
  }

  /** Drops everything: the version has moved on. */
  forget(): void {
    this.version = -1;
    this.agreements.clear();
    this.consents.clear();
  }
}

/**
 * The governance store as every subgraph consults it: agreements and consents (kept between
 * requests, checked at the audit append; see FactsCache), and the audit chain appended to.
 */
export function governancePolicyStore(sql: Sql): PolicyStore {
  const cache = new FactsCache();
  const appendAudit = groupCommit(async (entries, factsVersion) => {
    const timer = accessMetrics.auditAppendSeconds.startTimer();
    let result = "failed";
    try {
      const stored = await appendAuditChecked(sql, entries.map(accessAuditRecord), factsVersion);
      result = stored === null ? "stale" : "stored";
      if (stored === null) cache.forget();
      return stored !== null;
    } finally {
      timer({ result });
    }
  });
  return {
    async loadFacts(recipientAgencyId, providerAgencyIds, personIds, { fresh }) {
      const known = fresh ? null : cache.lookup(recipientAgencyId, providerAgencyIds, personIds);
      accessMetrics.factsCache.inc({ result: fresh ? "fresh" : known ? "hit" : "miss" });
      if (known) return known;
      const facts = await loadAccessFacts(sql, { recipientAgencyId, providerAgencyIds, personIds });
      const loaded = { ...facts, cached: false };
      cache.keep(recipientAgencyId, providerAgencyIds, personIds, loaded);
      return loaded;
    },
    async factsCurrent(version) {
      const current = (await accessFactsVersion(sql)) === version;
      if (!current) cache.forget();
      return current;
    },
    agencyContacts: () => agencyContacts(sql),
    dateOfBirth: (personId) => personDateOfBirth(sql, personId),
    async correctDateOfBirth(personId, dateOfBirth) {
      await sql.exec(`UPDATE person_dates_of_birth SET date_of_birth = $2 WHERE person_id = $1`, [
        personId,
        dateOfBirth,
      ]);
    },
    appendAudit,
  };
}
