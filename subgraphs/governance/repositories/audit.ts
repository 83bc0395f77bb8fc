import type { Sql } from "../../shared/database";
import type { PageRequest } from "../../shared/connection";
import type { Page } from "../../shared/loaders";
import {
  ChainVerifier,
  type AuditDecision,
  type AuditKind,
  type ChainRow,
} from "../../shared/access/audit-chain";
import { appendAuditChecked, type NewAuditRecord } from "../../shared/access/governance-sql";

export type { NewAuditRecord };

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

export interface AuditVerification {
  ok: boolean;
  /** Records that verified before the first broken one (all of them when ok). */
  checked: number;
  firstBadSequence?: number;
  reason?: string;
}

/**
 * A person's disclosures and denials of one agency's data ($1 the agency, $2 the person id): by
 * their pseudonym under that agency's key, or in clear in records written before pseudonyms.
 */
const DISCLOSURES_OF_PERSON = `a.owner_agency_id = $1 AND a.kind IN ('DISCLOSURE', 'DENIAL')
  AND (a.person_ids @> ARRAY[$2]::text[]
       OR a.person_ids @> ARRAY[(SELECT k.pseudonym FROM person_keys k
                                  WHERE k.person_id = $2 AND k.agency_id = $1)]::text[])`;

/** The people index's records of links of one agency's references ($1) to a person ($2). */
const PERSON_MATCHES = `a.owner_agency_id = 'partnership' AND a.agency_id = $1
  AND a.kind IN ('PERSON_MATCH', 'PERSON_MATCH_REVIEW')
  AND a.person_ids @> ARRAY[(SELECT k.pseudonym FROM person_keys k
                              WHERE k.person_id = $2 AND k.agency_id = 'partnership')]::text[]`;

/**
 * The people a record names (column "people"), as ids: pseudonyms whose key still exists, and
 * ids written in clear before pseudonyms. A person whose key was destroyed is no longer named.
 */
export const PEOPLE_OF_RECORD = `ARRAY(
  SELECT coalesce(k.person_id, u.p) FROM unnest(a.person_ids) WITH ORDINALITY u(p, i)
    LEFT JOIN person_keys k ON k.pseudonym = u.p
   WHERE k.person_id IS NOT NULL OR u.p !~ '^[0-9a-f]{64}$'
   ORDER BY u.i) AS people`;

/** All SQL over the audit log. Appends are static: they work on a Sql, not a request's loaders. */
export class AuditRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Appends records to the chain and returns them as stored, in one statement (the access core's
   * `audit_append` call, shared/access/governance-sql.ts). Given a transaction, the audit record
   * and the change it records commit together or not at all.
   */
  static async append(sql: Sql, records: readonly NewAuditRecord[]): Promise<ChainRow[]> {
    return (await appendAuditChecked(sql, records, null))!;
  }

  /**
   * A page of the disclosures (and denials) of one agency's data about one person, newest first.
   * The one lookup of a person in the audit (subject access export uses it too): records name
   * people by keyed pseudonym (migration DataProtection), so it computes the person's pseudonym
   * under that agency's key; once the key is destroyed (erasure) nothing is found, as intended.
   * Records written before pseudonyms (in clear) are found by the id itself.
   */
  async disclosures(ownerAgencyId: string, personId: string, page: PageRequest): Promise<Page<ChainRow>> {
    const rows = await this.sql.many<AuditRow & { total: string }>(
      `SELECT ${AUDIT_COLUMNS}, count(*) OVER () AS total
         FROM audit_log a
        WHERE ${DISCLOSURES_OF_PERSON}
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

  /**
   * A page of what the people index's audit records about the links of one agency's references to
   * a person, newest first: its imports' automatic links and queued reviews (PERSON_MATCH) and its
   * DSOs' review decisions (PERSON_MATCH_REVIEW). Found by the person's pseudonym under the people
   * index's key (owner `partnership`), as those records name them; the other people a record names
   * come back as ids in `people` (PEOPLE_OF_RECORD).
   */
  async personMatches(
    agencyId: string,
    personId: string,
    page: PageRequest,
  ): Promise<Page<ChainRow & { people: string[] }>> {
    const rows = await this.sql.many<AuditRow & { people: string[]; total: string }>(
      `SELECT ${AUDIT_COLUMNS}, ${PEOPLE_OF_RECORD}, count(*) OVER () AS total
         FROM audit_log a
        WHERE ${PERSON_MATCHES}
        ORDER BY a.sequence DESC
       OFFSET $3 LIMIT $4`,
      [agencyId, personId, page.offset, page.limit + 1],
    );
    let totalCount = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page.offset > 0)
      totalCount = Number(
        (
          await this.sql.one<{ total: string }>(
            `SELECT count(*) AS total FROM audit_log a WHERE ${PERSON_MATCHES}`,
            [agencyId, personId],
          )
        )?.total ?? 0,
      );
    return { items: rows.map((r) => ({ ...toChainRow(r), people: r.people })), totalCount };
  }

  private async countDisclosures(ownerAgencyId: string, personId: string): Promise<number> {
    const row = await this.sql.one<{ total: string }>(
      `SELECT count(*) AS total FROM audit_log a WHERE ${DISCLOSURES_OF_PERSON}`,
      [ownerAgencyId, personId],
    );
    return Number(row?.total ?? 0);
  }

  /**
   * Crypto-shredding: destroys the keys under which the audit names the person in records of
   * these agencies' data (all agencies when null), so that no record links them any more. The
   * records, their hashes and the chain stay as they are. Given a transaction, it commits with
   * the erasure it belongs to. Returns how many keys were destroyed.
   */
  static async forgetPerson(
    sql: Sql,
    personId: string,
    agencyIds: readonly string[] | null,
  ): Promise<number> {
    const rows = await sql.many<{ agency_id: string }>(
      `DELETE FROM person_keys WHERE person_id = $1 AND ($2::text[] IS NULL OR agency_id = ANY($2::text[]))
       RETURNING agency_id`,
      [personId, agencyIds],
    );
    return rows.length;
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

/** The last verdict `npm run audit:verify` recorded, if any. */
export interface RecordedVerification extends AuditVerification {
  at: Date;
}

/** Keeps a verdict for auditChainStatus; the auditor role may add one and nothing else. */
export async function recordVerification(sql: Sql, result: AuditVerification): Promise<void> {
  await sql.exec(
    `INSERT INTO audit_verifications (intact, checked, first_bad_sequence, reason) VALUES ($1, $2, $3, $4)`,
    [result.ok, result.checked, result.firstBadSequence ?? null, result.reason ?? null],
  );
}

export async function lastVerification(sql: Sql): Promise<RecordedVerification | null> {
  const row = await sql.one<{
    verified_at: Date;
    intact: boolean;
    checked: string;
    first_bad_sequence: string | null;
    reason: string | null;
  }>(
    `SELECT verified_at, intact, checked, first_bad_sequence, reason FROM audit_verifications ORDER BY id DESC LIMIT 1`,
  );
  if (!row) return null;
  return {
    at: row.verified_at,
    ok: row.intact,
    checked: Number(row.checked),
    ...(row.first_bad_sequence !== null ? { firstBadSequence: Number(row.first_bad_sequence) } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
  };
}

/** What `npm run audit:verify` runs: the verdict on the governance store's audit log. */
export function runAuditVerify(sql: Sql): Promise<AuditVerification> {
  return verifyAudit(sql);
}
