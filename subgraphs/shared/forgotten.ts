import { Column, Entity, PrimaryColumn, type QueryRunner } from "typeorm";
import type { Sql } from "./database";
import { quoteIdentifier as ident, roleName } from "./database-roles";
import { moveAsideFunction, undoFunction } from "./erasure";

/**
 * Forgotten records (issue 20): a record an agency loaded with `npm run ingest` (it has a source
 * key) that an erasure or retention took out of its store must not come back with the agency's
 * next export. Its store keeps a **forgotten-record entry**, written in the same transaction as
 * the deletion, and the ingest refuses a row whose key (or whose parent's key) has one.
 *
 * What an entry keeps, and why no more:
 * - not the source key, but a keyed digest of it (HMAC-SHA-256 of table and key, with a key made
 *   at random by the migration and readable only by the tables' owner). A source key can carry the
 *   agency's person reference (a party's key is often case and person); kept in clear it would
 *   still link that reference to "was here", which an erasure must not leave behind. A plain hash
 *   of a guessable reference could be reversed by trying every one; without the key it cannot.
 *   Only the owner's functions compute digests, so the service and ingest roles never see the key;
 * - the table (the same key in two tables is two records), the day (not the time: enough to say
 *   "erased on"), and why: ERASURE or RETENTION. Not the erasure, not the person: nothing links an
 *   entry back to whom it was about.
 *
 * How entries are written, with no new rights for the service: a trigger on each keyed table
 * (SECURITY DEFINER, owned by the tables' owner) records the keyed rows a statement deletes, or a
 * police incident retention returns to what police.uk publishes, but only while the transaction says
 * why (`partnership.forgetting`): `erasure_move_aside` says ERASURE for the length of its move, the
 * retention job's `Holdings.expire` says RETENTION. Any other delete (a demo re-seed) leaves none.
 * Cascades count: a retention that deletes a case forgets its parties and interventions too.
 * `erasure_undo` removes the entries of the rows it puts back, so an erasure undone before it
 * settles leaves nothing; one settled keeps its entries. Nobody else can write or remove one.
 */

export type ForgottenReason = "ERASURE" | "RETENTION";

/** A record an erasure or retention took: a keyed digest of its source key, and why and when. */
@Entity({ name: "forgotten_records" })
export class ForgottenRecord {
  @PrimaryColumn({ type: "bytea" })
  digest!: Buffer;

  @Column({ type: "text", name: "table_name" })
  tableName!: string;

  @Column({ type: "text" })
  reason!: ForgottenReason;

  @Column({ type: "date", name: "forgotten_on" })
  forgottenOn!: string;
}

/** The digests' key, as HMAC's inner and outer padded keys: one row, read only by its owner. */
@Entity({ name: "forgotten_record_key" })
export class ForgottenRecordKey {
  @PrimaryColumn({ type: "boolean", name: "only_one", default: true })
  onlyOne!: boolean;

  @Column({ type: "bytea", name: "inner_pad" })
  innerPad!: Buffer;

  @Column({ type: "bytea", name: "outer_pad" })
  outerPad!: Buffer;
}

/** The entities of the tables every store that forgets imported records has. */
export const FORGOTTEN_ENTITIES = [ForgottenRecord, ForgottenRecordKey];

/** A key an import brings that its store has forgotten: why and when. */
export interface ForgottenKey {
  sourceKey: string;
  reason: ForgottenReason;
  /** YYYY-MM-DD (UTC). */
  forgottenOn: string;
}

/** The row-error reason the ingest gives for a forgotten key. */
export function forgottenReason(f: Pick<ForgottenKey, "reason" | "forgottenOn">): string {
  return f.reason === "ERASURE"
    ? `erased on ${f.forgottenOn}`
    : `deleted under retention on ${f.forgottenOn}`;
}

/**
 * Which of these source keys of `table` the store has forgotten (through `forgotten_among`, the
 * one thing the ingest role may ask of the entries).
 */
export async function forgottenAmong(
  sql: Sql,
  table: string,
  sourceKeys: readonly string[],
): Promise<Map<string, ForgottenKey>> {
  if (!sourceKeys.length) return new Map();
  const rows = await sql.many<{ source_key: string; reason: ForgottenReason; forgotten_on: string }>(
    `SELECT source_key, reason, to_char(forgotten_on, 'YYYY-MM-DD') AS forgotten_on
       FROM forgotten_among($1, $2::text[])`,
    [table, [...new Set(sourceKeys)]],
  );
  return new Map(
    rows.map((r) => [
      r.source_key,
      { sourceKey: r.source_key, reason: r.reason, forgottenOn: r.forgotten_on },
    ]),
  );
}

/** In `tx`: what the keyed rows it deletes from now on are forgotten for (retention's expire). */
export async function forgetting(tx: Sql, reason: ForgottenReason): Promise<void> {
  await tx.one(`SELECT set_config('partnership.forgetting', $1, true)`, [reason]);
}

export interface ForgottenTables {
  /** The store's erased tables, parents first, as its ErasureThroughDefinerFunctions migration has them. */
  erased: readonly string[];
  /** Tables with a source key that an erasure or retention deletes rows of. */
  deleted: readonly string[];
  /** Tables with a source key whose rows retention keeps, anonymised (police incidents). */
  anonymised?: readonly string[];
}

const triggerName = (table: string, kind: "deleted" | "anonymised") => ident(`${table}_forgotten_${kind}`);

/**
 * Migration step, for a store that both ingests and erases: the entries, their key, the trigger
 * that writes them, the ingest role's one way to read them, and the erasure functions made again
 * so that a move aside writes them and an undo removes them.
 */
