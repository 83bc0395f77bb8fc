import type { MigrationInterface, QueryRunner } from "typeorm";
import { createIngestRole } from "../../shared/ingest/store";

/**
 * Loading agencies' exports (npm run ingest) adds the people they are about to the index, with
 * each agency's reference (people-index.ts): an ingest role may insert people and references,
 * and nothing else (the service still inserts no reference).
 */
export class IngestPeople1796589476599 implements MigrationInterface {
  name = "IngestPeople1796589476599";

  async up(q: QueryRunner): Promise<void> {
    await createIngestRole(q, { people: ["INSERT"], person_references: ["INSERT"] });
  }

  async down(): Promise<void> {
    // Roles are cluster-wide and may serve a copy of this database: dropped by whoever drops both.
  }
}
