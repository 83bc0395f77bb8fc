import type { Caller } from "../shared/auth";
import type { PartyRule } from "../shared/policy";

/** The agency that holds youth records. */
export const YOUTH_AGENCY = "youth";

/**
 * Who may move a referral on: youth services, which hold it (its practitioners and data-sharing
 * officers; an analyst is refused at the gate, the referral being about a person). Declared on
 * the Referral type (@ChangedBy). It turns on the caller's agency alone, so it is applied
 * before the referral is read: every other agency gets the same answer for any id.
 */
export const YOUTH_SERVICES: PartyRule = {
  name: "youth services, which hold the referral",
  test: (_referral: unknown, caller: Caller) => caller.agencyId === YOUTH_AGENCY,
};
