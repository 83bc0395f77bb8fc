import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A person's rights, handled by a data-sharing officer (issue 18), are audited as records of their
 * own kind: SUBJECT_ACCESS (an export, written by the governance service) and RECTIFICATION (a
 * correction of the people index, written by the partnership subgraph, whose login could until now
 * append only disclosures and denials). `audit_append` is as in AuditAppendByLogin1764310000000
 * with one more thing a writer may append: the partnership subgraph, a RECTIFICATION of the people
 * index (owner `partnership`). The chain and its hashing are unchanged.
 */
export class RightsAudit1765100000000 implements MigrationInterface {
  name = "RightsAudit1765100000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check`);
    await q.query(
      `ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check CHECK (kind IN ('DISCLOSURE', 'DENIAL',
         'AGREEMENT_CHANGE', 'CONSENT_CHANGE', 'BREAK_GLASS_REVIEW', 'SUBJECT_ACCESS', 'RECTIFICATION'))`,
    );
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
                 (record->>'kind' IN ('DISCLOSURE', 'DENIAL')
                  AND (owner = writer
                       OR (owner = 'partnership' AND record->>'decision' = 'DENIED')
                       OR (owner = record->>'agency_id' AND record->>'detail' = 'sent to ' || writer)
                       OR (writer = 'partnership' AND owner IS NOT NULL)))
                 OR (record->>'kind' = 'RECTIFICATION' AND writer = 'partnership' AND owner = 'partnership'),
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
  }

  async down(): Promise<void> {
    // Records of the new kinds may exist by then; the chain keeps them, so the check stays wide.
  }
}
