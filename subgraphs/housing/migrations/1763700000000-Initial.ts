import type { MigrationInterface, QueryRunner } from "typeorm";
import { createDemoSeedTable } from "../../shared/demo/seed-marker";

export class Initial1763700000000 implements MigrationInterface {
  name = "Initial1763700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE properties (
        id text PRIMARY KEY,
        uprn char(12) NOT NULL CHECK (uprn ~ '^[0-9]{12}$'),
        address text NOT NULL,
        lsoa_code text,
        latitude double precision,
        longitude double precision
      )`);
    await q.query(`CREATE UNIQUE INDEX properties_uprn ON properties (uprn)`);
    // Neighbourhood statistics start from the properties in the neighbourhood.
    await q.query(`CREATE INDEX properties_lsoa ON properties (lsoa_code)`);
    await q.query(`
      CREATE TABLE tenancies (
        id text PRIMARY KEY,
        property_id text NOT NULL REFERENCES properties (id),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'AT_RISK', 'ENDED')),
        tenure text NOT NULL CHECK (tenure IN ('SECURE', 'INTRODUCTORY', 'ASSURED', 'PRIVATE_RENTED')),
        start_date date NOT NULL,
        end_date date,
        arrears_band text CHECK (arrears_band IN ('NONE', 'UNDER_250', 'FROM_250_TO_999', 'FROM_1000_TO_2499', 'OVER_2500')),
        CHECK (end_date IS NULL OR end_date >= start_date),
        -- An ended tenancy always says when it ended, and only an ended one does.
        CHECK ((status = 'ENDED') = (end_date IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX tenancies_property ON tenancies (property_id)`);
    await q.query(`
      CREATE TABLE tenancy_occupants (
        id bigserial PRIMARY KEY,
        tenancy_id text NOT NULL REFERENCES tenancies (id) ON DELETE CASCADE,
        person_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('TENANT', 'JOINT_TENANT', 'HOUSEHOLD_MEMBER'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX tenancy_occupants_tenancy ON tenancy_occupants (tenancy_id, person_id)`,
    );
    await q.query(`CREATE INDEX tenancy_occupants_person ON tenancy_occupants (person_id)`);
    await q.query(`
      CREATE TABLE tenancy_actions (
        id text PRIMARY KEY,
        tenancy_id text NOT NULL REFERENCES tenancies (id) ON DELETE CASCADE,
        type text NOT NULL CHECK (type IN ('WARNING', 'NOTICE_OF_SEEKING_POSSESSION', 'POSSESSION_ORDER', 'EVICTION', 'SUSTAINMENT_SUPPORT')),
        taken_at timestamptz NOT NULL,
        note text
      )`);
    // Serves a tenancy's actions in date order and the statistics join from tenancies within a date range.
    await q.query(`CREATE INDEX tenancy_actions_tenancy ON tenancy_actions (tenancy_id, taken_at)`);
    await q.query(`CREATE INDEX tenancy_actions_taken_at ON tenancy_actions (taken_at)`);
    await q.query(`
      CREATE TABLE housing_reports (
        id text PRIMARY KEY,
        person_id text NOT NULL,
        property_id text NOT NULL REFERENCES properties (id),
        reported_at timestamptz NOT NULL,
        description text NOT NULL
      )`);
    await q.query(`CREATE INDEX housing_reports_person ON housing_reports (person_id, reported_at)`);
    await q.query(`CREATE INDEX housing_reports_property ON housing_reports (property_id)`);
    await createDemoSeedTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seed`);
    await q.query(`DROP TABLE housing_reports`);
    await q.query(`DROP TABLE tenancy_actions`);
    await q.query(`DROP TABLE tenancy_occupants`);
    await q.query(`DROP TABLE tenancies`);
    await q.query(`DROP TABLE properties`);
  }
}
