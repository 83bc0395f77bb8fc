import type { MigrationInterface, QueryRunner } from "typeorm";
import { createDemoSeedTable } from "../../shared/demo/seed-marker";

export class Initial1763700000000 implements MigrationInterface {
  name = "Initial1763700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        source_key text NOT NULL,
        reference text NOT NULL,
        month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        occurred_at timestamptz,
        category text NOT NULL,
        outcome text,
        street text,
        lsoa_code text,
        latitude double precision,
        longitude double precision,
        summary text,
        narrative text,
        source text NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX incidents_source_key ON incidents (source_key)`);
    await q.query(`CREATE INDEX incidents_lsoa_month ON incidents (lsoa_code, month)`);
    await q.query(`CREATE INDEX incidents_month_category ON incidents (month, category)`);
    await q.query(`CREATE INDEX incidents_lat_lng ON incidents (latitude, longitude)`);
    await q.query(`
      CREATE TABLE involvements (
        id bigserial PRIMARY KEY,
        incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        person_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('VICTIM', 'SUSPECT', 'WITNESS', 'REPORTER'))
      )`);
    await q.query(`CREATE INDEX involvements_person ON involvements (person_id)`);
    await q.query(`CREATE INDEX involvements_incident ON involvements (incident_id)`);
    await createDemoSeedTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seed`);
    await q.query(`DROP TABLE involvements`);
    await q.query(`DROP TABLE incidents`);
  }
}
