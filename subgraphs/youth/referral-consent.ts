import { ageOnDate, calendarDate, forbidden, type ConsentFacts } from "../shared/access/decision";
import { DataCategory, type Purpose } from "../shared/enums";
import { badInput } from "../shared/errors";
import { consentStateAt } from "../shared/facts";

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
 * Refuses a referral of someone under 16 unless the young person (or a parent) consented to the
 * referring agency sharing their details with youth services: a consent in force, recorded by a
 * DSO of the referrer (its provider) for youth services (its recipient), covering the category
 * the referral discloses (REFERRAL_DISCLOSES) for the purpose the referrer works under. Such a
 * consent can be recorded only where an agreement has the referrer share that category with
 * youth services (see governance's recordConsent).
 *
 * A referral by youth services itself shares nothing with another agency, so no consent to share
 * is asked for: the young person's (or a parent's) agreement to take part is youth services' own
 * casework when it accepts the referral. Throws; returns nothing when allowed.
 */
export function checkReferralConsent(
  personId: string,
  referral: { referrerAgencyId: string; youthAgencyId: string },
  facts: { dateOfBirth: string | null; consents: ConsentFacts[] },
  purpose: Purpose | null,
  at: Date,
): void {
  if (!facts.dateOfBirth)
    throw badInput("input.personId", `"${personId}" is not in the partnership's people index`);
  const age = ageOnDate(facts.dateOfBirth, calendarDate(at));
  if (age >= REFERRAL_CONSENT_AGE) return;
  const { referrerAgencyId: referrer, youthAgencyId: youth } = referral;
  if (referrer === youth) return;
  if (!purpose) throw forbidden("PURPOSE_REQUIRED", "referToProgramme: an x-purpose is required");
  const category = REFERRAL_DISCLOSES[referrer] ?? null;
  const covering = category
    ? facts.consents.filter(
        (c) =>
          c.providerAgencyId === referrer &&
          c.recipientAgencyId === youth &&
          c.categories.includes(category) &&
          c.purposes.includes(purpose) &&
          c.givenAt <= at,
      )
    : [];
  const active = covering.find((c) => consentStateAt(c, at) === "ACTIVE");
  if (active) return;
  const withdrawn = covering.some((c) => consentStateAt(c, at) === "WITHDRAWN");
  throw forbidden(
    withdrawn ? "CONSENT_WITHDRAWN" : "CONSENT_REQUIRED",
    `referToProgramme: the person is ${age}; a referral of someone under ${REFERRAL_CONSENT_AGE} needs an active consent, ` +
      `recorded by a data-sharing officer of ${referrer}, to share their ${category ?? `${referrer} records`} with ` +
      `${youth} for ${purpose}${withdrawn ? " (their consent was withdrawn)" : ""}`,
  );
}
