import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  AUDITING_SUBGRAPHS,
  createRole,
  quoteIdentifier as ident,
  roleName,
} from "../../shared/database-roles";

/**
 * Until now every subgraph appended to the audit with one shared access role, so whoever held that
 * credential could append chain-consistent but false records: police could write that council had
 * disclosed a case. Now each subgraph logs in as a role of its own (`<database>_access_<subgraph>`,
 * a member of the access role, so it reads the same facts), and `audit_append` takes the acting
 * agency from the login (`session_user`, which a SECURITY DEFINER function does not change and only
 * a superuser can), through `audit_writers`:
 *
 * - a subgraph appends disclosures and denials of its own agency's data (its `owner_agency_id`);
 * - any subgraph may append a refusal of the people index (owner `partnership`), whose Person type
 *   each serves;
 * - the partnership subgraph links every agency's records (the agencies' own references for a
 *   person, a case's links to records others hold, case review counts) and decides those links
 *   itself: it may append disclosures and denials of any agency's data, but nothing else;
 * - a subgraph may append the decision on what a caller's agency sends it of its own data by
 *   acting (a partner's referral to youth services shares the referrer's record of the young
 *   person, decided and recorded by the youth subgraph): owner = the caller's agency and the
 *   record's detail "sent to <the writer's agency>", so it speaks only of data sent to the writer.
 *
 * Changes to agreements and consents, and break-glass reviews, are the governance service's
 * (its own role, not a writer) and the seed's (the migrator). The access role keeps its reads
 * (the gateway's registry) and loses `audit_append`. The chain and its hashing are unchanged, so
 * the log written before verifies as it did.
 */
export class AuditAppendByLogin1764310000000 implements MigrationInterface {
  name = "AuditAppendByLogin1764310000000";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const access = roleName(database, "access");
    const auditWriter = roleName(database, "audit_writer");
    await q.query(`
      CREATE TABLE public.audit_writers (
        role_name text PRIMARY KEY,
        agency_id text NOT NULL
      )`);
    await q.query(`REVOKE ALL ON TABLE public.audit_writers FROM ${ident(roleName(database, "service"))}`);
    await q.query(`GRANT SELECT ON TABLE public.audit_writers TO ${ident(auditWriter)}`);
    const writers: string[] = [];
    for (const subgraph of AUDITING_SUBGRAPHS) {
      const role = roleName(database, `access_${subgraph}`);
      await createRole(q, role, true);
      await q.query(`GRANT ${ident(access)} TO ${ident(role)}`);
      // Each subgraph's records are its own agency's: the subgraphs are named after their agencies.
      await q.query(
        `INSERT INTO public.audit_writers (role_name, agency_id) VALUES ($1, $2)
         ON CONFLICT (role_name) DO UPDATE SET agency_id = EXCLUDED.agency_id`,
        [role, subgraph],
      );
      writers.push(role);
    }

    // As in LeastPrivilegeRoles1764100000000, with the writer's records checked first.
    await q.query(`
      CREATE OR REPLACE FUNCTION public.audit_append(records jsonb, facts_version bigint)
      RETURNS TABLE (record_sequence bigint, record_previous_hash text, record_hash text)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        head_sequence bigint;
        head_hash text;
        record jsonb;
        writer text;
        owner text;
      BEGIN
        SELECT w.agency_id INTO writer FROM public.audit_writers w WHERE w.role_name = session_user;
        IF FOUND THEN
          FOR record IN SELECT value FROM jsonb_array_elements(records) LOOP
            owner := record->>'owner_agency_id';
            IF NOT coalesce(
                 record->>'kind' IN ('DISCLOSURE', 'DENIAL')
                 AND (owner = writer
                      OR (owner = 'partnership' AND record->>'decision' = 'DENIED')
                      OR (owner = record->>'agency_id' AND record->>'detail' = 'sent to ' || writer)
                      OR (writer = 'partnership' AND owner IS NOT NULL)),
                 false) THEN
              RAISE EXCEPTION 'audit_append: the % subgraph may append only records of its own agency''s data, not this % of %''s',
                writer, coalesce(record->>'kind', 'record'), coalesce(owner, 'no one')
                USING ERRCODE = 'insufficient_privilege';
            END IF;
          END LOOP;
        END IF;
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
    await q.query(`REVOKE EXECUTE ON FUNCTION public.audit_append(jsonb, bigint) FROM ${ident(access)}`);
    await q.query(
      `GRANT EXECUTE ON FUNCTION public.audit_append(jsonb, bigint) TO ${writers.map(ident).join(", ")}`,
    );
  }

  async down(): Promise<void> {
    // Giving the shared access role the append back would reopen what this closed.
  }
}
