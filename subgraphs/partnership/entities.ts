import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";

// The name-prefix indexes on people are expression indexes (lower(...) text_pattern_ops),
// which TypeORM cannot declare; the migration creates them.

/** A partner agency, as the partnership index knows it (a local copy of governance's list). */
@Entity({ name: "agencies" })
export class AgencyRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text" })
  name!: string;

  @Column({ type: "text" })
  kind!: string;

  @Column({ type: "text" })
  contact!: string;
}

/** One person in the partnership's people index. */
@Entity({ name: "people" })
@Index("people_order", ["familyName", "givenName", "id"])
@Index("people_date_of_birth", ["dateOfBirth"])
export class PersonRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "given_name" })
  givenName!: string;

  @Column({ type: "text", name: "family_name" })
  familyName!: string;

  @Column({ type: "date", name: "date_of_birth", nullable: true })
  dateOfBirth!: string | null;

  @Column({ type: "text", name: "home_lsoa", nullable: true })
  homeLsoa!: string | null;
}

/** An agency's own reference for a person. */
@Entity({ name: "person_references" })
@Index("person_references_agency_reference", ["agencyId", "reference"], { unique: true })
export class PersonReferenceRecord {
  @PrimaryColumn({ type: "text", name: "person_id" })
  personId!: string;

  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text" })
  reference!: string;
}

/** A person's identity as it was before a rectification, with who replaced it and on what evidence. */
@Entity({ name: "person_identity_history" })
@Index("person_identity_history_person", ["personId", "id"])
export class PersonIdentityHistoryRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text", name: "given_name" })
  givenName!: string;

  @Column({ type: "text", name: "family_name" })
  familyName!: string;

  @Column({ type: "date", name: "date_of_birth", nullable: true })
  dateOfBirth!: string | null;

  @Column({ type: "timestamptz", name: "replaced_at" })
  replacedAt!: Date;

  @Column({ type: "text", name: "replaced_by_agency_id" })
  replacedByAgencyId!: string;

  @Column({ type: "text", name: "replaced_by" })
  replacedBy!: string;

  @Column({ type: "text", name: "evidence_ref" })
  evidenceRef!: string;

  @Column({ type: "text", name: "request_id" })
  requestId!: string;
}

/** A neighbourhood (2011 LSOA) with its centroid. */
@Entity({ name: "neighbourhoods" })
export class NeighbourhoodRecord {
  @PrimaryColumn({ type: "text" })
  code!: string;

  @Column({ type: "text" })
  name!: string;

  @Column({ type: "text", name: "local_authority" })
  localAuthority!: string;

  @Column({ type: "text", name: "local_authority_code" })
  localAuthorityCode!: string;

  @Column({ type: "double precision" })
  latitude!: number;

  @Column({ type: "double precision" })
  longitude!: number;
}

/** A multi-agency problem-solving case (SARA). */
@Entity({ name: "problem_cases" })
@Index("problem_cases_lead", ["leadAgencyId"])
@Index("problem_cases_opened", ["openedAt", "id"])
export class ProblemCaseRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", unique: true })
  reference!: string;

  @Column({ type: "text" })
  title!: string;

  @Column({ type: "text", name: "problem_type" })
  problemType!: string;

  @Column({ type: "text" })
  stage!: string;

  @Column({ type: "text", name: "risk_level", default: "STANDARD" })
  riskLevel!: string;

  @Column({ type: "timestamptz", name: "opened_at" })
  openedAt!: Date;

  @Column({ type: "text", name: "opened_by" })
  openedBy!: string;

  @Column({ type: "text", name: "lead_agency_id" })
  leadAgencyId!: string;

  @Column({ type: "text", nullable: true })
  outcome!: string | null;

  @Column({ type: "timestamptz", name: "closed_at", nullable: true })
  closedAt!: Date | null;
}

/** The last case reference number issued in a year. */
@Entity({ name: "case_reference_counters" })
export class CaseReferenceCounterRecord {
  @PrimaryColumn({ type: "int" })
  year!: number;

  @Column({ type: "int", name: "last_number" })
  lastNumber!: number;
}

/** A partner agency of a case. */
@Entity({ name: "case_partners" })
@Index("case_partners_agency", ["agencyId"])
export class CasePartnerRecord {
  @PrimaryColumn({ type: "text", name: "case_id" })
  caseId!: string;

  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;
}

