import { GraphQLError } from "graphql";
import type { QueryResultRow } from "pg";
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, type QueryRunner } from "typeorm";
import type { Sql } from "./database";
import { grantTo, quoteIdentifier as ident, roleName } from "./database-roles";

/**
 * Erasure across stores without a transaction across them (issue 18: "nothing is half-erased").
 * Each store that takes part (the agency's own, and the people index) erases in two phases:
 *
 * 1. prepare: in one transaction of the store, the rows to erase are moved aside into
 *    `erasure_pending`, under the erasure's id. Every read of the store then finds them gone (they
 *    are no longer in their tables), yet nothing is lost: `undo` puts them back as they were.
 * 2. once governance has recorded the decision (every store prepared), `discard` drops what was
 *    moved aside; before it, `undo` restores it.
 *
 * `undo` and `discard` are idempotent, and an erasure undone can no longer be prepared in the store
 * (`erasures_undone`, under the same lock as a prepare), so a prepare that commits late, after
 * governance gave up on it, cannot leave rows aside that nobody will put back.
 */

/** A row an erasure moved aside, until the erasure is decided (then dropped) or undone (put back). */
@Entity({ name: "erasure_pending" })
export class ErasurePendingRecord {
  @PrimaryGeneratedColumn({ type: "bigint" })
  position!: string;

  @Column({ type: "text", name: "erasure_id" })
  erasureId!: string;

  @Column({ type: "text", name: "table_name" })
  tableName!: string;

  @Column({ type: "jsonb" })
  row!: Record<string, unknown>;

  @Column({ type: "timestamptz", name: "moved_at", default: () => "now()" })
  movedAt!: Date;
}

/** An erasure undone in this store: it can no longer be prepared here. */
@Entity({ name: "erasures_undone" })
export class ErasureUndoneRecord {
  @PrimaryColumn({ type: "text", name: "erasure_id" })
  erasureId!: string;

  @Column({ type: "timestamptz", name: "undone_at", default: () => "now()" })
  undoneAt!: Date;
}

/** The entities of the tables every store that takes part in an erasure has. */
export const ERASURE_ENTITIES = [ErasurePendingRecord, ErasureUndoneRecord];

/** The erasure was given up (undone) before this store prepared it. */
export function erasureUndone(erasureId: string): GraphQLError {
  return new GraphQLError(`erasure ${erasureId} was undone; start it again`, {
    extensions: { code: "BAD_USER_INPUT", argument: "erasureId" },
  });
}

/** The tables both phases use, created by the migration of every store that takes part. */
export async function createErasureTables(q: QueryRunner, erasedTables: readonly string[]): Promise<void> {
  await q.query(`
    CREATE TABLE erasure_pending (
      position bigserial PRIMARY KEY,
      erasure_id text NOT NULL,
      table_name text NOT NULL,
      row jsonb NOT NULL,
      moved_at timestamptz NOT NULL DEFAULT now()
    )`);
  await q.query(`CREATE INDEX erasure_pending_erasure ON erasure_pending (erasure_id)`);
  await q.query(`
    CREATE TABLE erasures_undone (
      erasure_id text PRIMARY KEY,
      undone_at timestamptz NOT NULL DEFAULT now()
    )`);
  await grantTo(q, "service", ["INSERT", "DELETE"], ["erasure_pending"]);
  const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
  await q.query(
    `GRANT USAGE ON SEQUENCE erasure_pending_position_seq TO ${ident(roleName(database, "service"))}`,
  );
  await grantTo(q, "service", ["INSERT"], ["erasures_undone"]);
  // Undoing puts rows back: only ever those moved aside (the undo reads them from erasure_pending).
  await grantTo(q, "service", ["INSERT", "DELETE"], [...erasedTables]);
}

async function lockErasure(tx: Sql, erasureId: string): Promise<void> {
  await tx.one(`SELECT pg_advisory_xact_lock(hashtextextended('erasure:' || $1, 0))`, [erasureId]);
}

/** Starts a prepare in `tx`: refused for an erasure already undone here. */
export async function beginPrepare(tx: Sql, erasureId: string): Promise<void> {
  await lockErasure(tx, erasureId);
  if (await tx.one(`SELECT 1 FROM erasures_undone WHERE erasure_id = $1`, [erasureId]))
    throw erasureUndone(erasureId);
}

/**
 * Moves the rows of `table` that `where` picks (its parameters `params`; `where` is code, never
 * input) aside under the erasure, in `tx`; returns them.
 */
export async function moveAside<T extends QueryResultRow = QueryResultRow>(
  tx: Sql,
  erasureId: string,
  table: string,
  where: string,
  params: readonly unknown[],
): Promise<T[]> {
  const at = params.length + 1;
  return tx.many<T>(
    `WITH gone AS (DELETE FROM ${table} WHERE ${where} RETURNING *),
          kept AS (INSERT INTO erasure_pending (erasure_id, table_name, row)
                   SELECT $${at}, '${table}', to_jsonb(gone) FROM gone)
     SELECT * FROM gone`,
    [...params, erasureId],
  );
}

/** Puts back what the erasure moved aside, `tables` in order (parents first), and forbids a later prepare. */
export async function undoErasure(tx: Sql, erasureId: string, tables: readonly string[]): Promise<number> {
  await lockErasure(tx, erasureId);
  await tx.exec(`INSERT INTO erasures_undone (erasure_id) VALUES ($1) ON CONFLICT DO NOTHING`, [erasureId]);
  let restored = 0;
  for (const table of tables) {
    restored += await tx.exec(
      `INSERT INTO ${table}
       SELECT (jsonb_populate_record(NULL::${table}, p.row)).* FROM erasure_pending p
        WHERE p.erasure_id = $1 AND p.table_name = $2 ORDER BY p.position`,
      [erasureId, table],
    );
  }
  await tx.exec(`DELETE FROM erasure_pending WHERE erasure_id = $1`, [erasureId]);
  return restored;
}

/** Drops what the erasure moved aside: it is decided. */
export async function discardErasure(tx: Sql, erasureId: string): Promise<number> {
  await lockErasure(tx, erasureId);
  return tx.exec(`DELETE FROM erasure_pending WHERE erasure_id = $1`, [erasureId]);
}

/** Erasures with rows aside in this store, moved before `before` (for the retention job's sweep). */
export async function erasuresAside(sql: Sql, before: Date): Promise<string[]> {
  const rows = await sql.many<{ erasure_id: string }>(
    `SELECT erasure_id FROM erasure_pending GROUP BY erasure_id HAVING min(moved_at) < $1 ORDER BY 1`,
    [before],
  );
  return rows.map((r) => r.erasure_id);
}
