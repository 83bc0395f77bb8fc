import type { Sql } from "../../shared/database";
import type { AgreementFacts } from "../../shared/access/decision";
import { AgreementStatus, DataCategory, Purpose } from "../../shared/enums";
import { Agreement } from "../types";

export interface AgreementRow {
  id: string;
  reference: string;
  title: string;
  provider_agency_id: string;
  recipient_agency_id: string;
  status: string;
  purposes: string[];
  categories: string[];
  consent_required_for: string[];
  lawful_basis: string;
  valid_from: string;
  valid_to: string;
  review_date: string;
  suspended_at: Date | null;
  suspended_reason: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  approved_by_provider: boolean;
  approved_by_recipient: boolean;
  version: number;
  supersedes_id: string | null;
  superseded_at: Date | null;
}

/** Dates as text: pg would turn a `date` into a local-midnight Date and shift it across zones. */
export const AGREEMENT_COLUMNS = `a.id, a.reference, a.title, a.provider_agency_id, a.recipient_agency_id, a.status,
  a.purposes, a.categories, a.consent_required_for, a.lawful_basis,
  a.valid_from::text AS valid_from, a.valid_to::text AS valid_to, a.review_date::text AS review_date,
  a.suspended_at, a.suspended_reason, a.revoked_at, a.revoked_reason, a.version, a.supersedes_id, a.superseded_at,
  EXISTS (SELECT 1 FROM agreement_approvals p WHERE p.agreement_id = a.id AND p.agency_id = a.provider_agency_id) AS approved_by_provider,
  EXISTS (SELECT 1 FROM agreement_approvals p WHERE p.agreement_id = a.id AND p.agency_id = a.recipient_agency_id) AS approved_by_recipient`;

export function toAgreement(row: AgreementRow): Agreement {
  return Object.assign(new Agreement(), {
    id: row.id,
    reference: row.reference,
    title: row.title,
    providerAgencyId: row.provider_agency_id,
    recipientAgencyId: row.recipient_agency_id,
    storedStatus: row.status as AgreementStatus,
    purposes: row.purposes as Purpose[],
    categories: row.categories as DataCategory[],
    consentRequiredFor: row.consent_required_for as DataCategory[],
    lawfulBasis: row.lawful_basis,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    reviewDate: row.review_date,
    suspendedAt: row.suspended_at,
    suspendedReason: row.suspended_reason,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    approvedByProvider: row.approved_by_provider,
    approvedByRecipient: row.approved_by_recipient,
    version: row.version,
    supersedesId: row.supersedes_id,
    supersededAt: row.superseded_at,
  });
}

/** What the access decision needs of an agreement. */
export function agreementFacts(a: Agreement): AgreementFacts {
  return {
    id: a.id,
    reference: a.reference,
    providerAgencyId: a.providerAgencyId,
    recipientAgencyId: a.recipientAgencyId,
    status: a.storedStatus,
    approvedByProvider: a.approvedByProvider,
    approvedByRecipient: a.approvedByRecipient,
    purposes: a.purposes,
    categories: a.categories,
    consentRequiredFor: a.consentRequiredFor,
    validFrom: a.validFrom,
    validTo: a.validTo,
    suspendedAt: a.suspendedAt,
    revokedAt: a.revokedAt,
  };
}

export interface ApprovalRow {
  agreementId: string;
  agencyId: string;
  approvedBy: string;
  approvedAt: Date;
}

/** One party's approval of reinstating a suspended agreement. */
export interface ReinstatementRow extends ApprovalRow {
  suspendedAt: Date;
  note: string;
}

/** A periodic review as stored. */
export interface ReviewRow {
  id: string;
  agreementId: string;
  reviewedAt: Date;
  reviewedBy: string;
  reviewerAgencyId: string;
  reviewerRole: string;
  note: string;
  nextReviewDate: string;
}

export interface NewAgreement {
  id: string;
  reference: string;
  /** 1 unless it amends another (`supersedesId`). */
  version?: number;
  supersedesId?: string | null;
  title: string;
  providerAgencyId: string;
  recipientAgencyId: string;
  status: AgreementStatus;
  purposes: Purpose[];
  categories: DataCategory[];
  consentRequiredFor: DataCategory[];
  lawfulBasis: string;
  validFrom: string;
  validTo: string;
  reviewDate: string;
  proposedBy: string;
  proposedAt: Date;
  suspendedAt?: Date | null;
  suspendedReason?: string | null;
}

/** Serialises reference numbering, so two proposals never take the same number. */
const REFERENCE_LOCK = 0x69736120; // "isa "

