import type { PageRequest } from "../../shared/connection";
import type { Sql } from "../../shared/database";
import { CaseRecordKind, CaseStage, RiskLevel } from "../../shared/enums";
import { IN_PAGE_OR_LAST, pagesByParent } from "../../shared/connection";
import type { Page } from "../../shared/loaders";
import { agencyRef } from "../../shared/types";
import { type CaseOutcome, ProblemCase } from "../types";

interface CaseRow {
  id: string;
  reference: string;
  title: string;
  problem_type: string;
  stage: string;
  risk_level: string;
  opened_at: Date;
  lead_agency_id: string;
  outcome: string | null;
  closed_at: Date | null;
  partner_ids: string[];
  neighbourhood_codes: string[];
}

// Partners and neighbourhoods ride along with each case, so a list of cases is one statement.
const CASE_COLUMNS = `c.id, c.reference, c.title, c.problem_type, c.stage, c.risk_level, c.opened_at, c.lead_agency_id, c.outcome, c.closed_at,
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
    outcome: row.outcome as CaseOutcome | null,
    closedAt: row.closed_at,
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
  cancelledAt: Date | null;
  cancelReason: string | null;
}

export interface CaseNoteRow {
  id: string;
  caseId: string;
  text: string;
  writtenAt: Date;
  writtenBy: string;
  agencyId: string;
}

export interface RiskAssessmentRow {
  id: string;
  caseId: string;
  personId: string;
  answers: { question: string; answer: boolean }[];
  score: number;
  level: RiskLevel;
  assessedAt: Date;
  assessedBy: string;
  agencyId: string;
}

export interface CaseEventRecordRow extends CaseEventRow {
  occurredAt: Date;
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
  to_char(due_on, 'YYYY-MM-DD') AS "dueOn", completed_at AS "completedAt", completed_by AS "completedBy",
  cancelled_at AS "cancelledAt", cancel_reason AS "cancelReason"`;

const NOTE_COLUMNS = `id, case_id AS "caseId", text, written_at AS "writtenAt", written_by AS "writtenBy", agency_id AS "agencyId"`;

const ASSESSMENT_COLUMNS = `id, case_id AS "caseId", person_id AS "personId", answers, score, level,
  assessed_at AS "assessedAt", assessed_by AS "assessedBy", agency_id AS "agencyId"`;

