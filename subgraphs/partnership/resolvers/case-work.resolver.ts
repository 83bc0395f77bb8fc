import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { notFound } from "../../shared/errors";
import { Changes, Governed } from "../../shared/policy";
import { agencyRef } from "../../shared/types";
import { today } from "../calendar";
import { ACTION_CASE_CHANGED, ACTION_CHANGED, CASE_CHANGED } from "../changes";
import { forgetCase, type PartnershipLoaders } from "../loaders";
import type { CaseNoteRow, RiskAssessmentRow } from "../repositories/cases";
import { VICTIM_RISK_QUESTIONS } from "../risk";
import {
  CaseAction,
  CaseActionConnection,
  CaseActionStatus,
  CaseChange,
  CaseChangeKind,
  CaseNote,
  CaseNoteConnection,
  CaseOutcome,
  CasePersonInput,
  CaseRecordInput,
  CaseWorker,
  Person,
  ProblemCase,
  RiskAnswerInput,
  VictimRiskAssessment,
  VictimRiskQuestion,
} from "../types";
import * as workflow from "../workflow";
import { toCaseAction } from "./problem-case.resolver";

type Context = RequestContext<PartnershipLoaders>;

const actor = (ctx: Context): workflow.Actor => ({ caller: ctx.caller, requestId: ctx.requestId });

const worker = (userId: string, agencyId: string): CaseWorker =>
  Object.assign(new CaseWorker(), { userId, agency: agencyRef(agencyId) });

function toCaseNote(row: CaseNoteRow): CaseNote {
  return Object.assign(new CaseNote(), {
    id: row.id,
    at: row.writtenAt,
    text: row.text,
    author: worker(row.writtenBy, row.agencyId),
  });
}

function toAssessment(row: RiskAssessmentRow): VictimRiskAssessment {
  return Object.assign(new VictimRiskAssessment(), {
    id: row.id,
    at: row.assessedAt,
    personId: row.personId,
    score: row.score,
    level: row.level,
    answers: row.answers,
    assessedBy: worker(row.assessedBy, row.agencyId),
  });
}

/** The case after a change, read afresh. */
async function reload(ctx: Context, caseId: string): Promise<ProblemCase> {
  forgetCase(ctx.loaders, caseId);
  const c = await ctx.loaders.caseById.load(caseId);
  if (!c) throw notFound(`problem case ${caseId}`);
  return c;
}

/** Case work beyond the SARA stages: notes, victim risk, who is involved, closing, each agency's actions. */
@Resolver(() => ProblemCase)
export class CaseWorkResolver {
  @Query(() => [VictimRiskQuestion], {
    description:
      "The ASB victim risk assessment's questions (this partnership's wording, on the themes of the Home Office ASB call-handling trials' victim risk assessments), each answered yes or no " +
      "in assessVictimRisk; see README, Victim risk assessment, for the source and the scoring.",
  })
  victimRiskQuestions(): VictimRiskQuestion[] {
    return VICTIM_RISK_QUESTIONS.map((q) => Object.assign(new VictimRiskQuestion(), q));
  }

  @Query(() => CaseActionConnection, {
    description:
      "The actions assigned to the caller's agency on every case it leads or partners, by due date; OVERDUE is an open " +
      "action past its due date (today, London time).",
  })
  async myAgencyActions(
    @Arg("status", () => CaseActionStatus, {
      nullable: true,
      description: "Only actions with this status; all when absent.",
    })
    status: CaseActionStatus | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<CaseAction>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.cases.actionsAssignedTo(
      ctx.caller.agencyId,
      status ?? null,
      today(),
      page,
    );
    return toConnection(result.items.map(toCaseAction), result.totalCount, page);
  }

