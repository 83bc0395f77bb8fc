import type { Sql } from "../database";
import type { AgreementStatus, ConsentGiver, DataCategory, Purpose } from "../enums";
import {
  auditContentOf,
  canonicalAroundPeopleAndSequence,
  type AuditContent,
  type AuditKind,
  type ChainRow,
} from "./audit-chain";
import type { AgreementFacts, ConsentFacts } from "./decision";

/**
 * The SQL by which the access core reads governance's store and appends to its audit, through the
 * access role: agreements, consents, agencies, dates of birth and `audit_append`. Governance owns
 * the tables and their migrations; these statements are the contract every subgraph relies on.
 */

export interface AccessFactsQuery {
  /** The caller's agency. */
  recipientAgencyId: string;
  /** The agencies whose data the request may return. */
  providerAgencyIds: string[];
  /** The people it is about. */
  personIds: string[];
}

export interface AccessFacts {
  agreements: AgreementFacts[];
  consents: ConsentFacts[];
  /** `access_facts_version` when they were read: an audit append checks it is still current. */
  version: number;
}

interface AgreementFactsRow {
  id: string;
  reference: string;
  provider_agency_id: string;
  recipient_agency_id: string;
  status: string;
  purposes: string[];
  categories: string[];
  consent_required_for: string[];
  valid_from: string;
  valid_to: string;
  suspended_at: Date | null;
  revoked_at: Date | null;
  approved_by_provider: boolean;
  approved_by_recipient: boolean;
}

/** Dates as text: pg would turn a `date` into a local-midnight Date and shift it across zones. */
const AGREEMENT_FACTS_COLUMNS = `a.id, a.reference, a.provider_agency_id, a.recipient_agency_id, a.status,
  a.purposes, a.categories, a.consent_required_for,
  a.valid_from::text AS valid_from, a.valid_to::text AS valid_to, a.suspended_at, a.revoked_at,
  EXISTS (SELECT 1 FROM agreement_approvals p WHERE p.agreement_id = a.id AND p.agency_id = a.provider_agency_id) AS approved_by_provider,
  EXISTS (SELECT 1 FROM agreement_approvals p WHERE p.agreement_id = a.id AND p.agency_id = a.recipient_agency_id) AS approved_by_recipient`;

function agreementFacts(row: AgreementFactsRow): AgreementFacts {
  return {
    id: row.id,
    reference: row.reference,
    providerAgencyId: row.provider_agency_id,
    recipientAgencyId: row.recipient_agency_id,
    status: row.status as AgreementStatus,
    approvedByProvider: row.approved_by_provider,
    approvedByRecipient: row.approved_by_recipient,
    purposes: row.purposes as Purpose[],
    categories: row.categories as DataCategory[],
    consentRequiredFor: row.consent_required_for as DataCategory[],
    validFrom: row.valid_from,
    validTo: row.valid_to,
    suspendedAt: row.suspended_at,
    revokedAt: row.revoked_at,
  };
}

interface ConsentFactsRow {
  id: string;
  person_id: string;
  recipient_agency_id: string;
  provider_agency_id: string;
  purposes: string[];
  categories: string[];
  given_by: string;
  given_at: Date;
  expires_at: Date | null;
  withdrawn_at: Date | null;
}

const CONSENT_FACTS_COLUMNS = `c.id, c.person_id, c.recipient_agency_id, c.provider_agency_id, c.purposes, c.categories,
  c.given_by, c.given_at, c.expires_at, c.withdrawn_at`;

function consentFacts(row: ConsentFactsRow): ConsentFacts {
  return {
    id: row.id,
    personId: row.person_id,
    recipientAgencyId: row.recipient_agency_id,
    providerAgencyId: row.provider_agency_id,
    purposes: row.purposes as Purpose[],
    categories: row.categories as DataCategory[],
    givenBy: row.given_by as ConsentGiver,
    givenAt: row.given_at,
    expiresAt: row.expires_at,
    withdrawnAt: row.withdrawn_at,
  };
}

/** The version agreements and consents are at now. */
export async function accessFactsVersion(sql: Sql): Promise<number> {
  const row = await sql.one<{ version: string }>(`SELECT version FROM access_facts_version`);
  return Number(row!.version);
}

/** json_agg turns timestamps into ISO text: the rows as pg would have returned them. */
function withDates<T>(row: T, columns: readonly (keyof T)[]): T {
  const out = { ...row };
  for (const column of columns) {
    const value = out[column];
    if (typeof value === "string") out[column] = new Date(value) as T[keyof T];
  }
  return out;
}

/**
 * Everything `decideAccess` and `signpostingAllowed` need for one request, in one statement
 * whatever the number of people (every subgraph pays it on every request that touches another
 * agency's data): the agreements between the caller's agency and the owners, in both directions
 * (signposting looks both ways), whatever their status (explanations name the suspended and
 * expired ones), and the people's consents to the caller's agency, with the version they are at.
 */
