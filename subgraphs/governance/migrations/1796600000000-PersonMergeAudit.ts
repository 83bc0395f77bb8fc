import type { MigrationInterface, QueryRunner } from "typeorm";

/** The clause PersonMatchReviewAudit1796589854419 added to audit_append. */
const REVIEW_CLAUSE = `OR (record->>'kind' = 'PERSON_MATCH_REVIEW' AND writer = 'partnership' AND owner = 'partnership')`;

/**
 * A DSO's merge of two people in the people index, and a split that undoes one (issue 20), are
 * audited as records of their own kinds, PERSON_MERGE and PERSON_SPLIT, written by the partnership
 * subgraph about the people index (owner `partnership`), as a match review is. `audit_append` is
 * changed by that clause and nothing else: read back, the clause added beside the review's, so the
 * chain, its hashing and the pseudonyms stay exactly as they were (and the migration fails rather
 * than guess if the function is not the one it expects).
 */
export class PersonMergeAudit1796600000000 implements MigrationInterface {
  name = "PersonMergeAudit1796600000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind_check CHECK (kind IN
      ('DISCLOSURE', 'DENIAL', 'AGREEMENT_CHANGE', 'CONSENT_CHANGE', 'BREAK_GLASS_REVIEW', 'SUBJECT_ACCESS',
       'RECTIFICATION', 'DATA_PROTECTION', 'PERSON_MATCH_REVIEW', 'PERSON_MERGE', 'PERSON_SPLIT'))`);
    const [{ definition }] = (await q.query(
      `SELECT pg_get_functiondef('public.audit_append(jsonb, bigint)'::regprocedure) AS definition`,
    )) as { definition: string }[];
    if (definition.split(REVIEW_CLAUSE).length !== 2)
      throw new Error("audit_append is not the function PersonMergeAudit expects: not changed");
    // CREATE OR REPLACE keeps its owner (the audit writer) and its grants.
    await q.query(
      definition.replace(
        REVIEW_CLAUSE,
        `${REVIEW_CLAUSE}
                 OR (record->>'kind' IN ('PERSON_MERGE', 'PERSON_SPLIT') AND writer = 'partnership' AND owner = 'partnership')`,
      ),
    );
  }

  async down(): Promise<void> {
    // Records of the new kinds may exist by then; the chain keeps them, so the check stays wide.
  }
}
