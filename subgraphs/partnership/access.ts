import type { Caller } from "../shared/auth";
import type { PartyRule } from "../shared/policy";

/** Lead or partner: the only agencies that see a case or change it. */
export function isCaseParty(
  agencyId: string,
  c: { leadAgencyId: string; partnerIds: readonly string[] },
): boolean {
  return c.leadAgencyId === agencyId || c.partnerIds.includes(agencyId);
}

/**
 * A problem-solving case is known only to its lead and partner agencies: declared on the
 * ProblemCase type (@Governed), judged by the shared enforcement for every path that reaches a
 * case, and for every mutation that changes one (@Changes): anyone else is told the case does not exist.
 */
export const CASE_PARTY: PartyRule = {
  name: "a lead or partner agency of the case",
  test: (c: { lead: { id: string }; partners: readonly { id: string }[] }, caller: Caller) =>
    isCaseParty(caller.agencyId, { leadAgencyId: c.lead.id, partnerIds: c.partners.map((p) => p.id) }),
};

/**
 * Who may act on a case action (complete it, hand it to another agency of the case, cancel it):
 * the agency it is assigned to. Declared on the CaseAction type (@ChangedBy).
 */
export const ASSIGNED_AGENCY: PartyRule = {
  name: "the agency the action is assigned to",
  test: (a: { assignedAgency: { id: string } | null }, caller: Caller) =>
    a.assignedAgency?.id === caller.agencyId,
};

/**
 * Who may change who is in a case, who works it, and close it: its lead agency only. Declared on
 * the CaseChange type (@ChangedBy), which those mutations change (@Changes).
 */
export const CASE_LEAD: PartyRule = {
  name: "the case's lead agency",
  test: (c: { lead: { id: string } }, caller: Caller) => c.lead.id === caller.agencyId,
};

/**
 * Who may correct a person's identity in the people index (@ChangedBy on Person), and read what it
 * was before (PersonIdentityChange): a data-sharing officer of an agency that holds records about
 * the person, i.e. whose own reference for them the index links. The gate asks for a DSO under
 * DATA_PROTECTION.
 */
export const IDENTITY_HOLDER: PartyRule = {
  name: "a data-sharing officer of an agency whose reference for the person the index holds",
  test: (r: { holderAgencyIds: readonly string[] }, caller: Caller) =>
    r.holderAgencyIds.includes(caller.agencyId),
};