export async function loadAccessFacts(sql: Sql, query: AccessFactsQuery): Promise<AccessFacts> {
  const providers = [...new Set(query.providerAgencyIds)];
  const people = [...new Set(query.personIds)];
  const row = await sql.one<{
    agreements: AgreementFactsRow[];
    consents: ConsentFactsRow[];
    version: string;
  }>(
    `SELECT
       (SELECT version FROM access_facts_version) AS version,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT ${AGREEMENT_FACTS_COLUMNS} FROM agreements a
           WHERE (a.recipient_agency_id = $1 AND a.provider_agency_id = ANY($2))
              OR (a.provider_agency_id = $1 AND a.recipient_agency_id = ANY($2))) x) AS agreements,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT ${CONSENT_FACTS_COLUMNS} FROM consents c
           WHERE c.person_id = ANY($3) AND c.recipient_agency_id = $1) x) AS consents`,
    [query.recipientAgencyId, providers, people],
  );
  return {
    agreements: row!.agreements.map((a) => agreementFacts(withDates(a, ["suspended_at", "revoked_at"]))),
    consents: row!.consents.map((c) =>
      consentFacts(withDates(c, ["given_at", "expires_at", "withdrawn_at"])),
    ),
    version: Number(row!.version),
  };
}

/** The registered agencies whose tokens are accepted. */
export async function activeAgencyIds(sql: Sql): Promise<string[]> {
  const rows = await sql.many<{ id: string }>(`SELECT id FROM agencies WHERE active ORDER BY id`);
  return rows.map((r) => r.id);
}

/** Whom partners contact to ask for access to each agency's data (signposting names them). */
export async function agencyContacts(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql.many<{ id: string; contact: string }>(
    `SELECT id, contact FROM agencies ORDER BY id`,
  );
  return new Map(rows.map((a) => [a.id, a.contact]));
}

/**
 * A person's date of birth as governance's copy of the people index has it (null when unknown):
 * the under-16 referral rule reads it.
 */
export async function personDateOfBirth(sql: Sql, personId: string): Promise<string | null> {
  const row = await sql.one<{ date_of_birth: string | null }>(
    `SELECT date_of_birth::text AS date_of_birth FROM person_dates_of_birth WHERE person_id = $1`,
    [personId],
  );
  return row?.date_of_birth ?? null;
}

/** A record to append: everything but its place in the chain, which the append assigns. */
export type NewAuditRecord = Omit<AuditContent, "sequence">;

/** A disclosure or denial as the access guard notes it; its kind follows from the decision. */
export type AccessAuditEntry = Omit<NewAuditRecord, "kind"> & {
  /** Set only for what a DSO does for a person's rights or link (SUBJECT_ACCESS, RECTIFICATION, PERSON_MATCH_REVIEW). */
  kind?: Extract<
    AuditKind,
    "SUBJECT_ACCESS" | "RECTIFICATION" | "PERSON_MATCH_REVIEW" | "PERSON_MERGE" | "PERSON_SPLIT"
  >;
};

export function accessAuditRecord(entry: AccessAuditEntry): NewAuditRecord {
  return { ...entry, kind: entry.kind ?? (entry.decision === "DENIED" ? "DENIAL" : "DISCLOSURE") };
}

/** The records as `audit_append` reads them: columns by name, and the content it hashes. */
function toAppendJson(records: readonly NewAuditRecord[]): string {
  return JSON.stringify(
    records.map((r) => {
      const content = canonicalAroundPeopleAndSequence(r);
      return {
        at: r.at.toISOString(),
        user_id: r.userId,
        agency_id: r.agencyId,
        role: r.role,
        purpose: r.purpose,
        operation_name: r.operationName,
        request_id: r.requestId,
        owner_agency_id: r.ownerAgencyId,
        person_ids: r.personIds,
        categories: r.categories,
        record_ids: r.recordIds,
        decision: r.decision,
        reason: r.reason,
        basis: r.basis,
        agreement_id: r.agreementId,
        consent_id: r.consentId,
        break_glass: r.breakGlass,
        justification: r.justification,
        kind: r.kind,
        detail: r.detail,
        content_before: content.before,
        content_between: content.between,
        content_after: content.after,
      };
    }),
  );
}

/**
 * Appends in one statement, whatever the number of records: `audit_append` takes the append
 * lock (held until the transaction ends, so appends queue and none forks the chain), reads the
 * head, then numbers, hashes and inserts each record and writes the checkpoints due.
 * With `factsVersion`, only while agreements and consents are still at that version: null
 * (nothing written) when they have changed since the decisions recorded were made.
 */
export async function appendAuditChecked(
  sql: Sql,
  records: readonly NewAuditRecord[],
  factsVersion: number | null,
): Promise<ChainRow[] | null> {
  if (!records.length) return [];
  const stored = await sql.many<{
    record_sequence: string;
    record_previous_hash: string;
    record_hash: string;
    record_person_ids: string[];
  }>(
    `SELECT record_sequence, record_previous_hash, record_hash, record_person_ids
       FROM audit_append($1::jsonb, $2::bigint)`,
    [toAppendJson(records), factsVersion],
  );
  if (!stored.length) return null;
  return records.map((record, i) => ({
    ...auditContentOf({
      ...record,
      sequence: Number(stored[i].record_sequence),
      personIds: stored[i].record_person_ids,
    }),
    previousHash: stored[i].record_previous_hash,
    hash: stored[i].record_hash,
  }));
}
