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
  // The INSERT grants here are taken back by eraseThroughDefinerFunctions (a later migration).
  await grantTo(q, "service", ["INSERT", "DELETE"], [...erasedTables]);
}

/**
 * Least privilege for the two phases (the service may neither insert into the erased tables nor
 * forge rows aside for an undo to insert): moving rows aside and putting them back go through two
 * SECURITY DEFINER functions, owned by the migrator that owns the tables, which only ever move rows
 * of `erasedTables` (parents first: the order an undo puts them back in) between their table and
 * `erasure_pending`, under one erasure id. The service may execute them, and loses what the first
 * erasure migration granted it for this: INSERT on the erased tables (but `insertsForItsOwnWork`,
 * which it had before) and on `erasure_pending` and `erasures_undone`. Run by a later migration of
 * every store that takes part.
 */
export async function eraseThroughDefinerFunctions(
  q: QueryRunner,
  erasedTables: readonly string[],
  insertsForItsOwnWork: readonly string[] = [],
): Promise<void> {
  await q.query(moveAsideFunction("CREATE", erasedTables));
  await q.query(undoFunction("CREATE", erasedTables));
  const service = ident(roleName(await currentDatabase(q), "service"));
  for (const fn of ["erasure_move_aside(text, text, jsonb)", "erasure_undo(text)"]) {
    await q.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${service}`);
  }
  const revoked = erasedTables.filter((t) => !insertsForItsOwnWork.includes(t));
  await q.query(
    `REVOKE INSERT ON TABLE ${[...revoked, "erasure_pending", "erasures_undone"].map(ident).join(", ")} FROM ${service}`,
  );
  await q.query(`REVOKE USAGE ON SEQUENCE erasure_pending_position_seq FROM ${service}`);
}

/**
 * The SQL of `erasure_move_aside`. With `forgetting`, the rows it takes are deleted as an erasure
 * (shared/forgotten.ts: a keyed row leaves a forgotten-record entry behind, so an import cannot
 * bring it back), and only for the length of the move.
 */
export function moveAsideFunction(
  verb: "CREATE" | "CREATE OR REPLACE",
  erasedTables: readonly string[],
  forgetting = false,
): string {
  const tables = `ARRAY[${erasedTables.map((t) => `'${t}'`).join(", ")}]::text[]`;
  // search_path pinned: every name below is schema-qualified, and no caller's object can stand in.
  return `
    ${verb} FUNCTION erasure_move_aside(erasure_id text, table_name text, picked jsonb)
    RETURNS SETOF jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      keys text;${forgetting ? "\n      was text := current_setting('partnership.forgetting', true);" : ""}
    BEGIN
      IF NOT table_name = ANY (${tables}) THEN
        RAISE EXCEPTION 'an erasure moves no rows of %', table_name USING ERRCODE = 'insufficient_privilege';
      END IF;
      -- The rows are those of the table, found by their primary key: never what the caller sent.
      SELECT string_agg(format('t.%I IS NOT DISTINCT FROM k.%I', a.attname, a.attname), ' AND ')
        INTO keys
        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
       WHERE i.indrelid = format('public.%I', table_name)::regclass AND i.indisprimary;${forgetting ? "\n      PERFORM set_config('partnership.forgetting', 'ERASURE', true);" : ""}
      RETURN QUERY EXECUTE format(
        'WITH gone AS (DELETE FROM public.%1$I t USING jsonb_populate_recordset(NULL::public.%1$I, $2) k
                        WHERE %2$s RETURNING t.*),
              kept AS (INSERT INTO public.erasure_pending (erasure_id, table_name, row)
                       SELECT $1, %1$L, to_jsonb(gone) FROM gone)
         SELECT to_jsonb(gone) FROM gone', table_name, keys)
        USING erasure_id, coalesce(picked, '[]'::jsonb);${forgetting ? "\n      PERFORM set_config('partnership.forgetting', coalesce(was, ''), true);" : ""}
    END
    $$`;
}

/**
 * The SQL of `erasure_undo`. With `forgetting`, the forgotten-record entries of the rows it puts
 * back go too (shared/forgotten.ts): an erasure undone leaves nothing behind.
 */
export function undoFunction(
  verb: "CREATE" | "CREATE OR REPLACE",
  erasedTables: readonly string[],
  forgetting = false,
): string {
  const tables = `ARRAY[${erasedTables.map((t) => `'${t}'`).join(", ")}]::text[]`;
  return `
    ${verb} FUNCTION erasure_undo(erasure_id text)
    RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      erased text;
      moved integer;
      restored integer := 0;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtextextended('erasure:' || erasure_id, 0));
      INSERT INTO public.erasures_undone (erasure_id) VALUES (erasure_id) ON CONFLICT DO NOTHING;
      FOREACH erased IN ARRAY ${tables} LOOP
        EXECUTE format(
          'INSERT INTO public.%1$I SELECT (jsonb_populate_record(NULL::public.%1$I, p.row)).*
             FROM public.erasure_pending p WHERE p.erasure_id = $1 AND p.table_name = %1$L ORDER BY p.position',
          erased) USING erasure_id;
        GET DIAGNOSTICS moved = ROW_COUNT;
        restored := restored + moved;
      END LOOP;${
        forgetting
          ? `
      DELETE FROM public.forgotten_records f
       USING public.erasure_pending p
       WHERE p.erasure_id = erasure_undo.erasure_id AND p.row ->> 'source_key' IS NOT NULL
         AND f.reason = 'ERASURE' AND f.digest = public.forgotten_record_digest(p.table_name, p.row ->> 'source_key');`
          : ""
      }
      DELETE FROM public.erasure_pending p WHERE p.erasure_id = erasure_undo.erasure_id;
      RETURN restored;
    END
    $$`;
}

/** Undoes `eraseThroughDefinerFunctions`: the service's grants as the first erasure migration left them. */
export async function eraseThroughServiceGrants(
  q: QueryRunner,
  erasedTables: readonly string[],
): Promise<void> {
  await q.query(`DROP FUNCTION erasure_undo(text)`);
  await q.query(`DROP FUNCTION erasure_move_aside(text, text, jsonb)`);
  const service = ident(roleName(await currentDatabase(q), "service"));
  await q.query(
    `GRANT INSERT ON TABLE ${[...erasedTables, "erasure_pending", "erasures_undone"].map(ident).join(", ")} TO ${service}`,
  );
  await q.query(`GRANT USAGE ON SEQUENCE erasure_pending_position_seq TO ${service}`);
}

async function currentDatabase(q: QueryRunner): Promise<string> {
  return ((await q.query(`SELECT current_database() AS name`)) as { name: string }[])[0].name;
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
 * input) aside under the erasure, in `tx` (through `erasure_move_aside`); returns them.
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
    `SELECT (jsonb_populate_record(NULL::${table}, moved)).*
       FROM erasure_move_aside($${at}, $${at + 1},
              (SELECT jsonb_agg(to_jsonb(t)) FROM ${table} t WHERE ${where})) AS moved`,
    [...params, erasureId, table],
  );
}

/** Puts back what the erasure moved aside (through `erasure_undo`), and forbids a later prepare. */
export async function undoErasure(tx: Sql, erasureId: string): Promise<number> {
  const row = await tx.one<{ restored: number }>(`SELECT erasure_undo($1) AS restored`, [erasureId]);
  return row!.restored;
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
