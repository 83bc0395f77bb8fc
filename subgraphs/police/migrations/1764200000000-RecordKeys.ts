import type { MigrationInterface, QueryRunner } from "typeorm";
import { RECORD_KEY_COLUMN } from "../../shared/record-key";

/**
 * Disclosure control (cell-key method): every incident gets a fixed random record key; the
 * statistics index carries it, so counts and cell keys stay index-only.
 */
export class RecordKeys1764200000000 implements MigrationInterface {
  name = "RecordKeys1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incidents ADD COLUMN ${RECORD_KEY_COLUMN}`);
    await q.query(
      `CREATE INDEX incidents_lsoa_month_category_key ON incidents (lsoa_code, month, category) INCLUDE (record_key)`,
    );
    await q.query(`DROP INDEX incidents_lsoa_month_category`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX incidents_lsoa_month_category ON incidents (lsoa_code, month, category)`);
    await q.query(`DROP INDEX incidents_lsoa_month_category_key`);
    await q.query(`ALTER TABLE incidents DROP COLUMN record_key`);
  }
}
