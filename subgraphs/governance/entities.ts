import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from "typeorm";

/** A partner agency: the owner of records and a party to agreements. */
@Entity({ name: "agencies" })
export class AgencyRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** POLICE, COUNCIL, YOUTH, HOUSING or a deployment's own kind. */
  @Column({ type: "text" })
  kind!: string;

  /** Whom partners contact to ask for access (signposting). */
  @Column({ type: "text" })
  contact!: string;

  /** Only an active agency's tokens are accepted (gateway and every subgraph). */
  @Column({ type: "boolean", default: true })
  active!: boolean;
}

/** An information sharing agreement: provider may share categories with recipient for purposes. */
@Entity({ name: "agreements" })
@Index("agreements_parties", ["recipientAgencyId", "providerAgencyId"])
@Unique("agreements_reference_version_key", ["reference", "version"])
export class AgreementRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** Shared by every version of one agreement. */
  @Column({ type: "text" })
  reference!: string;

  /** 1 when proposed; an amendment is the next version. */
  @Column({ type: "int", default: 1 })
  version!: number;

  /** The version this one amends; null for a first version. */
  @Column({ type: "text", name: "supersedes_id", nullable: true })
  supersedesId!: string | null;

  /** When a later version came into force in its place. */
  @Column({ type: "timestamptz", name: "superseded_at", nullable: true })
  supersededAt!: Date | null;

  @Column({ type: "text" })
  title!: string;

  @Column({ type: "text", name: "provider_agency_id" })
  providerAgencyId!: string;

  @Column({ type: "text", name: "recipient_agency_id" })
  recipientAgencyId!: string;

  /** DRAFT, ACTIVE, SUSPENDED, REVOKED or SUPERSEDED; EXPIRED is computed from the dates. */
  @Column({ type: "text" })
  status!: string;

  @Column({ type: "text", array: true })
  purposes!: string[];

  @Column({ type: "text", array: true })
  categories!: string[];

  @Column({ type: "text", array: true, name: "consent_required_for", default: () => "'{}'" })
  consentRequiredFor!: string[];

  @Column({ type: "text", name: "lawful_basis" })
  lawfulBasis!: string;

  @Column({ type: "date", name: "valid_from" })
  validFrom!: string;

  @Column({ type: "date", name: "valid_to" })
  validTo!: string;

  @Column({ type: "date", name: "review_date" })
  reviewDate!: string;

  @Column({ type: "text", name: "proposed_by" })
  proposedBy!: string;

  @Column({ type: "timestamptz", name: "proposed_at" })
  proposedAt!: Date;

  @Column({ type: "timestamptz", name: "suspended_at", nullable: true })
  suspendedAt!: Date | null;

  @Column({ type: "text", name: "suspended_reason", nullable: true })
  suspendedReason!: string | null;

  @Column({ type: "timestamptz", name: "revoked_at", nullable: true })
  revokedAt!: Date | null;

  @Column({ type: "text", name: "revoked_reason", nullable: true })
  revokedReason!: string | null;
}

/** One party's approval of an agreement. */
@Entity({ name: "agreement_approvals" })
export class AgreementApprovalRecord {
  @PrimaryColumn({ type: "text", name: "agreement_id" })
  agreementId!: string;

  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text", name: "approved_by" })
  approvedBy!: string;

  @Column({ type: "timestamptz", name: "approved_at" })
  approvedAt!: Date;
}

/** One party's approval of reinstating a suspended agreement, for one suspension. */
@Entity({ name: "agreement_reinstatements" })
export class AgreementReinstatementRecord {
  @PrimaryColumn({ type: "text", name: "agreement_id" })
  agreementId!: string;

  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  /** The suspension it ends: a later suspension needs both parties again. */
  @PrimaryColumn({ type: "timestamptz", name: "suspended_at" })
  suspendedAt!: Date;

  @Column({ type: "text", name: "approved_by" })
  approvedBy!: string;

  @Column({ type: "timestamptz", name: "approved_at" })
  approvedAt!: Date;

  @Column({ type: "text" })
  note!: string;
}

/** A periodic review of an agreement by a DSO of a party, and the review date it set. */
@Entity({ name: "agreement_reviews" })
@Index("agreement_reviews_agreement", ["agreementId", "reviewedAt"])
export class AgreementReviewRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "agreement_id" })
  agreementId!: string;

  @Column({ type: "timestamptz", name: "reviewed_at" })
  reviewedAt!: Date;

  @Column({ type: "text", name: "reviewed_by" })
  reviewedBy!: string;

  @Column({ type: "text", name: "reviewer_agency_id" })
  reviewerAgencyId!: string;

  @Column({ type: "text", name: "reviewer_role" })
  reviewerRole!: string;

  @Column({ type: "text" })
  note!: string;

  @Column({ type: "date", name: "next_review_date" })
  nextReviewDate!: string;
}