/** A neighbourhood a case is about. */
@Entity({ name: "case_neighbourhoods" })
export class CaseNeighbourhoodRecord {
  @PrimaryColumn({ type: "text", name: "case_id" })
  caseId!: string;

  @PrimaryColumn({ type: "text", name: "lsoa_code" })
  lsoaCode!: string;

  @Column({ type: "int" })
  position!: number;
}

/** A person in a case and their part in it. */
@Entity({ name: "case_people" })
@Index("case_people_person", ["personId"])
export class CasePersonRecord {
  @PrimaryColumn({ type: "text", name: "case_id" })
  caseId!: string;

  @PrimaryColumn({ type: "text", name: "person_id" })
  personId!: string;

  @PrimaryColumn({ type: "text" })
  role!: string;

  @Column({ type: "int" })
  position!: number;
}

/** An action assigned to an agency on a case. */
@Entity({ name: "case_actions" })
@Index("case_actions_case", ["caseId", "dueOn", "id"])
export class CaseActionRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "text" })
  description!: string;

  @Column({ type: "text", name: "assigned_agency_id" })
  assignedAgencyId!: string;

  @Column({ type: "date", name: "due_on" })
  dueOn!: string;

  @Column({ type: "timestamptz", name: "created_at", default: () => "now()" })
  createdAt!: Date;

  @Column({ type: "text", name: "created_by" })
  createdBy!: string;

  @Column({ type: "timestamptz", name: "completed_at", nullable: true })
  completedAt!: Date | null;

  @Column({ type: "text", name: "completed_by", nullable: true })
  completedBy!: string | null;

  @Column({ type: "timestamptz", name: "cancelled_at", nullable: true })
  cancelledAt!: Date | null;

  @Column({ type: "text", name: "cancelled_by", nullable: true })
  cancelledBy!: string | null;

  @Column({ type: "text", name: "cancel_reason", nullable: true })
  cancelReason!: string | null;
}

/** A note on a case: kept as written, never edited. */
@Entity({ name: "case_notes" })
export class CaseNoteRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "text" })
  text!: string;

  @Column({ type: "timestamptz", name: "written_at", default: () => "now()" })
  writtenAt!: Date;

  @Column({ type: "text", name: "written_by" })
  writtenBy!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;
}

/** One ASB victim risk assessment of a person on a case; every one is kept. */
@Entity({ name: "victim_risk_assessments" })
export class VictimRiskAssessmentRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "jsonb" })
  answers!: { question: string; answer: boolean }[];

  @Column({ type: "int" })
  score!: number;

  @Column({ type: "text" })
  level!: string;

  @Column({ type: "timestamptz", name: "assessed_at", default: () => "now()" })
  assessedAt!: Date;

  @Column({ type: "text", name: "assessed_by" })
  assessedBy!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;
}

/** One move of a case between SARA stages. */
@Entity({ name: "case_stage_changes" })
@Index("case_stage_changes_case", ["caseId", "changedAt", "id"])
export class CaseStageChangeRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "text", name: "from_stage", nullable: true })
  fromStage!: string | null;

  @Column({ type: "text", name: "to_stage" })
  toStage!: string;

  @Column({ type: "text" })
  note!: string;

  @Column({ type: "timestamptz", name: "changed_at", default: () => "now()" })
  changedAt!: Date;

  @Column({ type: "text", name: "changed_by" })
  changedBy!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;
}

/** A record held by an agency (incident, ASB case, tenancy, referral) linked to a case. */
@Entity({ name: "case_records" })
export class CaseRecordLinkRecord {
  @PrimaryColumn({ type: "text", name: "case_id" })
  caseId!: string;

  @PrimaryColumn({ type: "text" })
  kind!: string;

  @PrimaryColumn({ type: "text", name: "record_id" })
  recordId!: string;

  @Column({ type: "timestamptz", name: "linked_at", default: () => "now()" })
  linkedAt!: Date;

  @Column({ type: "text", name: "linked_by" })
  linkedBy!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;
}

