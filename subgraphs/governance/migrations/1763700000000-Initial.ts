import type { MigrationInterface, QueryRunner } from "typeorm";
import { createDemoSeedTable } from "../../shared/demo/seed-marker";

const PURPOSES = `'ASB_CASE_MANAGEMENT','SAFEGUARDING','CRIME_PREVENTION','YOUTH_DIVERSION','TENANCY_SUSTAINMENT','STATISTICS'`;
const CATEGORIES = `'IDENTITY','INCIDENT_SUMMARY','INCIDENT_NARRATIVE','OFFENDING','ASB_CASE','RISK','EDUCATION','YOUTH_PROGRAMME','TENANCY','FINANCIAL'`;

export class Initial1763700000000 implements MigrationInterface {
  name = "Initial1763700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]*$'),
        name text NOT NULL,
        kind text NOT NULL,
        contact text NOT NULL
      )`);

    // Stored status is DRAFT until both parties approve, then ACTIVE; SUSPENDED and REVOKED
    // are set by a DSO. EXPIRED (and "not yet in force") is never stored: it is computed from
    // the dates when read, so an agreement lapses without anyone touching it.
    await q.query(`
      CREATE TABLE agreements (
        id text PRIMARY KEY,
        reference text NOT NULL UNIQUE,
        title text NOT NULL,
        provider_agency_id text NOT NULL REFERENCES agencies (id),
        recipient_agency_id text NOT NULL REFERENCES agencies (id),
        status text NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'SUSPENDED', 'REVOKED')),
        purposes text[] NOT NULL CHECK (cardinality(purposes) > 0 AND purposes <@ ARRAY[${PURPOSES}]),
        categories text[] NOT NULL CHECK (cardinality(categories) > 0 AND categories <@ ARRAY[${CATEGORIES}]),
        consent_required_for text[] NOT NULL DEFAULT '{}' CHECK (consent_required_for <@ categories),
        lawful_basis text NOT NULL,
        valid_from date NOT NULL,
        valid_to date NOT NULL,
        review_date date NOT NULL,
        proposed_by text NOT NULL,
        proposed_at timestamptz NOT NULL,
        suspended_at timestamptz,
        suspended_reason text,
        revoked_at timestamptz,
        revoked_reason text,
        CHECK (provider_agency_id <> recipient_agency_id),
        CHECK (valid_from <= valid_to)
      )`);
    await q.query(`CREATE INDEX agreements_parties ON agreements (recipient_agency_id, provider_agency_id)`);
    await q.query(`
      CREATE TABLE agreement_approvals (
        agreement_id text NOT NULL REFERENCES agreements (id),
        agency_id text NOT NULL REFERENCES agencies (id),
        approved_by text NOT NULL,
        approved_at timestamptz NOT NULL,
        PRIMARY KEY (agreement_id, agency_id)
      )`);

    await q.query(`
      CREATE TABLE consents (
        id text PRIMARY KEY,
        person_id text NOT NULL,
        recipient_agency_id text NOT NULL REFERENCES agencies (id),
        purposes text[] NOT NULL CHECK (cardinality(purposes) > 0 AND purposes <@ ARRAY[${PURPOSES}]),
        categories text[] NOT NULL CHECK (cardinality(categories) > 0 AND categories <@ ARRAY[${CATEGORIES}]),
        given_by text NOT NULL CHECK (given_by IN ('SELF', 'PARENT_OR_GUARDIAN')),
        given_at timestamptz NOT NULL,
        expires_at timestamptz CHECK (expires_at > given_at),
        withdrawn_at timestamptz,
        evidence_ref text NOT NULL,
        recorded_by_agency_id text NOT NULL REFERENCES agencies (id),
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX consents_person_recipient ON consents (person_id, recipient_agency_id)`);

    // A copy of the people index's dates of birth, so the under-13 rule can be applied where
    // consents are recorded without asking the partnership subgraph.
    await q.query(`
      CREATE TABLE person_dates_of_birth (
        person_id text PRIMARY KEY,
        date_of_birth date NOT NULL
      )`);

    // The audit log: sequence numbers are assigned under an advisory lock by the append, never
    // by a sequence generator (a rolled-back nextval would leave a gap that reads as a deletion).
    await q.query(`
      CREATE TABLE audit_log (
        sequence bigint PRIMARY KEY CHECK (sequence > 0),
        at timestamptz NOT NULL,
        user_id text NOT NULL,
        agency_id text NOT NULL,
        role text NOT NULL,
        purpose text,
        operation_name text,
        request_id text NOT NULL,
        owner_agency_id text,
        person_ids text[] NOT NULL DEFAULT '{}',
        categories text[] NOT NULL DEFAULT '{}',
        record_ids text[] NOT NULL DEFAULT '{}',
        decision text NOT NULL CHECK (decision IN ('PERMITTED', 'DENIED')),
        reason text,
        basis text,
        agreement_id text,
        consent_id text,
        break_glass boolean NOT NULL DEFAULT false,
        justification text,
        kind text NOT NULL CHECK (kind IN ('DISCLOSURE', 'DENIAL', 'AGREEMENT_CHANGE', 'CONSENT_CHANGE', 'BREAK_GLASS_REVIEW')),
        detail text,
        previous_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_people ON audit_log USING gin (person_ids)`);
    await q.query(`CREATE INDEX audit_log_owner ON audit_log (owner_agency_id, sequence)`);
    await q.query(
      `CREATE INDEX audit_log_break_glass ON audit_log (owner_agency_id, sequence) WHERE break_glass`,
    );
    await q.query(`
      CREATE TABLE audit_checkpoints (
        sequence bigint PRIMARY KEY,
        hash char(64) NOT NULL,
        at timestamptz NOT NULL
      )`);

    // Append-only: the database itself refuses to change or remove audit history. Only an
    // owner disabling the trigger (or a superuser bypassing it) can tamper, and the hash chain
    // and checkpoints then show where.
    await q.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    for (const table of ["audit_log", "audit_checkpoints"]) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);
    }

    await q.query(`
      CREATE TABLE break_glass_reviews (
        audit_sequence bigint PRIMARY KEY REFERENCES audit_log (sequence),
        outcome text NOT NULL CHECK (outcome IN ('JUSTIFIED', 'NOT_JUSTIFIED')),
        note text NOT NULL CHECK (length(btrim(note)) > 0),
        reviewed_by text NOT NULL,
        reviewer_agency_id text NOT NULL,
        reviewed_at timestamptz NOT NULL
      )`);
    await createDemoSeedTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seed`);
    await q.query(`DROP TABLE break_glass_reviews`);
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_append_only()`);
    await q.query(`DROP TABLE person_dates_of_birth`);
    await q.query(`DROP TABLE consents`);
    await q.query(`DROP TABLE agreement_approvals`);
    await q.query(`DROP TABLE agreements`);
    await q.query(`DROP TABLE agencies`);
  }
}