/** A person's consent to share categories of their data with a recipient agency. */
@Entity({ name: "consents" })
@Index("consents_person_recipient", ["personId", "recipientAgencyId"])
export class ConsentRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text", name: "recipient_agency_id" })
  recipientAgencyId!: string;

  /** The agency whose data it covers; only its DSOs record it. */
  @Column({ type: "text", name: "provider_agency_id" })
  providerAgencyId!: string;

  @Column({ type: "text", array: true })
  purposes!: string[];

  @Column({ type: "text", array: true })
  categories!: string[];

  @Column({ type: "text", name: "given_by" })
  givenBy!: string;

  @Column({ type: "timestamptz", name: "given_at" })
  givenAt!: Date;

  @Column({ type: "timestamptz", name: "expires_at", nullable: true })
  expiresAt!: Date | null;

  @Column({ type: "timestamptz", name: "withdrawn_at", nullable: true })
  withdrawnAt!: Date | null;

  @Column({ type: "text", name: "evidence_ref" })
  evidenceRef!: string;

  @Column({ type: "text", name: "recorded_by_agency_id" })
  recordedByAgencyId!: string;

  @Column({ type: "text", name: "recorded_by" })
  recordedBy!: string;

  @Column({ type: "timestamptz", name: "recorded_at" })
  recordedAt!: Date;
}

/**
 * Governance's copy of the people index: every person in it (a consent for anyone else is
 * refused), with the date of birth when known (the under-13 consent rule).
 */
@Entity({ name: "person_dates_of_birth" })
export class PersonDateOfBirthRecord {
  @PrimaryColumn({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "date", name: "date_of_birth", nullable: true })
  dateOfBirth!: string | null;
}

/** One hash-chained, append-only audit record. */
@Entity({ name: "audit_log" })
export class AuditRecord {
  @PrimaryColumn({ type: "bigint" })
  sequence!: string;

  @Column({ type: "timestamptz" })
  at!: Date;

  @Column({ type: "text", name: "user_id" })
  userId!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text" })
  role!: string;

  @Column({ type: "text", nullable: true })
  purpose!: string | null;

  @Column({ type: "text", name: "operation_name", nullable: true })
  operationName!: string | null;

  @Column({ type: "text", name: "request_id" })
  requestId!: string;

  @Column({ type: "text", name: "owner_agency_id", nullable: true })
  ownerAgencyId!: string | null;

  @Column({ type: "text", array: true, name: "person_ids", default: () => "'{}'" })
  personIds!: string[];

  @Column({ type: "text", array: true, default: () => "'{}'" })
  categories!: string[];

  @Column({ type: "text", array: true, name: "record_ids", default: () => "'{}'" })
  recordIds!: string[];

  @Column({ type: "text" })
  decision!: string;

  @Column({ type: "text", nullable: true })
  reason!: string | null;

  @Column({ type: "text", nullable: true })
  basis!: string | null;

  @Column({ type: "text", name: "agreement_id", nullable: true })
  agreementId!: string | null;

  @Column({ type: "text", name: "consent_id", nullable: true })
  consentId!: string | null;

  @Column({ type: "boolean", name: "break_glass", default: false })
  breakGlass!: boolean;

  @Column({ type: "text", nullable: true })
  justification!: string | null;

  @Column({ type: "text" })
  kind!: string;

  @Column({ type: "text", nullable: true })
  detail!: string | null;

  @Column({ type: "char", length: 64, name: "previous_hash" })
  previousHash!: string;

  @Column({ type: "char", length: 64 })
  hash!: string;
}

/** The chain's head as it stood every 1000 records: catches a log cut back at its tail. */
@Entity({ name: "audit_checkpoints" })
export class AuditCheckpointRecord {
  @PrimaryColumn({ type: "bigint" })
  sequence!: string;

  @Column({ type: "char", length: 64 })
  hash!: string;

  @Column({ type: "timestamptz" })
  at!: Date;
}

/**
 * Which agency each subgraph's login into governance appends audit records for: `audit_append`
 * takes the acting agency from here by `session_user` (migration AuditAppendByLogin).
 */
@Entity({ name: "audit_writers" })
export class AuditWriterRecord {
  @PrimaryColumn({ type: "text", name: "role_name" })
  roleName!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;
}

/** The verdict of one run of `npm run audit:verify` (migration AuditVerifications). */
@Entity({ name: "audit_verifications" })
export class AuditVerificationRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "timestamptz", name: "verified_at", default: () => "now()" })
  verifiedAt!: Date;

  @Column({ type: "boolean" })
  intact!: boolean;

  @Column({ type: "bigint" })
  checked!: string;

  @Column({ type: "bigint", name: "first_bad_sequence", nullable: true })
  firstBadSequence!: string | null;

  @Column({ type: "text", nullable: true })
  reason!: string | null;
}

/** A DSO's finding on a break-glass access to its agency's data. */
@Entity({ name: "break_glass_reviews" })
export class BreakGlassReviewRecord {
  @PrimaryColumn({ type: "bigint", name: "audit_sequence" })
  auditSequence!: string;

  @Column({ type: "text" })
  outcome!: string;

  @Column({ type: "text" })
  note!: string;

