import type { Sql } from "../shared/database";
import { log } from "../shared/logger";
import { notify, NotificationKind, NotificationSubjectKind, type Notice } from "../shared/notifications";
import { londonDate } from "./calendar";
import { NotificationOutboxRepository } from "./repositories/notifications";

/**
 * The partnership's notices (case work): written to its outbox in the transaction of the change,
 * or by the sweep, then relayed to governance, which owns notifications. Nothing here decides who
 * may read them: governance's Notification party rule does, by the agency (and role, user) each
 * is addressed to.
 */

/**
 * The notice of an action assigned to an agency (addCaseAction; reassignCaseAction alike, with the
 * reassignment's own `period`, e.g. its case event's id, so that an action assigned back to an
 * agency it was taken from is announced again).
 */
export function actionAssigned(
  action: { id: string; assignedAgencyId: string; dueOn: string },
  period?: string,
): Notice {
  return {
    period,
    kind: NotificationKind.ACTION_ASSIGNED,
    title: `A case action was assigned to your agency, due ${action.dueOn}`,
    subjectKind: NotificationSubjectKind.CASE_ACTION,
    subjectId: action.id,
    toAgencyId: action.assignedAgencyId,
  };
}

/**
 * Who among `personIds` reached the case review threshold by `now`, counting only the reports
 * `agencyId` may know of: the reports are the owners', so only they can count them (see
 * countFromOwners in threshold.ts, which asks them as the case review count service on the
 * agency's behalf).
 */
export type ThresholdCount = (
  agencyId: string,
  personIds: readonly string[],
  now: Date,
) => Promise<Set<string>>;

/**
 * Time-based case work notices: actions past their due date (once per action and due date, to the
 * assigned agency) and people on open cases who reached the case review threshold (once per
 * person and case, to each of the case's lead and partners for whom the reports it may know of
 * reach it). Idempotent by the notices' unique keys: a sweep run again, or on two replicas, writes
 * nothing twice. Without a counter, threshold notices are not looked for.
 */
export async function sweepCaseNotices(
  sql: Sql,
  options: { now?: Date; countThreshold?: ThresholdCount } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const repository = new NotificationOutboxRepository(sql);
  const notices: Notice[] = [];
  for (const a of await repository.overdueActions(londonDate(now))) {
    notices.push({
      kind: NotificationKind.ACTION_OVERDUE,
      title: `A case action assigned to your agency was due on ${a.dueOn} and is not done`,
      subjectKind: NotificationSubjectKind.CASE_ACTION,
      subjectId: a.id,
      toAgencyId: a.assignedAgencyId,
      period: a.dueOn,
    });
  }
  const onCases = options.countThreshold ? await repository.peopleOnOpenCases() : [];
  // Per agency: its cases' people, counted as that agency may know of their reports.
  const peopleOf = new Map<string, Set<string>>();
  for (const p of onCases)
    for (const agency of p.agencyIds) {
      if (!peopleOf.has(agency)) peopleOf.set(agency, new Set());
      peopleOf.get(agency)!.add(p.personId);
    }
  for (const [agency, people] of [...peopleOf].sort(([a], [b]) => a.localeCompare(b))) {
    const met = await options.countThreshold!(agency, [...people].sort(), now);
    for (const p of onCases.filter((x) => x.agencyIds.includes(agency) && met.has(x.personId))) {
      notices.push({
        kind: NotificationKind.CASE_REVIEW_THRESHOLD_MET,
        title: "A person on one of your agency's cases has reached the case review threshold",
        subjectKind: NotificationSubjectKind.PERSON,
        subjectId: p.personId,
        toAgencyId: agency,
        period: p.caseId,
      });
    }
  }
  await notify(sql, notices);
  return notices.length;
}

/**
 * Hands outbox notices to governance (`notify(jsonb)` there, which takes only case work kinds
 * from this login), then marks them relayed in the outbox. At least once: a relay that dies
 * between the two hands them over again, and governance's unique key keeps one. Returns how many
 * were relayed.
 */
export async function relayNotifications(sql: Sql, governanceSql: Sql, batchSize = 200): Promise<number> {
  let relayed = 0;
  for (;;) {
    const count = await sql.transaction(async (tx) => {
      const outbox = new NotificationOutboxRepository(tx);
      const rows = await outbox.lockPending(batchSize);
      if (!rows.length) return 0;
      await governanceSql.many(`SELECT public.notify($1::jsonb)`, [
        JSON.stringify(rows.map(({ id: _id, ...row }) => row)),
      ]);
      await outbox.markRelayed(
        rows.map((r) => r.id),
        new Date(),
      );
      return rows.length;
    });
    relayed += count;
    if (count < batchSize) break;
  }
  if (relayed) log("debug", "notifications relayed to governance", { relayed });
  return relayed;
}
