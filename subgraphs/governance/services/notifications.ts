import type { Caller } from "../../shared/auth";
import type { Sql } from "../../shared/database";
import { Role } from "../../shared/enums";
import { badInput } from "../../shared/errors";
import { log } from "../../shared/logger";
import {
  backoffMs,
  IDEMPOTENCY_HEADER,
  notify,
  NotificationKind,
  NotificationSubjectKind,
  signWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type Notice,
} from "../../shared/notifications";
import { NotificationRepository, type PendingDelivery } from "../repositories/notifications";
import type { Notification } from "../types";

/** How far ahead an agreement's review and a consent's expiry are announced. */
export const REVIEW_NOTICE_DAYS = 30;
export const CONSENT_NOTICE_DAYS = 14;
const MAX_IDS = 500;

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Marks the caller's notifications read. Ids not addressed to the caller are refused all
 * together, with the same answer whether they exist or not, and nothing is marked.
 */
export async function markNotificationsRead(
  sql: Sql,
  caller: Caller,
  ids: readonly string[],
): Promise<Notification[]> {
  const unique = [...new Set(ids.map((id) => id.trim()))];
  if (unique.length > MAX_IDS) throw badInput("ids", `at most ${MAX_IDS} at once`);
  if (unique.some((id) => !/^[1-9][0-9]{0,17}$/.test(id)))
    throw badInput("ids", "not all of these are notifications addressed to you");
  return sql.transaction(async (tx) => {
    const notifications = new NotificationRepository(tx);
    const mine = await notifications.addressedTo(caller, unique);
    if (mine.length !== unique.length)
      throw badInput("ids", "not all of these are notifications addressed to you");
    await notifications.markRead(caller.userId, unique);
    return mine.map((n) => Object.assign(n, { read: true }));
  });
}

/**
 * The notices of an agreement awaiting approval: to the data-sharing officers of each party that
 * has not approved it yet (both, when just proposed).
 */
export function agreementAwaitingApproval(
  agreement: { id: string; reference: string; providerAgencyId: string; recipientAgencyId: string },
  approvedBy: readonly string[] = [],
  /** Makes it a new notice for an agreement already announced once (a reinstatement: its event's id). */
  period?: string,
): Notice[] {
  const awaiting = [agreement.providerAgencyId, agreement.recipientAgencyId].filter(
    (a) => !approvedBy.includes(a),
  );
  return awaiting.map((agency) => ({
    kind: NotificationKind.AGREEMENT_AWAITING_APPROVAL,
    title: `Agreement ${agreement.reference} awaits your agency's approval`,
    subjectKind: NotificationSubjectKind.AGREEMENT,
    subjectId: agreement.id,
    toAgencyId: agency,
    toRole: Role.DATA_SHARING_OFFICER,
    period,
  }));
}

/**
 * Governance's time-based notices: agreements whose review is due within 30 days and those whose
 * review date has passed (each once per review date), consents expiring within 14 days (once per
 * expiry). Idempotent: the unique key per kind, subject, recipient and period makes a second run
 * (or two replicas at once) write nothing more.
 */
