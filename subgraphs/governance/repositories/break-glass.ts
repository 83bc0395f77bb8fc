import type { Sql } from "../../shared/database";
import { BreakGlassOutcome, DataCategory, Purpose, Role } from "../../shared/enums";
import { Actor, BreakGlassEvent, Person } from "../types";
import { AUDIT_COLUMNS, PEOPLE_OF_RECORD, type AuditRow } from "./audit";

interface EventRow extends AuditRow {
  people: string[];
  outcome: string | null;
  note: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
}

const person = (id: string) => Object.assign(new Person(), { id });

function toEvent(row: EventRow): BreakGlassEvent {
  return Object.assign(new BreakGlassEvent(), {
    id: String(row.sequence),
    at: row.at,
    actor: Object.assign(new Actor(), {
      userId: row.user_id,
      role: row.role as Role,
      agencyId: row.agency_id,
    }),
    purpose: row.purpose as Purpose | null,
    justification: row.justification ?? "",
    person: row.people.length ? person(row.people[0]) : null,
    people: row.people.map(person),
    categories: row.categories as DataCategory[],
    recordIds: row.record_ids,
    ownerAgencyId: row.owner_agency_id ?? "",
    reviewed: row.outcome !== null,
    outcome: row.outcome as BreakGlassOutcome | null,
    reviewNote: row.note,
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at,
  });
}

const EVENT_SQL = `SELECT ${AUDIT_COLUMNS}, ${PEOPLE_OF_RECORD}, r.outcome, r.note, r.reviewed_by, r.reviewed_at
  FROM audit_log a LEFT JOIN break_glass_reviews r ON r.audit_sequence = a.sequence`;

export interface NewReview {
  auditSequence: number;
  outcome: BreakGlassOutcome;
  note: string;
  reviewedBy: string;
  reviewerAgencyId: string;
  reviewedAt: Date;
}

/** All SQL over break-glass accesses (audit records with break_glass) and their reviews. */
export class BreakGlassRepository {
  constructor(private readonly sql: Sql) {}

  /** Break-glass accesses to one agency's data, newest first; reviewed or not when asked. */
  async events(ownerAgencyId: string, reviewed: boolean | null, limit: number): Promise<BreakGlassEvent[]> {
    const rows = await this.sql.many<EventRow>(
      `${EVENT_SQL}
        WHERE a.owner_agency_id = $1 AND a.break_glass AND a.kind = 'DISCLOSURE'
          AND ($2::boolean IS NULL OR (r.audit_sequence IS NOT NULL) = $2)
        ORDER BY a.sequence DESC
        LIMIT $3`,
      [ownerAgencyId, reviewed, limit],
    );
    return rows.map(toEvent);
  }

  /** One break-glass access with its review, if any. */
  async find(sequence: number): Promise<BreakGlassEvent | null> {
    const row = await this.sql.one<EventRow>(
      `${EVENT_SQL} WHERE a.sequence = $1 AND a.break_glass AND a.kind = 'DISCLOSURE'`,
      [sequence],
    );
    return row ? toEvent(row) : null;
  }

  /** Records a review; false when one was already recorded (the first review stands). */
  async insertReview(review: NewReview): Promise<boolean> {
    const written = await this.sql.exec(
      `INSERT INTO break_glass_reviews (audit_sequence, outcome, note, reviewed_by, reviewer_agency_id, reviewed_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (audit_sequence) DO NOTHING`,
      [
        review.auditSequence,
        review.outcome,
        review.note,
        review.reviewedBy,
        review.reviewerAgencyId,
        review.reviewedAt,
      ],
    );
    return written === 1;
  }
}
