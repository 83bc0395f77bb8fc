/**
 * Facts several parts of the graph judge by, computed one way only: the partnership's calendar
 * (UK dates), ages, and whether a consent is in force. Access decisions, consent rules, case
 * workflow and the demo seed all read them from here.
 */
import { ConsentGiver } from "./enums";
import { badInput } from "./errors";

/** One formatter for every caller: building one per call cost a tenth of a subgraph's CPU. */
const UK_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/London",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/**
 * A calendar date (YYYY-MM-DD) in the partnership's time zone: agreements run in UK dates, and a
 * case opened at 00:30 BST on 1 April belongs to April, not March.
 */
export function calendarDate(at: Date): string {
  return UK_DATE.format(at);
}

/** Today in the UK, YYYY-MM-DD: ages and overdue actions are judged against it. */
export function today(): string {
  return calendarDate(new Date());
}

/** The UK month (YYYY-MM) of an instant. */
export function calendarMonth(at: Date): string {
  return calendarDate(at).slice(0, 7);
}

/** Whole years between a date of birth and a calendar date (both YYYY-MM-DD). */
export function ageOnDate(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.split("-").map(Number);
  const [y, m, d] = on.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Consent law (UK GDPR Art 8 as applied in the UK): under 13, a parent or guardian consents. */
export const AGE_OF_CONSENT = 13;

/** Where a consent stands at an instant. */
export type ConsentState = "ACTIVE" | "WITHDRAWN" | "EXPIRED" | "NOT_YET_GIVEN";

/** Withdrawal wins over expiry; a consent dated after the instant is not given yet. */
export function consentStateAt(
  consent: { withdrawnAt: Date | null; expiresAt: Date | null; givenAt?: Date | null },
  at: Date,
): ConsentState {
  if (consent.withdrawnAt && consent.withdrawnAt.getTime() <= at.getTime()) return "WITHDRAWN";
  if (consent.expiresAt && consent.expiresAt.getTime() <= at.getTime()) return "EXPIRED";
  if (consent.givenAt && consent.givenAt.getTime() > at.getTime()) return "NOT_YET_GIVEN";
  return "ACTIVE";
}

/** Refuses a consent given by someone under 13 at the time unless a parent or guardian gave it. */
export function validateConsentGiver(dateOfBirth: string, givenAt: Date, givenBy: ConsentGiver): void {
  const age = ageOnDate(dateOfBirth, calendarDate(givenAt));
  if (age < AGE_OF_CONSENT && givenBy !== ConsentGiver.PARENT_OR_GUARDIAN) {
    throw badInput(
      "input.givenBy",
      `the person was ${age} when the consent was given; under ${AGE_OF_CONSENT} it must be given by PARENT_OR_GUARDIAN`,
    );
  }
}
