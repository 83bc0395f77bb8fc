import type { MigrationInterface, QueryRunner } from "typeorm";
import { quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/**
 * Each run of `npm run audit:verify` leaves its verdict here, so that data-sharing officers can
 * see when the chain was last verified and how it stood (query auditChainStatus) without anyone
 * recomputing the whole chain to show it. The auditor, which otherwise only reads, may add a
 * verdict; the governance service only reads them (the default for its tables), so a request
 * cannot forge one.
 */
export class AuditVerifications1765100000003 implements MigrationInterface {
  name = "AuditVerifications1765100000003";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    await q.query(`
      CREATE TABLE public.audit_verifications (
        id bigserial PRIMARY KEY,
        verified_at timestamptz NOT NULL DEFAULT now(),
        intact boolean NOT NULL,
        checked bigint NOT NULL,
        first_bad_sequence bigint,
        reason text
      )`);
    const auditor = ident(roleName(database, "auditor"));
    await q.query(`GRANT SELECT, INSERT ON TABLE public.audit_verifications TO ${auditor}`);
    await q.query(`GRANT USAGE ON SEQUENCE public.audit_verifications_id_seq TO ${auditor}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE public.audit_verifications`);
  }
}
