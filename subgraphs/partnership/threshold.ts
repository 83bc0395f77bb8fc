import { randomUUID } from "node:crypto";
import type { Config, SubgraphName } from "../shared/config";
import { Purpose } from "../shared/enums";
import { log } from "../shared/logger";
import { CASE_REVIEW_THRESHOLD, CASE_REVIEW_WINDOW_MONTHS } from "../shared/report-counts";
import { REPORTING_AGENCIES } from "../shared/reports-made";
import { issueServiceToken } from "../shared/service-identity";
import type { ThresholdCount } from "./notices";

/** The operation name the owners' audit shows for these counts. */
export const THRESHOLD_COUNT_OPERATION = "CaseReviewThresholdCount";

const QUERY = `query ${THRESHOLD_COUNT_OPERATION}($p: [ID!]!, $from: DateTime!, $to: DateTime!) {
  reportCounts(personIds: $p, from: $from, to: $to) { personId reports }
}`;

/** The start of the case review window ending at `now`: the same day and time, six months before. */
export function windowStart(now: Date, months = CASE_REVIEW_WINDOW_MONTHS): Date {
  const from = new Date(now);
  from.setUTCMonth(from.getUTCMonth() - months);
  return from;
}

/**
 * The threshold sweep's counter: for one agency a notice would go to, asks each report owner
 * (police, the council, housing), as the case review count service on that agency's behalf, how
 * many reports each person made in the six months to `now`, and returns those with three or more
 * in all. The owners count and judge them under that agency's agreements (only what the agency may
 * know of for ASB case management without anyone's consent counts) and audit the release; they
 * send counts only. One request per owner, whatever the number of people (at most 5000 each).
 *
 * An owner that cannot answer counts as none this time, so a notice is only ever late, never
 * wrong: the next sweep asks again, and the notice's key keeps it to one.
 */
export function countFromOwners(config: Config, peerUrl: (name: SubgraphName) => string): ThresholdCount {
  return async (agencyId, personIds, now) => {
    const met = new Set<string>();
    if (!personIds.length) return met;
    const token = await issueServiceToken(config, agencyId);
    if (!token) {
      log("warn", "case review threshold notices are not counted: no CASE_REVIEW_SERVICE_PRIVATE_JWK", {});
      return met;
    }
    const variables = { p: personIds, from: windowStart(now).toISOString(), to: now.toISOString() };
    const answers = await Promise.all(
      REPORTING_AGENCIES.map(async (owner) => {
        try {
          const response = await fetch(peerUrl(owner), {
            method: "POST",
            headers: {
              authorization: `Bearer ${token}`,
              "x-purpose": Purpose.ASB_CASE_MANAGEMENT,
              "x-request-id": randomUUID(),
              "content-type": "application/json",
            },
            body: JSON.stringify({ query: QUERY, variables, operationName: THRESHOLD_COUNT_OPERATION }),
            signal: AbortSignal.timeout(config.SUBGRAPH_TIMEOUT_MS),
          });
          const answer = (await response.json()) as {
            data?: { reportCounts: ({ personId: string; reports: number } | null)[] | null } | null;
            errors?: { message: string }[];
          };
          if (!answer.data?.reportCounts)
            throw new Error(answer.errors?.[0]?.message ?? `HTTP ${response.status}`);
          return answer.data.reportCounts.filter((c) => c !== null);
        } catch (error) {
          log(
            "warn",
            "an owner could not count reports for the case review threshold; asked again next sweep",
            {
              owner,
              agencyId,
              error: (error as Error).message,
            },
          );
          return [];
        }
      }),
    );
    const asked = new Set(personIds);
    const total = new Map<string, number>();
    for (const c of answers.flat())
      if (asked.has(c.personId)) total.set(c.personId, (total.get(c.personId) ?? 0) + c.reports);
    for (const [personId, reports] of total) if (reports >= CASE_REVIEW_THRESHOLD) met.add(personId);
    return met;
  };
}
