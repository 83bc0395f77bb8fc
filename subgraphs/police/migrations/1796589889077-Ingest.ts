import type { MigrationInterface, QueryRunner } from "typeorm";
import { addSourceKeys, createImportsTable, createIngestRole } from "../../shared/ingest/store";

/**
 * Loading the police records system's exports (npm run ingest), beside the police.uk importer:
 * involvements keep the source's key too (incidents have had one since the start), the imports
 * are recorded, and an ingest role writes them (the service stays read-only on incidents).
 */
export class Ingest1796589889077 implements MigrationInterface {
  name = "Ingest1796589889077";

  async up(q: QueryRunner): Promise<void> {
    await addSourceKeys(q, ["involvements"]);
    await createImportsTable(q);
    await createIngestRole(q, {
      incidents: ["INSERT", "UPDATE"],
      involvements: ["INSERT", "UPDATE"],
      imports: ["INSERT", "UPDATE"],
    });
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE imports`);
    await q.query(`ALTER TABLE involvements DROP COLUMN source_key`);
  }
}
