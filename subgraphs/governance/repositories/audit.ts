import type { Sql } from "../../shared/database";
import type { PageRequest } from "../../shared/connection";
import type { Page } from "../../shared/loaders";
import {
  auditContentOf,
  canonicalAroundSequence,
  ChainVerifier,
  type AuditContent,
  type AuditDecision,
  type AuditKind,
  type ChainRow,
} from "../../shared/access/audit-chain";

/** A record to append: everything but its place in the chain, which the append assigns. */
export type NewAuditRecord = Omit<AuditContent, "sequence">;

/** A disclosure or denial as the access guard notes it; its kind follows from the decision. */
export type AccessAuditEntry = Omit<NewAuditRecord, "kind">;

export function accessAuditRecord(entry: AccessAuditEntry): NewAuditRecord {
  return { ...entry, kind: entry.decision === "DENIED" ? "DENIAL" : "DISCLOSURE" };
}

/** A checkpoint of the head is written every this many records (by `audit_append`, in SQL). */
export const CHECKPOINT_EVERY = 1000;

/** Rows read back per statement when verifying: the log may hold millions. */
const VERIFY_BATCH = 5000;

export interface AuditRow {
  sequence: string;
  at: Date;
  user_id: string;
  agency_id: string;
  role: string;
  purpose: string | null;
  operation_name: string | null;
  request_id: string;
  owner_agency_id: string | null;
  person_ids: string[];
  categories: string[];
  record_ids: string[];
  decision: string;
  reason: string | null;
  basis: string | null;
  agreement_id: string | null;
  consent_id: string | null;
  break_glass: boolean;
  justification: string | null;
  kind: string;
  detail: string | null;
  previous_hash: string;
  hash: string;
}

export const AUDIT_COLUMNS = `a.sequence, a.at, a.user_id, a.agency_id, a.role, a.purpose, a.operation_name, a.request_id,
  a.owner_agency_id, a.person_ids, a.categories, a.record_ids, a.decision, a.reason, a.basis, a.agreement_id, a.consent_id,
  a.break_glass, a.justification, a.kind, a.detail, a.previous_hash, a.hash`;

