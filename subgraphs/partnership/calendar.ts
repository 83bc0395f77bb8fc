import { ageOnDate, calendarDate, calendarMonth, today } from "../shared/facts";

export { today };

// The partnership works in UK local time (see shared/facts): "today" and "the month a case
// opened" are London's.
export const londonDate = calendarDate;
export const londonMonth = calendarMonth;

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
  const age = ageOnDate(dateOfBirth, on);
  if (age < 13) return AgeBand.UNDER_13;
  if (age < 16) return AgeBand.AGE_13_TO_15;
  if (age < 18) return AgeBand.AGE_16_TO_17;
  if (age < 25) return AgeBand.AGE_18_TO_24;
  if (age < 65) return AgeBand.AGE_25_TO_64;
  return AgeBand.AGE_65_PLUS;
}
