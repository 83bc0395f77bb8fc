import type { AccessDecision } from "../shared/access/decision";
import { ageOnDate, calendarDate } from "../shared/facts";
import type { AccessGuard } from "../shared/access/guard";
import { DataCategory } from "../shared/enums";
import { badInput, forbidden } from "../shared/errors";

/** Under this age a referral needs the young person's (or a parent's) consent. */
export const REFERRAL_CONSENT_AGE = 16;

/**
 * What a partner's referral discloses to youth services: the referring agency's own record of the
 * young person (the reason it refers them), in that agency's category. A partner not listed here
 * holds no record a referral could disclose under an agreement, so it cannot refer an under-16.
 */
export const REFERRAL_DISCLOSES: Readonly<Record<string, DataCategory>> = {
  police: DataCategory.INCIDENT_SUMMARY,
  council: DataCategory.ASB_CASE,
  housing: DataCategory.TENANCY,
};

/**
 * Refuses a referral of someone under 16 unless the referring agency may share its record of them
 * with youth services: decided by the access rules (decision.ts) as youth services asking for the
 * category the referral discloses (REFERRAL_DISCLOSES), held by the referrer, about the young
 * person, for the purpose the referrer works under: an agreement in force from the referrer to
 * youth services covering both, and the young person's (or a parent's) consent in force, recorded
 * by a DSO of the referrer for youth services, whatever the agreement says about consent. The
 * decision is audited like any other (see AccessGuard.decideDisclosure).
 *
 * A referral by youth services itself shares nothing with another agency, so no consent to share
 * is asked for: the young person's (or a parent's) agreement to take part is youth services' own
 * casework when it accepts the referral. Throws; returns the person's age today when allowed (the
 * programme's age range is judged on it).
 */
export async function checkReferralConsent(
  personId: string,
  youthAgencyId: string,
  guard: AccessGuard,
): Promise<number> {
  const dateOfBirth = await guard.dateOfBirth(personId);
  if (!dateOfBirth)
    throw badInput("input.personId", `"${personId}" is not in the partnership's people index`);
  const age = ageOnDate(dateOfBirth, calendarDate(guard.at));
  if (age >= REFERRAL_CONSENT_AGE) return age;
  const referrer = guard.caller.agencyId;
  if (referrer === youthAgencyId) return age;
  const purpose = guard.purpose;
  if (!purpose) throw forbidden("PURPOSE_REQUIRED", "referToProgramme: an x-purpose is required");
  // An agency with no record a referral could disclose: decided without a category (refused).
  const category = REFERRAL_DISCLOSES[referrer] ?? null;
  const decision = await guard.decideDisclosure({
    recipientAgencyId: youthAgencyId,
    category,
    personId,
    consentRequired: true,
  });
  if (decision.permitted) return age;
  throw forbidden(
    decision.reason ?? "CONSENT_REQUIRED",
    `referToProgramme: the person is ${age}; a referral of someone under ${REFERRAL_CONSENT_AGE} needs an active consent, ` +
      `recorded by a data-sharing officer of ${referrer}, to share their ${category ?? `${referrer} records`} with ${youthAgencyId} for ${purpose}, ` +
      `under an agreement in force from ${referrer} to ${youthAgencyId} that shares it for that purpose (${why(decision, referrer, youthAgencyId)})`,
  );
}

function why(decision: AccessDecision, referrer: string, youth: string): string {
  switch (decision.reason) {
    case "NO_AGREEMENT":
      return `no agreement from ${referrer} to ${youth} is in force`;
    case "PURPOSE_NOT_COVERED":
      return `no agreement in force from ${referrer} to ${youth} covers the purpose`;
    case "CATEGORY_NOT_COVERED":
      return `no agreement in force from ${referrer} to ${youth} shares the category`;
    case "CONSENT_WITHDRAWN":
      return "their consent was withdrawn";
    case "CONSENT_REQUIRED":
      return "there is no such consent in force";
    default:
      return String(decision.reason);
  }
}
