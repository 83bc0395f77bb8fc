import type { MigrationInterface, QueryRunner } from "typeorm";
import { AUDITING_SUBGRAPHS, quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * Data protection: retention rules, legal holds, and an audit that forgets a person without
 * breaking its chain.
 *
 * - `person_keys`: one random key per (person, agency whose data the record is). From now on
 *   `audit_append` writes each person id of a record as HMAC-SHA256(person id, that key), making
 *   the key when it is the first record, and hashes the record as written. Destroying the key
 *   (erasure) leaves the record, its hash and the chain as they were, but nothing can tell any
 *   more whom it was about (crypto-shredding). Only the governance service reads keys (to find a
 *   person's disclosures) and deletes them; the subgraphs' logins never see them.
 * - Records appended before this migration keep their person ids in clear: their hashes cover
 *   them and rewriting them would rewrite the chain every checkpoint and verifier has seen.
 *   The README ("The audit after erasure") says so.
 * - `retention_rules`: per agency and category, how long records are kept and from when.
 * - `legal_holds`: a DSO's hold on everything their agency holds about a person.
 * - `person_erasures`: the agencies that have erased everything they held about a person.
 */
export class DataProtection1765100000004 implements MigrationInterface {
  name = "DataProtection1765100000004";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    const service = ident(roleName(database, "service"));
    const auditWriter = ident(roleName(database, "audit_writer"));

    // pgcrypto is a trusted extension: a migrator with CREATE on the database may add it.
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public`);
    // Its functions are PUBLIC's as created: only the definer of audit_append may call the two it uses.
    await q.query(`REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION public.hmac(bytea, bytea, text) TO ${auditWriter}`);
    await q.query(`GRANT EXECUTE ON FUNCTION public.gen_random_bytes(integer) TO ${auditWriter}`);

    await q.query(`
      CREATE TABLE person_keys (
        person_id text NOT NULL,
        agency_id text NOT NULL,
        key bytea NOT NULL,
        -- HMAC-SHA256(person_id, key) in hex: what the audit writes. Kept beside the key so that a
        -- DSO's view of a record finds the person by index; destroyed with the key.
        pseudonym text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (person_id, agency_id)
      )`);
    await q.query(`REVOKE ALL ON TABLE person_keys FROM ${service}`);
    await q.query(`GRANT SELECT, DELETE ON TABLE person_keys TO ${service}`);
    await q.query(`GRANT SELECT, INSERT ON TABLE person_keys TO ${auditWriter}`);

    await q.query(`
      CREATE TABLE retention_rules (
        id text PRIMARY KEY,
        agency_id text NOT NULL REFERENCES agencies(id),
        category text NOT NULL,
        retain_for_months int NOT NULL CHECK (retain_for_months BETWEEN 1 AND 1200),
        retention_start text NOT NULL CHECK (retention_start IN ('CREATED', 'CLOSED', 'LAST_ACTIVITY')),
        basis text NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT retention_rules_agency_category UNIQUE (agency_id, category)
      )`);
    await q.query(`
      CREATE TABLE legal_holds (
        agency_id text NOT NULL REFERENCES agencies(id),
        person_id text NOT NULL,
        reason text NOT NULL,
        placed_by text NOT NULL,
        placed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agency_id, person_id)
      )`);
    // Which agencies have erased everything they held about a person: once every agency has, the
    // people index entry is anonymised (and these rows go with the rest).
    await q.query(`
      CREATE TABLE person_erasures (
        person_id text NOT NULL,
        agency_id text NOT NULL REFERENCES agencies(id),
        erased_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (person_id, agency_id)
      )`);
    await q.query(`GRANT INSERT, DELETE ON TABLE person_erasures TO ${service}`);
    await q.query(`GRANT INSERT, UPDATE ON TABLE retention_rules TO ${service}`);
    // An erasure removes the consents its agency recorded about the person, and, once no agency
    // holds anything, governance's copy of their date of birth.
    await q.query(`GRANT DELETE ON TABLE consents, person_dates_of_birth TO ${service}`);
    // Erasures, legal holds, retention rule changes and retention runs are audited as such.
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check CHECK (kind IN
      ('DISCLOSURE', 'DENIAL', 'AGREEMENT_CHANGE', 'CONSENT_CHANGE', 'BREAK_GLASS_REVIEW', 'SUBJECT_ACCESS',
       'RECTIFICATION', 'DATA_PROTECTION'))`);
    await q.query(`GRANT INSERT, UPDATE, DELETE ON TABLE legal_holds TO ${service}`);

    // As in RightsAudit1765100000000 (the partnership login may append a RECTIFICATION of the people
    // index), with each person id written as its pseudonym. The
    // record's canonical content comes in three pieces around its person ids and its sequence
    // (shared/access/audit-chain.ts, canonicalAroundPeopleAndSequence): the pseudonyms are hex,
    // so their canonical JSON is written here exactly as JSON.stringify would.
    // Its result gains a column, which CREATE OR REPLACE cannot do: dropped and made again, with
    // the owner and the grants it had.
    const grantees = (await q.query(
      `SELECT DISTINCT grantee FROM information_schema.routine_privileges
        WHERE routine_schema = 'public' AND routine_name = 'audit_append' AND privilege_type = 'EXECUTE'
          AND grantee <> $1`,
      [roleName(database, "audit_writer")],
    )) as { grantee: string }[];
    await q.query(`DROP FUNCTION public.audit_append(jsonb, bigint)`);
    await q.query(`
      CREATE FUNCTION public.audit_append(records jsonb, facts_version bigint)
      RETURNS TABLE (record_sequence bigint, record_previous_hash text, record_hash text, record_person_ids text[])
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE
        head_sequence bigint;
        head_hash text;
        record jsonb;
        writer text;
        owner text;
        keyed_by text;
        people_json text;
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
          keyed_by := coalesce(record->>'owner_agency_id', record->>'agency_id');
          INSERT INTO public.person_keys (person_id, agency_id, key, pseudonym)
          SELECT n.person_id, keyed_by, n.key, encode(public.hmac(convert_to(n.person_id, 'UTF8'), n.key, 'sha256'), 'hex')
            FROM (SELECT d.person_id, public.gen_random_bytes(32) AS key
                    FROM (SELECT DISTINCT p.value AS person_id
                            FROM jsonb_array_elements_text(coalesce(record->'person_ids', '[]'::jsonb)) p) d) n
          ON CONFLICT (person_id, agency_id) DO NOTHING;
          SELECT coalesce(array_agg(k.pseudonym ORDER BY p.ordinality), '{}')
            INTO record_person_ids
            FROM jsonb_array_elements_text(coalesce(record->'person_ids', '[]'::jsonb)) WITH ORDINALITY p
            JOIN public.person_keys k ON k.person_id = p.value AND k.agency_id = keyed_by;
          people_json := '[' || coalesce((SELECT string_agg('"' || x || '"', ',' ORDER BY i)
                                             FROM unnest(record_person_ids) WITH ORDINALITY u(x, i)), '') || ']';
          record_sequence := head_sequence + 1;
          record_previous_hash := head_hash;
          record_hash := encode(sha256(convert_to(
            head_hash || (record->>'content_before') || people_json || (record->>'content_between')
              || record_sequence::text || (record->>'content_after'),
            'UTF8')), 'hex');
          INSERT INTO public.audit_log
          SELECT * FROM jsonb_populate_record(NULL::public.audit_log, record || jsonb_build_object(
            'sequence', record_sequence, 'previous_hash', record_previous_hash, 'hash', record_hash,
            'person_ids', to_jsonb(record_person_ids)));
          IF record_sequence % 1000 = 0 THEN
            INSERT INTO public.audit_checkpoints (sequence, hash, at) VALUES (record_sequence, record_hash, clock_timestamp());
          END IF;
          head_sequence := record_sequence;
          head_hash := record_hash;
          RETURN NEXT;
        END LOOP;
      END
      $$`);
    await q.query(`ALTER FUNCTION public.audit_append(jsonb, bigint) OWNER TO ${auditWriter}`);
    await q.query(`REVOKE ALL ON FUNCTION public.audit_append(jsonb, bigint) FROM PUBLIC`);
    // Those it had (as far as this login can see them), and by name those it is known to have:
    // the governance service and each subgraph's writer login.
    const known = [
      roleName(database, "service"),
      ...AUDITING_SUBGRAPHS.map((s) => roleName(database, `access_${s}`)),
    ];
    const to = [...new Set([...grantees.map((g) => g.grantee), ...known])];
    await q.query(
      `GRANT EXECUTE ON FUNCTION public.audit_append(jsonb, bigint) TO ${to.map(ident).join(", ")}`,
    );
  }

  async down(): Promise<void> {
    // Keys destroyed cannot come back, and pseudonymised records cannot be written back in clear.
  }
}
