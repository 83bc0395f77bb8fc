import type { MigrationInterface, QueryRunner } from "typeorm";
import { createDemoSeedTable } from "../../shared/demo/seed-marker";

const STAGES = `'SCANNING', 'ANALYSIS', 'RESPONSE', 'ASSESSMENT', 'CLOSED'`;

export class Initial1763700000000 implements MigrationInterface {
  name = "Initial1763700000000";

  async up(q: QueryRunner): Promise<void> {
    // A local copy of the agencies, so case partners can be checked without calling governance.
    await q.query(`
      CREATE TABLE agencies (
        id text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        contact text NOT NULL
      )`);

    await q.query(`
      CREATE TABLE people (
        id text PRIMARY KEY,
        given_name text NOT NULL,
        family_name text NOT NULL,
        date_of_birth date,
        home_lsoa text
      )`);
    // Name-prefix search, case-insensitive: text_pattern_ops lets `lower(x) LIKE 'abc%'` use the index.
    await q.query(`CREATE INDEX people_given_name_prefix ON people (lower(given_name) text_pattern_ops)`);
    await q.query(`CREATE INDEX people_family_name_prefix ON people (lower(family_name) text_pattern_ops)`);
    await q.query(
      `CREATE INDEX people_full_name_prefix ON people (lower(given_name || ' ' || family_name) text_pattern_ops)`,
    );
    await q.query(`CREATE INDEX people_order ON people (family_name, given_name, id)`);
    await q.query(`
      CREATE TABLE person_references (
        person_id text NOT NULL REFERENCES people (id) ON DELETE CASCADE,
        agency_id text NOT NULL,
        reference text NOT NULL,
        PRIMARY KEY (person_id, agency_id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX person_references_agency_reference ON person_references (agency_id, reference)`,
    );

    await q.query(`
      CREATE TABLE neighbourhoods (
        code text PRIMARY KEY,
        name text NOT NULL,
        local_authority text NOT NULL,
        local_authority_code text NOT NULL,
        latitude double precision NOT NULL,
        longitude double precision NOT NULL
      )`);

    await q.query(`
      CREATE TABLE problem_cases (
        id text PRIMARY KEY,
        reference text NOT NULL UNIQUE,
        title text NOT NULL,
        problem_type text NOT NULL,
        stage text NOT NULL CHECK (stage IN (${STAGES})),
        risk_level text NOT NULL DEFAULT 'STANDARD' CHECK (risk_level IN ('STANDARD', 'MEDIUM', 'HIGH')),
        opened_at timestamptz NOT NULL,
        opened_by text NOT NULL,
        lead_agency_id text NOT NULL
      )`);
    await q.query(`CREATE INDEX problem_cases_lead ON problem_cases (lead_agency_id)`);
    await q.query(`CREATE INDEX problem_cases_opened ON problem_cases (opened_at DESC, id)`);
    // One counter per year, bumped atomically, so references (PSC-2019-001) never collide.
    await q.query(`CREATE TABLE case_reference_counters (year int PRIMARY KEY, last_number int NOT NULL)`);
    await q.query(`
      CREATE TABLE case_partners (
        case_id text NOT NULL REFERENCES problem_cases (id),
        agency_id text NOT NULL,
        PRIMARY KEY (case_id, agency_id)
      )`);
    await q.query(`CREATE INDEX case_partners_agency ON case_partners (agency_id)`);
    await q.query(`
      CREATE TABLE case_neighbourhoods (
        case_id text NOT NULL REFERENCES problem_cases (id),
        lsoa_code text NOT NULL REFERENCES neighbourhoods (code),
        position int NOT NULL,
        PRIMARY KEY (case_id, lsoa_code)
      )`);
    await q.query(`
      CREATE TABLE case_people (
        case_id text NOT NULL REFERENCES problem_cases (id),
        person_id text NOT NULL REFERENCES people (id),
        role text NOT NULL CHECK (role IN ('VICTIM', 'PERPETRATOR', 'WITNESS', 'COMPLAINANT', 'OTHER')),
        position int NOT NULL,
        PRIMARY KEY (case_id, person_id, role)
      )`);
    await q.query(`CREATE INDEX case_people_person ON case_people (person_id)`);
    await q.query(`
      CREATE TABLE case_actions (
        id text PRIMARY KEY,
        case_id text NOT NULL REFERENCES problem_cases (id),
        description text NOT NULL,
        assigned_agency_id text NOT NULL,
        due_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        completed_at timestamptz,
        completed_by text,
        CHECK ((completed_at IS NULL) = (completed_by IS NULL))
      )`);
    await q.query(`CREATE INDEX case_actions_case ON case_actions (case_id, due_on, id)`);
    await q.query(`
      CREATE TABLE case_stage_changes (
        id bigserial PRIMARY KEY,
        case_id text NOT NULL REFERENCES problem_cases (id),
        from_stage text CHECK (from_stage IN (${STAGES})),
        to_stage text NOT NULL CHECK (to_stage IN (${STAGES})),
        note text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by text NOT NULL,
        agency_id text NOT NULL
      )`);
    await q.query(`CREATE INDEX case_stage_changes_case ON case_stage_changes (case_id, changed_at, id)`);
    await q.query(`
      CREATE TABLE case_records (
        case_id text NOT NULL REFERENCES problem_cases (id),
        kind text NOT NULL CHECK (kind IN ('INCIDENT', 'ASB_CASE', 'TENANCY', 'REFERRAL')),
        record_id text NOT NULL,
        linked_at timestamptz NOT NULL DEFAULT now(),
        linked_by text NOT NULL,
        agency_id text NOT NULL,
        PRIMARY KEY (case_id, kind, record_id)
      )`);
    // Who changed what on a case, when and in which request: appended to, never edited.
    await q.query(`
      CREATE TABLE case_events (
        id bigserial PRIMARY KEY,
        case_id text NOT NULL REFERENCES problem_cases (id),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        user_id text NOT NULL,
        agency_id text NOT NULL,
        request_id text NOT NULL,
        event text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX case_events_case ON case_events (case_id, id)`);
    await q.query(`
      CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'case_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
        FOR EACH ROW EXECUTE FUNCTION case_events_append_only()`);

    // Reports people made to any agency, fed by the agencies: the case review threshold counts these.
    await q.query(`
      CREATE TABLE report_index (
        id bigserial PRIMARY KEY,
        person_id text NOT NULL,
        agency_id text NOT NULL,
        record_kind text NOT NULL,
        record_id text NOT NULL,
        reported_at timestamptz NOT NULL,
        UNIQUE (agency_id, record_kind, record_id)
      )`);
    await q.query(`CREATE INDEX report_index_person_time ON report_index (person_id, reported_at)`);
    await createDemoSeedTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seed`);
    await q.query(`DROP TABLE report_index`);
    await q.query(`DROP TABLE case_events`);
    await q.query(`DROP FUNCTION case_events_append_only()`);
    await q.query(`DROP TABLE case_records`);
    await q.query(`DROP TABLE case_stage_changes`);
    await q.query(`DROP TABLE case_actions`);
    await q.query(`DROP TABLE case_people`);
    await q.query(`DROP TABLE case_neighbourhoods`);
    await q.query(`DROP TABLE case_partners`);
    await q.query(`DROP TABLE case_reference_counters`);
    await q.query(`DROP TABLE problem_cases`);
    await q.query(`DROP TABLE neighbourhoods`);
    await q.query(`DROP TABLE person_references`);
    await q.query(`DROP TABLE people`);
    await q.query(`DROP TABLE agencies`);
  }
}
