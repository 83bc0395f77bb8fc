import { ageOnDate, calendarDate, forbidden, type ConsentFacts } from "../shared/access/decision";
import { DataCategory, type Purpose } from "../shared/enums";
import { badInput } from "../shared/errors";
import { consentStateAt } from "../shared/facts";

/** Under this age a referral needs the young person's (or a parent's) consent. */
export const REFERRAL_CONSENT_AGE = 16;

/**
 * Refuses a referral of someone under 16 unless youth services hold an active consent covering
 * YOUTH_PROGRAMME for the purpose the referrer works under. Throws; returns nothing when allowed.
 */
export function checkReferralConsent(
  personId: string,
  facts: { dateOfBirth: string | null; consents: ConsentFacts[] },
  purpose: Purpose | null,
  at: Date,
): void {
  if (!facts.dateOfBirth)
    throw badInput("input.personId", `"${personId}" is not in the partnership's people index`);
  const age = ageOnDate(facts.dateOfBirth, calendarDate(at));
  if (age >= REFERRAL_CONSENT_AGE) return;
  if (!purpose) throw forbidden("PURPOSE_REQUIRED", "referToProgramme: an x-purpose is required");
  const covering = facts.consents.filter(
    (c) =>
      c.categories.includes(DataCategory.YOUTH_PROGRAMME) && c.purposes.includes(purpose) && c.givenAt <= at,
  );
  const active = covering.find((c) => consentStateAt(c, at) === "ACTIVE");
  if (active) return;
  const withdrawn = covering.some((c) => consentStateAt(c, at) === "WITHDRAWN");
  throw forbidden(
    withdrawn ? "CONSENT_WITHDRAWN" : "CONSENT_REQUIRED",
    `referToProgramme: the person is ${age}; a referral of someone under ${REFERRAL_CONSENT_AGE} needs an active consent ` +
      `to youth services covering YOUTH_PROGRAMME for ${purpose}${withdrawn ? " (their consent was withdrawn)" : ""}`,
  );
}
