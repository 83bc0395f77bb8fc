import type { Caller } from "../../shared/auth";
import type { Sql } from "../../shared/database";
import type { NotificationKind, NotificationSubjectKind } from "../../shared/notifications";
import { Notification, NotificationSubject } from "../types";

interface NotificationRow {
  id: string;
  at: Date;
  kind: string;
  title: string;
  subject_kind: string;
  subject_id: string;
  to_agency_id: string;
  to_role: string | null;
  to_user_id: string | null;
  read: boolean;
}

function toNotification(row: NotificationRow): Notification {
  return Object.assign(new Notification(), {
    id: String(row.id),
    at: row.at,
    kind: row.kind as NotificationKind,
    title: row.title,
    read: row.read,
    subject: Object.assign(new NotificationSubject(), {
      kind: row.subject_kind as NotificationSubjectKind,
      id: row.subject_id,
    }),
    toAgencyId: row.to_agency_id,
    toRole: row.to_role,
    toUserId: row.to_user_id,
  });
}

/** Addressed to the caller ($1 agency, $2 role, $3 user): the recipient rule, as SQL, to page by. */
const ADDRESSED = `n.to_agency_id = $1 AND (n.to_role IS NULL OR n.to_role = $2)
  AND (n.to_user_id IS NULL OR n.to_user_id = $3)`;
const READ = `EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = $3)`;

export interface PendingDelivery {
  id: string;
  agencyId: string;
  attempts: number;
  at: Date;
  kind: string;
  title: string;
  subjectKind: string;
  subjectId: string;
  toRole: string | null;
  toUserId: string | null;
}

/** All SQL over notifications, who read them, and their webhook deliveries. */
export class NotificationRepository {
  constructor(private readonly sql: Sql) {}

  /** One page of the caller's notifications, newest first, with the counts, in one statement. */
  async page(
    caller: Caller,
    unreadOnly: boolean,
    offset: number,
    limit: number,
  ): Promise<{ nodes: Notification[]; totalCount: number; unreadCount: number }> {
    const rows = await this.sql.many<NotificationRow & { total: number; unread: number }>(
      `WITH mine AS (
         SELECT n.*, ${READ} AS read FROM notifications n WHERE ${ADDRESSED}
       ), counts AS (
         SELECT count(*) FILTER (WHERE NOT $4::boolean OR NOT read)::int AS total,
                count(*) FILTER (WHERE NOT read)::int AS unread FROM mine
       )
       SELECT c.total, c.unread, m.* FROM counts c
         LEFT JOIN LATERAL (
           SELECT * FROM mine WHERE NOT $4::boolean OR NOT mine.read
           ORDER BY mine.id DESC OFFSET $5 LIMIT $6
         ) m ON true`,
      [caller.agencyId, caller.role, caller.userId, unreadOnly, offset, limit + 1],
    );
    return {
      nodes: rows.filter((r) => r.id !== null).map(toNotification),
      totalCount: rows[0]?.total ?? 0,
      unreadCount: rows[0]?.unread ?? 0,
    };
  }

  /** The given notifications that are addressed to the caller (others, and unknown ids, are left out). */
  async addressedTo(caller: Caller, ids: readonly string[]): Promise<Notification[]> {
    const rows = await this.sql.many<NotificationRow>(
      `SELECT n.*, ${READ} AS read FROM notifications n
        WHERE ${ADDRESSED} AND n.id = ANY($4::bigint[]) ORDER BY n.id DESC`,
      [caller.agencyId, caller.role, caller.userId, ids],
    );
    return rows.map(toNotification);
  }

  async markRead(userId: string, ids: readonly string[]): Promise<void> {
    await this.sql.exec(
      `INSERT INTO notification_reads (notification_id, user_id)
       SELECT id, $1 FROM unnest($2::bigint[]) AS id ON CONFLICT DO NOTHING`,
      [userId, ids],
    );
  }

  /**
   * Deliveries due to the given agencies, oldest first, locked so that a second relay skips them
   * (call inside a transaction: the lock lasts until it ends).
   */
  async lockDue(agencyIds: readonly string[], now: Date, limit: number): Promise<PendingDelivery[]> {
    return this.sql.many<PendingDelivery>(
      `SELECT d.notification_id::text AS id, d.agency_id AS "agencyId", d.attempts, n.at, n.kind, n.title,
              n.subject_kind AS "subjectKind", n.subject_id AS "subjectId", n.to_role AS "toRole",
              n.to_user_id AS "toUserId"
         FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE d.delivered_at IS NULL AND d.agency_id = ANY($1) AND d.next_attempt_at <= $2
        ORDER BY d.notification_id
        LIMIT $3
        FOR UPDATE OF d SKIP LOCKED`,
      [agencyIds, now, limit],
    );
  }

  async delivered(id: string, at: Date): Promise<void> {
    await this.sql.exec(
      `UPDATE notification_deliveries SET delivered_at = $2, attempts = attempts + 1, last_error = NULL
        WHERE notification_id = $1`,
      [id, at],
    );
  }

  async failed(id: string, nextAttemptAt: Date, error: string): Promise<void> {
    await this.sql.exec(
      `UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3
        WHERE notification_id = $1`,
      [id, nextAttemptAt, error.slice(0, 500)],
    );
  }

  /** Agreements in force whose review date is within `withinDays` of `today` or has passed. */
  async agreementsForReview(
    today: string,
    withinDays: number,
  ): Promise<
    {
      id: string;
      reference: string;
      providerAgencyId: string;
      recipientAgencyId: string;
      reviewDate: string;
    }[]
  > {
    return this.sql.many(
      `SELECT a.id, a.reference, a.provider_agency_id AS "providerAgencyId", a.recipient_agency_id AS "recipientAgencyId",
              a.review_date::text AS "reviewDate"
         FROM agreements a
        WHERE a.status = 'ACTIVE' AND a.valid_from <= $1::date AND a.valid_to >= $1::date
          AND a.review_date <= $1::date + $2::int`,
      [today, withinDays],
    );
  }

  /** Consents in force that expire within `withinDays` of `now`. */
  async consentsExpiring(
    now: Date,
    withinDays: number,
  ): Promise<{ id: string; providerAgencyId: string; recipientAgencyId: string; expiresAt: Date }[]> {
    return this.sql.many(
      `SELECT c.id, c.provider_agency_id AS "providerAgencyId", c.recipient_agency_id AS "recipientAgencyId",
              c.expires_at AS "expiresAt"
         FROM consents c
        WHERE c.withdrawn_at IS NULL AND c.expires_at > $1 AND c.expires_at <= $1 + make_interval(days => $2)`,
      [now, withinDays],
    );
  }
}
