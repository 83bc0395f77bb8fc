import { randomUUID } from "node:crypto";
import type { Caller } from "../shared/auth";
import type { Sql } from "../shared/database";
import { CaseRecordKind, CaseStage, RiskLevel } from "../shared/enums";
import { badInput, notFound } from "../shared/errors";
import { DEMO_AGENCIES } from "../shared/demo/world";
import { notify } from "../shared/notifications";
import { today } from "./calendar";
import { actionAssigned } from "./notices";
import { AgencyRepository } from "./repositories/agencies";
import { CaseRepository, type CaseActionRow, type CaseParties } from "./repositories/cases";
import { NeighbourhoodRepository } from "./repositories/neighbourhoods";
import { PeopleRepository } from "./repositories/people";
import { CASE_PERSON_ROLES, type CaseActionInput, type CaseRecordInput, type OpenCaseInput } from "./types";

/** Who is making a change, as every case event records it. */
export interface Actor {
  caller: Caller;
  requestId: string;
}

/** SARA order; a case moves forward one stage at a time. */
export const STAGE_ORDER: readonly CaseStage[] = [
  CaseStage.SCANNING,
  CaseStage.ANALYSIS,
  CaseStage.RESPONSE,
  CaseStage.ASSESSMENT,
  CaseStage.CLOSED,
];

/** A backward move undoes agreed work, so it must say why in more than a word. */
export const MIN_BACKWARD_NOTE = 10;

const MAX_NEIGHBOURHOODS = 100;

function required(argument: string, value: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw badInput(argument, "must not be empty");
  return trimmed;
}

/** Whether a case at `current` may move to `target` with `note`; throws the reason when not. */
export function checkStageMove(current: CaseStage, target: CaseStage, note: string): void {
  if (current === CaseStage.CLOSED)
    throw badInput("caseId", "the case is closed; a closed case does not move");
  const trimmed = note.trim();
  if (!trimmed) throw badInput("note", "must not be empty: say why the case moves");
  const from = STAGE_ORDER.indexOf(current);
  const to = STAGE_ORDER.indexOf(target);
  if (to === from) throw badInput("stage", `the case is already at ${current}`);
  if (to > from + 1) {
    throw badInput(
      "stage",
      `a case moves forward one stage at a time: from ${current} the next stage is ${STAGE_ORDER[from + 1]}`,
    );
  }
  if (to < from && trimmed.length < MIN_BACKWARD_NOTE) {
    throw badInput(
      "note",
      `moving a case back to ${target} needs a note of at least ${MIN_BACKWARD_NOTE} characters saying why`,
    );
  }
}

/**
 * The case, locked for the change. Who may change it is not decided here: each case mutation
 * declares the case it changes (@Changes), and the shared enforcement has checked the case's party
 * rule on this same locked row at the start of the transaction (a non-party is told it does not exist).
 */
async function lockedCase(cases: CaseRepository, caseId: string): Promise<CaseParties> {
  const parties = await cases.lockParties(caseId);
  if (!parties) throw notFound(`problem case ${caseId}`);
  return parties;
}

function event(actor: Actor, caseId: string, name: string, detail: Record<string, unknown>) {
  return {
    caseId,
    userId: actor.caller.userId,
    agencyId: actor.caller.agencyId,
    requestId: actor.requestId,
    event: name,
    detail,
  };
}

/** Opens a case led by the caller's agency, at SCANNING. Returns its id. */
export async function openCase(sql: Sql, actor: Actor, input: OpenCaseInput): Promise<string> {
  const lead = actor.caller.agencyId;
  const title = required("input.title", input.title);
  const problemType = required("input.problemType", input.problemType);
  const codes = [...new Set(input.neighbourhoodCodes.map((c) => c.trim()))];
  if (!codes.length) throw badInput("input.neighbourhoodCodes", "name at least one neighbourhood");
  if (codes.length > MAX_NEIGHBOURHOODS)
    throw badInput("input.neighbourhoodCodes", `at most ${MAX_NEIGHBOURHOODS} neighbourhoods`);
  const partnerIds = [...new Set(input.partnerAgencyIds)];
  if (partnerIds.includes(lead))
    throw badInput("input.partnerAgencyIds", `${lead} leads the case, so it cannot also be a partner`);
  input.people.forEach((p, i) => {
    if (!(CASE_PERSON_ROLES as readonly string[]).includes(p.role)) {
      throw badInput(
        `input.people[${i}].role`,
        `must be one of ${CASE_PERSON_ROLES.join(", ")}; got "${p.role}"`,
      );
    }
  });

  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const known = await new NeighbourhoodRepository(tx).findByCodes(codes);
    const unknownCodes = codes.filter((c) => !known.some((n) => n.code === c));
    if (unknownCodes.length)
      throw badInput("input.neighbourhoodCodes", `unknown neighbourhood codes: ${unknownCodes.join(", ")}`);

    const registered = await new AgencyRepository(tx).existing(partnerIds);
    const demo = new Set<string>(DEMO_AGENCIES.map((a) => a.id));
    const unknownAgencies = partnerIds.filter((id) => !registered.has(id) && !demo.has(id));
    if (unknownAgencies.length)
      throw badInput("input.partnerAgencyIds", `unknown agencies: ${unknownAgencies.join(", ")}`);

    const personIds = [...new Set(input.people.map((p) => p.personId))];
    const found = await new PeopleRepository(tx).existing(personIds);
    const unknownPeople = personIds.filter((id) => !found.has(id));
    if (unknownPeople.length)
      throw badInput("input.people", `unknown person ids: ${unknownPeople.join(", ")}`);

    const year = Number(today().slice(0, 4));
    const reference = `PSC-${year}-${String(await cases.nextReferenceNumber(year)).padStart(3, "0")}`;
    const id = reference.toLowerCase();
    await cases.insertCase({
      id,
      reference,
      title,
      problemType,
      stage: CaseStage.SCANNING,
      riskLevel: RiskLevel.STANDARD,
      openedBy: actor.caller.userId,
      leadAgencyId: lead,
      partnerIds,
      neighbourhoodCodes: codes,
      people: input.people,
    });
    await cases.insertStageChange({
      caseId: id,
      fromStage: null,
      toStage: CaseStage.SCANNING,
      note: "Case opened",
      changedBy: actor.caller.userId,
      agencyId: lead,
    });
    await cases.appendEvent(
      event(actor, id, "CASE_OPENED", {
        reference,
        title,
        problemType,
        partnerIds,
        neighbourhoodCodes: codes,
        people: input.people,
      }),
    );
    return id;
  });
}

