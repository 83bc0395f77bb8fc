import type { Sql } from "../../shared/database";
import { RetentionStart, type RetentionRuleFacts } from "../../shared/data-protection";
import type { DataCategory } from "../../shared/enums";

/** A retention rule as stored. */
export interface RetentionRuleRow extends RetentionRuleFacts {
  id: string;
  agencyId: string;
}

/** A legal hold as stored. */
export interface LegalHoldRow {
  agencyId: string;
  personId: string;
  reason: string;
  placedBy: string;
  placedAt: Date;
}

interface RuleRow {
  id: string;
  agency_id: string;
  category: string;
  retain_for_months: number;
  retention_start: string;
  basis: string;
}

const toRule = (r: RuleRow): RetentionRuleRow => ({
  id: r.id,
  agencyId: r.agency_id,
  category: r.category as DataCategory,
  retainForMonths: r.retain_for_months,
  from: r.retention_start as RetentionStart,
  basis: r.basis,
});

/** An erasure under way (shared/erasure.ts): PREPARING, UNDOING (given up) or DECIDED. */
export interface ErasureRow {
  id: string;
  agencyId: string;
  personId: string;
  state: "PREPARING" | "UNDOING" | "DECIDED";
  anonymise: boolean;
  startedAt: Date;
}

const ERASURE_COLUMNS = `id, agency_id AS "agencyId", person_id AS "personId", state, anonymise, started_at AS "startedAt"`;

/** All SQL over retention rules, legal holds and what an erasure removes from governance's store. */
export class DataProtectionRepository {
  constructor(private readonly sql: Sql) {}

  /** An agency's retention rules, by category. */
  async rules(agencyId: string): Promise<RetentionRuleRow[]> {
    const rows = await this.sql.many<RuleRow>(
      `SELECT id, agency_id, category, retain_for_months, retention_start, basis
         FROM retention_rules WHERE agency_id = $1 ORDER BY category`,
      [agencyId],
    );
    return rows.map(toRule);
  }

  /** Makes or replaces an agency's rule for a category; returns it as stored. */
  static async putRule(
    tx: Sql,
    agencyId: string,
    rule: RetentionRuleFacts,
    changedBy: string,
  ): Promise<RetentionRuleRow> {
    const row = await tx.one<RuleRow>(
      `INSERT INTO retention_rules (id, agency_id, category, retain_for_months, retention_start, basis, changed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (agency_id, category) DO UPDATE
         SET retain_for_months = EXCLUDED.retain_for_months, retention_start = EXCLUDED.retention_start,
             basis = EXCLUDED.basis, changed_by = EXCLUDED.changed_by, changed_at = now()
       RETURNING id, agency_id, category, retain_for_months, retention_start, basis`,
      [
        `ret-${agencyId}-${rule.category.toLowerCase().replace(/_/g, "-")}`,
        agencyId,
        rule.category,
        rule.retainForMonths,
        rule.from,
        rule.basis,
        changedBy,
      ],
    );
    return toRule(row!);
  }

  /** The hold an agency has on a person, if any. */
  async hold(agencyId: string, personId: string): Promise<LegalHoldRow | null> {
    const rows = await this.holds(agencyId, [personId]);
    return rows[0] ?? null;
  }

  /** An agency's holds (on these people, or all when null). */
  async holds(agencyId: string, personIds: readonly string[] | null): Promise<LegalHoldRow[]> {
    const rows = await this.sql.many<{
      agency_id: string;
      person_id: string;
      reason: string;
      placed_by: string;
      placed_at: Date;
    }>(
      `SELECT agency_id, person_id, reason, placed_by, placed_at FROM legal_holds
        WHERE agency_id = $1 AND ($2::text[] IS NULL OR person_id = ANY($2::text[])) ORDER BY person_id`,
      [agencyId, personIds],
    );
    return rows.map((r) => ({
      agencyId: r.agency_id,
      personId: r.person_id,
      reason: r.reason,
      placedBy: r.placed_by,
      placedAt: r.placed_at,
    }));
  }

  /** Places (or restates) a hold. */
  static async placeHold(tx: Sql, agencyId: string, personId: string, reason: string, placedBy: string) {
    await tx.exec(
      `INSERT INTO legal_holds (agency_id, person_id, reason, placed_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agency_id, person_id) DO UPDATE SET reason = EXCLUDED.reason, placed_by = EXCLUDED.placed_by,
         placed_at = now()`,
      [agencyId, personId, reason, placedBy],
    );
  }

  /** Lifts a hold; false when there was none. */
  static async liftHold(tx: Sql, agencyId: string, personId: string): Promise<boolean> {
    return (
      (await tx.exec(`DELETE FROM legal_holds WHERE agency_id = $1 AND person_id = $2`, [
        agencyId,
        personId,
      ])) > 0
    );
  }

