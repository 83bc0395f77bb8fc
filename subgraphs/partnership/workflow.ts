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
import { highestRisk, scoreAnswers } from "./risk";
import {
  CASE_PERSON_ROLES,
  CaseChangeKind,
  type CaseActionInput,
  type CaseOutcome,
  type CasePersonInput,
  type CaseRecordInput,
  type OpenCaseInput,
  type RiskAnswerInput,
} from "./types";
import type { CaseNoteRow, RiskAssessmentRow } from "./repositories/cases";

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
  // Closing needs an outcome and is the lead's alone: closeCase, never a stage move.
  if (target === CaseStage.CLOSED)
    throw badInput("stage", "a case is closed with closeCase, by the lead agency, with an outcome");
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

/** A closed case takes no more changes but notes: every other change refuses it, naming caseId. */
function refuseClosed(parties: CaseParties, what: string): void {
  if (parties.stage === CaseStage.CLOSED)
    throw badInput(
      "caseId",
      `the case is closed; a closed case takes no more changes except notes (${what})`,
    );
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
    refuseClosed(parties, "no new actions");
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
    refuseClosed(await lockedCase(cases, caseId), "its actions stay as they were");
    // CaseAction's actor rule (the agency it is assigned to) was checked on this locked row (@Changes).
    const action = await cases.lockAction(caseId, actionId);
    if (!action) throw badInput("actionId", `no action ${actionId} on this case`);
    if (action.completedAt) throw badInput("actionId", "the action is already done");
    if (action.cancelledAt) throw badInput("actionId", "the action was cancelled");
    const done = await cases.completeAction(actionId, actor.caller.userId);
    await cases.appendEvent(event(actor, caseId, "ACTION_COMPLETED", { actionId }));
    return done;
  });
}

/** Links a record held by an agency; a record already linked to the case is refused. */
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
  const alreadyLinked = () => badInput("record", `${kind} ${recordId} is already linked to this case`);
  // Refused before asking the owner, who need not hear of a link that cannot be made.
  const current = await new CaseRepository(sql).findByIds([caseId]);
  if (current[0]?.stage === CaseStage.CLOSED)
    throw badInput(
      "caseId",
      "the case is closed; a closed case takes no more changes except notes (no new links)",
    );
  if (await new CaseRepository(sql).isLinked(caseId, kind, recordId)) throw alreadyLinked();
  if (!(await held(kind, recordId))) {
    throw badInput(
      "record.id",
      `${recordId}: its owner holds no such ${kind.toLowerCase().replace("_", " ")}`,
    );
  }
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    refuseClosed(await lockedCase(cases, caseId), "no new links");
    const linked = await cases.linkRecord(caseId, kind, recordId, actor.caller.userId, actor.caller.agencyId);
    // Linked by someone else since the check above.
    if (!linked) throw alreadyLinked();
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

/** Longest note, reason or case note kept: a page of text, not a document store. */
export const MAX_NOTE_LENGTH = 10_000;

function text(argument: string, value: string): string {
  const trimmed = required(argument, value);
  if (trimmed.length > MAX_NOTE_LENGTH) throw badInput(argument, `at most ${MAX_NOTE_LENGTH} characters`);
  return trimmed;
}

/** Adds a note to a case, open or closed; kept as written (the service may not edit or delete notes). */
export async function addCaseNote(
  sql: Sql,
  actor: Actor,
  caseId: string,
  note: string,
): Promise<CaseNoteRow> {
  const body = text("text", note);
  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    await lockedCase(cases, caseId);
    const row = await cases.insertNote({
      id: `note-${randomUUID()}`,
      caseId,
      text: body,
      writtenBy: actor.caller.userId,
      agencyId: actor.caller.agencyId,
    });
    await cases.appendEvent(event(actor, caseId, "NOTE_ADDED", { noteId: row.id }));
    return row;
  });
}

/**
 * Closes a case from any open stage with its outcome; its open actions are cancelled with the
 * outcome and note as the reason. Only the lead may: declared on the
 * mutation (@Changes(CaseChange)) and checked by the shared enforcement before this runs.
 */
