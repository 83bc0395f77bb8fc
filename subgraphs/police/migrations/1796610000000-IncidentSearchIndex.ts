import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * An incident search over named neighbourhoods pages each one's incidents newest first along
 * (lsoa_code, month, id) and stops at the page's end, instead of reading and sorting every
 * incident of the neighbourhood and months (tens of thousands in a busy one).
 */
export class IncidentSearchIndex1796610000000 implements MigrationInterface {
  name = "IncidentSearchIndex1796610000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX incidents_lsoa_month_id ON incidents (lsoa_code, month, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX incidents_lsoa_month_id`);
  }
}
