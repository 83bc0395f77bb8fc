import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { badInput } from "../../shared/errors";
import { agencyRef } from "../../shared/types";
import { judgeByField } from "../../shared/access/enforcement";
import { dependsOnConsent } from "../../shared/access/guard";
import { declaredRule } from "../../shared/federation";
import { Governed } from "../../shared/policy";
import type { PartnershipLoaders } from "../loaders";
import {
  askReportsMade,
  CASE_REVIEW_GATE,
  REPORT_CATEGORY,
  REPORTING_AGENCIES,
} from "../../shared/reports-made";
import { CASE_REVIEW_THRESHOLD, CASE_REVIEW_WINDOW_MONTHS } from "../../shared/report-counts";
import { AgencyReportCount, CaseReviewCandidate, Person } from "../types";

type Context = RequestContext<PartnershipLoaders>;

/** The ASB case review threshold most partnerships adopt: three reports in six months. */
const DEFAULT_WINDOW_MONTHS = CASE_REVIEW_WINDOW_MONTHS;
const DEFAULT_THRESHOLD = CASE_REVIEW_THRESHOLD;

@Resolver(() => CaseReviewCandidate)
export class CaseReviewResolver {
  // Candidates name people and their reports.
  @Governed(CASE_REVIEW_GATE)
  @Query(() => [CaseReviewCandidate], {
    description:
      "People who made at least `threshold` separate reports to any partner agency within `windowMonths` months: " +
      "the ASB case review (community trigger) threshold. Practitioners and data-sharing officers, " +
      "under ASB_CASE_MANAGEMENT or SAFEGUARDING.",
  })
  async caseReviewCandidates(
    @Arg("windowMonths", () => Int, {
      nullable: true,
      defaultValue: DEFAULT_WINDOW_MONTHS,
      description: "Length of the span the reports must fall in (1 to 24 months; default 6).",
    })
    windowMonthsArg: number | null,
    @Arg("threshold", () => Int, {
      nullable: true,
      defaultValue: DEFAULT_THRESHOLD,
      description: "Reports needed within the span (2 to 50; default 3).",
    })
    thresholdArg: number | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CaseReviewCandidate[]> {
    // An explicit null means "the usual": the contract declares both as nullable with defaults.
    const windowMonths = windowMonthsArg ?? DEFAULT_WINDOW_MONTHS;
    const threshold = thresholdArg ?? DEFAULT_THRESHOLD;
    if (!Number.isInteger(windowMonths) || windowMonths < 1 || windowMonths > 24) {
      throw badInput("windowMonths", "must be between 1 and 24");
    }
    if (!Number.isInteger(threshold) || threshold < 2 || threshold > 50)
      throw badInput("threshold", "must be between 2 and 50");
    // Each agency's reports are judged by their declared rule (AgencyReportCount.reports: the
    // agency's category), for the agency as a whole: only those released without anyone's consent
    // count; those refused under an agreement that exists are named with the reason; an agency
    // with no agreement for the purpose is not named at all (and not asked).
    const rule = declaredRule(info, "AgencyReportCount.reports");
    const agencies = REPORTING_AGENCIES;
    const verdicts = await judgeByField(rule, agencies.map(entryOf), ctx.access);
    const counted = agencies.filter((_, i) => verdicts[i] === "SHOW");
    const named = agencies.filter((_, i) => verdicts[i] !== "HIDE");
    // Reports that count are asked of their owners, once each, as the caller: a new report counts
    // at once, and the partnership keeps no copy. Each owner judges and audits what it releases.
    const counting = await Promise.all(counted.map((agencyId) => askReportsMade(ctx, agencyId, null)));
    const rows = await ctx.loaders.reports.reviewCandidates({
      windowMonths,
      threshold,
      reports: counting.flat(),
    });
    // Where an agency's agreement asks for consent, its reports do not count, but a candidate who
    // consented has them shown: asked of the owner for the candidates alone (once), which releases
    // only the reports of those who consented.
    const consentBound = agencies.filter((_, i) => {
      const verdict = verdicts[i];
      return typeof verdict === "object" && dependsOnConsent(verdict.refused);
    });
    const shownOnly =
      rows.length && consentBound.length
        ? await Promise.all(
            consentBound.map((agencyId) =>
              askReportsMade(
                ctx,
                agencyId,
                rows.map((r) => r.personId),
              ),
            ),
          )
        : [];
    const beside = await ctx.loaders.reports.reportsWithin(windowMonths, rows, shownOnly.flat());
    const byPerson = new Map(rows.map((r) => [r.personId, r]));
    for (const b of beside) {
      const row = byPerson.get(b.personId);
      if (row) row.byAgency[b.agencyId] = b.reports;
    }
    const candidates = rows.map((r) =>
      Object.assign(new CaseReviewCandidate(), {
        personId: r.personId,
        reports: r.reports,
        agencies: r.agencyIds.map(agencyRef),
        firstReportAt: r.firstReportAt,
        lastReportAt: r.lastReportAt,
        reportsByAgency: named.map((agencyId) =>
          Object.assign(entryOf(agencyId), {
            personId: r.personId,
            counted: counted.includes(agencyId),
            reports: r.byAgency[agencyId] ?? 0,
          }),
        ),
      }),
    );
    // A candidate discloses their reports to each counted agency: judged (and audited) about them,
    // whichever fields are asked for. Released for the agency as a whole, they are for the person
    // too; should a rule ever say otherwise, the candidate is left out (fail closed).
    const disclosed = candidates.flatMap((c) =>
      c.reportsByAgency.filter((e) => e.counted && c.agencies.some((a) => a.id === e.agency.id)),
    );
    const judged = await judgeByField(rule, disclosed, ctx.access);
    const withheld = new Set(disclosed.filter((_, i) => judged[i] !== "SHOW").map((e) => e.personId));
    return candidates.filter((c) => !withheld.has(c.personId));
  }

  @FieldResolver(() => Person, { description: "Who made the reports." })
  async person(@Root() candidate: CaseReviewCandidate, @Ctx() ctx: Context): Promise<Person> {
    // Candidates are drawn from people in the index, so the person is always found.
    return (
      (await ctx.loaders.personById.load(candidate.personId)) ??
      Object.assign(new Person(), { id: candidate.personId })
    );
  }
}

/** One agency's entry, judged for the agency as a whole until a candidate is named. */
function entryOf(agencyId: string): AgencyReportCount {
  return Object.assign(new AgencyReportCount(), {
    agency: agencyRef(agencyId),
    category: REPORT_CATEGORY[agencyId],
    counted: false,
    reports: null,
    personId: null,
  });
}
