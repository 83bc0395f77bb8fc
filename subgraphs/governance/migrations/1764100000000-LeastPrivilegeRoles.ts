import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  createGovernanceRoles,
  createServiceRole,
  quoteIdentifier as ident,
} from "../../shared/database-roles";

/**
 * Until now every service was the superuser and owned `audit_log`: it could silence the
 * append-only triggers (`session_replication_role`, DISABLE TRIGGER) and rewrite history.
 *
 * - The governance service reads every governance table and writes agreements, approvals,
 *   consents and break-glass reviews; the audit log only through `audit_append`.
 * - The other subgraphs' access role reads the access facts (agencies, agreements, approvals,
 *   consents, dates of birth, their version) and may call `audit_append`: nothing else.
 * - The auditor reads the audit log and its checkpoints (`npm run audit:verify`).
 * - `audit_append` and the access-facts trigger run with the rights of a NOLOGIN definer that
 *   may only insert into the log and checkpoints and bump the version; with a search_path of
 *   pg_catalog alone (every table named with its schema), so no caller can put its own objects
 *   in their way.
 *
 * No service role owns a table, so none can alter one, disable its triggers or truncate it, and
 * none is a superuser, so none can set session_replication_role.
 */
export class LeastPrivilegeRoles1764100000000 implements MigrationInterface {
  name = "LeastPrivilegeRoles1764100000000";

  async up(q: QueryRunner): Promise<void> {
    const service = await createServiceRole(q, {
      writes: {
        agreements: ["INSERT", "UPDATE"],
        agreement_approvals: ["INSERT"],
        consents: ["INSERT", "UPDATE"],
        break_glass_reviews: ["INSERT"],
      },
    });
    const { access, auditWriter } = await createGovernanceRoles(q, {
      accessReads: [
        "agencies",
        "agreements",
        "agreement_approvals",
        "consents",
        "person_dates_of_birth",
        "access_facts_version",
      ],
    });
    await q.query(`GRANT SELECT, INSERT ON TABLE public.audit_log TO ${ident(auditWriter)}`);
    await q.query(`GRANT INSERT ON TABLE public.audit_checkpoints TO ${ident(auditWriter)}`);
    await q.query(`GRANT SELECT, UPDATE ON TABLE public.access_facts_version TO ${ident(auditWriter)}`);

    // As before, with definer rights; see OneRoundTripAccess1763900000000 for how it works.
    await q.query(`
      CREATE OR REPLACE FUNCTION public.audit_append(records jsonb, facts_version bigint)
      RETURNS TABLE (record_sequence bigint, record_previous_hash text, record_hash text)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        head_sequence bigint;
        head_hash text;
        record jsonb;
      BEGIN
        -- 1635083369 = 0x61756469 ("audi").
        PERFORM pg_advisory_xact_lock(1635083369);
        IF facts_version IS NOT NULL
           AND facts_version <> (SELECT v.version FROM public.access_facts_version v) THEN
          RETURN;
        END IF;
        SELECT a.sequence, a.hash INTO head_sequence, head_hash
          FROM public.audit_log a ORDER BY a.sequence DESC LIMIT 1;
        head_sequence := coalesce(head_sequence, 0);
        head_hash := coalesce(head_hash, repeat('0', 64));
        FOR record IN SELECT value FROM jsonb_array_elements(records) LOOP
          record_sequence := head_sequence + 1;
          record_previous_hash := head_hash;
          record_hash := encode(sha256(convert_to(
            head_hash || (record->>'content_before') || record_sequence::text || (record->>'content_after'),
            'UTF8')), 'hex');
          INSERT INTO public.audit_log
          SELECT * FROM jsonb_populate_record(NULL::public.audit_log, record || jsonb_build_object(
            'sequence', record_sequence, 'previous_hash', record_previous_hash, 'hash', record_hash));
          IF record_sequence % 1000 = 0 THEN
            INSERT INTO public.audit_checkpoints (sequence, hash, at) VALUES (record_sequence, record_hash, clock_timestamp());
          END IF;
          head_sequence := record_sequence;
          head_hash := record_hash;
          RETURN NEXT;
        END LOOP;
      END
      $$`);
    // The governance service changes agreements and consents but may not set the version
    // itself (setting it back would make other subgraphs trust facts they kept from before).
    await q.query(`
      CREATE OR REPLACE FUNCTION public.access_facts_changed() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        UPDATE public.access_facts_version SET version = version + 1;
        RETURN NULL;
      END
      $$`);
    for (const fn of ["public.audit_append(jsonb, bigint)", "public.access_facts_changed()"]) {
      await q.query(`ALTER FUNCTION ${fn} OWNER TO ${ident(auditWriter)}`);
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    }
    await q.query(
      `GRANT EXECUTE ON FUNCTION public.audit_append(jsonb, bigint) TO ${ident(service)}, ${ident(access)}`,
    );
  }

  async down(): Promise<void> {
    // Roles are cluster-wide and may serve a copy of this database: dropped by whoever drops both.
  }
}