  @FieldResolver(() => CaseNoteConnection, {
    description: "Notes on the case by its lead and partners, newest first; kept as written.",
  })
  async notes(
    @Root() c: ProblemCase,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<CaseNote>> {
    const page = pageRequest(first, after);
    const found = await ctx.loaders.notesByCase.load({
      parentId: c.id,
      offset: page.offset,
      limit: page.limit,
    });
    return toConnection(found.items.map(toCaseNote), found.totalCount, page);
  }

  @FieldResolver(() => [VictimRiskAssessment], {
    description:
      "Victim risk assessments of the case's people, newest first; every one is kept, and a person's newest is their current level.",
  })
  async riskAssessments(
    @Root() c: ProblemCase,
    @Arg("personId", () => ID, { nullable: true, description: "Only this person's; everyone's when absent." })
    personId: string | null,
    @Ctx() ctx: Context,
  ): Promise<VictimRiskAssessment[]> {
    const rows = await ctx.loaders.riskAssessmentsByCase.load(c.id);
    return rows.filter((r) => !personId || r.personId === personId).map(toAssessment);
  }

  @FieldResolver(() => [CaseChange], {
    description: "The lead's changes to the case's people and partners, and its closing: newest first.",
  })
  async changes(@Root() c: ProblemCase, @Ctx() ctx: Context): Promise<CaseChange[]> {
    const rows = await ctx.loaders.changesByCase.load(c.id);
    return rows.map((r) =>
      Object.assign(new CaseChange(), {
        kind: r.event as CaseChangeKind,
        at: r.occurredAt,
        by: worker(r.userId, r.agencyId),
        note: String(r.detail.note ?? ""),
        before: (r.detail.before as string[] | undefined) ?? [],
        after: (r.detail.after as string[] | undefined) ?? [],
      }),
    );
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Mutation(() => CaseNote, {
    description:
      "Adds a note to a case, open or closed. Notes are kept as written and never edited. Lead or partners only.",
  })
  async addCaseNote(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("text", () => String, { description: "The note (at most 10,000 characters)." }) text: string,
    @Ctx() ctx: Context,
  ): Promise<CaseNote> {
    const row = await workflow.addCaseNote(ctx.sql, actor(ctx), caseId, text);
    forgetCase(ctx.loaders, caseId);
    return toCaseNote(row);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Changes(CaseChange, CASE_CHANGED)
  @Mutation(() => ProblemCase, {
    description:
      "Closes a case from any open stage with its outcome and a note; its open actions are cancelled, the outcome and note " +
      "their reason. A closed case takes no more changes except notes. " +
      "The lead agency only.",
  })
  async closeCase(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("outcome", () => CaseOutcome, { description: "How the case ended." }) outcome: CaseOutcome,
    @Arg("note", () => String, { description: "Why it closes; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    await workflow.closeCase(ctx.sql, actor(ctx), caseId, outcome, note);
    return reload(ctx, caseId);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Changes(CaseChange, CASE_CHANGED)
  @Mutation(() => ProblemCase, {
    description:
      "Replaces the people in a case and their parts, with a note; recorded in the case's changes (before and after). " +
      "The lead agency only.",
  })
  async setCasePeople(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("people", () => [CasePersonInput], { description: "Everyone in the case after the change." })
    people: CasePersonInput[],
    @Arg("note", () => String, { description: "Why; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    await workflow.setCasePeople(ctx.sql, actor(ctx), caseId, people, note);
    return reload(ctx, caseId);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Changes(CaseChange, CASE_CHANGED)
  @Mutation(() => ProblemCase, {
    description:
      "Replaces the partner agencies of a case, with a note; recorded in the case's changes. A removed partner no longer " +
      "sees the case from its next request; a partner with open actions is not removed. The lead agency only.",
  })
  async setCasePartners(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("partnerAgencyIds", () => [ID], { description: "Every partner agency after the change." })
    partnerAgencyIds: string[],
    @Arg("note", () => String, { description: "Why; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    await workflow.setCasePartners(ctx.sql, actor(ctx), caseId, partnerAgencyIds, note);
    return reload(ctx, caseId);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Mutation(() => ProblemCase, {
    description:
      "Unlinks a record from a case, with the reason (kept in the case's events). Lead or partners only.",
  })
  async unlinkCaseRecord(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("record", () => CaseRecordInput, { description: "The linked record." }) record: CaseRecordInput,
    @Arg("reason", () => String, { description: "Why it is unlinked; required." }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<ProblemCase> {
    await workflow.unlinkCaseRecord(ctx.sql, actor(ctx), caseId, record, reason);
    return reload(ctx, caseId);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, CASE_CHANGED)
  @Mutation(() => VictimRiskAssessment, {
    description:
      "Records an ASB victim risk assessment of a person on the case: a yes or no to every question of victimRiskQuestions. " +
      "The score and level are computed; every assessment is kept; the case's riskLevel becomes the highest current level " +
      "of its people. Lead or partners only.",
  })
  async assessVictimRisk(
    @Arg("caseId", () => ID, { description: "Case id." }) caseId: string,
    @Arg("personId", () => ID, { description: "A person on the case." }) personId: string,
    @Arg("answers", () => [RiskAnswerInput], { description: "One answer to every question." })
    answers: RiskAnswerInput[],
    @Ctx() ctx: Context,
  ): Promise<VictimRiskAssessment> {
    const row = await workflow.assessVictimRisk(ctx.sql, actor(ctx), caseId, personId, answers);
    forgetCase(ctx.loaders, caseId);
    return toAssessment(row);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, ACTION_CASE_CHANGED)
  @Changes(CaseAction, ACTION_CHANGED)
  @Mutation(() => CaseAction, {
    description:
      "Hands an open action to the lead or another partner of its case, with a note. Only the agency it is assigned to may.",
  })
  async reassignCaseAction(
    @Arg("actionId", () => ID, { description: "Action id." }) actionId: string,
    @Arg("assignedAgencyId", () => ID, { description: "The agency to do it now: the lead or a partner." })
    assignedAgencyId: string,
    @Arg("note", () => String, { description: "Why; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<CaseAction> {
    const row = await workflow.reassignCaseAction(ctx.sql, actor(ctx), actionId, assignedAgencyId, note);
    forgetCase(ctx.loaders, row.caseId);
    return toCaseAction(row);
  }

  @Governed({ personLevel: true })
  @Changes(ProblemCase, ACTION_CASE_CHANGED)
  @Changes(CaseAction, ACTION_CHANGED)
  @Mutation(() => CaseAction, {
    description:
      "Cancels an open action with the reason; it stays on the case as CANCELLED. Only the agency it is assigned to may.",
  })
  async cancelCaseAction(
    @Arg("actionId", () => ID, { description: "Action id." }) actionId: string,
    @Arg("reason", () => String, { description: "Why; required." }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<CaseAction> {
    const row = await workflow.cancelCaseAction(ctx.sql, actor(ctx), actionId, reason);
    forgetCase(ctx.loaders, row.caseId);
    return toCaseAction(row);
  }
}

@Resolver(() => CaseAction)
export class CaseActionCaseResolver {
  @FieldResolver(() => ProblemCase, {
    nullable: true,
    description: "The case the action is on; null unless the caller's agency leads or partners it.",
  })
  case(@Root() action: CaseAction, @Ctx() ctx: Context): Promise<ProblemCase | null> {
    return ctx.loaders.caseById.load(action.caseId);
  }
}

@Resolver(() => VictimRiskAssessment)
export class VictimRiskAssessmentResolver {
  @FieldResolver(() => Person, { description: "Whose risk was assessed." })
  async person(@Root() a: VictimRiskAssessment, @Ctx() ctx: Context): Promise<Person> {
    // victim_risk_assessments references people, so the person is always in the index.
    return (await ctx.loaders.personById.load(a.personId)) ?? Object.assign(new Person(), { id: a.personId });
  }
}
