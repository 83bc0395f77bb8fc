import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * police.uk outcome files: every outcome a crime has had, month by month. Keyed by the Crime ID
 * (an incident's source_key), not by a foreign key: outcomes are published months after their
 * crime, often for crimes whose street file is not (yet) imported, and join it when it arrives.
 * The police service only reads it (its default SELECT grant); the importer writes as the migrator.
 */
export class OutcomeHistory1796589263864 implements MigrationInterface {
  name = "OutcomeHistory1796589263864";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incident_outcomes (
        crime_id text NOT NULL CHECK (crime_id ~ '^[0-9a-f]{64}$'),
        month char(7) NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        outcome text NOT NULL CHECK (outcome <> ''),
        line integer NOT NULL,
        source text NOT NULL,
        PRIMARY KEY (crime_id, month, outcome)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE incident_outcomes`);
  }
}
