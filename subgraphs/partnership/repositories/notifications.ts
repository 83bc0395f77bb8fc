import type { Sql } from "../../shared/database";

export interface OutboxRow {
  id: string;
  kind: string;
  title: string;
  subject_kind: string;
  subject_id: string;
  to_agency_id: string;
  to_role: string | null;
  to_user_id: string | null;
  dedupe_key: string;
}

/** All SQL over the notification outbox and what the case work sweep looks for. */
export class NotificationOutboxRepository {
  constructor(private readonly sql: Sql) {}

  /** Notices not yet handed to governance, oldest first, locked so that a second relay skips them. */
  async lockPending(limit: number): Promise<OutboxRow[]> {
    return this.sql.many<OutboxRow>(
      `SELECT id::text, kind, title, subject_kind, subject_id, to_agency_id, to_role, to_user_id, dedupe_key
         FROM notification_outbox WHERE relayed_at IS NULL
        ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async markRelayed(ids: readonly string[], at: Date): Promise<void> {
    await this.sql.exec(`UPDATE notification_outbox SET relayed_at = $2 WHERE id = ANY($1::bigint[])`, [
      ids,
      at,
    ]);
  }

  /** Undone actions on open cases whose due date has passed. */
  async overdueActions(today: string): Promise<{ id: string; assignedAgencyId: string; dueOn: string }[]> {
    return this.sql.many(
      `SELECT a.id, a.assigned_agency_id AS "assignedAgencyId", a.due_on::text AS "dueOn"
         FROM case_actions a JOIN problem_cases c ON c.id = a.case_id
        WHERE a.completed_at IS NULL AND a.cancelled_at IS NULL AND a.due_on < $1::date AND c.stage <> 'CLOSED'`,
      [today],
    );
  }

  /** The people on open cases, with each case's lead and partners. */
  async peopleOnOpenCases(): Promise<{ caseId: string; personId: string; agencyIds: string[] }[]> {
    return this.sql.many(
      `SELECT DISTINCT p.case_id AS "caseId", p.person_id AS "personId",
              array_prepend(c.lead_agency_id,
                coalesce((SELECT array_agg(x.agency_id) FROM case_partners x WHERE x.case_id = c.id), '{}')) AS "agencyIds"
         FROM case_people p JOIN problem_cases c ON c.id = p.case_id
        WHERE c.stage <> 'CLOSED'`,
    );
  }
}