/** All SQL over agreements and their approvals. */
export class AgreementRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<Agreement[]> {
    const rows = await this.sql.many<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a WHERE a.id = ANY($1)`,
      [ids],
    );
    return rows.map(toAgreement);
  }

  /** Every agreement (a partnership has tens, not thousands), by reference. */
  async all(): Promise<Agreement[]> {
    const rows = await this.sql.many<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a ORDER BY a.reference`,
    );
    return rows.map(toAgreement);
  }

  /** The agreements (whatever their status) under which `provider` shares with `recipient`. */
  async between(providerAgencyId: string, recipientAgencyId: string): Promise<Agreement[]> {
    const rows = await this.sql.many<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a
        WHERE a.provider_agency_id = $1 AND a.recipient_agency_id = $2 ORDER BY a.reference`,
      [providerAgencyId, recipientAgencyId],
    );
    return rows.map(toAgreement);
  }

  /**
   * Locks one agreement until the transaction ends (`sql` must be a transaction), then reads it.
   * Two statements: a statement that waited for the lock still sees the rows of its own snapshot,
   * taken before the other transaction committed (its approval, say); the read after the lock
   * sees everything committed, so concurrent changes see each other instead of colliding.
   */
  async lock(id: string): Promise<Agreement | null> {
    const locked = await this.sql.one<{ id: string }>(`SELECT id FROM agreements WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    if (!locked) return null;
    const row = await this.sql.one<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a WHERE a.id = $1`,
      [id],
    );
    return row ? toAgreement(row) : null;
  }

  async approvalsFor(agreementIds: readonly string[]): Promise<ApprovalRow[]> {
    return this.sql.many<ApprovalRow>(
      `SELECT agreement_id AS "agreementId", agency_id AS "agencyId", approved_by AS "approvedBy", approved_at AS "approvedAt"
         FROM agreement_approvals WHERE agreement_id = ANY($1) ORDER BY agreement_id, approved_at, agency_id`,
      [agreementIds],
    );
  }

  /** The next ISA-<year>-NNN reference (`sql` must be a transaction: the lock holds until it ends). */
  async nextReference(year: number): Promise<string> {
    await this.sql.exec(`SELECT pg_advisory_xact_lock($1::bigint)`, [REFERENCE_LOCK]);
    const row = await this.sql.one<{ n: number }>(
      `SELECT coalesce(max(split_part(reference, '-', 3)::int), 0) + 1 AS n
         FROM agreements WHERE reference ~ $1`,
      [`^ISA-${year}-[0-9]+$`],
    );
    return `ISA-${year}-${String(row?.n ?? 1).padStart(3, "0")}`;
  }

  async insertMany(agreements: readonly NewAgreement[]): Promise<void> {
    await this.sql.exec(
      `INSERT INTO agreements (id, reference, title, provider_agency_id, recipient_agency_id, status, purposes, categories,
                               consent_required_for, lawful_basis, valid_from, valid_to, review_date, proposed_by, proposed_at,
                               suspended_at, suspended_reason, version, supersedes_id)
       SELECT id, reference, title, provider_agency_id, recipient_agency_id, status, purposes, categories,
              consent_required_for, lawful_basis, valid_from, valid_to, review_date, proposed_by, proposed_at,
              suspended_at, suspended_reason, version, supersedes_id
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, reference text, title text, provider_agency_id text,
              recipient_agency_id text, status text, purposes text[], categories text[], consent_required_for text[],
              lawful_basis text, valid_from date, valid_to date, review_date date, proposed_by text, proposed_at timestamptz,
              suspended_at timestamptz, suspended_reason text, version int, supersedes_id text)`,
      [
        JSON.stringify(
          agreements.map((a) => ({
            id: a.id,
            reference: a.reference,
            title: a.title,
            provider_agency_id: a.providerAgencyId,
            recipient_agency_id: a.recipientAgencyId,
            status: a.status,
            purposes: a.purposes,
            categories: a.categories,
            consent_required_for: a.consentRequiredFor,
            lawful_basis: a.lawfulBasis,
            valid_from: a.validFrom,
            valid_to: a.validTo,
            review_date: a.reviewDate,
            proposed_by: a.proposedBy,
            proposed_at: a.proposedAt.toISOString(),
            suspended_at: a.suspendedAt?.toISOString() ?? null,
            suspended_reason: a.suspendedReason ?? null,
            version: a.version ?? 1,
            supersedes_id: a.supersedesId ?? null,
          })),
        ),
      ],
    );
  }

  async insertApprovals(approvals: readonly ApprovalRow[]): Promise<void> {
    await this.sql.exec(
      `INSERT INTO agreement_approvals (agreement_id, agency_id, approved_by, approved_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])`,
      [
        approvals.map((a) => a.agreementId),
        approvals.map((a) => a.agencyId),
        approvals.map((a) => a.approvedBy),
        approvals.map((a) => a.approvedAt.toISOString()),
      ],
    );
  }

  async setStatus(id: string, status: AgreementStatus): Promise<void> {
    await this.sql.exec(`UPDATE agreements SET status = $2 WHERE id = $1`, [id, status]);
  }

  async suspend(id: string, reason: string, at: Date): Promise<void> {
    await this.sql.exec(
      `UPDATE agreements SET status = 'SUSPENDED', suspended_at = $2, suspended_reason = $3 WHERE id = $1`,
      [id, at, reason],
    );
  }

  async revoke(id: string, reason: string, at: Date): Promise<void> {
    await this.sql.exec(
      `UPDATE agreements SET status = 'REVOKED', revoked_at = $2, revoked_reason = $3 WHERE id = $1`,
      [id, at, reason],
    );
  }

  /**
   * The amendment of `id` still awaiting approval (a DRAFT version that supersedes it and was not
   * revoked), if any: one at a time, so the parties never approve two rival versions.
   */
  async pendingAmendmentOf(id: string): Promise<Agreement | null> {
    const row = await this.sql.one<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a
        WHERE a.supersedes_id = $1 AND a.status = 'DRAFT' AND a.revoked_at IS NULL
        ORDER BY a.version DESC LIMIT 1`,
      [id],
    );
    return row ? toAgreement(row) : null;
  }

  /** The next version number of an agreement (a revoked draft amendment keeps its number). */
  async nextVersion(reference: string): Promise<number> {
    const row = await this.sql.one<{ n: number }>(
      `SELECT coalesce(max(version), 0) + 1 AS n FROM agreements WHERE reference = $1`,
      [reference],
    );
    return row?.n ?? 1;
  }

  /** A version's place taken by its amendment, now in force. */
  async supersede(id: string, at: Date): Promise<void> {
    await this.sql.exec(`UPDATE agreements SET status = 'SUPERSEDED', superseded_at = $2 WHERE id = $1`, [
      id,
      at,
    ]);
  }

  /** Approvals of reinstating each agreement since its present suspension (none when not suspended). */
  async reinstatementsFor(agreementIds: readonly string[]): Promise<ReinstatementRow[]> {
    return this.sql.many<ReinstatementRow>(
      `SELECT r.agreement_id AS "agreementId", r.agency_id AS "agencyId", r.approved_by AS "approvedBy",
              r.approved_at AS "approvedAt", r.suspended_at AS "suspendedAt", r.note
         FROM agreement_reinstatements r JOIN agreements a ON a.id = r.agreement_id AND a.suspended_at = r.suspended_at
        WHERE r.agreement_id = ANY($1) ORDER BY r.agreement_id, r.approved_at, r.agency_id`,
      [agreementIds],
    );
  }

  async insertReinstatement(row: ReinstatementRow): Promise<void> {
    await this.sql.exec(
      `INSERT INTO agreement_reinstatements (agreement_id, agency_id, suspended_at, approved_by, approved_at, note)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.agreementId, row.agencyId, row.suspendedAt, row.approvedBy, row.approvedAt, row.note],
    );
  }

  /** Back in force after its suspension (its approvals stand; the reinstatements record the return). */
  async reinstate(id: string): Promise<void> {
    await this.sql.exec(
      `UPDATE agreements SET status = 'ACTIVE', suspended_at = NULL, suspended_reason = NULL WHERE id = $1`,
      [id],
    );
  }

  async reviewsFor(agreementIds: readonly string[]): Promise<ReviewRow[]> {
    return this.sql.many<ReviewRow>(
      `SELECT id, agreement_id AS "agreementId", reviewed_at AS "reviewedAt", reviewed_by AS "reviewedBy",
              reviewer_agency_id AS "reviewerAgencyId", reviewer_role AS "reviewerRole", note,
              next_review_date::text AS "nextReviewDate"
         FROM agreement_reviews WHERE agreement_id = ANY($1) ORDER BY agreement_id, reviewed_at, id`,
      [agreementIds],
    );
  }

  /** Records a review and moves the agreement's review date on to the one it set. */
  async insertReview(row: ReviewRow): Promise<void> {
    await this.sql.exec(
      `INSERT INTO agreement_reviews (id, agreement_id, reviewed_at, reviewed_by, reviewer_agency_id, reviewer_role, note, next_review_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        row.id,
        row.agreementId,
        row.reviewedAt,
        row.reviewedBy,
        row.reviewerAgencyId,
        row.reviewerRole,
        row.note,
        row.nextReviewDate,
      ],
    );
    await this.sql.exec(`UPDATE agreements SET review_date = $2 WHERE id = $1`, [
      row.agreementId,
      row.nextReviewDate,
    ]);
  }

  /**
   * Agreements whose review falls due on or before `onOrBefore` (YYYY-MM-DD), overdue ones
   * included, soonest first: those still in force or suspended (a draft, a revoked, a superseded
   * or an expired one has nothing to review). A review date passing does not switch an agreement
   * off: this is what the partnership is told to look at (agreementsDueForReview, and the
   * notification of a review falling due).
   */
  async whoseReviewFallsDue(onOrBefore: string, today: string): Promise<Agreement[]> {
    const rows = await this.sql.many<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a
        WHERE a.review_date <= $1 AND a.valid_to >= $2 AND a.revoked_at IS NULL
          AND a.status IN ('ACTIVE', 'SUSPENDED')
        ORDER BY a.review_date, a.reference, a.version`,
      [onOrBefore, today],
    );
    return rows.map(toAgreement);
  }
}
