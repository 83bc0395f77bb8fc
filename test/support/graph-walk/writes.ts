import type { Sql } from "../../../subgraphs/shared/database";

/**
 * What a mutation wrote, in every subgraph's database, and the seeded state put back after it,
 * so that each call of the mutation walk starts from the same data. A row trigger on every table
 * notes each row inserted, updated or deleted (and each TRUNCATE) in `walk_journal.writes`; the
 * tables as seeded are copied once into `walk_journal`, and a table that was written is put back
 * from its copy (with triggers and foreign-key checks off, as a replica would), then the facts'
 * version is moved on so that no subgraph keeps agreements or consents from before.
 *
 * The audit is not put back: it is append-only and hash-chained, and the walk reads it.
 */

/**
 * Tables the audit writes (a refused call may be audited), the facts' version it moves, and the
 * audit's keys (`audit_append` makes a person's key with their first record; an erasure destroys
 * it): seeded keys an erasure destroyed are put back, keys made since are kept.
 */
export const AUDIT_TABLES = new Set([
  "audit_log",
  "audit_checkpoints",
  "access_facts_version",
  "person_keys",
]);

const SETUP = [
  `CREATE SCHEMA IF NOT EXISTS walk_journal`,
  `CREATE TABLE IF NOT EXISTS walk_journal.writes (table_name text NOT NULL, op text NOT NULL)`,
  `CREATE OR REPLACE FUNCTION walk_journal.note() RETURNS trigger
     LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
   BEGIN
     INSERT INTO walk_journal.writes (table_name, op) VALUES (TG_TABLE_NAME, TG_OP);
     RETURN NULL;
   END $$`,
  `DO $$
   DECLARE t text;
   BEGIN
     FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
       EXECUTE format('DROP TABLE IF EXISTS walk_journal.%I', 'seeded_' || t);
       EXECUTE format('CREATE TABLE walk_journal.%I AS TABLE public.%I', 'seeded_' || t, t);
       EXECUTE format('CREATE TRIGGER walk_journal_rows AFTER INSERT OR UPDATE OR DELETE ON public.%I
                         FOR EACH ROW EXECUTE FUNCTION walk_journal.note()', t);
       EXECUTE format('CREATE TRIGGER walk_journal_truncate AFTER TRUNCATE ON public.%I
                         FOR EACH STATEMENT EXECUTE FUNCTION walk_journal.note()', t);
     END LOOP;
   END $$`,
  // Puts back every table written since the last call but the audit's, and empties the journal.
  `CREATE OR REPLACE FUNCTION walk_journal.restore(audit text[]) RETURNS text[]
     LANGUAGE plpgsql AS $$
   DECLARE
     t text;
     restored text[] := '{}';
   BEGIN
     PERFORM set_config('session_replication_role', 'replica', true);
     FOR t IN SELECT DISTINCT table_name FROM walk_journal.writes WHERE table_name <> ALL (audit) LOOP
       EXECUTE format('DELETE FROM public.%I', t);
       EXECUTE format('INSERT INTO public.%I SELECT * FROM walk_journal.%I', t, 'seeded_' || t);
       restored := restored || t;
     END LOOP;
     IF to_regclass('walk_journal.seeded_person_keys') IS NOT NULL THEN
       INSERT INTO public.person_keys SELECT * FROM walk_journal.seeded_person_keys ON CONFLICT DO NOTHING;
     END IF;
     IF restored && ARRAY['agreements', 'agreement_approvals', 'consents'] THEN
       UPDATE public.access_facts_version SET version = version + 1;
     END IF;
     DELETE FROM walk_journal.writes;
     PERFORM set_config('session_replication_role', 'origin', true);
     RETURN restored;
   END $$`,
];

export interface WriteJournal {
  /** Tables written since the last `restore`, per database (the audit's included). */
  written(): Promise<Record<string, string[]>>;
  /** Puts back what was written (but the audit) and empties the journal. */
  restore(): Promise<void>;
}

/** Installs the journal in each database (as its owner) and copies the tables as they are now. */
export async function installWriteJournal(databases: Record<string, Sql>): Promise<WriteJournal> {
  for (const sql of Object.values(databases)) for (const statement of SETUP) await sql.many(statement);
  const each = <T>(work: (sql: Sql) => Promise<T>) =>
    Promise.all(Object.entries(databases).map(async ([name, sql]) => [name, await work(sql)] as const));
  return {
    async written() {
      const rows = await each((sql) =>
        sql.many<{ t: string }>(`SELECT DISTINCT table_name AS t FROM walk_journal.writes ORDER BY 1`),
      );
      return Object.fromEntries(rows.map(([name, list]) => [name, list.map((r) => r.t)]));
    },
    async restore() {
      await each((sql) => sql.many(`SELECT walk_journal.restore($1)`, [[...AUDIT_TABLES]]));
    },
  };
}
