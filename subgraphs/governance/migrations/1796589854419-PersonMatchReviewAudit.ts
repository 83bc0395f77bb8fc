import type { MigrationInterface, QueryRunner } from "typeorm";

/** The clause of audit_append (DataProtection1765100000004) that lets the partnership subgraph append a rectification. */
const RECTIFICATION_CLAUSE = `OR (record->>'kind' = 'RECTIFICATION' AND writer = 'partnership' AND owner = 'partnership')`;

/**
 * A DSO's decision on a link the people matcher queued for review (issue 20) is audited as a record
 * of its own kind, PERSON_MATCH_REVIEW, written by the partnership subgraph about the people index
 * (owner `partnership`), as a rectification is. `audit_append` is changed by that one clause and
 * nothing else: its definition as DataProtection1765100000004 made it is read back and the clause
 * added beside the rectification's, so the chain, its hashing and the pseudonyms stay exactly as
 * they were (and the migration fails rather than guess if the function is not that one).
 */
export class PersonMatchReviewAudit1796589854419 implements MigrationInterface {
  name = "PersonMatchReviewAudit1796589854419";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check CHECK (kind IN
      ('DISCLOSURE', 'DENIAL', 'AGREEMENT_CHANGE', 'CONSENT_CHANGE', 'BREAK_GLASS_REVIEW', 'SUBJECT_ACCESS',
       'RECTIFICATION', 'DATA_PROTECTION', 'PERSON_MATCH_REVIEW'))`);
    const [{ definition }] = (await q.query(
      `SELECT pg_get_functiondef('public.audit_append(jsonb, bigint)'::regprocedure) AS definition`,
    )) as { definition: string }[];
    if (definition.split(RECTIFICATION_CLAUSE).length !== 2)
      throw new Error("audit_append is not the function PersonMatchReviewAudit expects: not changed");
    // CREATE OR REPLACE keeps its owner (the audit writer) and its grants.
    await q.query(
      definition.replace(
        RECTIFICATION_CLAUSE,
        `${RECTIFICATION_CLAUSE}
                 OR (record->>'kind' = 'PERSON_MATCH_REVIEW' AND writer = 'partnership' AND owner = 'partnership')`,
      ),
    );
  }

  async down(): Promise<void> {
    // Records of the new kind may exist by then; the chain keeps them, so the check stays wide.
  }
}
