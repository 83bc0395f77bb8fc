import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

/**
 * Agreements over their life (issue 17):
 * - an amendment is a new version of the same agreement (same reference, `version` + 1,
 *   `supersedes` the one it amends), proposed as DRAFT; when both parties have approved it, it is
 *   in force and the one it amends becomes SUPERSEDED (stored, with `superseded_at`);
 * - a SUSPENDED agreement is reinstated once a DSO of each party has approved its reinstatement
 *   (`agreement_reinstatements`, one per party and suspension, so a second suspension needs both
 *   again);
 * - each periodic review is kept (`agreement_reviews`) and moves `review_date` on.
 */
export class AgreementLifecycle1764420000000 implements MigrationInterface {
  name = "AgreementLifecycle1764420000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE agreements
        ADD COLUMN version int NOT NULL DEFAULT 1 CHECK (version >= 1),
        ADD COLUMN supersedes_id text REFERENCES agreements (id),
        ADD COLUMN superseded_at timestamptz`);
    await q.query(`ALTER TABLE agreements DROP CONSTRAINT agreements_status_check`);
    await q.query(`
      ALTER TABLE agreements ADD CONSTRAINT agreements_status_check
        CHECK (status IN ('DRAFT', 'ACTIVE', 'SUSPENDED', 'REVOKED', 'SUPERSEDED'))`);
    await q.query(`ALTER TABLE agreements DROP CONSTRAINT agreements_reference_key`);
    await q.query(
      `ALTER TABLE agreements ADD CONSTRAINT agreements_reference_version_key UNIQUE (reference, version)`,
    );
    await q.query(`CREATE INDEX agreements_supersedes ON agreements (supersedes_id)`);
    await q.query(`CREATE INDEX agreements_review_date ON agreements (review_date)`);
    await q.query(`
      CREATE TABLE agreement_reinstatements (
        agreement_id text NOT NULL REFERENCES agreements (id),
        agency_id text NOT NULL REFERENCES agencies (id),
        suspended_at timestamptz NOT NULL,
        approved_by text NOT NULL,
        approved_at timestamptz NOT NULL,
        note text NOT NULL,
        PRIMARY KEY (agreement_id, agency_id, suspended_at)
      )`);
    await q.query(`
      CREATE TABLE agreement_reviews (
        id text PRIMARY KEY,
        agreement_id text NOT NULL REFERENCES agreements (id),
        reviewed_at timestamptz NOT NULL,
        reviewed_by text NOT NULL,
        reviewer_agency_id text NOT NULL REFERENCES agencies (id),
        reviewer_role text NOT NULL,
        note text NOT NULL,
        next_review_date date NOT NULL
      )`);
    await q.query(
      `CREATE INDEX agreement_reviews_agreement ON agreement_reviews (agreement_id, reviewed_at)`,
    );
    // The service role reads every table already (default privileges); it writes these.
    await grantTo(q, "service", ["INSERT"], ["agreement_reinstatements", "agreement_reviews"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE agreement_reviews`);
    await q.query(`DROP TABLE agreement_reinstatements`);
    await q.query(`DROP INDEX agreements_review_date`);
    await q.query(`DROP INDEX agreements_supersedes`);
    await q.query(`ALTER TABLE agreements DROP CONSTRAINT agreements_reference_version_key`);
    await q.query(`ALTER TABLE agreements ADD CONSTRAINT agreements_reference_key UNIQUE (reference)`);
    await q.query(`ALTER TABLE agreements DROP CONSTRAINT agreements_status_check`);
    await q.query(`
      ALTER TABLE agreements ADD CONSTRAINT agreements_status_check
        CHECK (status IN ('DRAFT', 'ACTIVE', 'SUSPENDED', 'REVOKED'))`);
    await q.query(
      `ALTER TABLE agreements DROP COLUMN superseded_at, DROP COLUMN supersedes_id, DROP COLUMN version`,
    );
  }
}
