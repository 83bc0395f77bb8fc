import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { RECORD_KEY_ENTITY_COLUMN } from "../shared/record-key";

/** One council anti-social behaviour case. */
@Entity({ name: "asb_cases" })
@Index("asb_cases_lsoa_opened", ["lsoaCode", "openedAt"])
@Index("asb_cases_opened", ["openedAt", "id"])
@Index("asb_cases_category_opened", ["category", "openedAt"])
@Index("asb_cases_status_opened", ["status", "openedAt"])
export class AsbCaseRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** Fixed random record key in [0, 1) for disclosure control (cell-key method); never updated. */
  @Column(RECORD_KEY_ENTITY_COLUMN)
  recordKey!: string;

  /** The council's case reference, e.g. ASB/2019/000123. */
  @Index("asb_cases_reference", { unique: true })
  @Column({ type: "text" })
  reference!: string;

  @Column({ type: "text" })
  status!: string;

  @Column({ type: "text" })
  category!: string;

  @Column({ type: "timestamptz", name: "opened_at" })
  openedAt!: Date;

  @Column({ type: "timestamptz", name: "closed_at", nullable: true })
  closedAt!: Date | null;

  @Column({ type: "text", name: "risk_level", nullable: true })
  riskLevel!: string | null;

  @Column({ type: "text", nullable: true })
  description!: string | null;

  @Column({ type: "text", nullable: true })
  street!: string | null;

  @Column({ type: "text", name: "lsoa_code", nullable: true })
  lsoaCode!: string | null;

  @Column({ type: "double precision", nullable: true })
  latitude!: number | null;

  @Column({ type: "double precision", nullable: true })
  longitude!: number | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("asb_cases_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A person's part in an ASB case. */
@Entity({ name: "asb_parties" })
@Index("asb_parties_person", ["personId"])
@Index("asb_parties_case", ["caseId"])
@Index("asb_parties_unique", ["caseId", "personId", "role"], { unique: true })
export class AsbPartyRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text" })
  role!: string;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("asb_parties_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** An intervention the council or a partner used in an ASB case. */
@Entity({ name: "asb_interventions" })
@Index("asb_interventions_case", ["caseId"])
export class InterventionRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "case_id" })
  caseId!: string;

  @Column({ type: "text" })
  type!: string;

  @Column({ type: "timestamptz", name: "issued_at" })
  issuedAt!: Date;

  @Column({ type: "text" })
  status!: string;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("asb_interventions_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}
