import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { CaseRecordKind, CaseStage } from "../../shared/enums";
import { badInput } from "../../shared/errors";
import { RestrictedRecords, agencyRef } from "../../shared/types";
import { holdingOf } from "../../shared/policy";
import { visibleHeldRecords } from "../../shared/access/holders";
import { MAX_WINDOW_MONTHS, MIN_WINDOW_MONTHS, assessmentFor } from "../assessment";
import type { PartnershipLoaders } from "../loaders";
import type { CaseActionRow } from "../repositories/cases";
import {
  AsbCase,
  CaseAction,
  CaseAssessment,
  CasePerson,
  CaseStageChange,
  Incident,
  Neighbourhood,
  ProblemCase,
  ProblemCaseConnection,
  Referral,
  Tenancy,
} from "../types";

type Context = RequestContext<PartnershipLoaders>;

export function toCaseAction(row: CaseActionRow): CaseAction {
  return Object.assign(new CaseAction(), {
    id: row.id,
    description: row.description,
    dueOn: row.dueOn,
    assignedAgency: agencyRef(row.assignedAgencyId),
    completedAt: row.completedAt,
    completedBy: row.completedBy,
    cancelledAt: row.cancelledAt,
    cancelReason: row.cancelReason,
    caseId: row.caseId,
  });
}

const LINKED: [CaseRecordKind, new () => { id: string }][] = [
  [CaseRecordKind.INCIDENT, Incident],
  [CaseRecordKind.ASB_CASE, AsbCase],
  [CaseRecordKind.TENANCY, Tenancy],
  [CaseRecordKind.REFERRAL, Referral],
];

/**
 * The case's linked records of one kind that the caller may see, and those withheld: by the
 * agreements, or where they ask for consent by the holder, with each record's own people (see
 * visibleHeldRecords). A withheld record is never listed, not even by id: it is only counted.
 */
async function linkedRecords<T extends { id: string }>(
  ctx: Context,
  c: ProblemCase,
  kind: CaseRecordKind,
  Stub: new () => T,
) {
  const rows = await ctx.loaders.recordsByCase.load(c.id);
  const stubs = rows.filter((r) => r.kind === kind).map((r) => Object.assign(new Stub(), { id: r.recordId }));
  return visibleHeldRecords(ctx, Stub, stubs);
}

/**
 * Linked records go to their holders to resolve, but only those the caller may see, so a linked
 * record gets the decision it gets by id without the case naming a record the holder withholds.
 */
async function linked<T extends { id: string }>(
  ctx: Context,
  c: ProblemCase,
  kind: CaseRecordKind,
  Stub: new () => T,
) {
  return (await linkedRecords(ctx, c, kind, Stub)).visible;
}

