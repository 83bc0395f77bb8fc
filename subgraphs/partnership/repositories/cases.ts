import type { PageRequest } from "../../shared/connection";
import type { Sql } from "../../shared/database";
import { CaseRecordKind, CaseStage, RiskLevel } from "../../shared/enums";
import type { Page } from "../../shared/loaders";
import { agencyRef } from "../../shared/types";
import { ProblemCase } from "../types";

interface CaseRow {
  id: string;
  reference: string;
  title: string;
  problem_type: string;
  stage: string;
  risk_level: string;
  opened_at: Date;
  lead_agency_id: string;
  partner_ids: string[];
  neighbourhood_codes: string[];
}

// Partners and neighbourhoods ride along with each case, so a list of cases is one statement.
const CASE_COLUMNS = `c.id, c.reference, c.title, c.problem_type, c.stage, c.risk_level, c.opened_at, c.lead_agency_id,
  coalesce((SELECT array_agg(p.agency_id ORDER BY p.agency_id) FROM case_partners p WHERE p.case_id = c.id), '{}') AS partner_ids,
  coalesce((SELECT array_agg(n.lsoa_code ORDER BY n.position) FROM case_neighbourhoods n WHERE n.case_id = c.id), '{}') AS neighbourhood_codes`;

const VISIBLE_TO = `(c.lead_agency_id = $1 OR EXISTS (SELECT 1 FROM case_partners p WHERE p.case_id = c.id AND p.agency_id = $1))`;

function toProblemCase(row: CaseRow): ProblemCase {
  return Object.assign(new ProblemCase(), {
    id: row.id,
    reference: row.reference,
    title: row.title,
    problemType: row.problem_type,
    stage: row.stage as CaseStage,
    riskLevel: row.risk_level as RiskLevel,
    openedAt: row.opened_at,
    lead: agencyRef(row.lead_agency_id),
    partners: row.partner_ids.map(agencyRef),
    neighbourhoodCodes: row.neighbourhood_codes,
  });
}

/** The lead and partners of a case: who may see and change it. */
export interface CaseParties {
  id: string;
  stage: CaseStage;
  leadAgencyId: string;
  partnerIds: string[];
}

export interface CasePersonRow {
  caseId: string;
  personId: string;
  role: string;
}

export interface CaseActionRow {
  id: string;
  caseId: string;
  description: string;
  assignedAgencyId: string;
  /** YYYY-MM-DD. */
  dueOn: string;
  completedAt: Date | null;
  completedBy: string | null;
}

export interface CaseStageChangeRow {
  caseId: string;
  fromStage: CaseStage | null;
  toStage: CaseStage;
  note: string;
  changedAt: Date;
  changedBy: string;
  agencyId: string;
}

export interface CaseRecordRow {
  caseId: string;
  kind: CaseRecordKind;
  recordId: string;
}

export interface CaseEventRow {
  caseId: string;
  userId: string;
  agencyId: string;
  requestId: string;
  event: string;
  detail: Record<string, unknown>;
}

export interface NewCase {
  id: string;
  reference: string;
  title: string;
  problemType: string;
  stage: CaseStage;
  riskLevel: RiskLevel;
  /** Defaults to now. */
  openedAt?: Date | string;
  openedBy: string;
  leadAgencyId: string;
  partnerIds: string[];
  neighbourhoodCodes: string[];
  people: { personId: string; role: string }[];
}

export interface NewAction {
  id: string;
  caseId: string;
  description: string;
  assignedAgencyId: string;
  dueOn: string;
  createdBy: string;
  createdAt?: Date | string;
  completedAt?: Date | string | null;
  completedBy?: string | null;
}

export interface NewStageChange {
  caseId: string;
  fromStage: CaseStage | null;
  toStage: CaseStage;
  note: string;
  changedBy: string;
  agencyId: string;
  /** Defaults to now. */
  changedAt?: Date | string;
}

const ACTION_COLUMNS = `id, case_id AS "caseId", description, assigned_agency_id AS "assignedAgencyId",
  to_char(due_on, 'YYYY-MM-DD') AS "dueOn", completed_at AS "completedAt", completed_by AS "completedBy"`;

