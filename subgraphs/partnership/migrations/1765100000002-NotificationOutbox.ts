import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo, quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * The partnership's notification outbox: case work (an action assigned, overdue, a person on a
 * case reaching the case review threshold) writes its notices here, in the transaction of the
 * change, through `notify(jsonb)` (the same call governance's database answers); the relay hands
 * them to governance, which owns notifications, and marks them relayed. `dedupe_key` is unique
 * here and there, so a notice is written once however often a sweep or a relay runs.
 */
export class NotificationOutbox1765100000002 implements MigrationInterface {
  name = "NotificationOutbox1765100000002";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    await q.query(`
      CREATE TABLE notification_outbox (
        id bigserial PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        title text NOT NULL,
        subject_kind text NOT NULL,
        subject_id text NOT NULL,
        to_agency_id text NOT NULL,
        to_role text,
        to_user_id text,
        dedupe_key text NOT NULL UNIQUE,
        relayed_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX notification_outbox_pending ON notification_outbox (id) WHERE relayed_at IS NULL`,
    );
    await q.query(`
      CREATE FUNCTION public.notify(notices jsonb) RETURNS void
      LANGUAGE sql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
        INSERT INTO public.notification_outbox (kind, title, subject_kind, subject_id, to_agency_id, to_role, to_user_id, dedupe_key)
        SELECT n.kind, n.title, n.subject_kind, n.subject_id, n.to_agency_id, n.to_role, n.to_user_id, n.dedupe_key
          FROM jsonb_to_recordset(notices) AS n(kind text, title text, subject_kind text, subject_id text,
               to_agency_id text, to_role text, to_user_id text, dedupe_key text)
        ON CONFLICT (dedupe_key) DO NOTHING
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION public.notify(jsonb) FROM PUBLIC`);
    await q.query(
      `GRANT EXECUTE ON FUNCTION public.notify(jsonb) TO ${ident(roleName(database, "service"))}`,
    );
    await grantTo(q, "service", ["INSERT", "UPDATE"], ["notification_outbox"]);
    await q.query(
      `GRANT USAGE ON SEQUENCE notification_outbox_id_seq TO ${ident(roleName(database, "service"))}`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION public.notify(jsonb)`);
    await q.query(`DROP TABLE notification_outbox`);
  }
}
