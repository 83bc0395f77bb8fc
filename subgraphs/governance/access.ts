import type { Caller } from "../shared/auth";
import type { PartyRule } from "../shared/policy";

/**
 * Governance records are the partnership's, each known only to its parties: declared on the
 * types (@Governed in types.ts) and judged by the shared enforcement on every path, `_entities`
 * included; anyone else gets what an unknown id gets.
 */

/** A consent concerns the agency whose data it covers (its provider) and the one it was given to. */
export const CONSENT_PARTY: PartyRule = {
  name: "the agency whose data the consent covers or the one it was given to",
  test: (c: { providerAgencyId: string; recipientAgencyId: string }, caller: Caller) =>
    c.providerAgencyId === caller.agencyId || c.recipientAgencyId === caller.agencyId,
};

/** The audit of an agency's data (disclosures, break-glass accesses) is for that agency. */
export const OWNER_AGENCY: PartyRule = {
  name: "the agency whose data it is",
  test: (r: { ownerAgencyId: string }, caller: Caller) => r.ownerAgencyId === caller.agencyId,
};

/** The people index's audit of a reference's link is for the agency whose reference it is. */
export const LINKING_AGENCY: PartyRule = {
  name: "the agency whose reference was linked",
  test: (r: { agencyId: string }, caller: Caller) => r.agencyId === caller.agencyId,
};

/** A subject access export is the controller's: only its own agency's DSO receives it. */
export const CONTROLLER: PartyRule = {
  name: "a data-sharing officer of the agency whose data it is",
  test: (e: { ownerAgencyId: string }, caller: Caller) => e.ownerAgencyId === caller.agencyId,
};

/** Who may propose or change an agreement: its provider or recipient (the gate asks for a DSO). */
export const AGREEMENT_PARTY: PartyRule = {
  name: "a data-sharing officer of the agreement's provider or recipient",
  test: (a: { providerAgencyId: string; recipientAgencyId: string }, caller: Caller) =>
    a.providerAgencyId === caller.agencyId || a.recipientAgencyId === caller.agencyId,
};

/**
 * A notification is its readers' only: addressed to the caller's agency and, when narrowed, to
 * the caller's role and the caller. Anyone else is told what an unknown id gets.
 */
export const NOTIFICATION_RECIPIENT: PartyRule = {
  name: "the agency, role and user the notification is addressed to",
  test: (n: { toAgencyId: string; toRole: string | null; toUserId: string | null }, caller: Caller) =>
    n.toAgencyId === caller.agencyId &&
    (n.toRole === null || n.toRole === caller.role) &&
    (n.toUserId === null || n.toUserId === caller.userId),
};

/**
 * How the rules decide for an agency's staff concerns the agency whose data it is and the agency
 * asking: either's DSOs hold the agreements and consents the explanation names.
 */
export const EXPLAINED_PARTY: PartyRule = {
  name: "the agency whose data it is or the agency whose staff it explains",
  test: (r: { ownerAgencyId: string; askingAgencyId: string }, caller: Caller) =>
    r.ownerAgencyId === caller.agencyId || r.askingAgencyId === caller.agencyId,
};