export async function closeCase(
  sql: Sql,
  actor: Actor,
  caseId: string,
  outcome: CaseOutcome,
  note: string,
): Promise<void> {
  const why = text("note", note);
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const parties = await lockedCase(cases, caseId);
    if (parties.stage === CaseStage.CLOSED) throw badInput("caseId", "the case is already closed");
    await cases.close(caseId, outcome);
    // Nothing is left to do on a closed case: its open actions end with it, saying why.
    const cancelled = await cases.cancelOpenActions(
      caseId,
      actor.caller.userId,
      `The case was closed (${outcome}): ${why}`,
    );
    await cases.insertStageChange({
      caseId,
      fromStage: parties.stage,
      toStage: CaseStage.CLOSED,
      note: why,
      changedBy: actor.caller.userId,
      agencyId: actor.caller.agencyId,
    });
    await cases.appendEvent(
      event(actor, caseId, CaseChangeKind.CLOSED, {
        before: [parties.stage],
        after: [outcome],
        note: why,
        cancelledActionIds: cancelled,
      }),
    );
  });
}

/** The case's risk level: the highest current level of the people now on it. */
async function refreshRiskLevel(cases: CaseRepository, caseId: string): Promise<void> {
  await cases.setRiskLevel(caseId, highestRisk(await cases.currentRiskLevels(caseId)));
}

/** Replaces the case's people (lead only, see closeCase), recording before and after. */
export async function setCasePeople(
  sql: Sql,
  actor: Actor,
  caseId: string,
  people: readonly CasePersonInput[],
  note: string,
): Promise<void> {
  const why = text("note", note);
  people.forEach((p, i) => {
    if (!(CASE_PERSON_ROLES as readonly string[]).includes(p.role)) {
      throw badInput(`people[${i}].role`, `must be one of ${CASE_PERSON_ROLES.join(", ")}; got "${p.role}"`);
    }
  });
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    refuseClosed(await lockedCase(cases, caseId), "its people stay as they were");
    const personIds = [...new Set(people.map((p) => p.personId))];
    const found = await new PeopleRepository(tx).existing(personIds);
    const unknownPeople = personIds.filter((id) => !found.has(id));
    if (unknownPeople.length) throw badInput("people", `unknown person ids: ${unknownPeople.join(", ")}`);
    const before = (await cases.peopleOf(caseId)).map((p) => `${p.personId}:${p.role}`);
    await cases.replacePeople(caseId, people);
    const after = (await cases.peopleOf(caseId)).map((p) => `${p.personId}:${p.role}`);
    await refreshRiskLevel(cases, caseId);
    await cases.appendEvent(event(actor, caseId, CaseChangeKind.PEOPLE, { before, after, note: why }));
  });
}

/**
 * Replaces the case's partner agencies (lead only). A removed partner no longer sees the case from
 * the next request (the case's party rule reads the partners afresh); one with actions still to do
 * is not removed until they are done, handed on or cancelled.
 */
export async function setCasePartners(
  sql: Sql,
  actor: Actor,
  caseId: string,
  partnerAgencyIds: readonly string[],
  note: string,
): Promise<void> {
  const why = text("note", note);
  const partnerIds = [...new Set(partnerAgencyIds.map((id) => id.trim()))].sort();
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const parties = await lockedCase(cases, caseId);
    refuseClosed(parties, "its partners stay as they were");
    if (partnerIds.includes(parties.leadAgencyId))
      throw badInput(
        "partnerAgencyIds",
        `${parties.leadAgencyId} leads the case, so it cannot also be a partner`,
      );
    const registered = await new AgencyRepository(tx).existing(partnerIds);
    const demo = new Set<string>(DEMO_AGENCIES.map((a) => a.id));
    const unknownAgencies = partnerIds.filter((id) => !registered.has(id) && !demo.has(id));
    if (unknownAgencies.length)
      throw badInput("partnerAgencyIds", `unknown agencies: ${unknownAgencies.join(", ")}`);
    const removed = parties.partnerIds.filter((id) => !partnerIds.includes(id));
    const busy = await cases.agenciesWithOpenActions(caseId, removed);
    if (busy.length) {
      throw badInput(
        "partnerAgencyIds",
        `${busy.join(", ")} still ${busy.length > 1 ? "have" : "has"} open actions on this case: ` +
          "they are to be done, handed on (reassignCaseAction) or cancelled before the partner leaves",
      );
    }
    const before = [...parties.partnerIds].sort();
    await cases.replacePartners(caseId, partnerIds);
    await cases.appendEvent(
      event(actor, caseId, CaseChangeKind.PARTNERS, { before, after: partnerIds, note: why }),
    );
  });
}