/** One change to a case: who, which agency, when, in which request, and what. Append-only. */
@Entity({ name: "case_events" })
@Index("case_events_case", ["caseId", "id"])
export class CaseEventRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "timestamptz", name: "occurred_at", default: () => "now()" })
  occurredAt!: Date;

  @Column({ type: "text", name: "user_id" })
  userId!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text", name: "request_id" })
  requestId!: string;

  @Column({ type: "text" })
  event!: string;

  @Column({ type: "jsonb", default: () => "'{}'" })
  detail!: Record<string, unknown>;
}

/**
 * A notice written with the case work that caused it, until the relay has handed it to
 * governance, which owns notifications (migration NotificationOutbox).
 */
@Entity({ name: "notification_outbox" })
export class NotificationOutboxRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "timestamptz", name: "created_at", default: () => "now()" })
  createdAt!: Date;

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

  @Column({ type: "timestamptz", name: "relayed_at", nullable: true })
  relayedAt!: Date | null;
}

/**
 * An agency's reference as the matcher saw it: the identity the agency exported, the blocking keys
 * candidates are looked up by, and how the reference came to its person (matching/).
 */
@Entity({ name: "matched_references" })
export class MatchedReferenceRecord {
  @PrimaryColumn({ type: "text", name: "agency_id" })
  agencyId!: string;

  @PrimaryColumn({ type: "text" })
  reference!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text", name: "given_name", nullable: true })
  givenName!: string | null;

  @Column({ type: "text", name: "family_name", nullable: true })
  familyName!: string | null;

  @Column({ type: "date", name: "date_of_birth", nullable: true })
  dateOfBirth!: string | null;

  @Column({ type: "text", nullable: true })
  postcode!: string | null;

  @Column({ type: "text", nullable: true })
  uprn!: string | null;

  @Column({ type: "text", name: "family_codes", array: true, default: () => "'{}'" })
  familyCodes!: string[];

  @Column({ type: "text", name: "given_initial", nullable: true })
  givenInitial!: string | null;

  @Column({ type: "int", name: "birth_year", nullable: true })
  birthYear!: number | null;

  @Column({ type: "date", name: "swapped_date_of_birth", nullable: true })
  swappedDateOfBirth!: string | null;

  @Column({ type: "text" })
  method!: string;

  @Column({ type: "double precision", nullable: true })
  score!: number | null;

  @Column({ type: "jsonb", default: () => "'{}'" })
  agreements!: Record<string, string>;

  @Column({ type: "timestamptz", name: "matched_at" })
  matchedAt!: Date;
}

/** A reference the matcher could neither link nor leave: waits for a DSO of its agency. */
@Entity({ name: "person_match_reviews" })
export class PersonMatchReviewRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text" })
  reference!: string;

  @Column({ type: "text", name: "candidate_person_id" })
  candidatePersonId!: string;

  @Column({ type: "text", name: "provisional_person_id" })
  provisionalPersonId!: string;

  @Column({ type: "double precision" })
  score!: number;

  @Column({ type: "jsonb" })
  agreements!: Record<string, string>;

  @Column({ type: "text", default: "PENDING" })
  status!: string;

  @Column({ type: "timestamptz", name: "created_at" })
  createdAt!: Date;

  @Column({ type: "text", name: "decided_by", nullable: true })
  decidedBy!: string | null;

  @Column({ type: "timestamptz", name: "decided_at", nullable: true })
  decidedAt!: Date | null;

  @Column({ type: "text", nullable: true })
  note!: string | null;
}

/** One merge of a person into another (a pointer, nothing moved), and the split that ended it. */
@Entity({ name: "person_merges" })
export class PersonMergeRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "survivor_id" })
  survivorId!: string;

  @Column({ type: "text", name: "merged_id" })
  mergedId!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  @Column({ type: "text", name: "merged_by" })
  mergedBy!: string;

  @Column({ type: "timestamptz", name: "merged_at" })
  mergedAt!: Date;

  @Column({ type: "text" })
  note!: string;

  @Column({ type: "text", name: "split_agency_id", nullable: true })
  splitAgencyId!: string | null;

  @Column({ type: "text", name: "split_by", nullable: true })
  splitBy!: string | null;

  @Column({ type: "timestamptz", name: "split_at", nullable: true })
  splitAt!: Date | null;

  @Column({ type: "text", name: "split_note", nullable: true })
  splitNote!: string | null;
}
