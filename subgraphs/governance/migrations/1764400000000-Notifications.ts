import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo, quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * Notifications, owned by governance (it knows agencies and roles), written as an outbox in the
 * transaction of the change that causes them:
 *
 * - `notifications`: one row per notice, to an agency (narrowed to a role or a user when set),
 *   unique by `dedupe_key` (kind, subject, recipient, period), so a relay retried or a sweep run
 *   again writes nothing twice;
 * - `notification_reads`: who has read what (a notice to an agency is read by each user alone);
 * - `notification_deliveries`: the webhook outbox, one row per notice, made by a trigger on the
 *   same insert, marked delivered once the agency's webhook answered 2xx;
 * - `notify(jsonb)`: the one way in. The governance service calls it in its own transactions; the
 *   partnership subgraph's login (its relay) may write only the case work kinds; other logins
 *   nothing. A break-glass disclosure appended to the audit writes its notice to the owner's
 *   data-sharing officers in the same statement (trigger), so none is ever missed.
 */
export class Notifications1764400000000 implements MigrationInterface {
  name = "Notifications1764400000000";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const auditWriter = roleName(database, "audit_writer");
    const service = roleName(database, "service");
    const partnershipWriter = roleName(database, "access_partnership");
    await q.query(`
      CREATE TABLE public.notifications (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL CHECK (kind IN ('BREAK_GLASS_ON_OUR_DATA', 'AGREEMENT_AWAITING_APPROVAL',
          'AGREEMENT_REVIEW_DUE', 'CONSENT_EXPIRING', 'ACTION_ASSIGNED', 'ACTION_OVERDUE',
          'CASE_REVIEW_THRESHOLD_MET')),
        title text NOT NULL,
        subject_kind text NOT NULL CHECK (subject_kind IN ('AGREEMENT', 'CONSENT', 'BREAK_GLASS_EVENT',
          'PROBLEM_CASE', 'CASE_ACTION', 'PERSON')),
        subject_id text NOT NULL,
        to_agency_id text NOT NULL,
        to_role text,
        to_user_id text,
        dedupe_key text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX notifications_to_agency ON public.notifications (to_agency_id, id DESC)`);
    await q.query(`
      CREATE TABLE public.notification_reads (
        notification_id bigint NOT NULL REFERENCES public.notifications (id),
        user_id text NOT NULL,
        read_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (notification_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE public.notification_deliveries (
        notification_id bigint PRIMARY KEY REFERENCES public.notifications (id),
        agency_id text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        last_error text
      )`);
    await q.query(`
      CREATE INDEX notification_deliveries_pending ON public.notification_deliveries (agency_id, next_attempt_at)
        WHERE delivered_at IS NULL`);

    await q.query(`
      CREATE FUNCTION public.notification_delivery_queued() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        INSERT INTO public.notification_deliveries (notification_id, agency_id) VALUES (NEW.id, NEW.to_agency_id);
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER notifications_delivery AFTER INSERT ON public.notifications
        FOR EACH ROW EXECUTE FUNCTION public.notification_delivery_queued()`);

    await q.query(`
      CREATE FUNCTION public.notify(notices jsonb) RETURNS void
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        writer text;
      BEGIN
        SELECT w.agency_id INTO writer FROM public.audit_writers w WHERE w.role_name = session_user;
        IF FOUND AND (writer <> 'partnership' OR EXISTS (
             SELECT 1 FROM jsonb_array_elements(notices) n
              WHERE n->>'kind' NOT IN ('ACTION_ASSIGNED', 'ACTION_OVERDUE', 'CASE_REVIEW_THRESHOLD_MET'))) THEN
          RAISE EXCEPTION 'notify: the % subgraph may not write these notices', writer
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO public.notifications (kind, title, subject_kind, subject_id, to_agency_id, to_role, to_user_id, dedupe_key)
        SELECT n.kind, n.title, n.subject_kind, n.subject_id, n.to_agency_id, n.to_role, n.to_user_id, n.dedupe_key
          FROM jsonb_to_recordset(notices) AS n(kind text, title text, subject_kind text, subject_id text,
               to_agency_id text, to_role text, to_user_id text, dedupe_key text)
        ON CONFLICT (dedupe_key) DO NOTHING;
      END
      $$`);

    // Break-glass: written with the audit record itself (audit_append runs as the audit writer).
    await q.query(`
      CREATE FUNCTION public.notify_break_glass() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        INSERT INTO public.notifications (kind, title, subject_kind, subject_id, to_agency_id, to_role, dedupe_key)
        VALUES ('BREAK_GLASS_ON_OUR_DATA',
                'Break-glass used on your agency''s data by ' || NEW.agency_id || ': review it',
                'BREAK_GLASS_EVENT', NEW.sequence::text, NEW.owner_agency_id, 'DATA_SHARING_OFFICER',
                concat_ws('|', 'BREAK_GLASS_ON_OUR_DATA', 'BREAK_GLASS_EVENT', NEW.sequence::text,
                          NEW.owner_agency_id, 'DATA_SHARING_OFFICER', '', ''))
        ON CONFLICT (dedupe_key) DO NOTHING;
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_log_break_glass_notice AFTER INSERT ON public.audit_log
        FOR EACH ROW WHEN (NEW.break_glass AND NEW.kind = 'DISCLOSURE' AND NEW.owner_agency_id IS NOT NULL)
        EXECUTE FUNCTION public.notify_break_glass()`);

    for (const fn of [
      "public.notification_delivery_queued()",
      "public.notify(jsonb)",
      "public.notify_break_glass()",
    ]) {
      await q.query(`ALTER FUNCTION ${fn} OWNER TO ${ident(auditWriter)}`);
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    }
    await q.query(`GRANT SELECT ON TABLE public.audit_writers TO ${ident(auditWriter)}`);
    // SELECT too: ON CONFLICT (dedupe_key) reads the key it arbitrates on.
    await q.query(`GRANT SELECT, INSERT ON TABLE public.notifications TO ${ident(auditWriter)}`);
    await q.query(`GRANT INSERT ON TABLE public.notification_deliveries TO ${ident(auditWriter)}`);
    await q.query(`GRANT USAGE ON SEQUENCE public.notifications_id_seq TO ${ident(auditWriter)}`);
    await q.query(
      `GRANT EXECUTE ON FUNCTION public.notify(jsonb) TO ${ident(service)}, ${ident(partnershipWriter)}`,
    );
    await grantTo(q, "service", ["INSERT"], ["notification_reads"]);
    await grantTo(q, "service", ["UPDATE"], ["notification_deliveries"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_log_break_glass_notice ON public.audit_log`);
    await q.query(`DROP FUNCTION public.notify_break_glass()`);
    await q.query(`DROP FUNCTION public.notify(jsonb)`);
    await q.query(
      `DROP TABLE public.notification_deliveries, public.notification_reads, public.notifications`,
    );
    await q.query(`DROP FUNCTION public.notification_delivery_queued()`);
  }
}
