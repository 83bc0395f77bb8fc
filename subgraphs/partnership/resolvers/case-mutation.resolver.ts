import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { Changes, Creates, Governed } from "../../shared/policy";
import type { RequestContext } from "../../shared/context";
import { GraphQLError } from "graphql";
import type { SubgraphName } from "../../shared/config";
import { CaseRecordKind, CaseStage } from "../../shared/enums";
import { askPeer, peerUnavailable } from "../../shared/peers";
import { notFound } from "../../shared/errors";
import { CASE_ACTION_CHANGED, CASE_CHANGED } from "../changes";
import { forgetCase, type PartnershipLoaders } from "../loaders";
import { CaseAction, CaseActionInput, CaseRecordInput, OpenCaseInput, ProblemCase } from "../types";
import * as workflow from "../workflow";
import { toCaseAction } from "./problem-case.resolver";

type Context = RequestContext<PartnershipLoaders>;

const actor = (ctx: Context): workflow.Actor => ({ caller: ctx.caller, requestId: ctx.requestId });

/** The case after a change, read afresh. */
async function reload(ctx: Context, caseId: string): Promise<ProblemCase> {
  forgetCase(ctx.loaders, caseId);
  const c = await ctx.loaders.caseById.load(caseId);
  if (!c) throw notFound(`problem case ${caseId}`);
  return c;
}

/** Who holds each kind of linked record, and its type in the owner's subgraph. */
const OWNERS: Record<CaseRecordKind, { subgraph: SubgraphName; type: string }> = {
  [CaseRecordKind.INCIDENT]: { subgraph: "police", type: "Incident" },
  [CaseRecordKind.ASB_CASE]: { subgraph: "council", type: "AsbCase" },
  [CaseRecordKind.TENANCY]: { subgraph: "housing", type: "Tenancy" },
  [CaseRecordKind.REFERRAL]: { subgraph: "youth", type: "Referral" },
};

/**
 * Asks the owner, through its own subgraph and as the caller, whether it holds the record: an
 * entity means yes, a null without errors no. A refusal by its access rules is passed on (the
 * caller may not link what the owner will not show them); an owner that cannot answer refuses
 * the link for now (retryable).
 */
async function heldByOwner(ctx: Context, kind: CaseRecordKind, id: string): Promise<boolean> {
  const owner = OWNERS[kind];
  const answer = await askPeer<{ _entities: (unknown | null)[] }>(
    ctx.peers,
    owner.subgraph,
    "whether it holds record.id",
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${owner.type} { id } } }`,
    { r: [{ __typename: owner.type, id }] },
  );
  const refusal = answer.errors?.[0];
  if (refusal) {
    const code = refusal.extensions?.code;
    if (code === "FORBIDDEN") {
      throw new GraphQLError(
        `record.id: ${owner.subgraph} does not release this record to you: ${refusal.message}`,
        {
          extensions: { code: "FORBIDDEN", argument: "record.id" },
        },
      );
    }
    throw peerUnavailable(owner.subgraph, "whether it holds record.id");
  }
  return !!answer.data?._entities?.[0];
}

@Resolver()
export class CaseMutationResolver {
  @Governed({ personLevel: true })
  @Mutation(() => ProblemCase, {
    description: "Opens a problem-solving case at SCANNING, led by the caller's agency.",
  })
  async openCase(
    @Arg("input", () => OpenCaseInput, { description: "The new case." }) input: OpenCaseInput,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    return reload(ctx, await workflow.openCase(ctx.sql, actor(ctx), input));
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Creates(CaseAction)
  @Mutation(() => CaseAction, {
    description: "Adds an action to a case, assigned to its lead or a partner. Lead or partners only.",
  })
  async addCaseAction(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("input", () => CaseActionInput, { description: "The action." }) input: CaseActionInput,
    @Ctx() ctx: Context,
  ): Promise<CaseAction> {
    const row = await workflow.addCaseAction(ctx.sql, actor(ctx), caseId, input);
    forgetCase(ctx.loaders, caseId);
    return toCaseAction(row);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Changes(CaseAction, CASE_ACTION_CHANGED)
  @Mutation(() => CaseAction, { description: "Marks an action done. Only the agency it is assigned to may." })
  async completeCaseAction(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("actionId", () => ID, { description: "Action id." }) actionId: string,
    @Ctx() ctx: Context,
  ): Promise<CaseAction> {
    const row = await workflow.completeCaseAction(ctx.sql, actor(ctx), caseId, actionId);
    forgetCase(ctx.loaders, caseId);
    return toCaseAction(row);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Mutation(() => ProblemCase, {
    description:
      "Links a record held by an agency to a case; a record already linked to it is refused (BAD_USER_INPUT). Lead or partners only.",
  })
  async linkCaseRecord(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("record", () => CaseRecordInput, { description: "The record to link." }) record: CaseRecordInput,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    await workflow.linkCaseRecord(ctx.sql, actor(ctx), caseId, record, (kind, id) =>
      heldByOwner(ctx, kind, id),
    );
    return reload(ctx, caseId);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Mutation(() => ProblemCase, {
    description:
      "Moves a case to another SARA stage: forward one stage at a time, or back to an earlier stage with a note of at least 10 " +
      "characters saying why. Not to CLOSED: closeCase does that, with an outcome. A closed case does not move. Lead or partners only.",
  })
  async advanceCase(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("stage", () => CaseStage, { description: "The stage to move to." }) stage: CaseStage,
    @Arg("note", () => String, { description: "Why the case moves; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    await workflow.advanceCase(ctx.sql, actor(ctx), caseId, stage, note);
    return reload(ctx, caseId);
  }
}
