import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Measured on the large seed (1M incidents): a search page over three busy neighbourhoods took
 * 170 ms sorting 131k matches, and a year's dashboard over 20 neighbourhoods 260 ms reading the
 * heap. With (month, id) the page stops after its rows (about 1 ms); with the category in the
 * (lsoa_code, month) index the counts are index-only.
 */
export class SearchAndStatisticsIndexes1763800000000 implements MigrationInterface {
  name = "SearchAndStatisticsIndexes1763800000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX incidents_month_id ON incidents (month, id)`);
    await q.query(`CREATE INDEX incidents_lsoa_month_category ON incidents (lsoa_code, month, category)`);
    await q.query(`DROP INDEX incidents_lsoa_month`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX incidents_lsoa_month ON incidents (lsoa_code, month)`);
    await q.query(`DROP INDEX incidents_lsoa_month_category`);
    await q.query(`DROP INDEX incidents_month_id`);
  }
}
