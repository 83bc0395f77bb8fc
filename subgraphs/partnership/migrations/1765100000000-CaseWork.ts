import type { MigrationInterface, QueryRunner } from "typeorm";
import { grantTo } from "../../shared/database-roles";

const OUTCOMES = `'RESOLVED', 'REDUCED', 'NOT_RESOLVED', 'NO_FURTHER_ACTION', 'TRANSFERRED', 'DUPLICATE'`;

/**
 * Case work beyond the SARA stages: notes, victim risk assessments, an outcome when closed,
 * cancelled actions, and the lead changing the case's people, partners and links.
 */
export class CaseWork1765100000000 implements MigrationInterface {
  name = "CaseWork1765100000000";

  async up(q: QueryRunner): Promise<void> {
    // An outcome only on a closed case; a case walked to CLOSED through the stages has none.
    // Unnamed CHECKs: PostgreSQL names them <table>_check<n>, which the entity-drift test expects.
    await q.query(`ALTER TABLE problem_cases
      ADD COLUMN outcome text CHECK (outcome IN (${OUTCOMES})),
      ADD COLUMN closed_at timestamptz,
      ADD CHECK (outcome IS NULL OR closed_at IS NOT NULL)`);

    await q.query(`ALTER TABLE case_actions
      ADD COLUMN cancelled_at timestamptz,
      ADD COLUMN cancelled_by text,
      ADD COLUMN cancel_reason text,
      ADD CHECK ((cancelled_at IS NULL) = (cancelled_by IS NULL) AND (cancelled_at IS NULL) = (cancel_reason IS NULL))`);
    await q.query(`CREATE INDEX case_actions_assigned ON case_actions (assigned_agency_id, due_on, id)`);

    // Notes are kept as written: the service may add one, never change or remove it.
    await q.query(`
      CREATE TABLE case_notes (
        id text PRIMARY KEY,
        case_id text NOT NULL REFERENCES problem_cases (id),
        text text NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        written_by text NOT NULL,
        agency_id text NOT NULL
      )`);
    await q.query(`CREATE INDEX case_notes_case ON case_notes (case_id, written_at DESC, id DESC)`);

    // Every assessment is kept: a person's current level is their newest on the case.
    await q.query(`
      CREATE TABLE victim_risk_assessments (
        id text PRIMARY KEY,
        case_id text NOT NULL REFERENCES problem_cases (id),
        person_id text NOT NULL REFERENCES people (id),
        answers jsonb NOT NULL,
        score int NOT NULL,
        level text NOT NULL CHECK (level IN ('STANDARD', 'MEDIUM', 'HIGH')),
        assessed_at timestamptz NOT NULL DEFAULT now(),
        assessed_by text NOT NULL,
        agency_id text NOT NULL
      )`);
    await q.query(
      `CREATE INDEX victim_risk_assessments_case ON victim_risk_assessments (case_id, person_id, assessed_at DESC, id DESC)`,
    );

    await grantTo(q, "service", ["INSERT"], ["case_notes", "victim_risk_assessments"]);
    // The lead changes who is in a case and who works it; a partner unlinks a record.
    await grantTo(q, "service", ["DELETE"], ["case_people", "case_partners", "case_records"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE victim_risk_assessments`);
    await q.query(`DROP TABLE case_notes`);
    await q.query(`DROP INDEX case_actions_assigned`);
    await q.query(
      `ALTER TABLE case_actions DROP COLUMN cancelled_at, DROP COLUMN cancelled_by, DROP COLUMN cancel_reason`,
    );
    await q.query(`ALTER TABLE problem_cases DROP COLUMN outcome, DROP COLUMN closed_at`);
  }
}
