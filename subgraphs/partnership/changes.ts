import type { Sql } from "../shared/database";
import { badInput, notFound } from "../shared/errors";
import type { ChangePolicy } from "../shared/policy";
import { CaseRepository } from "./repositories/cases";

/**
 * How the case mutations find the records they change (@Changes), for the shared enforcement to
 * check against the types' declared rules: a case's party rule (CASE_PARTY), an action's actor
 * rule (ASSIGNED_AGENCY), and the lead's own changes (CaseChange's CASE_LEAD, found with CASE_CHANGED). Inside a transaction the rows are locked for update.
 */

/** A case as its party rule reads it; a case the caller is not a party to is answered as a missing one. */
export const CASE_CHANGED: ChangePolicy<{ caseId: string }> = {
  async find({ caseId }, sql: Sql) {
    const parties = await new CaseRepository(sql).lockParties(caseId);
    return (
      parties && {
        lead: { id: parties.leadAgencyId },
        partners: parties.partnerIds.map((id) => ({ id })),
      }
    );
  },
  unknown: ({ caseId }) => notFound(`problem case ${caseId}`),
};

/** An action of the case, as its actor rule reads it (checked after the case's party rule). */
export const CASE_ACTION_CHANGED: ChangePolicy<{ caseId: string; actionId: string }> = {
  async find({ caseId, actionId }, sql: Sql) {
    const action = await new CaseRepository(sql).lockAction(caseId, actionId);
    return action && { assignedAgency: { id: action.assignedAgencyId } };
  },
  unknown: ({ actionId }) => badInput("actionId", `no action ${actionId} on this case`),
};

/** The case of an action named by its id alone (reassign, cancel): an action of a case the caller is not a party to answers as a missing one. */
export const ACTION_CASE_CHANGED: ChangePolicy<{ actionId: string }> = {
  async find({ actionId }, sql: Sql) {
    const cases = new CaseRepository(sql);
    const caseId = await cases.caseOfAction(actionId);
    const parties = caseId && (await cases.lockParties(caseId));
    return (
      parties && {
        lead: { id: parties.leadAgencyId },
        partners: parties.partnerIds.map((id) => ({ id })),
      }
    );
  },
  unknown: ({ actionId }) => notFound(`case action ${actionId}`),
};

/** An action named by its id alone, as its actor rule reads it (checked after its case's party rule). */
export const ACTION_CHANGED: ChangePolicy<{ actionId: string }> = {
  async find({ actionId }, sql: Sql) {
    const action = await new CaseRepository(sql).lockActionById(actionId);
    return action && { assignedAgency: { id: action.assignedAgencyId } };
  },
  unknown: ({ actionId }) => notFound(`case action ${actionId}`),
};
