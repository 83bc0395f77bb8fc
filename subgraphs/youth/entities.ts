import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { RECORD_KEY_ENTITY_COLUMN } from "../shared/record-key";

/** A school or pupil referral unit, identified nationally by its DfE URN. */
@Entity({ name: "schools" })
export class SchoolRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** DfE Unique Reference Number: six digits. */
  @Index("schools_urn", { unique: true })
  @Column({ type: "char", length: 6 })
  urn!: string;

  @Column({ type: "text" })
  name!: string;

  /** PRIMARY, SECONDARY, ALL_THROUGH or PUPIL_REFERRAL_UNIT. */
  @Column({ type: "text" })
  phase!: string;

  @Column({ type: "text", name: "lsoa_code" })
  lsoaCode!: string;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("schools_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A pupil on a school's roll for one academic year. */
@Entity({ name: "enrolments" })
@Index("enrolments_person", ["personId", "startedOn"])
@Index("enrolments_school", ["schoolId"])
export class EnrolmentRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text", name: "school_id" })
  schoolId!: string;

  @Column({ type: "int", name: "year_group" })
  yearGroup!: number;

  /** For example "2018/19". */
  @Column({ type: "text", name: "academic_year" })
  academicYear!: string;

  @Column({ type: "double precision", name: "attendance_rate", nullable: true })
  attendanceRate!: number | null;

  @Column({ type: "int", default: 0 })
  suspensions!: number;

  @Column({ type: "date", name: "started_on" })
  startedOn!: string;

  @Column({ type: "date", name: "left_on", nullable: true })
  leftOn!: string | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("enrolments_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A youth programme that takes referrals. */
@Entity({ name: "programmes" })
@Index("programmes_kind", ["kind"])
export class ProgrammeRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** DIVERSION, SPORT, MENTORING, ARTS or DETACHED_YOUTH_WORK. */
  @Column({ type: "text" })
  kind!: string;

  @Column({ type: "text" })
  provider!: string;

  @Column({ type: "int", name: "minimum_age", nullable: true })
  minimumAge!: number | null;

  @Column({ type: "int", name: "maximum_age", nullable: true })
  maximumAge!: number | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("programmes_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A young person referred to a programme; `status` is the latest of its history. */
@Entity({ name: "referrals" })
@Index("referrals_person", ["personId", "referredAt"])
@Index("referrals_programme", ["programmeId"])
@Index("referrals_lsoa_referred_at", ["lsoaCode", "referredAt"])
export class ReferralRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** Fixed random record key in [0, 1) for disclosure control (cell-key method); never updated. */
  @Column(RECORD_KEY_ENTITY_COLUMN)
  recordKey!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text", name: "programme_id" })
  programmeId!: string;

  @Column({ type: "text" })
  status!: string;

  @Column({ type: "text" })
  reason!: string;

  @Column({ type: "timestamptz", name: "referred_at" })
  referredAt!: Date;

  @Column({ type: "text", name: "referred_by_agency_id" })
  referredByAgencyId!: string;

  /** The person's home neighbourhood when referred, for statistics; null when not known. */
  @Column({ type: "text", name: "lsoa_code", nullable: true })
  lsoaCode!: string | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("referrals_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** One step in a referral's life: append-only. */
@Entity({ name: "referral_status_changes" })
@Index("referral_status_changes_referral", ["referralId", "at"])
export class ReferralStatusChangeRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "referral_id" })
  referralId!: string;

  @Column({ type: "text" })
  status!: string;

  @Column({ type: "timestamptz" })
  at!: Date;

  @Column({ type: "text", nullable: true })
  note!: string | null;
}