/** Adds an action for the lead or a partner. */
export async function addCaseAction(
  sql: Sql,
  actor: Actor,
  caseId: string,
  input: CaseActionInput,
): Promise<CaseActionRow> {
  const description = required("input.description", input.description);
  const dueOn = input.dueOn.toISOString().slice(0, 10);
  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const parties = await lockedCase(cases, caseId);
    if (parties.stage === CaseStage.CLOSED)
      throw badInput("caseId", "the case is closed; it takes no new actions");
    if (
      parties.leadAgencyId !== input.assignedAgencyId &&
      !parties.partnerIds.includes(input.assignedAgencyId)
    ) {
      throw badInput(
        "input.assignedAgencyId",
        `${input.assignedAgencyId} is neither the lead nor a partner of this case`,
      );
    }
    const action = await cases.insertAction({
      id: `act-${randomUUID()}`,
      caseId,
      description,
      assignedAgencyId: input.assignedAgencyId,
      dueOn,
      createdBy: actor.caller.userId,
    });
    await cases.appendEvent(
      event(actor, caseId, "ACTION_ADDED", {
        actionId: action.id,
        assignedAgencyId: action.assignedAgencyId,
        dueOn,
        description,
      }),
    );
    // The assigned agency is told in this same transaction (the outbox; relayed to governance).
    await notify(tx, actionAssigned(action));
    return action;
  });
}

/** Marks an action done; only the agency it is assigned to may. */
export async function completeCaseAction(
  sql: Sql,
  actor: Actor,
  caseId: string,
  actionId: string,
): Promise<CaseActionRow> {
  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    await lockedCase(cases, caseId);
    // CaseAction's actor rule (the agency it is assigned to) was checked on this locked row (@Changes).
    const action = await cases.lockAction(caseId, actionId);
    if (!action) throw badInput("actionId", `no action ${actionId} on this case`);
    if (action.completedAt) throw badInput("actionId", "the action is already done");
    const done = await cases.completeAction(actionId, actor.caller.userId);
    await cases.appendEvent(event(actor, caseId, "ACTION_COMPLETED", { actionId }));
    return done;
  });
}

/** Links a record held by an agency; linking the same record again changes nothing. */
export async function linkCaseRecord(
  sql: Sql,
  actor: Actor,
  caseId: string,
  record: CaseRecordInput,
  /** Whether the record's owner holds it, asked of the owner through its own subgraph. */
  held: (kind: CaseRecordKind, recordId: string) => Promise<boolean>,
): Promise<void> {
  const recordId = required("record.id", record.id);
  const kind = record.kind as CaseRecordKind;
  const cases = new CaseRepository(sql);
  // Linking again changes nothing, and needs no second word from the owner.
  if (await cases.isLinked(caseId, kind, recordId)) return;
  if (!(await held(kind, recordId))) {
    throw badInput(
      "record.id",
      `${recordId}: its owner holds no such ${kind.toLowerCase().replace("_", " ")}`,
    );
  }
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    await lockedCase(cases, caseId);
    const linked = await cases.linkRecord(
      caseId,
      record.kind as CaseRecordKind,
      recordId,
      actor.caller.userId,
      actor.caller.agencyId,
    );
    if (linked)
      await cases.appendEvent(event(actor, caseId, "RECORD_LINKED", { kind: record.kind, recordId }));
  });
}

/** Moves a case between SARA stages (see checkStageMove). */
export async function advanceCase(
  sql: Sql,
  actor: Actor,
  caseId: string,
  stage: CaseStage,
  note: string,
): Promise<void> {
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const parties = await lockedCase(cases, caseId);
    checkStageMove(parties.stage, stage, note);
    await cases.setStage(caseId, stage);
    await cases.insertStageChange({
      caseId,
      fromStage: parties.stage,
      toStage: stage,
      note: note.trim(),
      changedBy: actor.caller.userId,
      agencyId: actor.caller.agencyId,
    });
    await cases.appendEvent(
      event(actor, caseId, "STAGE_CHANGED", { from: parties.stage, to: stage, note: note.trim() }),
    );
  });
}
