import type { MigrationInterface, QueryRunner } from "typeorm";
import { createRole, quoteIdentifier as ident, roleName } from "../../shared/database-roles";

/** The clause of audit_append (PersonMatchReviewAudit1796589854419) that lets the partnership subgraph append a review decision. */
const REVIEW_CLAUSE = `OR (record->>'kind' = 'PERSON_MATCH_REVIEW' AND writer = 'partnership' AND owner = 'partnership')`;

/**
 * The writer `npm run ingest` appends as (`audit_writers.agency_id` of its login): no agency's id,
 * so none of the clauses that speak of the writer's own agency's data gives it anything.
 */
export const INGEST_WRITER = "npm run ingest";

/**
 * A reference an import's matcher linked to a person automatically, or queued for review (issue
 * 20), is audited as a record of its own kind, PERSON_MATCH, about the people index (owner
 * `partnership`), as a review decision is. `npm run ingest` appends them through a login of its own
 * into governance (`<governance>_ingest`), registered in `audit_writers` as the writer
 * "npm run ingest": it may execute `audit_append` and nothing else, and `audit_append` lets it append
 * PERSON_MATCH records of the people index and no other kind (not the partnership subgraph's login,
 * which may write disclosures of any agency's data, handed to whoever runs an import). Nor may any
 * other login append PERSON_MATCH. `audit_append` is changed by that one clause and nothing else: its
 * definition is read back and the clause added beside the review's, so the chain, its hashing and the
 * pseudonyms stay exactly as they were (and the migration fails rather than guess if the function is
 * not that one).
 */
export class PersonMatchAudit1796600649593 implements MigrationInterface {
  name = "PersonMatchAudit1796600649593";

  async up(q: QueryRunner): Promise<void> {
    const [{ name: database }] = (await q.query(`SELECT current_database() AS name`)) as { name: string }[];
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check CHECK (kind IN
      ('DISCLOSURE', 'DENIAL', 'AGREEMENT_CHANGE', 'CONSENT_CHANGE', 'BREAK_GLASS_REVIEW', 'SUBJECT_ACCESS',
       'RECTIFICATION', 'DATA_PROTECTION', 'PERSON_MATCH_REVIEW', 'PERSON_MERGE', 'PERSON_SPLIT',
       'PERSON_MATCH'))`);
    const [{ definition }] = (await q.query(
      `SELECT pg_get_functiondef('public.audit_append(jsonb, bigint)'::regprocedure) AS definition`,
    )) as { definition: string }[];
    if (definition.split(REVIEW_CLAUSE).length !== 2)
      throw new Error("audit_append is not the function PersonMatchAudit expects: not changed");
    // CREATE OR REPLACE keeps its owner (the audit writer) and its grants.
    await q.query(
      definition.replace(
        REVIEW_CLAUSE,
        `${REVIEW_CLAUSE}
                 OR (record->>'kind' = 'PERSON_MATCH' AND writer = '${INGEST_WRITER}' AND owner = 'partnership')`,
      ),
    );

    const role = roleName(database, "ingest");
    await createRole(q, role, true);
    await q.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(role)}`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${ident(role)}`);
    await q.query(
      `INSERT INTO public.audit_writers (role_name, agency_id) VALUES ($1, $2)
       ON CONFLICT (role_name) DO UPDATE SET agency_id = EXCLUDED.agency_id`,
      [role, INGEST_WRITER],
    );
    await q.query(`GRANT EXECUTE ON FUNCTION public.audit_append(jsonb, bigint) TO ${ident(role)}`);
  }

  async down(): Promise<void> {
    // Records of the new kind may exist by then; the chain keeps them, so the check stays wide.
  }
}