/** An action's status as of `$today` (YYYY-MM-DD): the SQL twin of CaseActionResolver.status. */
const ACTION_STATUS = (today: string) => `CASE WHEN cancelled_at IS NOT NULL THEN 'CANCELLED'
  WHEN completed_at IS NOT NULL THEN 'DONE' WHEN due_on < ${today}::date THEN 'OVERDUE' ELSE 'OPEN' END`;

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

  /** A page of notes for each of many cases, newest first, in one statement. */
  async notePagesFor(caseIds: readonly string[], page: PageRequest): Promise<Map<string, Page<CaseNoteRow>>> {
    const rows = await this.sql.many<CaseNoteRow & { position: string; total: string }>(
      `SELECT * FROM (
         SELECT ${NOTE_COLUMNS},
                row_number() OVER (PARTITION BY case_id ORDER BY written_at DESC, id DESC) AS position,
                count(*) OVER (PARTITION BY case_id) AS total
           FROM case_notes WHERE case_id = ANY($1)
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY "caseId", position`,
      [caseIds, page.offset, page.limit + 1],
    );
    return pagesByParent(
      rows,
      (r) => r.caseId,
      page,
      ({ position: _p, total: _t, ...note }) => note,
    );
  }

  /** Every victim risk assessment on many cases, newest first. */
  async riskAssessmentsFor(caseIds: readonly string[]): Promise<RiskAssessmentRow[]> {
    return this.sql.many<RiskAssessmentRow>(
      `SELECT ${ASSESSMENT_COLUMNS} FROM victim_risk_assessments WHERE case_id = ANY($1)
        ORDER BY case_id, assessed_at DESC, id DESC`,
      [caseIds],
    );
  }

  /** The case events of these kinds on many cases, newest first. */
  async eventsFor(caseIds: readonly string[], events: readonly string[]): Promise<CaseEventRecordRow[]> {
    return this.sql.many<CaseEventRecordRow>(
      `SELECT case_id AS "caseId", user_id AS "userId", agency_id AS "agencyId", request_id AS "requestId",
              event, detail, occurred_at AS "occurredAt"
         FROM case_events WHERE case_id = ANY($1) AND event = ANY($2)
        ORDER BY case_id, occurred_at DESC, id DESC`,
      [caseIds, events],
    );
  }

  /**
   * A page of the actions assigned to an agency on every case it leads or partners, by due date,
   * with their status as of `today` (OVERDUE: open and past due); all statuses when `status` is null.
   */
  async actionsAssignedTo(
    agencyId: string,
    status: string | null,
    today: string,
    page: PageRequest,
  ): Promise<Page<CaseActionRow>> {
    const where = `a.assigned_agency_id = $1
        AND EXISTS (SELECT 1 FROM problem_cases c WHERE c.id = a.case_id AND ${VISIBLE_TO})
        AND ($2::text IS NULL OR ${ACTION_STATUS("$3")} = $2)`;
    const rows = await this.sql.many<CaseActionRow & { total: string }>(
      `SELECT ${ACTION_COLUMNS}, count(*) OVER () AS total
         FROM case_actions a WHERE ${where}
        ORDER BY a.due_on, a.id
        OFFSET $4 LIMIT $5`,
      [agencyId, status, today, page.offset, page.limit + 1],
    );
    let totalCount = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page.offset > 0) {
      const row = await this.sql.one<{ total: string }>(
        `SELECT count(*) AS total FROM case_actions a WHERE ${where}`,
        [agencyId, status, today],
      );
      totalCount = Number(row?.total ?? 0);
    }
    return { items: rows.map(({ total: _t, ...action }) => action), totalCount };
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

  /** Links a record; false when it was already linked (the workflow then refuses the link). */
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
    await this.sql.exec(
      `UPDATE problem_cases SET stage = $2, closed_at = CASE WHEN $2 = 'CLOSED' THEN now() END WHERE id = $1`,
      [caseId, stage],
    );
  }

  /** Closes a case with its outcome, from whatever stage it is at. */
  async close(caseId: string, outcome: CaseOutcome): Promise<void> {
    await this.sql.exec(
      `UPDATE problem_cases SET stage = 'CLOSED', outcome = $2, closed_at = now() WHERE id = $1`,
      [caseId, outcome],
    );
  }

  /** Cancels every action of the case still to do, with the reason; returns their ids. */
  async cancelOpenActions(caseId: string, userId: string, reason: string): Promise<string[]> {
    const rows = await this.sql.many<{ id: string }>(
      `UPDATE case_actions SET cancelled_at = now(), cancelled_by = $2, cancel_reason = $3
        WHERE case_id = $1 AND completed_at IS NULL AND cancelled_at IS NULL RETURNING id`,
      [caseId, userId, reason],
    );
    return rows.map((r) => r.id).sort();
  }

  /** The lock-free people of one case, in order (for a change's "before"). */
  async peopleOf(caseId: string): Promise<{ personId: string; role: string }[]> {
    return this.sql.many(
      `SELECT person_id AS "personId", role FROM case_people WHERE case_id = $1 ORDER BY position, person_id, role`,
      [caseId],
    );
  }

  /** Replaces who is in a case and their parts, in the order given. */
  async replacePeople(caseId: string, people: readonly { personId: string; role: string }[]): Promise<void> {
    await this.sql.exec(`DELETE FROM case_people WHERE case_id = $1`, [caseId]);
    if (!people.length) return;
    await this.sql.exec(
      `INSERT INTO case_people (case_id, person_id, role, position)
       SELECT $1, person_id, role, position FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS p(person_id, role, position)
       ON CONFLICT DO NOTHING`,
      [caseId, people.map((p) => p.personId), people.map((p) => p.role)],
    );
  }

  /** Replaces the partner agencies of a case. */
  async replacePartners(caseId: string, agencyIds: readonly string[]): Promise<void> {
    await this.sql.exec(`DELETE FROM case_partners WHERE case_id = $1`, [caseId]);
    if (!agencyIds.length) return;
    await this.sql.exec(`INSERT INTO case_partners (case_id, agency_id) SELECT $1, unnest($2::text[])`, [
      caseId,
      agencyIds,
    ]);
  }

  /** Agencies among these with an action on the case still to do (neither done nor cancelled). */
  async agenciesWithOpenActions(caseId: string, agencyIds: readonly string[]): Promise<string[]> {
    const rows = await this.sql.many<{ agency: string }>(
      `SELECT DISTINCT assigned_agency_id AS agency FROM case_actions
        WHERE case_id = $1 AND assigned_agency_id = ANY($2) AND completed_at IS NULL AND cancelled_at IS NULL
        ORDER BY 1`,
      [caseId, agencyIds],
    );
    return rows.map((r) => r.agency);
  }

  /** Unlinks a record; false when it was not linked. */
  async unlinkRecord(caseId: string, kind: CaseRecordKind, recordId: string): Promise<boolean> {
    const removed = await this.sql.exec(
      `DELETE FROM case_records WHERE case_id = $1 AND kind = $2 AND record_id = $3`,
      [caseId, kind, recordId],
    );
    return removed > 0;
  }

  async insertNote(note: Omit<CaseNoteRow, "writtenAt">): Promise<CaseNoteRow> {
    const row = await this.sql.one<CaseNoteRow>(
      `INSERT INTO case_notes (id, case_id, text, written_by, agency_id) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${NOTE_COLUMNS}`,
      [note.id, note.caseId, note.text, note.writtenBy, note.agencyId],
    );
    return row!;
  }

  async insertRiskAssessment(a: Omit<RiskAssessmentRow, "assessedAt">): Promise<RiskAssessmentRow> {
    const row = await this.sql.one<RiskAssessmentRow>(
      `INSERT INTO victim_risk_assessments (id, case_id, person_id, answers, score, level, assessed_by, agency_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ASSESSMENT_COLUMNS}`,
      [a.id, a.caseId, a.personId, JSON.stringify(a.answers), a.score, a.level, a.assessedBy, a.agencyId],
    );
    return row!;
  }

  /** Each person now on the case's newest assessment level on this case (people never assessed have none). */
  async currentRiskLevels(caseId: string): Promise<RiskLevel[]> {
    const rows = await this.sql.many<{ level: RiskLevel }>(
      `SELECT DISTINCT ON (v.person_id) v.level
         FROM victim_risk_assessments v
        WHERE v.case_id = $1 AND EXISTS (SELECT 1 FROM case_people p WHERE p.case_id = $1 AND p.person_id = v.person_id)
        ORDER BY v.person_id, v.assessed_at DESC, v.id DESC`,
      [caseId],
    );
    return rows.map((r) => r.level);
  }

  async setRiskLevel(caseId: string, level: RiskLevel): Promise<void> {
    await this.sql.exec(`UPDATE problem_cases SET risk_level = $2 WHERE id = $1`, [caseId, level]);
  }

  /** An action by id alone, with its case's id, locked until the transaction ends. */
  async lockActionById(actionId: string): Promise<CaseActionRow | undefined> {
    return this.sql.one<CaseActionRow>(
      `SELECT ${ACTION_COLUMNS} FROM case_actions WHERE id = $1 FOR UPDATE`,
      [actionId],
    );
  }

  /** The case an action is on; undefined for no such action. */
  async caseOfAction(actionId: string): Promise<string | undefined> {
    const row = await this.sql.one<{ case_id: string }>(`SELECT case_id FROM case_actions WHERE id = $1`, [
      actionId,
    ]);
    return row?.case_id;
  }

  /** Hands an action to another agency of the case: the one hook for whatever follows an assignment. */
  async reassignAction(actionId: string, agencyId: string): Promise<CaseActionRow> {
    const row = await this.sql.one<CaseActionRow>(
      `UPDATE case_actions SET assigned_agency_id = $2 WHERE id = $1 RETURNING ${ACTION_COLUMNS}`,
      [actionId, agencyId],
    );
    return row!;
  }

  /** Cancels an action with the reason: the one hook for whatever follows a cancellation. */
  async cancelAction(actionId: string, userId: string, reason: string): Promise<CaseActionRow> {
    const row = await this.sql.one<CaseActionRow>(
      `UPDATE case_actions SET cancelled_at = now(), cancelled_by = $2, cancel_reason = $3 WHERE id = $1
       RETURNING ${ACTION_COLUMNS}`,
      [actionId, userId, reason],
    );
    return row!;
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
