import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { RECORD_KEY_ENTITY_COLUMN } from "../shared/record-key";

/** One police incident: a police.uk street-level crime or ASB record, or a generated one. */
@Entity({ name: "incidents" })
// incidents_lsoa_month_category_key (lsoa_code, month, category) INCLUDE (record_key) covers the
// dashboards' counts and cell keys, and the filter of incident searches: declared in the
// RecordKeys migration only, since TypeORM cannot express INCLUDE.
// incidents_lsoa_month_id (lsoa_code, month, id), from the IncidentSearchIndex migration: a
// search over named neighbourhoods pages each newest first along it and stops at the page's end.
// Searches over every neighbourhood page newest first along incidents_month_id.
@Index("incidents_month_id", ["month", "id"])
@Index("incidents_month_category", ["month", "category"])
@Index("incidents_lat_lng", ["latitude", "longitude"])
export class IncidentRecord {
  @PrimaryColumn({ type: "text" })
  id!: string;

  /** Fixed random record key in [0, 1) for disclosure control (cell-key method); never updated. */
  @Column(RECORD_KEY_ENTITY_COLUMN)
  recordKey!: string;

  /** Stable import key: the police.uk Crime ID, or a derived key for ASB rows. */
  @Index("incidents_source_key", { unique: true })
  @Column({ type: "text", name: "source_key" })
  sourceKey!: string;

  @Column({ type: "text" })
  reference!: string;

  @Column({ type: "char", length: 7 })
  month!: string;

  @Column({ type: "timestamptz", name: "occurred_at", nullable: true })
  occurredAt!: Date | null;

  @Column({ type: "text" })
  category!: string;

  @Column({ type: "text", nullable: true })
  outcome!: string | null;

  @Column({ type: "text", nullable: true })
  street!: string | null;

  @Column({ type: "text", name: "lsoa_code", nullable: true })
  lsoaCode!: string | null;

  @Column({ type: "double precision", nullable: true })
  latitude!: number | null;

  @Column({ type: "double precision", nullable: true })
  longitude!: number | null;

  @Column({ type: "text", nullable: true })
  summary!: string | null;

  @Column({ type: "text", nullable: true })
  narrative!: string | null;

  /** `police.uk:<file>` for imported rows, `demo` for generated ones. */
  @Column({ type: "text" })
  source!: string;
}

/** A person's part in an incident. */
@Entity({ name: "involvements" })
@Index("involvements_person", ["personId"])
@Index("involvements_incident", ["incidentId"])
export class InvolvementRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "incident_id" })
  incidentId!: string;

  @Column({ type: "text", name: "person_id" })
  personId!: string;

  @Column({ type: "text" })
  role!: string;

  /** The source system's own key (`<source>:<key>`) of an involvement loaded by `npm run ingest`. */
  @Index("involvements_source_key", { unique: true })
  @Column({ type: "text", name: "source_key", nullable: true })
  sourceKey!: string | null;
}

/** One outcome of a crime, from a police.uk outcome file (OutcomeHistory migration). */
@Entity({ name: "incident_outcomes" })
export class IncidentOutcomeRecord {
  /** The police.uk Crime ID, lower case: the incident's source_key once its crime is imported. */
  @PrimaryColumn({ type: "text", name: "crime_id" })
  crimeId!: string;

  @PrimaryColumn({ type: "char", length: 7 })
  month!: string;

  @PrimaryColumn({ type: "text" })
  outcome!: string;

  /** Its line in its file: orders two outcomes of one month. */
  @Column({ type: "integer" })
  line!: number;

  /** `police.uk:<file>`. */
  @Column({ type: "text" })
  source!: string;
}