export function toChainRow(row: AuditRow): ChainRow {
  return {
    sequence: Number(row.sequence),
    at: row.at,
    userId: row.user_id,
    agencyId: row.agency_id,
    role: row.role,
    purpose: row.purpose,
    operationName: row.operation_name,
    requestId: row.request_id,
    ownerAgencyId: row.owner_agency_id,
    personIds: row.person_ids,
    categories: row.categories,
    recordIds: row.record_ids,
    decision: row.decision as AuditDecision,
    reason: row.reason,
    basis: row.basis,
    agreementId: row.agreement_id,
    consentId: row.consent_id,
    breakGlass: row.break_glass,
    justification: row.justification,
    kind: row.kind as AuditKind,
    detail: row.detail,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** The records as `audit_append` reads them: columns by name, and the content it hashes. */
function toAppendJson(records: readonly NewAuditRecord[]): string {
  return JSON.stringify(
    records.map((r) => {
      const content = canonicalAroundSequence(r);
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
        content_after: content.after,
      };
    }),
  );
}

export interface AuditVerification {
  ok: boolean;
  /** Records that verified before the first broken one (all of them when ok). */
  checked: number;
  firstBadSequence?: number;
  reason?: string;
}

/** All SQL over the audit log. Appends are static: they work on a Sql, not a request's loaders. */
export class AuditRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Appends records to the chain and returns them as stored, in one statement. Given a
   * transaction, the audit record and the change it records commit together or not at all.
   */
  static async append(sql: Sql, records: readonly NewAuditRecord[]): Promise<ChainRow[]> {
    return (await AuditRepository.appendChecked(sql, records, null))!;
  }

  /**
   * Appends in one statement, whatever the number of records: `audit_append` takes the append
   * lock (held until the transaction ends, so appends queue and none forks the chain), reads the
   * head, then numbers, hashes and inserts each record and writes the checkpoints due.
   * With `factsVersion`, only while agreements and consents are still at that version: null
   * (nothing written) when they have changed since the decisions recorded were made.
   */
  static async appendChecked(
    sql: Sql,
    records: readonly NewAuditRecord[],
    factsVersion: number | null,
  ): Promise<ChainRow[] | null> {
    if (!records.length) return [];
    const stored = await sql.many<{
      record_sequence: string;
      record_previous_hash: string;
      record_hash: string;
    }>(`SELECT record_sequence, record_previous_hash, record_hash FROM audit_append($1::jsonb, $2::bigint)`, [
      toAppendJson(records),
      factsVersion,
    ]);
    if (!stored.length) return null;
    return records.map((record, i) => ({
      ...auditContentOf({ ...record, sequence: Number(stored[i].record_sequence) }),
      previousHash: stored[i].record_previous_hash,
      hash: stored[i].record_hash,
    }));
  }

  /** A page of the disclosures (and denials) of one agency's data about one person, newest first. */
  async disclosures(ownerAgencyId: string, personId: string, page: PageRequest): Promise<Page<ChainRow>> {
    const rows = await this.sql.many<AuditRow & { total: string }>(
      `SELECT ${AUDIT_COLUMNS}, count(*) OVER () AS total
         FROM audit_log a
        WHERE a.owner_agency_id = $1 AND a.person_ids @> ARRAY[$2]::text[] AND a.kind IN ('DISCLOSURE', 'DENIAL')
        ORDER BY a.sequence DESC
       OFFSET $3 LIMIT $4`,
      [ownerAgencyId, personId, page.offset, page.limit + 1],
    );
    const totalCount = rows.length
      ? Number(rows[0].total)
      : page.offset > 0
        ? await this.countDisclosures(ownerAgencyId, personId)
        : 0;
    return { items: rows.map(toChainRow), totalCount };
  }

  private async countDisclosures(ownerAgencyId: string, personId: string): Promise<number> {
    const row = await this.sql.one<{ total: string }>(
      `SELECT count(*) AS total FROM audit_log a
        WHERE a.owner_agency_id = $1 AND a.person_ids @> ARRAY[$2]::text[] AND a.kind IN ('DISCLOSURE', 'DENIAL')`,
      [ownerAgencyId, personId],
    );
    return Number(row?.total ?? 0);
  }

  async head(): Promise<{ sequence: number; hash: string } | null> {
    const row = await this.sql.one<{ sequence: string; hash: string }>(
      `SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1`,
    );
    return row ? { sequence: Number(row.sequence), hash: row.hash } : null;
  }
}

/**
 * Recomputes the whole chain in sequence order, in batches (the log may be large), against the
 * checkpoints, and names the first broken record. Checkpoints are read first: every checkpoint
 * commits with the records it covers, so they are all there when the records are read.
 */
export async function verifyAudit(sql: Sql, batchSize = VERIFY_BATCH): Promise<AuditVerification> {
  const checkpoints = await sql.many<{ sequence: string; hash: string }>(
    `SELECT sequence, hash FROM audit_checkpoints ORDER BY sequence`,
  );
  const verifier = new ChainVerifier(
    checkpoints.map((c) => ({ sequence: Number(c.sequence), hash: c.hash })),
  );
  let after: string | null = null;
  for (;;) {
    const rows: AuditRow[] = await sql.many<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log a WHERE ($1::bigint IS NULL OR a.sequence > $1::bigint) ORDER BY a.sequence LIMIT $2`,
      [after, batchSize],
    );
    if (!rows.length) break;
    let intact = true;
    for (const row of rows) if (!(intact = verifier.push(toChainRow(row)))) break;
    if (!intact || rows.length < batchSize) break;
    after = rows[rows.length - 1].sequence;
  }
  const result = verifier.finish();
  return result.ok
    ? { ok: true, checked: verifier.checked }
    : {
        ok: false,
        checked: verifier.checked,
        firstBadSequence: result.firstBadSequence,
        reason: result.reason,
      };
}

/** What `npm run audit:verify` runs: the verdict on the governance store's audit log. */
export function runAuditVerify(sql: Sql): Promise<AuditVerification> {
  return verifyAudit(sql);
}