  /**
   * What governance holds about a person for an agency that keeps nothing about them any more:
   * the consents it recorded for them (they cover data that is gone). Returns how many.
   */
  static async forgetAtAgency(tx: Sql, agencyId: string, personId: string): Promise<number> {
    return tx.exec(`DELETE FROM consents WHERE person_id = $1 AND provider_agency_id = $2`, [
      personId,
      agencyId,
    ]);
  }

  /**
   * Whether, once `agencyId` too keeps nothing about the person, every registered agency will have
   * erased what it held (the people index entry is then anonymised).
   */
  async everyAgencyErased(personId: string, agencyId: string): Promise<boolean> {
    const row = await this.sql.one<{ left: string }>(
      `SELECT count(*) AS left FROM agencies a
        WHERE a.active AND a.id <> $2
          AND NOT EXISTS (SELECT 1 FROM person_erasures e WHERE e.person_id = $1 AND e.agency_id = a.id)`,
      [personId, agencyId],
    );
    return Number(row!.left) === 0;
  }

  /** Notes that an agency keeps nothing about the person. */
  static async noteErased(tx: Sql, personId: string, agencyId: string): Promise<void> {
    await tx.exec(
      `INSERT INTO person_erasures (person_id, agency_id) VALUES ($1, $2) ON CONFLICT (person_id, agency_id) DO NOTHING`,
      [personId, agencyId],
    );
  }

  /** Once no agency holds anything about the person: every consent, hold, erasure note and their date of birth. */
  static async forgetEverywhere(tx: Sql, personId: string): Promise<void> {
    await tx.exec(`DELETE FROM person_erasures WHERE person_id = $1`, [personId]);
    await tx.exec(`DELETE FROM consents WHERE person_id = $1`, [personId]);
    await tx.exec(`DELETE FROM legal_holds WHERE person_id = $1`, [personId]);
    await tx.exec(`DELETE FROM person_dates_of_birth WHERE person_id = $1`, [personId]);
  }

  /** Begins an erasure (PREPARING); false when one of the agency's for the person is under way. */
  static async startErasure(sql: Sql, id: string, agencyId: string, personId: string): Promise<boolean> {
    const row = await sql.one(
      `INSERT INTO erasures (id, agency_id, person_id, state) VALUES ($1, $2, $3, 'PREPARING')
       ON CONFLICT (agency_id, person_id) DO NOTHING RETURNING id`,
      [id, agencyId, personId],
    );
    return row !== null;
  }

  /** Erasures under way, of one agency or (null) all, oldest first. */
  async erasuresUnderWay(agencyId: string | null): Promise<ErasureRow[]> {
    return this.sql.many<ErasureRow>(
      `SELECT ${ERASURE_COLUMNS} FROM erasures WHERE $1::text IS NULL OR agency_id = $1 ORDER BY started_at, id`,
      [agencyId],
    );
  }

  /** An erasure under way, by id (null once finished or undone). */
  async erasure(id: string): Promise<ErasureRow | null> {
    return (
      (await this.sql.one<ErasureRow>(`SELECT ${ERASURE_COLUMNS} FROM erasures WHERE id = $1`, [id])) ?? null
    );
  }

  /**
   * The commit point: PREPARING becomes DECIDED (with whether the person is anonymised). False when
   * it is no longer PREPARING (a resume gave it up): the erasure is then undone, never decided.
   */
  static async decideErasure(tx: Sql, id: string, anonymise: boolean): Promise<boolean> {
    const n = await tx.exec(
      `UPDATE erasures SET state = 'DECIDED', anonymise = $2 WHERE id = $1 AND state = 'PREPARING'`,
      [id, anonymise],
    );
    return n === 1;
  }

  /** Gives an erasure up unless decided; its state after (null when it is gone). */
  static async giveUpErasure(sql: Sql, id: string): Promise<ErasureRow | null> {
    await sql.exec(`UPDATE erasures SET state = 'UNDOING' WHERE id = $1 AND state = 'PREPARING'`, [id]);
    return new DataProtectionRepository(sql).erasure(id);
  }

  /** Forgets an erasure finished or undone everywhere (the audit keeps what was done). */
  static async endErasure(sql: Sql, id: string): Promise<void> {
    await sql.exec(`DELETE FROM erasures WHERE id = $1`, [id]);
  }

  /** Serialises the decisions about one person (whether every agency has erased is read under it). */
  static async lockPerson(tx: Sql, personId: string): Promise<void> {
    await tx.one(`SELECT pg_advisory_xact_lock(hashtextextended('erasure-person:' || $1, 0))`, [personId]);
  }
}
