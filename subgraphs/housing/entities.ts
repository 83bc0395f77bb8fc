import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { RECORD_KEY_ENTITY_COLUMN } from "../shared/record-key";

/** A home housing manages, identified nationally by its UPRN. */
@Entity({ name: "properties" })
@Index("properties_lsoa", ["lsoaCode"])
export class PropertyRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** Unique Property Reference Number: 12 digits, as the national address gazetteer gives it. */
  @Index("properties_uprn", { unique: true })
  @Column({ type: "char", length: 12 })
  uprn!: string;

  @Column({ type: "text" })
  address!: string;

  @Column({ type: "text", name: "lsoa_code", nullable: true })
  lsoaCode!: string | null;

  @Column({ type: "double precision", nullable: true })
  latitude!: number | null;

  @Column({ type: "double precision", nullable: true })
  longitude!: number | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("properties_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A tenancy of one property: its tenure, status and rent account arrears band. */
@Entity({ name: "tenancies" })
@Index("tenancies_property", ["propertyId"])
export class TenancyRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "property_id" })
  propertyId!: string;

  @Column({ type: "text" })
  status!: string;

  @Column({ type: "text" })
  tenure!: string;

  @Column({ type: "date", name: "start_date" })
  startDate!: string;

  @Column({ type: "date", name: "end_date", nullable: true })
  endDate!: string | null;

  @Column({ type: "text", name: "arrears_band", nullable: true })
  arrearsBand!: string | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("tenancies_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A person living in a tenancy, as tenant, joint tenant or household member. */
@Entity({ name: "tenancy_occupants" })
@Index("tenancy_occupants_tenancy", ["tenancyId", "personId"], { unique: true })
@Index("tenancy_occupants_person", ["personId"])
export class TenancyOccupantRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "tenancy_id" })
  tenancyId!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text" })
  role!: string;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("tenancy_occupants_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** An enforcement or support step housing took on a tenancy. */
@Entity({ name: "tenancy_actions" })
@Index("tenancy_actions_tenancy", ["tenancyId", "takenAt"])
@Index("tenancy_actions_taken_at", ["takenAt"])
export class TenancyActionRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** Fixed random record key in [0, 1) for disclosure control (cell-key method); never updated. */
  @Column(RECORD_KEY_ENTITY_COLUMN)
  recordKey!: string;

  @Column({ type: "text", name: "tenancy_id" })
  tenancyId!: string;

  @Column({ type: "text" })
  type!: string;

  @Column({ type: "timestamptz", name: "taken_at" })
  takenAt!: Date;

  @Column({ type: "text", nullable: true })
  note!: string | null;

  /** The source system's own key (`<source>:<key>`) of a record loaded by `npm run ingest`. */
  @Index("tenancy_actions_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** A report of anti-social behaviour a tenant made to their housing officer. */
@Entity({ name: "housing_reports" })
@Index("housing_reports_person", ["personId", "reportedAt"])
@Index("housing_reports_property", ["propertyId"])
export class HousingReportRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text", name: "property_id" })
  propertyId!: string;

  @Column({ type: "timestamptz", name: "reported_at" })
  reportedAt!: Date;

  @Column({ type: "text" })
  description!: string;
}