  @Column({ type: "text", name: "reviewed_by" })
  reviewedBy!: string;

  @Column({ type: "text", name: "reviewer_agency_id" })
  reviewerAgencyId!: string;

  @Column({ type: "timestamptz", name: "reviewed_at" })
  reviewedAt!: Date;
}

/** One row: the version agreements, approvals and consents are at (bumped by a trigger on each change). */
@Entity({ name: "access_facts_version" })
export class AccessFactsVersionRecord {
  @PrimaryColumn({ type: "boolean", name: "only_row", default: true })
  onlyRow!: boolean;

  @Column({ type: "bigint" })
  version!: string;
}

/**
 * A notice to an agency (narrowed to a role or a user when set), written in the transaction of
 * the change that caused it (migration Notifications); unique by kind, subject, recipient, period.
 */
@Entity({ name: "notifications" })
export class NotificationRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "timestamptz", default: () => "now()" })
  at!: Date;

  @Column({ type: "text" })
  kind!: string;

  @Column({ type: "text" })
  title!: string;

  @Column({ type: "text", name: "subject_kind" })
  subjectKind!: string;

  @Column({ type: "text", name: "subject_id" })
  subjectId!: string;

  @Column({ type: "text", name: "to_agency_id" })
  toAgencyId!: string;

  @Column({ type: "text", name: "to_role", nullable: true })
  toRole!: string | null;

  @Column({ type: "text", name: "to_user_id", nullable: true })
  toUserId!: string | null;

  @Column({ type: "text", name: "dedupe_key", unique: true })
  dedupeKey!: string;
}

/** That a user has read a notification (each reader of an agency's notice reads it alone). */
@Entity({ name: "notification_reads" })
export class NotificationReadRecord {
  @PrimaryColumn({ type: "bigint", name: "notification_id" })
  notificationId!: string;

  @PrimaryColumn({ type: "text", name: "user_id" })
  userId!: string;

  @Column({ type: "timestamptz", name: "read_at", default: () => "now()" })
  readAt!: Date;
}

/** The webhook outbox: one row per notification, until the agency's webhook took it. */
@Entity({ name: "notification_deliveries" })
export class NotificationDeliveryRecord {
  @PrimaryColumn({ type: "bigint", name: "notification_id" })
  notificationId!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "integer", default: 0 })
  attempts!: number;

  @Column({ type: "timestamptz", name: "next_attempt_at", default: () => "now()" })
  nextAttemptAt!: Date;

  @Column({ type: "timestamptz", name: "delivered_at", nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: "text", name: "last_error", nullable: true })
  lastError!: string | null;
}

/**
 * The key under which the audit writes a person's id in records of one agency's data (migration
 * DataProtection): destroying it (erasure) leaves those records unlinkable to the person.
 */
@Entity({ name: "person_keys" })
export class PersonKeyRecord {
  @PrimaryColumn({ type: "text", name: "person_id" })
  personId!: string;

  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "bytea" })
  key!: Buffer;

  /** HMAC-SHA256(person id, key) in hex: how the audit names the person; destroyed with the key. */
  @Column({ type: "text", unique: true })
  pseudonym!: string;

  @Column({ type: "timestamptz", name: "created_at", default: () => "now()" })
  createdAt!: Date;
}

/** How long an agency keeps records of one category, from when, and why. */
@Entity({ name: "retention_rules" })
@Unique("retention_rules_agency_category", ["agencyId", "category"])
export class RetentionRuleRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text" })
  category!: string;

  @Column({ type: "int", name: "retain_for_months" })
  retainForMonths!: number;

  @Column({ type: "text", name: "retention_start" })
  retentionStart!: string;

  @Column({ type: "text" })
  basis!: string;

  @Column({ type: "text", name: "changed_by" })
  changedBy!: string;

  @Column({ type: "timestamptz", name: "changed_at", default: () => "now()" })
  changedAt!: Date;
}

/** A DSO's hold on everything their agency holds about a person: neither erasure nor retention removes it. */
@Entity({ name: "legal_holds" })
export class LegalHoldRecord {
  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  @PrimaryColumn({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text" })
  reason!: string;

  @Column({ type: "text", name: "placed_by" })
  placedBy!: string;

  @Column({ type: "timestamptz", name: "placed_at", default: () => "now()" })
  placedAt!: Date;
}

/** An agency that has erased everything it held about a person (until every agency has). */
@Entity({ name: "person_erasures" })
export class PersonErasureRecord {
  @PrimaryColumn({ type: "text", name: "person_id" })
  personId!: string;

  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "timestamptz", name: "erased_at", default: () => "now()" })
  erasedAt!: Date;
}

/** An erasure under way (shared/erasure.ts): from before its first phase until its second is done. */
@Entity({ name: "erasures" })
@Unique("erasures_agency_person", ["agencyId", "personId"])
export class ErasureRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text" })
  state!: string;

  @Column({ type: "boolean", default: false })
  anonymise!: boolean;

  @Column({ type: "timestamptz", name: "started_at", default: () => "now()" })
  startedAt!: Date;
}
