import { ageOn } from "../shared/demo/world";

// The partnership works in UK local time: "today" and "the month a case opened" are
// London's, so a case opened at 00:30 BST on 1 April belongs to April, not March.
const LONDON_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/London",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** A calendar date (YYYY-MM-DD) in London. */
export function londonDate(instant: Date): string {
  return LONDON_DATE.format(instant);
}

/** Today in London, YYYY-MM-DD: ages and overdue actions are judged against it. */
export function today(): string {
  return londonDate(new Date());
}

/** The London month (YYYY-MM) of an instant. */
export function londonMonth(instant: Date): string {
  return londonDate(instant).slice(0, 7);
}

export enum AgeBand {
  UNDER_13 = "UNDER_13",
  AGE_13_TO_15 = "AGE_13_TO_15",
  AGE_16_TO_17 = "AGE_16_TO_17",
  AGE_18_TO_24 = "AGE_18_TO_24",
  AGE_25_TO_64 = "AGE_25_TO_64",
  AGE_65_PLUS = "AGE_65_PLUS",
}

/** The age band of someone born on `dateOfBirth`, on the day `on` (both YYYY-MM-DD). */
export function ageBandOn(dateOfBirth: string, on: string): AgeBand {
  const age = ageOn(dateOfBirth, on);
  if (age < 13) return AgeBand.UNDER_13;
  if (age < 16) return AgeBand.AGE_13_TO_15;
  if (age < 18) return AgeBand.AGE_16_TO_17;
  if (age < 25) return AgeBand.AGE_18_TO_24;
  if (age < 65) return AgeBand.AGE_25_TO_64;
  return AgeBand.AGE_65_PLUS;
}
