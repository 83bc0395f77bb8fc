import { Column, Entity, PrimaryGeneratedColumn, type QueryRunner } from "typeorm";
import type { Sql } from "../database";
import { createRole, quoteIdentifier as ident, roleName } from "../database-roles";

/**
 * Each ingestable agency keeps the record of its own imports (who, when, which files with their
 * sha256, what changed), and writes records through a login role of its own, `<db>_ingest`:
 * the service stays read-only on its records; the ingest role may insert and update the tables
 * a mapping loads, and nothing else.
 */

/** One run of `npm run ingest` (or a push) for an agency, as that agency's DSOs see it. */
@Entity({ name: "imports" })
export class ImportRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ type: "text", name: "agency_id" })
  agencyId!: string;

  /** The mapping's source system. */
  @Column({ type: "text" })
  source!: string;

  @Column({ type: "text", name: "imported_by" })
  importedBy!: string;

  @Column({ type: "timestamptz", name: "started_at" })
  startedAt!: Date;

  @Column({ type: "timestamptz", name: "finished_at", nullable: true })
  finishedAt!: Date | null;

  @Column({ type: "boolean", name: "dry_run" })
  dryRun!: boolean;

  /** RUNNING until it ends (a run killed midway stays so), then LOADED, FAILED or DRY_RUN. */
  @Column({ type: "text" })
  outcome!: string;

  /** Per file: name, sha256, rows, new, changed, unchanged, rejected, forgotten, loaded, and its people. */
  @Column({ type: "jsonb" })
  files!: ImportedFile[];

  @Column({ type: "integer" })
  rows!: number;

  @Column({ type: "integer", name: "new_records" })
  newRecords!: number;

  @Column({ type: "integer", name: "changed_records" })
  changedRecords!: number;

  @Column({ type: "integer", name: "unchanged_records" })
  unchangedRecords!: number;

  @Column({ type: "integer", name: "rejected_rows" })
  rejectedRows!: number;

  @Column({ type: "text", nullable: true })
  failure!: string | null;
}

export interface ImportedFile extends PeopleCounts {
  name: string;
  sha256: string;
  record: string;
  rows: number;
  new: number;
  changed: number;
  unchanged: number;
  rejected: number;
  /**
   * Rows of records an erasure or retention took (or hanging on one), skipped: not loaded again, and
   * no error (shared/forgotten.ts). Imports recorded before this count have none: 0.
   */
  forgotten: number;
  /** Written (false: rolled back, refused, or a dry run). */
  loaded: boolean;
}

/**
 * The people a file's rows are about, each reference once, by how the people index found it (imports
 * recorded before matching have none: 0). Kept in `files`, summed for the import.
 */
export interface PeopleCounts {
  /** References the agency already had: their person as before (or as a review confirmed since). */
  peopleKnown: number;
  /** Linked to a person another agency holds (a shared identifier, or a score above the link threshold). */
  peopleLinked: number;
  /** Given a provisional person, with the possible match waiting in the review queue for the agency's DSOs. */
  peopleQueuedForReview: number;
  /** New to the index. */
  peopleNew: number;
}

export const NO_PEOPLE: PeopleCounts = {
  peopleKnown: 0,
  peopleLinked: 0,
  peopleQueuedForReview: 0,
  peopleNew: 0,
};

/** Migration step: the imports table. */
/** Which of these source keys a table already holds: what a parent row may hang on. */
export async function storedSourceKeys(sql: Sql, table: string, sourceKeys: string[]): Promise<Set<string>> {
  const rows = await sql.many<{ source_key: string }>(
    `SELECT source_key FROM ${ident(table)} WHERE source_key = ANY($1::text[])`,
    [sourceKeys],
  );
  return new Set(rows.map((r) => r.source_key));
}

export async function createImportsTable(q: QueryRunner): Promise<void> {
  await q.query(`
    CREATE TABLE imports (
      id bigserial PRIMARY KEY,
      agency_id text NOT NULL,
      source text NOT NULL,
      imported_by text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      dry_run boolean NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('RUNNING', 'LOADED', 'FAILED', 'DRY_RUN')),
      files jsonb NOT NULL,
      rows integer NOT NULL,
      new_records integer NOT NULL,
      changed_records integer NOT NULL,
      unchanged_records integer NOT NULL,
      rejected_rows integer NOT NULL,
      failure text
    )`);
  await q.query(`CREATE INDEX imports_started ON imports (started_at, id)`);
}