/** All SQL over problem-solving cases. */
export class CaseRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<ProblemCase[]> {
    const rows = await this.sql.many<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM problem_cases c WHERE c.id = ANY($1)`,
      [ids],
    );
    return rows.map(toProblemCase);
  }

  /** Cases the agency leads or partners, newest first. */
  async listVisibleTo(
    agencyId: string,
    stage: CaseStage | null,
    page: PageRequest,
  ): Promise<Page<ProblemCase>> {
    const rows = await this.sql.many<CaseRow & { total: string }>(
      `SELECT ${CASE_COLUMNS}, count(*) OVER () AS total
         FROM problem_cases c
        WHERE ${VISIBLE_TO} AND ($2::text IS NULL OR c.stage = $2)
        ORDER BY c.opened_at DESC, c.id
        OFFSET $3 LIMIT $4`,
      [agencyId, stage, page.offset, page.limit + 1],
    );
    let totalCount = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page.offset > 0) {
      const row = await this.sql.one<{ total: string }>(
        `SELECT count(*) AS total FROM problem_cases c WHERE ${VISIBLE_TO} AND ($2::text IS NULL OR c.stage = $2)`,
        [agencyId, stage],
      );
      totalCount = Number(row?.total ?? 0);
    }
    return { items: rows.map(toProblemCase), totalCount };
  }

  async peopleFor(caseIds: readonly string[]): Promise<CasePersonRow[]> {
    return this.sql.many<CasePersonRow>(
      `SELECT case_id AS "caseId", person_id AS "personId", role
         FROM case_people WHERE case_id = ANY($1) ORDER BY case_id, position, person_id, role`,
      [caseIds],
    );
  }

  async actionsFor(caseIds: readonly string[]): Promise<CaseActionRow[]> {
    return this.sql.many<CaseActionRow>(
      `SELECT ${ACTION_COLUMNS} FROM case_actions WHERE case_id = ANY($1) ORDER BY case_id, due_on, created_at, id`,
      [caseIds],
    );
  }

  async stageChangesFor(caseIds: readonly string[]): Promise<CaseStageChangeRow[]> {
    return this.sql.many<CaseStageChangeRow>(
      `SELECT case_id AS "caseId", from_stage AS "fromStage", to_stage AS "toStage", note,
              changed_at AS "changedAt", changed_by AS "changedBy", agency_id AS "agencyId"
         FROM case_stage_changes WHERE case_id = ANY($1) ORDER BY case_id, changed_at, id`,
      [caseIds],
    );
  }

  async recordsFor(caseIds: readonly string[]): Promise<CaseRecordRow[]> {
    return this.sql.many<CaseRecordRow>(
      `SELECT case_id AS "caseId", kind, record_id AS "recordId"
         FROM case_records WHERE case_id = ANY($1) ORDER BY case_id, kind, linked_at, record_id`,
      [caseIds],
    );
  }

  // --- writes: called inside a transaction ---------------------------------------------------

  /** The case's lead, partners and stage, locked until the transaction ends; undefined when unknown. */
  async lockParties(caseId: string): Promise<CaseParties | undefined> {
    const row = await this.sql.one<{
      id: string;
      stage: CaseStage;
      lead_agency_id: string;
      partner_ids: string[];
    }>(
      `SELECT c.id, c.stage, c.lead_agency_id,
              coalesce((SELECT array_agg(p.agency_id) FROM case_partners p WHERE p.case_id = c.id), '{}') AS partner_ids
         FROM problem_cases c WHERE c.id = $1 FOR UPDATE`,
      [caseId],
    );
    return (
      row && { id: row.id, stage: row.stage, leadAgencyId: row.lead_agency_id, partnerIds: row.partner_ids }
    );
  }

  /** The next reference number for a year; the counter row's lock serialises concurrent openings. */
  async nextReferenceNumber(year: number): Promise<number> {
    const row = await this.sql.one<{ last_number: number }>(
      `INSERT INTO case_reference_counters (year, last_number) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET last_number = case_reference_counters.last_number + 1
       RETURNING last_number`,
      [year],
    );
    return row!.last_number;
  }

  /** Sets a year's counter to at least `lastNumber` (the demo seed issues its own references). */
  async reserveReferenceNumbers(year: number, lastNumber: number): Promise<void> {
    await this.sql.exec(
      `INSERT INTO case_reference_counters (year, last_number) VALUES ($1, $2)
       ON CONFLICT (year) DO UPDATE SET last_number = greatest(case_reference_counters.last_number, $2)`,
      [year, lastNumber],
    );
  }

  async insertCase(c: NewCase): Promise<void> {
    await this.sql.exec(
      `INSERT INTO problem_cases (id, reference, title, problem_type, stage, risk_level, opened_at, opened_by, lead_agency_id)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()), $8, $9)`,
      [
        c.id,
        c.reference,
        c.title,
        c.problemType,
        c.stage,
        c.riskLevel,
        c.openedAt ?? null,
        c.openedBy,
        c.leadAgencyId,
      ],
    );
    if (c.partnerIds.length) {
      await this.sql.exec(`INSERT INTO case_partners (case_id, agency_id) SELECT $1, unnest($2::text[])`, [
        c.id,
        c.partnerIds,
      ]);
    }
    await this.sql.exec(
      `INSERT INTO case_neighbourhoods (case_id, lsoa_code, position)
       SELECT $1, code, position FROM unnest($2::text[]) WITH ORDINALITY AS n(code, position)`,
      [c.id, c.neighbourhoodCodes],
    );
    if (c.people.length) {
      await this.sql.exec(
        `INSERT INTO case_people (case_id, person_id, role, position)
         SELECT $1, person_id, role, position FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS p(person_id, role, position)
         ON CONFLICT DO NOTHING`,
        [c.id, c.people.map((p) => p.personId), c.people.map((p) => p.role)],
      );
    }
  }

  async insertAction(a: NewAction): Promise<CaseActionRow> {
    const row = await this.sql.one<CaseActionRow>(
      `INSERT INTO case_actions (id, case_id, description, assigned_agency_id, due_on, created_by, created_at, completed_at, completed_by)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()), $8, $9)
       RETURNING ${ACTION_COLUMNS}`,
      [
        a.id,
        a.caseId,
        a.description,
        a.assignedAgencyId,
        a.dueOn,
        a.createdBy,
        a.createdAt ?? null,
        a.completedAt ?? null,
        a.completedBy ?? null,
      ],
    );
    return row!;
  }

  async lockAction(caseId: string, actionId: string): Promise<CaseActionRow | undefined> {
    return this.sql.one<CaseActionRow>(
      `SELECT ${ACTION_COLUMNS} FROM case_actions WHERE case_id = $1 AND id = $2 FOR UPDATE`,
      [caseId, actionId],
    );
  }

  async completeAction(actionId: string, userId: string): Promise<CaseActionRow> {
    const row = await this.sql.one<CaseActionRow>(
      `UPDATE case_actions SET completed_at = now(), completed_by = $2 WHERE id = $1 RETURNING ${ACTION_COLUMNS}`,
      [actionId, userId],
    );
    return row!;
  }

  /** Links a record; false when it was already linked (linking is idempotent). */
  async isLinked(caseId: string, kind: CaseRecordKind, recordId: string): Promise<boolean> {
    const row = await this.sql.one(
      `SELECT 1 AS linked FROM case_records WHERE case_id = $1 AND kind = $2 AND record_id = $3`,
      [caseId, kind, recordId],
    );
    return row !== undefined;
  }

  async linkRecord(
    caseId: string,
    kind: CaseRecordKind,
    recordId: string,
    userId: string,
    agencyId: string,
    at?: Date | string,
  ): Promise<boolean> {
    const inserted = await this.sql.exec(
      `INSERT INTO case_records (case_id, kind, record_id, linked_by, agency_id, linked_at)
       VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))
       ON CONFLICT (case_id, kind, record_id) DO NOTHING`,
      [caseId, kind, recordId, userId, agencyId, at ?? null],
    );
    return inserted > 0;
  }

  async setStage(caseId: string, stage: CaseStage): Promise<void> {
    await this.sql.exec(`UPDATE problem_cases SET stage = $2 WHERE id = $1`, [caseId, stage]);
  }

  async insertStageChange(change: NewStageChange): Promise<void> {
    await this.sql.exec(
      `INSERT INTO case_stage_changes (case_id, from_stage, to_stage, note, changed_by, agency_id, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()))`,
      [
        change.caseId,
        change.fromStage,
        change.toStage,
        change.note,
        change.changedBy,
        change.agencyId,
        change.changedAt ?? null,
      ],
    );
  }

  async appendEvent(event: CaseEventRow, at?: Date | string): Promise<void> {
    await this.sql.exec(
      `INSERT INTO case_events (case_id, user_id, agency_id, request_id, event, detail, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()))`,
      [
        event.caseId,
        event.userId,
        event.agencyId,
        event.requestId,
        event.event,
        JSON.stringify(event.detail),
        at ?? null,
      ],
    );
  }
}
