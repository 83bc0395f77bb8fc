import type { MigrationInterface, QueryRunner } from "typeorm";
import { RECORD_KEY_COLUMN } from "../../shared/record-key";

/** Disclosure control (cell-key method): every ASB case gets a fixed random record key. */
export class RecordKeys1764200000000 implements MigrationInterface {
  name = "RecordKeys1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE asb_cases ADD COLUMN ${RECORD_KEY_COLUMN}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE asb_cases DROP COLUMN record_key`);
  }
}
