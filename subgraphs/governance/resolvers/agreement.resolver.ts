import { Role } from "../../shared/enums";
import { Changes, Governed } from "../../shared/policy";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from "type-graphql";
import { agreementStatusNote, effectiveAgreementStatus } from "../../shared/access/decision";
import { AgreementStatus } from "../../shared/enums";
import { notFound } from "../../shared/errors";
import { AGREEMENT_CHANGED, AGREEMENT_PROPOSED } from "../changes";
import { agreementFacts } from "../repositories/agreements";
import { actingFrom } from "../services/acting";
import {
  approveAgreement,
  proposeAgreement,
  revokeAgreement,
  suspendAgreement,
} from "../services/agreements";
import { Agency, Agreement, AgreementApproval, ProposeAgreementInput } from "../types";
import { agencyOf, type Context } from "./agency.resolver";

/** Reads an agreement as it now stands, past this request's cache (after a change). */
async function fresh(ctx: Context, id: string): Promise<Agreement> {
  ctx.loaders.agreementById.clear(id);
  ctx.loaders.approvalsByAgreement.clear(id);
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
