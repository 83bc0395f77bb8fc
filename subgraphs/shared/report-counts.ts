import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import type { RequestContext } from "./context";
import { Purpose } from "./enums";
import { badInput } from "./errors";
import { Category, Governed } from "./policy";
import { MAX_PEOPLE, REPORT_CATEGORY, type ReportRow } from "./reports-made";
import { DateTime } from "./scalars";
import { CASE_REVIEW_COUNT } from "./service-identity";

/**
 * The case review threshold most partnerships adopt (the community trigger): three reports in six
 * months. caseReviewCandidates takes it as its defaults; the threshold notice sweep applies it.
 */
export const CASE_REVIEW_WINDOW_MONTHS = 6;
export const CASE_REVIEW_THRESHOLD = 3;

/** The longest span a count may cover: the case review window is at most 24 months. */
const MAX_SPAN_MS = 731 * 24 * 3600 * 1000;

/**
 * The owner subgraph's `reportCounts`: how many reports each of some people made to this agency
 * within a span, and nothing else (no dates, no records), for the case review threshold notice.
 *
 * Only the case review count service may call it (shared/service-identity.ts), on behalf of the
 * agency a notice would go to; no user token may, and that service may call nothing else
 * (`services` in the access rules, serviceFieldsOnly in access/enforcement.ts). Each count is
 * that agency's own data or released to it by an agreement covering the category for case
 * management without anyone's consent (the count is decided for the agency as a whole, as
 * caseReviewCandidates counts an agency's reports; where the agreement asks for consent nothing is
 * counted), and is audited by the owner against the person, as a disclosure to that agency by the
 * service's user id. `find` is the owner repository's reportsMade statement: the same reports.
 */
export function reportCountsResolver<Loaders>(
  agencyId: keyof typeof REPORT_CATEGORY & string,
  find: (ctx: RequestContext<Loaders>, personIds: readonly string[] | null) => Promise<ReportRow[]>,
) {
  @Directive("@shareable")
  @Directive("@inaccessible")
  @Governed({ services: [CASE_REVIEW_COUNT] })
  @Category(REPORT_CATEGORY[agencyId], {
    // Decided for the agency as a whole (no subject whose consent could release it), audited
    // against the person counted.
    subjects: () => [],
    names: (r: { personId: string }) => [r.personId],
  })
  @ObjectType("ReportCount", {
    description:
      "How many reports one person made to this agency within a span, for the case review threshold notice (not public: the case review count service asks it).",
  })
  class ReportCount {
    @Field(() => ID, { description: "Partnership person id of who made them." })
    personId!: string;

    @Field(() => Int, { description: "How many reports they made within the span." })
    reports!: number;

    /** Not a field: what the audit names as the record released. */
    id!: string;
  }

  @Resolver()
  class ReportCountsResolver {
    @Governed({
      services: [CASE_REVIEW_COUNT],
      purposes: [Purpose.ASB_CASE_MANAGEMENT],
      personLevel: true,
    })
    @Directive("@shareable")
    @Directive("@inaccessible")
    @Query(() => [ReportCount], {
      description:
        "How many reports each of these people made to this agency from `from` to `to`; people with none are left out (not public: the case review count service alone may ask it).",
    })
    async reportCounts(
      @Arg("personIds", () => [ID], { description: "The people to count for (at most 5000)." })
      personIds: string[],
      @Arg("from", () => DateTime, { description: "The span's start (inclusive)." }) from: Date,
      @Arg("to", () => DateTime, { description: "The span's end (exclusive), at most 24 months later." })
      to: Date,
      @Ctx() ctx: RequestContext<Loaders>,
    ): Promise<ReportCount[]> {
      if (personIds.length > MAX_PEOPLE) throw badInput("personIds", `at most ${MAX_PEOPLE}`);
      if (!(to.getTime() > from.getTime())) throw badInput("to", "must be after from");
      if (to.getTime() - from.getTime() > MAX_SPAN_MS) throw badInput("to", "at most 24 months after from");
      if (!personIds.length) return [];
      const counts = new Map<string, number>();
      for (const r of await find(ctx, personIds)) {
        const at = r.reportedAt.getTime();
        if (at >= from.getTime() && at < to.getTime())
          counts.set(r.personId, (counts.get(r.personId) ?? 0) + 1);
      }
      return [...counts].map(([personId, reports]) =>
        Object.assign(new ReportCount(), { personId, reports, id: `report-count:${personId}` }),
      );
    }
  }
  return ReportCountsResolver;
}