@Resolver(() => ProblemCase)
export class ProblemCaseResolver {
  @Query(() => ProblemCase, {
    nullable: true,
    description: "One problem-solving case; null unless the caller's agency leads or partners it.",
  })
  async problemCase(
    @Arg("id", () => ID, { description: "Case id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase | null> {
    // Known only to its parties: the ProblemCase type's declared party rule decides (a case the
    // caller is not a party to answers as an unknown id).
    return ctx.loaders.caseById.load(id);
  }

  @Query(() => ProblemCaseConnection, {
    description: "Cases the caller's agency leads or partners, newest first.",
  })
  async problemCases(
    @Arg("stage", () => CaseStage, {
      nullable: true,
      description: "Only cases at this stage; all stages when absent.",
    })
    stage: CaseStage | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<ProblemCase>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.cases.listVisibleTo(ctx.caller.agencyId, stage ?? null, page);
    return toConnection(result.items, result.totalCount, page);
  }

  @FieldResolver(() => [Neighbourhood], { description: "The neighbourhoods the problem affects." })
  async neighbourhoods(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<Neighbourhood[]> {
    const found = await ctx.loaders.neighbourhoodByCode.loadMany(c.neighbourhoodCodes);
    return found.filter((n): n is Neighbourhood => n instanceof Neighbourhood);
  }

  @FieldResolver(() => [CasePerson], { description: "People in the case and their parts." })
  async people(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<CasePerson[]> {
    const rows = await ctx.loaders.peopleByCase.load(c.id);
    return rows.map((r) => Object.assign(new CasePerson(), { role: r.role, personId: r.personId }));
  }

  @FieldResolver(() => [CaseAction], {
    description: "Actions assigned to the lead and partners, by due date.",
  })
  async actions(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<CaseAction[]> {
    return (await ctx.loaders.actionsByCase.load(c.id)).map(toCaseAction);
  }

  @FieldResolver(() => [CaseStageChange], {
    description: "Every move between stages, oldest first, with its note.",
  })
  async stageHistory(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<CaseStageChange[]> {
    const rows = await ctx.loaders.stageChangesByCase.load(c.id);
    return rows.map((r) => ({
      from: r.fromStage,
      to: r.toStage,
      note: r.note,
      at: r.changedAt,
      by: r.changedBy,
      agency: agencyRef(r.agencyId),
    }));
  }

  @FieldResolver(() => [Incident], {
    // Nullable items: a record its owner no longer holds or cannot serve just now is one null, not
    // a case board that fails as a whole.
    nullable: "items",
    description:
      "Police incidents linked to the case; police resolve them under their access rules, with each record's own people: " +
      "one the caller may not see is not listed (`restricted` counts it where signposting allows); an item is null when " +
      "its owner no longer holds it or cannot be reached.",
  })
  linkedIncidents(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<Incident[]> {
    return linked(ctx, c, CaseRecordKind.INCIDENT, Incident);
  }

  @FieldResolver(() => [AsbCase], {
    // Nullable items: a record its owner no longer holds or cannot serve just now is one null, not
    // a case board that fails as a whole.
    nullable: "items",
    description:
      "Council ASB cases linked to the case; the council resolves them under its access rules, with each record's own people: " +
      "one the caller may not see is not listed (`restricted` counts it where signposting allows); an item is null when " +
      "its owner no longer holds it or cannot be reached.",
  })
  linkedAsbCases(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<AsbCase[]> {
    return linked(ctx, c, CaseRecordKind.ASB_CASE, AsbCase);
  }

  @FieldResolver(() => [Tenancy], {
    // Nullable items: a record its owner no longer holds or cannot serve just now is one null, not
    // a case board that fails as a whole.
    nullable: "items",
    description:
      "Housing tenancies linked to the case; housing resolves them under its access rules, with each record's own people: " +
      "one the caller may not see is not listed (`restricted` counts it where signposting allows); an item is null when " +
      "its owner no longer holds it or cannot be reached.",
  })
  linkedTenancies(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<Tenancy[]> {
    return linked(ctx, c, CaseRecordKind.TENANCY, Tenancy);
  }

  @FieldResolver(() => [Referral], {
    // Nullable items: a record its owner no longer holds or cannot serve just now is one null, not
    // a case board that fails as a whole.
    nullable: "items",
    description:
      "Youth programme referrals linked to the case; youth services resolve them under their access rules, with each record's own people: " +
      "one the caller may not see is not listed (`restricted` counts it where signposting allows); an item is null when " +
      "its owner no longer holds it or cannot be reached.",
  })
  linkedReferrals(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<Referral[]> {
    return linked(ctx, c, CaseRecordKind.REFERRAL, Referral);
  }

  @FieldResolver(() => [RestrictedRecords], {
    description:
      "Linked records withheld from the caller by the access rules, per owner agency and category.",
  })
  async restricted(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<RestrictedRecords[]> {
    const out: RestrictedRecords[] = [];
    for (const [kind, Stub] of LINKED) {
      const { withheld } = await linkedRecords(ctx, c, kind, Stub);
      if (!withheld.length) continue;
      const holding = holdingOf(Stub);
      // Signposted only where an agreement for the purpose exists between the two agencies.
      const contact = await ctx.access.signposting(holding.agencyId);
      if (contact) {
        out.push({
          agency: agencyRef(holding.agencyId),
          category: holding.category,
          count: withheld.length,
          contact,
        });
      }
    }
    return out;
  }

  @FieldResolver(() => CaseAssessment, {
    nullable: true,
    description:
      "Incidents and ASB cases in the case's neighbourhoods for windowMonths months before the month it opened and from then on.",
  })
  assessment(
    @Root() c: ProblemCase,
    @Arg("windowMonths", () => Int, {
      description: `Months in each window (${MIN_WINDOW_MONTHS} to ${MAX_WINDOW_MONTHS}).`,
    })
    windowMonths: number,
    @Ctx() ctx: Context,
  ): CaseAssessment | null {
    if (
      !Number.isInteger(windowMonths) ||
      windowMonths < MIN_WINDOW_MONTHS ||
      windowMonths > MAX_WINDOW_MONTHS
    ) {
      throw badInput("windowMonths", `must be between ${MIN_WINDOW_MONTHS} and ${MAX_WINDOW_MONTHS}`);
    }
    if (!c.neighbourhoodCodes.length) return null;
    return assessmentFor(c, windowMonths, ctx.caller.agencyId);
  }
}
