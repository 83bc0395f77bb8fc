import { Role } from "../../shared/enums";
import { Changes, Governed } from "../../shared/policy";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { agreementStatusNote, effectiveAgreementStatus } from "../../shared/access/decision";
import { AgreementStatus } from "../../shared/enums";
import { notFound } from "../../shared/errors";
import { AGREEMENT_CHANGED, AGREEMENT_PROPOSED } from "../changes";
import { agreementFacts } from "../repositories/agreements";
import { actingFrom } from "../services/acting";
import {
  agreementsDueForReview,
  amendAgreement,
  approveAgreement,
  proposeAgreement,
  recordAgreementReview,
  reinstateAgreement,
  revokeAgreement,
  suspendAgreement,
} from "../services/agreements";
import { CalendarDate } from "../../shared/scalars";
import {
  Actor,
  Agency,
  Agreement,
  AgreementApproval,
  AgreementReview,
  AmendAgreementInput,
  ProposeAgreementInput,
} from "../types";
import { agencyOf, type Context } from "./agency.resolver";

/** Reads an agreement as it now stands, past this request's cache (after a change). */
async function fresh(ctx: Context, id: string): Promise<Agreement> {
  ctx.loaders.agreementById.clear(id);
  ctx.loaders.approvalsByAgreement.clear(id);
  ctx.loaders.reinstatementsByAgreement.clear(id);
  ctx.loaders.reviewsByAgreement.clear(id);
  const agreement = await ctx.loaders.agreementById.load(id);
  if (!agreement) throw notFound(`agreement ${id}`);
  return agreement;
}

@Resolver(() => Agreement)
export class AgreementResolver {
  @Query(() => [Agreement], {
    description: "Information sharing agreements, by reference; only those with a status when one is given.",
  })
  async agreements(
    @Arg("status", () => AgreementStatus, {
      nullable: true,
      description: "Only agreements with this status today.",
    })
    status: AgreementStatus | null,
    @Ctx() ctx: Context,
  ): Promise<Agreement[]> {
    const all = await ctx.loaders.agreements.all();
    const now = new Date();
    return status ? all.filter((a) => effectiveAgreementStatus(agreementFacts(a), now) === status) : all;
  }

