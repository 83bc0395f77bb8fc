import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The case review (community trigger) counts the reports each agency holds by asking the agency
 * for them when it is run (shared/reports-made.ts): the partnership store keeps no copy of any
 * agency's report history, so the report index that only the demo seed filled goes.
 */
export class DropReportIndex1765210000000 implements MigrationInterface {
  name = "DropReportIndex1765210000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE report_index`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The table comes back empty: the copies it held are not to be restored.
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
  }
}
