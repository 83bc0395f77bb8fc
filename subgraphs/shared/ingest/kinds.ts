import type { z } from "zod";
import type { Sql } from "../database";
import type { PersonIdentity } from "./convert";

/** A problem a kind finds in a row: the field at fault (its column is named) and why. */
export interface RowProblemOf<R> {
  field: (keyof R & string) | "person.dateOfBirth";
  reason: string;
}

/**
 * What an agency can load: each subgraph declares its record kinds (council: asbCase, asbParty,
 * asbIntervention; police: incident, involvement, ...), their fields, and how they are written.
 * The shared core reads, converts, validates and counts; only the kind knows its tables.
 */
export type FieldSpec = { description: string; required?: boolean } & (
  | { type: "text" }
  /** A date, or date and time, read with the mapping's date format for the field. */
  | { type: "date" }
  | { type: "number"; min?: number; max?: number }
  /** One of the graph's enum values, reached through the mapping's code map for the field. */
  | { type: "code"; values: readonly string[] }
  /** The source's own key of a record of kind `of`, loaded from the same source. */
  | { type: "parent"; of: string }
);

export type FieldValue = string | number | Date | null;

/** A row ready to write: its source key (namespaced by the mapping's source) and its record. */
export interface IngestRow<R> {
  sourceKey: string;
  record: R;
  /** The partnership person the row is about (kinds with a person reference). */
  personId: string | null;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
}

export interface IngestKind<R = unknown> {
  name: string;
  description: string;
  /**
   * The table its rows are kept in by source key: where an erasure or retention that took one
   * leaves it forgotten (shared/forgotten.ts). None for a kind that only updates another's records.
   */
  table?: string;
  fields: Record<string, FieldSpec>;
  /** Rows are about a person: the mapping must name the person reference columns. */
  person: boolean;
  /**
   * Rules over the converted fields (cross-field ones too: a closed case has a closing date).
   * Parent fields arrive as the parent's full source key.
   */
  schema: z.ZodType<R, z.ZodTypeDef, Record<string, FieldValue>>;
  /** A rule over the record and the person it is about: a reason the row is refused, or null. */
  checkPerson?(record: R, person: PersonIdentity): RowProblemOf<R> | null;
  /** Inserts new rows and updates changed ones (by source key); unchanged rows are not written. */
  write(sql: Sql, rows: IngestRow<R>[]): Promise<WriteCounts>;
  /** For kinds others refer to: which of these source keys are stored. */
  existing?(sql: Sql, sourceKeys: string[]): Promise<Set<string>>;
}

/** One agency's kinds, by name, in the order files of them are loaded (parents first). */
export interface AgencyIngest {
  agency: string;
  kinds: IngestKind[];
}
