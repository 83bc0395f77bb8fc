import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * One governance round trip per subgraph request, measured on the Person360 benchmark, where
 * each subgraph that discloses paid two: loading agreements and consents, and appending its
 * audit records (itself five statements: BEGIN, lock, head read, insert, COMMIT).
 *
 * `access_facts_version` counts changes to agreements, approvals and consents (statement
 * triggers). Subgraphs keep the facts they loaded, tagged with the version they were read at,
 * and `audit_append` appends only if that version is still current: a request decided on facts
 * that have since changed writes nothing and is run again on fresh facts, so a change still
 * takes effect on the very next request.
 *
 * `audit_append` takes the append lock every append has always taken (held to the end of the
 * transaction, so the chain never forks), reads the head in a statement of its own (each
 * statement of a VOLATILE function takes a fresh snapshot, so the head read after the lock is
 * the true head), then numbers, hashes and inserts each record and writes a checkpoint every
 * 1000 records (CHECKPOINT_EVERY). The hash is the one `auditHash` computes: sha256 over the
 * previous hash and the record's canonical JSON, which the caller sends split around the sequence
 * number (`content_before`, `content_after`) because only the database knows that number.
 */
export class OneRoundTripAccess1763900000000 implements MigrationInterface {
  name = "OneRoundTripAccess1763900000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE access_facts_version (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        version bigint NOT NULL
      )`);
    await q.query(`INSERT INTO access_facts_version (version) VALUES (1)`);
    await q.query(`
      CREATE FUNCTION access_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE access_facts_version SET version = version + 1;
        RETURN NULL;
      END
      $$`);
    for (const table of ["agreements", "agreement_approvals", "consents"]) {
      await q.query(`CREATE TRIGGER ${table}_change_access_facts
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION access_facts_changed()`);
    }

    await q.query(`
      CREATE FUNCTION audit_append(records jsonb, facts_version bigint)
      RETURNS TABLE (record_sequence bigint, record_previous_hash text, record_hash text)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        head_sequence bigint;
        head_hash text;
        record jsonb;
      BEGIN
        -- 1635083369 = 0x61756469 ("audi").
        PERFORM pg_advisory_xact_lock(1635083369);
        -- Decided on facts that have changed since: nothing is written, the caller decides again.
        IF facts_version IS NOT NULL
           AND facts_version <> (SELECT v.version FROM access_facts_version v) THEN
          RETURN;
        END IF;
        SELECT a.sequence, a.hash INTO head_sequence, head_hash
          FROM audit_log a ORDER BY a.sequence DESC LIMIT 1;
        head_sequence := coalesce(head_sequence, 0);
        head_hash := coalesce(head_hash, repeat('0', 64));
        FOR record IN SELECT value FROM jsonb_array_elements(records) LOOP
          record_sequence := head_sequence + 1;
          record_previous_hash := head_hash;
          record_hash := encode(sha256(convert_to(
            head_hash || (record->>'content_before') || record_sequence::text || (record->>'content_after'),
            'UTF8')), 'hex');
          INSERT INTO audit_log
          SELECT * FROM jsonb_populate_record(NULL::audit_log, record || jsonb_build_object(
            'sequence', record_sequence, 'previous_hash', record_previous_hash, 'hash', record_hash));
          IF record_sequence % 1000 = 0 THEN
            INSERT INTO audit_checkpoints (sequence, hash, at) VALUES (record_sequence, record_hash, clock_timestamp());
          END IF;
          head_sequence := record_sequence;
          head_hash := record_hash;
          RETURN NEXT;
        END LOOP;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_append(jsonb, bigint)`);
    for (const table of ["agreements", "agreement_approvals", "consents"]) {
      await q.query(`DROP TRIGGER ${table}_change_access_facts ON ${table}`);
    }
    await q.query(`DROP FUNCTION access_facts_changed()`);
    await q.query(`DROP TABLE access_facts_version`);
  }
}