/** Migration step: a nullable source key on each table, unique where set (NULLs never clash). */
export async function addSourceKeys(q: QueryRunner, tables: string[]): Promise<void> {
  for (const table of tables) {
    await q.query(`ALTER TABLE ${ident(table)} ADD COLUMN source_key text`);
    await q.query(`CREATE UNIQUE INDEX ${ident(`${table}_source_key`)} ON ${ident(table)} (source_key)`);
  }
}

/**
 * Migration step: the database's ingest role (LOGIN), which may connect here, read and write the
 * tables named (INSERT and UPDATE only: a record is never deleted by an import) and nothing more.
 */
export async function createIngestRole(
  q: QueryRunner,
  writes: Record<string, ("INSERT" | "UPDATE")[]>,
): Promise<string> {
  const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
  const role = roleName(database, "ingest");
  await createRole(q, role, true);
  await q.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(role)}`);
  await q.query(`GRANT USAGE ON SCHEMA public TO ${ident(role)}`);
  for (const [table, privileges] of Object.entries(writes))
    await q.query(`GRANT SELECT, ${privileges.join(", ")} ON TABLE ${ident(table)} TO ${ident(role)}`);
  await q.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${ident(role)}`);
  return role;
}

export interface ImportTotals extends PeopleCounts {
  /** Rows skipped as forgotten (kept per file in `files`, summed for the import, as the people are). */
  forgotten: number;
  rows: number;
  new: number;
  changed: number;
  unchanged: number;
  rejected: number;
}

/** The imports table's SQL. */
export const ImportLog = {
  async begin(
    sql: Sql,
    run: { agencyId: string; source: string; importedBy: string; dryRun: boolean },
  ): Promise<string> {
    const row = await sql.one<{ id: string }>(
      `INSERT INTO imports (agency_id, source, imported_by, started_at, dry_run, outcome, files, rows,
                            new_records, changed_records, unchanged_records, rejected_rows)
       VALUES ($1, $2, $3, now(), $4, 'RUNNING', '[]', 0, 0, 0, 0, 0) RETURNING id`,
      [run.agencyId, run.source, run.importedBy, run.dryRun],
    );
    return row!.id;
  },

  /**
   * `failure` is kept without the values a problem quotes (a date of birth, a code, a record key):
   * the record outlives the rows, and an erasure does not reach it. File, line, column and reason
   * say where to look; the rejects file and the command's output show the values.
   */
  async end(
    sql: Sql,
    id: string,
    end: {
      outcome: "LOADED" | "FAILED" | "DRY_RUN";
      files: ImportedFile[];
      /** Records' totals (the people's and the forgotten rows are in `files`). */
      totals: Omit<ImportTotals, keyof PeopleCounts | "forgotten">;
      failure: string | null;
    },
  ): Promise<void> {
    await sql.exec(
      `UPDATE imports SET finished_at = now(), outcome = $2, files = $3::jsonb, rows = $4, new_records = $5,
              changed_records = $6, unchanged_records = $7, rejected_rows = $8, failure = $9
        WHERE id = $1`,
      [
        id,
        end.outcome,
        JSON.stringify(end.files),
        end.totals.rows,
        end.totals.new,
        end.totals.changed,
        end.totals.unchanged,
        end.totals.rejected,
        end.failure && withoutValues(end.failure),
      ],
    );
  },

  /** The latest imports first, each with its files' people and forgotten rows summed. */
  async latest(
    sql: Sql,
    limit: number,
  ): Promise<(ImportRecord & PeopleCounts & { forgottenRows: number })[]> {
    const rows = await sql.many<ImportRecord>(
      `SELECT id, agency_id AS "agencyId", source, imported_by AS "importedBy", started_at AS "startedAt",
              finished_at AS "finishedAt", dry_run AS "dryRun", outcome, files, rows, new_records AS "newRecords",
              changed_records AS "changedRecords", unchanged_records AS "unchangedRecords",
              rejected_rows AS "rejectedRows", failure
         FROM imports ORDER BY started_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    const keys = Object.keys(NO_PEOPLE) as (keyof PeopleCounts)[];
    return rows.map((row) => {
      // Files recorded before a count existed have none of it: 0.
      const files = row.files.map((f) => ({
        ...NO_PEOPLE,
        ...f,
        forgotten: (f as Partial<ImportedFile>).forgotten ?? 0,
      }));
      const people = { ...NO_PEOPLE };
      for (const f of files) for (const k of keys) people[k] += f[k];
      return { ...row, files, ...people, forgottenRows: files.reduce((n, f) => n + f.forgotten, 0) };
    });
  },
};

/** A problem with what it quotes ("…") left out. */
export function withoutValues(problem: string): string {
  return problem.replace(/"[^"]*"/g, '"…"');
}
