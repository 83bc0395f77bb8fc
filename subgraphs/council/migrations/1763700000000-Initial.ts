import type { MigrationInterface, QueryRunner } from "typeorm";
import { createDemoSeedTable } from "../../shared/demo/seed-marker";

export class Initial1763700000000 implements MigrationInterface {
  name = "Initial1763700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE asb_cases (
        id text PRIMARY KEY,
        reference text NOT NULL,
        status text NOT NULL CHECK (status IN ('OPEN', 'UNDER_INVESTIGATION', 'ACTION_TAKEN', 'CLOSED')),
        category text NOT NULL CHECK (category IN ('NOISE', 'NEIGHBOUR_DISPUTE', 'VANDALISM_AND_GRAFFITI', 'INTIMIDATION',
          'DRUG_USE', 'STREET_DRINKING', 'YOUTH_NUISANCE', 'NUISANCE_VEHICLES', 'FLY_TIPPING')),
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        risk_level text CHECK (risk_level IN ('STANDARD', 'MEDIUM', 'HIGH')),
        description text,
        street text,
        lsoa_code text,
        latitude double precision,
        longitude double precision,
        -- A closed case has a closing date and only a closed case has one.
        CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
        CHECK (closed_at IS NULL OR closed_at >= opened_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX asb_cases_reference ON asb_cases (reference)`);
    // Neighbourhood lists, statistics and assessments: cases in some LSOAs opened in a window.
    await q.query(`CREATE INDEX asb_cases_lsoa_opened ON asb_cases (lsoa_code, opened_at)`);
    // Lists are newest first; also serves month windows without an LSOA filter.
    await q.query(`CREATE INDEX asb_cases_opened ON asb_cases (opened_at, id)`);
    await q.query(`CREATE INDEX asb_cases_category_opened ON asb_cases (category, opened_at)`);
    await q.query(`CREATE INDEX asb_cases_status_opened ON asb_cases (status, opened_at)`);
    await q.query(`
      CREATE TABLE asb_parties (
        id bigserial PRIMARY KEY,
        case_id text NOT NULL REFERENCES asb_cases (id) ON DELETE CASCADE,
        person_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('VICTIM', 'COMPLAINANT', 'PERPETRATOR', 'WITNESS'))
      )`);
    await q.query(`CREATE INDEX asb_parties_person ON asb_parties (person_id)`);
    await q.query(`CREATE INDEX asb_parties_case ON asb_parties (case_id)`);
    await q.query(`CREATE UNIQUE INDEX asb_parties_unique ON asb_parties (case_id, person_id, role)`);
    await q.query(`
      CREATE TABLE asb_interventions (
        id bigserial PRIMARY KEY,
        case_id text NOT NULL REFERENCES asb_cases (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('VERBAL_WARNING', 'WARNING_LETTER', 'ACCEPTABLE_BEHAVIOUR_CONTRACT',
          'COMMUNITY_PROTECTION_WARNING', 'COMMUNITY_PROTECTION_NOTICE', 'CIVIL_INJUNCTION', 'CLOSURE_ORDER',
          'CRIMINAL_BEHAVIOUR_ORDER')),
        issued_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('PROPOSED', 'ISSUED', 'COMPLIED', 'BREACHED', 'DISCHARGED'))
      )`);
    await q.query(`CREATE INDEX asb_interventions_case ON asb_interventions (case_id)`);
    await createDemoSeedTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seed`);
    await q.query(`DROP TABLE asb_interventions`);
    await q.query(`DROP TABLE asb_parties`);
    await q.query(`DROP TABLE asb_cases`);
  }
}
