import type { Sql } from "../shared/database";
import { badInput, notFound } from "../shared/errors";
import type { ChangePolicy } from "../shared/policy";
import { CaseRepository } from "./repositories/cases";

/**
 * How the case mutations find the records they change (@Changes), for the shared enforcement to
 * check against the types' declared rules: a case's party rule (CASE_PARTY), an action's actor
 * rule (ASSIGNED_AGENCY). Inside a transaction the rows are locked for update.
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
