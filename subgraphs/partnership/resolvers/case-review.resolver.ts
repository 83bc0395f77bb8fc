import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { badInput } from "../../shared/errors";
import { agencyRef } from "../../shared/types";
import type { AccessQuestion } from "../../shared/access/guard";
import { DataCategory, Purpose, Role } from "../../shared/enums";
import { Governed } from "../../shared/policy";
import type { PartnershipLoaders } from "../loaders";
import { CaseReviewCandidate, Person } from "../types";

type Context = RequestContext<PartnershipLoaders>;

/** What a report in the index discloses, by the agency that took it; others are not counted. */
const REPORT_HOLDINGS: Record<string, DataCategory> = {
  police: DataCategory.INCIDENT_SUMMARY,
  council: DataCategory.ASB_CASE,
  housing: DataCategory.TENANCY,
  youth: DataCategory.YOUTH_PROGRAMME,
};

/** The ASB case review threshold most partnerships adopt: three reports in six months. */
const DEFAULT_WINDOW_MONTHS = 6;
const DEFAULT_THRESHOLD = 3;

@Resolver(() => CaseReviewCandidate)
export class CaseReviewResolver {
  // Candidates name people and their reports.
  @Governed({
    roles: [Role.PRACTITIONER, Role.DATA_SHARING_OFFICER],
    purposes: [Purpose.ASB_CASE_MANAGEMENT, Purpose.SAFEGUARDING],
    personLevel: true,
  })
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
  ): Promise<CaseReviewCandidate[]> {
    // An explicit null means "the usual": the contract declares both as nullable with defaults.
    const windowMonths = windowMonthsArg ?? DEFAULT_WINDOW_MONTHS;
    const threshold = thresholdArg ?? DEFAULT_THRESHOLD;
    if (!Number.isInteger(windowMonths) || windowMonths < 1 || windowMonths > 24) {
      throw badInput("windowMonths", "must be between 1 and 24");
    }
    if (!Number.isInteger(threshold) || threshold < 2 || threshold > 50)
      throw badInput("threshold", "must be between 2 and 50");
    // Only reports the caller may know of count: each agency's, as its agreements allow.
    const known = new Map<string, AccessQuestion>();
    const excluded: string[] = [];
    for (const agencyId of await ctx.loaders.reports.reportingAgencies()) {
      const holding = REPORT_HOLDINGS[agencyId];
      const question: AccessQuestion | null = holding
        ? { ownerAgencyId: agencyId, category: holding, personIds: [] }
        : null;
      const decision = question && (await ctx.access.decide(question));
      if (question && decision?.permitted) known.set(agencyId, question);
      else excluded.push(agencyId);
    }
    const rows = await ctx.loaders.reports.reviewCandidates({
      windowMonths,
      threshold,
      excludeAgencyIds: excluded,
    });
    // Telling a caller how often someone reported to another agency discloses that agency's data.
    for (const row of rows) {
      for (const agencyId of row.agencyIds) {
        const question = known.get(agencyId)!;
        ctx.access.record({ ...question, personIds: [row.personId] }, await ctx.access.decide(question), []);
      }
    }
    return rows.map((r) =>
      Object.assign(new CaseReviewCandidate(), {
        personId: r.personId,
        reports: r.reports,
        agencies: r.agencyIds.map(agencyRef),
        firstReportAt: r.firstReportAt,
        lastReportAt: r.lastReportAt,
      }),
    );
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