  @Query(() => Agreement, { nullable: true, description: "One agreement by id; null when there is none." })
  agreement(
    @Arg("id", () => ID, { description: "Agreement id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Agreement | null> {
    return ctx.loaders.agreementById.load(id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_PROPOSED)
  @Mutation(() => Agreement, {
    description:
      "Proposes an agreement as DRAFT. Only a data-sharing officer of the provider or recipient may; both parties must then approve.",
  })
  async proposeAgreement(
    @Arg("input", () => ProposeAgreementInput, { description: "The agreement's terms." })
    input: ProposeAgreementInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    const id = await proposeAgreement(ctx.sql, actingFrom(ctx, info), input);
    return fresh(ctx, id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_CHANGED)
  @Mutation(() => Agreement, {
    description:
      "Approves an agreement for the caller's agency (a data-sharing officer of a party that has not yet approved).",
  })
  async approveAgreement(
    @Arg("id", () => ID, { description: "Agreement id." }) id: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    await approveAgreement(ctx.sql, actingFrom(ctx, info), id);
    return fresh(ctx, id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_CHANGED)
  @Mutation(() => Agreement, {
    description:
      "Suspends an ACTIVE agreement (a data-sharing officer of a party); sharing stops from the next request.",
  })
  async suspendAgreement(
    @Arg("id", () => ID, { description: "Agreement id." }) id: string,
    @Arg("reason", () => String, { description: "Why; shown to both parties." }) reason: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    await suspendAgreement(ctx.sql, actingFrom(ctx, info), id, reason);
    return fresh(ctx, id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_CHANGED)
  @Mutation(() => Agreement, {
    description: "Revokes an agreement for good (a data-sharing officer of a party).",
  })
  async revokeAgreement(
    @Arg("id", () => ID, { description: "Agreement id." }) id: string,
    @Arg("reason", () => String, { description: "Why; shown to both parties." }) reason: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    await revokeAgreement(ctx.sql, actingFrom(ctx, info), id, reason);
    return fresh(ctx, id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_CHANGED)
  @Mutation(() => Agreement, {
    description:
      "Approves reinstating a SUSPENDED agreement for the caller's agency (a data-sharing officer of a party). " +
      "It is ACTIVE again, from the next request, once both parties have approved since it was suspended.",
  })
  async reinstateAgreement(
    @Arg("id", () => ID, { description: "Agreement id." }) id: string,
    @Arg("note", () => String, { description: "Why it may be in force again; shown to both parties." })
    note: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    await reinstateAgreement(ctx.sql, actingFrom(ctx, info), id, note);
    return fresh(ctx, id);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_CHANGED)
  @Mutation(() => Agreement, {
    description:
      "Amends an ACTIVE agreement (a data-sharing officer of a party): returns the new version, a DRAFT with the " +
      "same reference that both parties approve; the version in force stays in force until then, and is " +
      "SUPERSEDED when the new one is.",
  })
  async amendAgreement(
    @Arg("id", () => ID, { description: "The agreement in force to amend." }) id: string,
    @Arg("input", () => AmendAgreementInput, { description: "The terms that change, and why." })
    input: AmendAgreementInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    const amendment = await amendAgreement(ctx.sql, actingFrom(ctx, info), id, input);
    return fresh(ctx, amendment);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Query(() => [Agreement], {
    description:
      "Agreements in force or suspended whose review date falls within withinDays of today, overdue ones " +
      "included, soonest first (data-sharing officers). A review date passing does not stop an agreement.",
  })
  agreementsDueForReview(
    @Arg("withinDays", () => Int, {
      defaultValue: 30,
      description: "How many days ahead to look (0 to 366).",
    })
    withinDays: number,
    @Ctx() ctx: Context,
  ): Promise<Agreement[]> {
    return agreementsDueForReview(ctx.sql, withinDays);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Changes(Agreement, AGREEMENT_CHANGED)
  @Mutation(() => Agreement, {
    description:
      "Records a periodic review of an ACTIVE or SUSPENDED agreement (a data-sharing officer of a party) and sets " +
      "its next review date.",
  })
  async recordAgreementReview(
    @Arg("id", () => ID, { description: "Agreement id." }) id: string,
    @Arg("nextReviewDate", () => CalendarDate, {
      description: "When it is next reviewed: after today, not after it ends.",
    })
    nextReviewDate: Date,
    @Arg("note", () => String, { description: "What the review found." }) note: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Agreement> {
    await recordAgreementReview(ctx.sql, actingFrom(ctx, info), id, nextReviewDate, note);
    return fresh(ctx, id);
  }

  @FieldResolver(() => Agreement, {
    nullable: true,
    description: "The version this one amends; null for a first version.",
  })
  async supersedes(@Root() agreement: Agreement, @Ctx() ctx: Context): Promise<Agreement | null> {
    return agreement.supersedesId ? ctx.loaders.agreementById.load(agreement.supersedesId) : null;
  }

  @FieldResolver(() => [AgreementApproval], {
    description: "While SUSPENDED: the parties that have approved reinstating it since it was suspended.",
  })
  async reinstatementApprovals(
    @Root() agreement: Agreement,
    @Ctx() ctx: Context,
  ): Promise<AgreementApproval[]> {
    const rows = await ctx.loaders.reinstatementsByAgreement.load(agreement.id);
    return rows.map((r) => Object.assign(new AgreementApproval(), r));
  }

  @FieldResolver(() => [AgreementReview], { description: "Its periodic reviews, oldest first." })
  async reviews(@Root() agreement: Agreement, @Ctx() ctx: Context): Promise<AgreementReview[]> {
    const rows = await ctx.loaders.reviewsByAgreement.load(agreement.id);
    return rows.map((r) =>
      Object.assign(new AgreementReview(), {
        at: r.reviewedAt,
        note: r.note,
        nextReviewDate: r.nextReviewDate,
        by: Object.assign(new Actor(), {
          userId: r.reviewedBy,
          role: r.reviewerRole as Role,
          agencyId: r.reviewerAgencyId,
        }),
      }),
    );
  }

  @FieldResolver(() => AgreementStatus, {
    description: "Status today (see the type's description of status).",
  })
  status(@Root() agreement: Agreement): AgreementStatus {
    return effectiveAgreementStatus(agreementFacts(agreement), new Date());
  }

  @FieldResolver(() => String, {
    description: "Why it has its status, e.g. 'awaiting approval by recipient council'.",
  })
  statusNote(@Root() agreement: Agreement): string {
    return agreementStatusNote(agreementFacts(agreement), new Date());
  }

  @FieldResolver(() => Agency, { description: "The agency that holds the data." })
  provider(@Root() agreement: Agreement, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, agreement.providerAgencyId);
  }

  @FieldResolver(() => Agency, { description: "The agency that may receive it." })
  recipient(@Root() agreement: Agreement, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, agreement.recipientAgencyId);
  }

  @FieldResolver(() => [AgreementApproval], {
    description: "Approvals so far, oldest first; both parties must approve.",
  })
  async approvals(@Root() agreement: Agreement, @Ctx() ctx: Context): Promise<AgreementApproval[]> {
    const rows = await ctx.loaders.approvalsByAgreement.load(agreement.id);
    return rows.map((r) => Object.assign(new AgreementApproval(), r));
  }
}

@Resolver(() => AgreementApproval)
export class AgreementApprovalResolver {
  @FieldResolver(() => Agency, { description: "The approving agency." })
  agency(@Root() approval: AgreementApproval, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, approval.agencyId);
  }
}
