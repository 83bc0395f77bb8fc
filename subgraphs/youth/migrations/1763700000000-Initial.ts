import type { MigrationInterface, QueryRunner } from "typeorm";
import { createDemoSeedTable } from "../../shared/demo/seed-marker";

export class Initial1763700000000 implements MigrationInterface {
  name = "Initial1763700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE schools (
        id text PRIMARY KEY,
        urn char(6) NOT NULL CHECK (urn ~ '^[0-9]{6}$'),
        name text NOT NULL,
        phase text NOT NULL CHECK (phase IN ('PRIMARY', 'SECONDARY', 'ALL_THROUGH', 'PUPIL_REFERRAL_UNIT')),
        lsoa_code text NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX schools_urn ON schools (urn)`);
    await q.query(`
      CREATE TABLE enrolments (
        id text PRIMARY KEY,
        person_id text NOT NULL,
        school_id text NOT NULL REFERENCES schools (id),
        year_group int NOT NULL CHECK (year_group BETWEEN 0 AND 13),
        academic_year text NOT NULL CHECK (academic_year ~ '^[0-9]{4}/[0-9]{2}$'),
        attendance_rate double precision CHECK (attendance_rate BETWEEN 0 AND 1),
        suspensions int NOT NULL DEFAULT 0 CHECK (suspensions >= 0),
        started_on date NOT NULL,
        left_on date,
        CHECK (left_on IS NULL OR left_on >= started_on)
      )`);
    // Pages per person are ordered by start date; statistics and joins go by school.
    await q.query(`CREATE INDEX enrolments_person ON enrolments (person_id, started_on)`);
    await q.query(`CREATE INDEX enrolments_school ON enrolments (school_id)`);
    await q.query(`
      CREATE TABLE programmes (
        id text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('DIVERSION', 'SPORT', 'MENTORING', 'ARTS', 'DETACHED_YOUTH_WORK')),
        provider text NOT NULL,
        minimum_age int CHECK (minimum_age >= 0),
        maximum_age int CHECK (maximum_age >= 0),
        CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age)
      )`);
    await q.query(`CREATE INDEX programmes_kind ON programmes (kind)`);
    await q.query(`
      CREATE TABLE referrals (
        id text PRIMARY KEY,
        person_id text NOT NULL,
        programme_id text NOT NULL REFERENCES programmes (id),
        status text NOT NULL CHECK (status IN ('REFERRED', 'ACCEPTED', 'ACTIVE', 'COMPLETED', 'DECLINED', 'WITHDRAWN')),
        reason text NOT NULL CHECK (btrim(reason) <> ''),
        referred_at timestamptz NOT NULL,
        referred_by_agency_id text NOT NULL,
        lsoa_code text
      )`);
    await q.query(`CREATE INDEX referrals_person ON referrals (person_id, referred_at)`);
    await q.query(`CREATE INDEX referrals_programme ON referrals (programme_id)`);
    // Monthly statistics per neighbourhood read this range.
    await q.query(`CREATE INDEX referrals_lsoa_referred_at ON referrals (lsoa_code, referred_at)`);
    await q.query(`
      CREATE TABLE referral_status_changes (
        id bigserial PRIMARY KEY,
        referral_id text NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('REFERRED', 'ACCEPTED', 'ACTIVE', 'COMPLETED', 'DECLINED', 'WITHDRAWN')),
        at timestamptz NOT NULL,
        note text
      )`);
    await q.query(
      `CREATE INDEX referral_status_changes_referral ON referral_status_changes (referral_id, at)`,
    );
    await createDemoSeedTable(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE demo_seed`);
    await q.query(`DROP TABLE referral_status_changes`);
    await q.query(`DROP TABLE referrals`);
    await q.query(`DROP TABLE programmes`);
    await q.query(`DROP TABLE enrolments`);
    await q.query(`DROP TABLE schools`);
  }
}
