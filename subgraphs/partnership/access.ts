import { GraphQLError } from "graphql";
import type { Caller } from "../shared/auth";
import { Purpose, Role } from "../shared/enums";

// Shared errors.ts has no FORBIDDEN helper yet; this one follows the brief's
// `extensions.code` FORBIDDEN + `extensions.reason` shape.
export function forbidden(reason: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", reason } });
}

/** Lead or partner: the only agencies that see a case or change it. */
export function isCaseParty(
  agencyId: string,
  c: { leadAgencyId: string; partnerIds: readonly string[] },
): boolean {
  return c.leadAgencyId === agencyId || c.partnerIds.includes(agencyId);
}

export function requireCaseParty(
  caller: Caller,
  c: { leadAgencyId: string; partnerIds: readonly string[] },
): void {
  if (!isCaseParty(caller.agencyId, c)) {
    throw forbidden("NOT_CASE_PARTNER", "only the lead and partner agencies of a case may change it");
  }
}

/** Analysts work with aggregates only: they do not run cases (which name people). */
export function requireCaseWorker(caller: Caller): void {
  if (caller.role === Role.ANALYST) {
    throw forbidden("ROLE_NOT_PERMITTED", "analysts cannot change problem-solving cases");
  }
}

const REVIEW_ROLES: readonly Role[] = [Role.PRACTITIONER, Role.DATA_SHARING_OFFICER];
const REVIEW_PURPOSES: readonly Purpose[] = [Purpose.ASB_CASE_MANAGEMENT, Purpose.SAFEGUARDING];

/** Case review candidates name people and their reports: practitioners and DSOs, for ASB or safeguarding. */
export function requireCaseReviewAccess(caller: Caller, purpose: Purpose | null): void {
  if (!REVIEW_ROLES.includes(caller.role)) {
    throw forbidden(
      "ROLE_NOT_PERMITTED",
      "case review candidates are for practitioners and data-sharing officers",
    );
  }
  if (purpose === null) {
    throw forbidden("PURPOSE_REQUIRED", "send the purpose in the x-purpose header");
  }
  if (!REVIEW_PURPOSES.includes(purpose)) {
    throw forbidden(
      "PURPOSE_NOT_COVERED",
      "case review candidates are only for ASB_CASE_MANAGEMENT or SAFEGUARDING",
    );
  }
}