export async function sweepGovernanceNotices(sql: Sql, now = new Date()): Promise<number> {
  const today = day(now);
  const repository = new NotificationRepository(sql);
  const [agreements, consents] = await Promise.all([
    repository.agreementsForReview(today, REVIEW_NOTICE_DAYS),
    repository.consentsExpiring(now, CONSENT_NOTICE_DAYS),
  ]);
  const notices: Notice[] = [];
  for (const a of agreements) {
    const passed = a.reviewDate < today;
    for (const agency of [a.providerAgencyId, a.recipientAgencyId]) {
      notices.push({
        kind: NotificationKind.AGREEMENT_REVIEW_DUE,
        title: passed
          ? `Agreement ${a.reference} passed its review date (${a.reviewDate}) without a review`
          : `Agreement ${a.reference} is due for review by ${a.reviewDate}`,
        subjectKind: NotificationSubjectKind.AGREEMENT,
        subjectId: a.id,
        toAgencyId: agency,
        toRole: Role.DATA_SHARING_OFFICER,
        period: `${a.reviewDate}:${passed ? "passed" : "due"}`,
      });
    }
  }
  for (const c of consents) {
    const expires = day(c.expiresAt);
    for (const agency of new Set([c.providerAgencyId, c.recipientAgencyId])) {
      notices.push({
        kind: NotificationKind.CONSENT_EXPIRING,
        title: `A consent recorded by ${c.providerAgencyId} for ${c.recipientAgencyId} expires on ${expires}`,
        subjectKind: NotificationSubjectKind.CONSENT,
        subjectId: c.id,
        toAgencyId: agency,
        toRole: Role.DATA_SHARING_OFFICER,
        period: expires,
      });
    }
  }
  await notify(sql, notices);
  return notices.length;
}

export interface WebhookSettings {
  /** Agency id → its webhook URL (WEBHOOK_URL_<AGENCY>). */
  urls: ReadonlyMap<string, string>;
  secret: string;
  /** Wait before the second attempt; doubled for each after, at most an hour. */
  backoffBaseMs: number;
  /** How long one POST may take. */
  timeoutMs?: number;
  batchSize?: number;
}

/** The body a webhook receives; `id` is also the Idempotency-Key header. */
export interface WebhookBody {
  id: string;
  at: string;
  kind: string;
  title: string;
  subject: { kind: string; id: string };
  to: { agencyId: string; role: string | null; userId: string | null };
}

/**
 * Sends due notifications to their agencies' webhooks: signed (HMAC-SHA256 over
 * "<timestamp>.<body>"), with the notification id as idempotency key, at least once. Each
 * delivery row stays locked while its POST is in flight, so two relays never send it at once; a
 * failure schedules the next attempt with doubling backoff; a relay killed mid-way leaves the row
 * undelivered, and the next one sends it again (a receiver drops the repeat by its key).
 * Returns how many were delivered.
 */
export async function deliverDueNotifications(
  sql: Sql,
  settings: WebhookSettings,
  now = new Date(),
): Promise<number> {
  const agencies = [...settings.urls.keys()];
  if (!agencies.length) return 0;
  let delivered = 0;
  const limit = settings.batchSize ?? 50;
  // One transaction per delivery: a relay killed mid-batch resends at most the one in flight.
  for (let sent = 0; sent < limit; sent += 1) {
    const done = await sql.transaction(async (tx) => {
      const repository = new NotificationRepository(tx);
      const [d] = await repository.lockDue(agencies, now, 1);
      if (!d) return null;
      const problem = await post(settings, d);
      if (problem === null) {
        await repository.delivered(d.id, new Date());
        return true;
      }
      const next = new Date(Date.now() + backoffMs(d.attempts + 1, settings.backoffBaseMs));
      await repository.failed(d.id, next, problem);
      log("warn", "notification webhook failed", { agency: d.agencyId, notification: d.id, problem });
      return false;
    });
    if (done === null) break;
    if (done) delivered += 1;
  }
  return delivered;
}

/** One signed POST; null when the receiver answered 2xx, else what went wrong. */
async function post(settings: WebhookSettings, d: PendingDelivery): Promise<string | null> {
  const body = JSON.stringify({
    id: d.id,
    at: new Date(d.at).toISOString(),
    kind: d.kind,
    title: d.title,
    subject: { kind: d.subjectKind, id: d.subjectId },
    to: { agencyId: d.agencyId, role: d.toRole, userId: d.toUserId },
  } satisfies WebhookBody);
  const timestamp = String(Math.floor(Date.now() / 1000));
  try {
    const response = await fetch(settings.urls.get(d.agencyId)!, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: signWebhook(settings.secret, timestamp, body),
        [TIMESTAMP_HEADER]: timestamp,
        [IDEMPOTENCY_HEADER]: d.id,
      },
      body,
      signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}