/** Unlinks a record from a case with the reason (lead or partners). */
export async function unlinkCaseRecord(
  sql: Sql,
  actor: Actor,
  caseId: string,
  record: CaseRecordInput,
  reason: string,
): Promise<void> {
  const recordId = required("record.id", record.id);
  const why = text("reason", reason);
  await sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    refuseClosed(await lockedCase(cases, caseId), "its links stay as they were");
    if (!(await cases.unlinkRecord(caseId, record.kind, recordId)))
      throw badInput("record", `${record.kind} ${recordId} is not linked to this case`);
    await cases.appendEvent(
      event(actor, caseId, "RECORD_UNLINKED", { kind: record.kind, recordId, reason: why }),
    );
  });
}

/**
 * Records an ASB victim risk assessment of a person on the case (see risk.ts): every assessment
 * is kept, and the case's risk level becomes the highest current level of its people.
 */
export async function assessVictimRisk(
  sql: Sql,
  actor: Actor,
  caseId: string,
  personId: string,
  answers: readonly RiskAnswerInput[],
): Promise<RiskAssessmentRow> {
  const scored = scoreAnswers(answers);
  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    refuseClosed(await lockedCase(cases, caseId), "no new assessments");
    if (!(await cases.peopleOf(caseId)).some((p) => p.personId === personId))
      throw badInput("personId", `${personId} is not a person on this case`);
    const row = await cases.insertRiskAssessment({
      id: `vra-${randomUUID()}`,
      caseId,
      personId,
      answers: scored.answers,
      score: scored.score,
      level: scored.level,
      assessedBy: actor.caller.userId,
      agencyId: actor.caller.agencyId,
    });
    await refreshRiskLevel(cases, caseId);
    await cases.appendEvent(
      event(actor, caseId, "VICTIM_RISK_ASSESSED", {
        assessmentId: row.id,
        personId,
        score: row.score,
        level: row.level,
      }),
    );
    return row;
  });
}

/** The action, locked, on its case, locked first; refused once done, cancelled, or on a closed case. */
async function lockedOpenAction(cases: CaseRepository, actionId: string) {
  const caseId = await cases.caseOfAction(actionId);
  const parties = caseId && (await cases.lockParties(caseId));
  if (!parties) throw notFound(`case action ${actionId}`);
  refuseClosed(parties, "its actions stay as they were");
  // CaseAction's actor rule (the agency it is assigned to) was checked on this locked row (@Changes).
  const action = await cases.lockActionById(actionId);
  if (!action) throw notFound(`case action ${actionId}`);
  if (action.completedAt) throw badInput("actionId", "the action is already done");
  if (action.cancelledAt) throw badInput("actionId", "the action was cancelled");
  return { parties, action };
}

/** Hands an action to the lead or another partner of its case, with a note. */
export async function reassignCaseAction(
  sql: Sql,
  actor: Actor,
  actionId: string,
  assignedAgencyId: string,
  note: string,
): Promise<CaseActionRow> {
  const why = text("note", note);
  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const { parties, action } = await lockedOpenAction(cases, actionId);
    if (parties.leadAgencyId !== assignedAgencyId && !parties.partnerIds.includes(assignedAgencyId))
      throw badInput(
        "assignedAgencyId",
        `${assignedAgencyId} is neither the lead nor a partner of this case`,
      );
    if (action.assignedAgencyId === assignedAgencyId)
      throw badInput("assignedAgencyId", `the action is already assigned to ${assignedAgencyId}`);
    const moved = await cases.reassignAction(actionId, assignedAgencyId);
    // Told in this transaction; its own period, so an action handed back is announced again.
    await notify(tx, actionAssigned(moved, `reassigned:${new Date().toISOString()}`));
    await cases.appendEvent(
      event(actor, parties.id, "ACTION_REASSIGNED", {
        actionId,
        before: action.assignedAgencyId,
        after: assignedAgencyId,
        note: why,
      }),
    );
    return moved;
  });
}

/** Cancels an action with the reason; it stays on the case as CANCELLED. */
export async function cancelCaseAction(
  sql: Sql,
  actor: Actor,
  actionId: string,
  reason: string,
): Promise<CaseActionRow> {
  const why = text("reason", reason);
  return sql.transaction(async (tx) => {
    const cases = new CaseRepository(tx);
    const { parties } = await lockedOpenAction(cases, actionId);
    const cancelled = await cases.cancelAction(actionId, actor.caller.userId, why);
    await cases.appendEvent(event(actor, parties.id, "ACTION_CANCELLED", { actionId, reason: why }));
    return cancelled;
  });
}
