import { createHmac, timingSafeEqual } from "node:crypto";
import { registerEnumType } from "type-graphql";
import type { Sql } from "./database";
import type { Role } from "./enums";
import { log } from "./logger";

/**
 * Notifications are written as an outbox: `notify(tx, notice)` inside the transaction of the
 * change that causes them, so that a notice exists exactly when its change committed. Each
 * database has its own `notify(jsonb)` function (migrations): governance's writes the
 * notification itself (governance owns them: it knows agencies and roles); partnership's writes
 * a row of its `notification_outbox`, which its relay hands to governance. Every notice carries a
 * key unique per kind, subject, recipient and period, so a relay retried or a sweep run twice
 * writes nothing twice.
 */

export enum NotificationKind {
  BREAK_GLASS_ON_OUR_DATA = "BREAK_GLASS_ON_OUR_DATA",
  AGREEMENT_AWAITING_APPROVAL = "AGREEMENT_AWAITING_APPROVAL",
  AGREEMENT_REVIEW_DUE = "AGREEMENT_REVIEW_DUE",
  CONSENT_EXPIRING = "CONSENT_EXPIRING",
  ACTION_ASSIGNED = "ACTION_ASSIGNED",
  ACTION_OVERDUE = "ACTION_OVERDUE",
  CASE_REVIEW_THRESHOLD_MET = "CASE_REVIEW_THRESHOLD_MET",
}
registerEnumType(NotificationKind, {
  name: "NotificationKind",
  description: "What a notification tells its reader.",
  valuesConfig: {
    BREAK_GLASS_ON_OUR_DATA: {
      description: "Someone used break-glass on the reader's agency's data (to its data-sharing officers).",
    },
    AGREEMENT_AWAITING_APPROVAL: {
      description:
        "An agreement the reader's agency is party to awaits its approval (to its data-sharing officers).",
    },
    AGREEMENT_REVIEW_DUE: {
      description: "An agreement's review date is within 30 days, or has passed without a review.",
    },
    CONSENT_EXPIRING: {
      description: "A consent expires within 14 days (to both parties' data-sharing officers).",
    },
    ACTION_ASSIGNED: { description: "A case action was assigned to the reader's agency." },
    ACTION_OVERDUE: {
      description: "A case action assigned to the reader's agency passed its due date undone.",
    },
    CASE_REVIEW_THRESHOLD_MET: {
      description: "A person on one of the reader's agency's open cases reached the case review threshold.",
    },
  },
});

export enum NotificationSubjectKind {
  AGREEMENT = "AGREEMENT",
  CONSENT = "CONSENT",
  BREAK_GLASS_EVENT = "BREAK_GLASS_EVENT",
  PROBLEM_CASE = "PROBLEM_CASE",
  CASE_ACTION = "CASE_ACTION",
  PERSON = "PERSON",
}
registerEnumType(NotificationSubjectKind, {
  name: "NotificationSubjectKind",
  description: "What a notification is about.",
  valuesConfig: {
    AGREEMENT: { description: "An agreement (Query.agreement)." },
    CONSENT: { description: "A consent (Query.consent)." },
    BREAK_GLASS_EVENT: { description: "A break-glass access (Query.breakGlassEvents)." },
    PROBLEM_CASE: { description: "A problem-solving case (Query.problemCase)." },
    CASE_ACTION: { description: "An action on a problem-solving case." },
    PERSON: { description: "A person in the people index (Query.person)." },
  },
});

/** One notice to write: to an agency, narrowed to a role and/or a user when given. */
export interface Notice {
  kind: NotificationKind;
  /** Short, and free of personal data: it may travel to a webhook. */
  title: string;
  subjectKind: NotificationSubjectKind;
  subjectId: string;
  toAgencyId: string;
  toRole?: Role | null;
  toUserId?: string | null;
  /**
   * What makes it the same notice again (a period, a due date...); with kind, subject and
   * recipient it is the notice's unique key. Empty for a one-off event.
   */
  period?: string;
}

/** The notice's unique key: kind, subject, recipient and period. */
export function noticeKey(n: Notice): string {
  return [
    n.kind,
    n.subjectKind,
    n.subjectId,
    n.toAgencyId,
    n.toRole ?? "",
    n.toUserId ?? "",
    n.period ?? "",
  ].join("|");
}

function noticeRows(notices: readonly Notice[]) {
  return notices.map((n) => ({
    kind: n.kind,
    title: n.title,
    subject_kind: n.subjectKind,
    subject_id: n.subjectId,
    to_agency_id: n.toAgencyId,
    to_role: n.toRole ?? null,
    to_user_id: n.toUserId ?? null,
    dedupe_key: noticeKey(n),
  }));
}

/**
 * Writes notices in the caller's transaction (pass the transaction's Sql), in one statement.
 * The lead hooks a new cause by calling this next to the change, inside the same `transaction`.
 */
export async function notify(tx: Sql, notices: Notice | readonly Notice[]): Promise<void> {
  const list = Array.isArray(notices) ? (notices as readonly Notice[]) : [notices as Notice];
  if (!list.length) return;
  await tx.many(`SELECT public.notify($1::jsonb)`, [JSON.stringify(noticeRows(list))]);
}

/** The header a webhook delivery is signed in: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = "x-partnership-signature";
/** Seconds since the epoch when signed; part of what is signed, so a replay can be refused. */
export const TIMESTAMP_HEADER = "x-partnership-timestamp";
/** The notification's id: the same on every retry, so a receiver keeps the first and drops repeats. */
export const IDEMPOTENCY_HEADER = "idempotency-key";

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What a receiver runs: true when the signature is the sender's for this timestamp and body. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Wait before attempt `attempts + 1`: doubling from `baseMs`, at most an hour. */
export function backoffMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/**
 * Runs `task` every `ms` (never two at once; the first after `ms`, or at once with `now`), logging a failure and
 * trying again at the next tick. Returns how to stop it.
 */
export function every(
  ms: number,
  what: string,
  task: () => Promise<unknown>,
  options: { now?: boolean } = {},
): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    task()
      .catch((error: Error) =>
        log("warn", `${what} failed; tried again in ${ms} ms`, { error: error.message }),
      )
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, ms);
  timer.unref();
  // An hourly sweep should not first wait an hour after a start.
  if (options.now) tick();
  return () => clearInterval(timer);
}
