import { Arg, Ctx, Directive, Field, ID, ObjectType, Query, Resolver } from "type-graphql";
import type { RequestContext } from "./context";
import { DataCategory, Purpose, Role } from "./enums";
import { badInput } from "./errors";
import { askPeer, peerUnavailable } from "./peers";
import { Category, Governed } from "./policy";
import { DateTime } from "./scalars";

/**
 * The community trigger (ASB case review), the owners' side. Each agency keeps the reports people
 * make to it in its own store; partnership's `caseReviewCandidates` asks each reporting agency, as
 * the caller and through the agency's own API, for the reports it holds, so a new report counts at
 * once and no agency's report history is copied into the partnership store.
 *
 * Why this is not the owners' one read of what they hold about a person (`_heldAbout`,
 * shared/data-protection.ts), though both walk the same records: that read is a data-sharing
 * officer's, of their own agency's data, about one person, with every field; this one is asked by
 * practitioners of other agencies under their case-work purposes, for many people at once, keeps
 * only the records in which the person made a report (victim, complainant, reporter: not every
 * part a person has in a record), releases a person id and a time and nothing else, and is judged
 * report by report under each agency's agreements and consents. One field serving both would either
 * give practitioners a DSO's read or make the DSO's read carry the trigger's rules.
 *
 * The audit: the owner judges each report with the person who made it as its subject and audits
 * what it releases, so a person's reports are audited to the caller whether or not the person turns
 * out to be a candidate. That is deliberate: a subgraph can be called directly with the same token,
 * so the owner cannot rely on partnership to discard the non-candidates or to audit them; what
 * leaves the owner's subgraph is recorded there (see README, "Community trigger").
 */

/** The agencies that take reports, and the category each one's reports are shared as. */
export const REPORT_CATEGORY: Readonly<Record<string, DataCategory>> = {
  police: DataCategory.INCIDENT_SUMMARY,
  council: DataCategory.ASB_CASE,
  housing: DataCategory.TENANCY,
};

export const REPORTING_AGENCIES = Object.keys(REPORT_CATEGORY).sort() as ("council" | "housing" | "police")[];

/** Declared once for every route to the case review: the same gate as `caseReviewCandidates`. */
export const CASE_REVIEW_GATE = {
  roles: [Role.PRACTITIONER, Role.DATA_SHARING_OFFICER],
  purposes: [Purpose.ASB_CASE_MANAGEMENT, Purpose.SAFEGUARDING],
  personLevel: true,
} as const;

/** One report as the owner holds it; `id` (not a field) is the owner's record, for the audit. */
export interface ReportRow {
  id: string;
  personId: string;
  reportedAt: Date;
}

/** Caps a question for some people (the candidates): a list longer than this is refused. */
export const MAX_PEOPLE = 5_000;

/**
 * The owner subgraph's `reportsMade` query and its `ReportMade` type, declared under the agency's
 * own category: one class per subgraph, as each owner's declarations differ. `find` is the owner
 * repository's one statement.
 */
export function reportsMadeResolver<Loaders>(
  agencyId: keyof typeof REPORT_CATEGORY & string,
  find: (ctx: RequestContext<Loaders>, personIds: readonly string[] | null) => Promise<ReportRow[]>,
) {
  @Directive("@shareable")
  @Directive("@inaccessible")
  @Category(REPORT_CATEGORY[agencyId], { subjects: (r: { personId: string }) => [r.personId] })
  @ObjectType("ReportMade", {
    description:
      "A report a person made to this agency (as victim, complainant or reporter), for the community trigger (not public: partnership asks it).",
  })
  class ReportMade {
    @Field(() => ID, { description: "Partnership person id of who made it." })
    personId!: string;

    @Field(() => DateTime, { description: "When it was made." })
    reportedAt!: Date;

    /** Not a field: the owner's record, named in the audit. */
    id!: string;
  }

  @Resolver()
  class ReportsMadeResolver {
    @Governed(CASE_REVIEW_GATE)
    @Directive("@shareable")
    @Directive("@inaccessible")
    @Query(() => [ReportMade], {
      description:
        "The reports people made to this agency, each judged with the person as its subject (not public: partnership's caseReviewCandidates asks it).",
    })
    async reportsMade(
      @Arg("personIds", () => [ID], {
        nullable: true,
        description: "Only these people's reports (at most 5000); all of them when absent.",
      })
      personIds: string[] | null,
      @Ctx() ctx: RequestContext<Loaders>,
    ): Promise<ReportMade[]> {
      if (personIds && personIds.length > MAX_PEOPLE) throw badInput("personIds", `at most ${MAX_PEOPLE}`);
      const rows = await find(ctx, personIds);
      return rows.map((r) => Object.assign(new ReportMade(), r));
    }
  }
  return ReportsMadeResolver;
}

/** One report an owner released, as partnership counts it. */
export interface ReportMadeTo {
  personId: string;
  agencyId: string;
  reportedAt: Date;
}

/**
 * Asks an owner, as the caller, for the reports it holds (of `personIds` only, when given): one
 * request. A report the owner refuses (for want of a person's consent) is simply not in its answer;
 * an owner that cannot answer, or refuses the whole list, fails the request (nothing is counted
 * from a part of the partnership's reports as though it were all of them).
 */
export async function askReportsMade(
  context: RequestContext,
  agencyId: (typeof REPORTING_AGENCIES)[number],
  personIds: readonly string[] | null,
): Promise<ReportMadeTo[]> {
  // More people than one question may name: asked for everyone's (still one request; the owner
  // then judges and audits every reporter's, as for the reports that count).
  const only = personIds && personIds.length <= MAX_PEOPLE ? personIds : null;
  const answer = await askPeer<{ reportsMade: { personId: string; reportedAt: string }[] | null }>(
    context.peers,
    agencyId,
    "for the reports it holds",
    `query CaseReviewReports($p: [ID!]) { reportsMade(personIds: $p) { personId reportedAt } }`,
    { p: only },
    15_000,
  );
  const rows = answer.data?.reportsMade;
  if (!rows) throw peerUnavailable(agencyId, "for the reports it holds");
  return rows.map((r) => ({ personId: r.personId, agencyId, reportedAt: new Date(r.reportedAt) }));
}