export async function rememberForgottenRecords(q: QueryRunner, tables: ForgottenTables): Promise<void> {
  const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
  // HMAC's two padded keys, made once from 256 bits of gen_random_uuid (244 of them random).
  await q.query(`
    CREATE TABLE forgotten_record_key (
      only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one),
      inner_pad bytea NOT NULL,
      outer_pad bytea NOT NULL
    )`);
  await q.query(`
    DO $$
    DECLARE
      k bytea := decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') || repeat('00', 32), 'hex');
      i bytea := k;
      o bytea := k;
    BEGIN
      FOR n IN 0..63 LOOP
        i := set_byte(i, n, get_byte(k, n) # 54);
        o := set_byte(o, n, get_byte(k, n) # 92);
      END LOOP;
      INSERT INTO public.forgotten_record_key (inner_pad, outer_pad) VALUES (i, o);
    END $$`);
  await q.query(`
    CREATE TABLE forgotten_records (
      digest bytea PRIMARY KEY,
      table_name text NOT NULL,
      reason text NOT NULL CHECK (reason IN ('ERASURE', 'RETENTION')),
      forgotten_on date NOT NULL
    )`);
  // Called only by the owner's functions below (no one else may execute it, nor read the key).
  await q.query(`
    CREATE FUNCTION forgotten_record_digest(table_name text, source_key text)
    RETURNS bytea LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp AS $$
      SELECT sha256(k.outer_pad || sha256(k.inner_pad || convert_to($1 || ':' || $2, 'UTF8')))
        FROM public.forgotten_record_key k
    $$`);
  await q.query(`
    CREATE FUNCTION remember_forgotten_records()
    RETURNS trigger LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      why text := nullif(current_setting('partnership.forgetting', true), '');
    BEGIN
      IF why IS NULL THEN
        RETURN NULL;
      END IF;
      IF why NOT IN ('ERASURE', 'RETENTION') THEN
        RAISE EXCEPTION 'partnership.forgetting is ERASURE or RETENTION, not %', why;
      END IF;
      IF TG_LEVEL = 'ROW' THEN
        INSERT INTO public.forgotten_records (digest, table_name, reason, forgotten_on)
        VALUES (public.forgotten_record_digest(TG_TABLE_NAME, NEW.source_key), TG_TABLE_NAME, why,
                (now() AT TIME ZONE 'UTC')::date)
        ON CONFLICT (digest) DO NOTHING;
        RETURN NULL;
      END IF;
      INSERT INTO public.forgotten_records (digest, table_name, reason, forgotten_on)
      SELECT DISTINCT public.forgotten_record_digest(TG_TABLE_NAME, g.source_key), TG_TABLE_NAME, why,
             (now() AT TIME ZONE 'UTC')::date
        FROM gone g WHERE g.source_key IS NOT NULL
      ON CONFLICT (digest) DO NOTHING;
      RETURN NULL;
    END
    $$`);
  await q.query(`
    CREATE FUNCTION forgotten_among(table_name text, source_keys text[])
    RETURNS TABLE (source_key text, reason text, forgotten_on date) LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
      SELECT k.key, f.reason, f.forgotten_on
        FROM unnest($2) AS k(key)
        JOIN public.forgotten_records f ON f.digest = public.forgotten_record_digest($1, k.key)
    $$`);
  for (const fn of [
    "forgotten_record_digest(text, text)",
    "remember_forgotten_records()",
    "forgotten_among(text, text[])",
  ])
    await q.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC`);
  await q.query(
    `GRANT EXECUTE ON FUNCTION forgotten_among(text, text[]) TO ${ident(roleName(database, "ingest"))}`,
  );
  // The service reads every table by default (LeastPrivilegeRoles): not these.
  await q.query(
    `REVOKE ALL ON TABLE forgotten_records, forgotten_record_key FROM ${ident(roleName(database, "service"))}`,
  );
  for (const table of tables.deleted)
    await q.query(
      `CREATE TRIGGER ${triggerName(table, "deleted")} AFTER DELETE ON ${ident(table)}
       REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION remember_forgotten_records()`,
    );
  for (const table of tables.anonymised ?? [])
    await q.query(
      // Row by row, and only while forgetting: the table's every other update (an import, an
      // outcome) pays for one condition, not for a copy of what it changed.
      `CREATE TRIGGER ${triggerName(table, "anonymised")} AFTER UPDATE ON ${ident(table)} FOR EACH ROW
       WHEN (NEW.source_key IS NOT NULL AND coalesce(current_setting('partnership.forgetting', true), '') <> '')
       EXECUTE FUNCTION remember_forgotten_records()`,
    );
  await q.query(moveAsideFunction("CREATE OR REPLACE", tables.erased, true));
  await q.query(undoFunction("CREATE OR REPLACE", tables.erased, true));
}

/** Undoes `rememberForgottenRecords`. */
export async function forgetForgottenRecords(q: QueryRunner, tables: ForgottenTables): Promise<void> {
  await q.query(moveAsideFunction("CREATE OR REPLACE", tables.erased));
  await q.query(undoFunction("CREATE OR REPLACE", tables.erased));
  for (const table of tables.anonymised ?? [])
    await q.query(`DROP TRIGGER ${triggerName(table, "anonymised")} ON ${ident(table)}`);
  for (const table of tables.deleted)
    await q.query(`DROP TRIGGER ${triggerName(table, "deleted")} ON ${ident(table)}`);
  await q.query(`DROP FUNCTION forgotten_among(text, text[])`);
  await q.query(`DROP FUNCTION remember_forgotten_records()`);
  await q.query(`DROP FUNCTION forgotten_record_digest(text, text)`);
  await q.query(`DROP TABLE forgotten_records`);
  await q.query(`DROP TABLE forgotten_record_key`);
}
