import { badInput } from "./errors";

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * The years a month or date given to the graph may fall in (records, due dates, validity). Anything
 * outside is a mistake or a probe: refused before it reaches SQL, where year 1 or 10000 would not
 * survive month arithmetic.
 */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 2999;
export const EARLIEST_MONTH = `${EARLIEST_YEAR}-01`;
export const LATEST_MONTH = `${LATEST_YEAR}-12`;

/** Why `value` is not a month the graph accepts, or null when it is one. */
export function monthProblem(value: string): string | null {
  if (!MONTH.test(value)) return `expected a month as YYYY-MM, got "${value.slice(0, 20)}"`;
  if (value < EARLIEST_MONTH || value > LATEST_MONTH)
    return `must be between ${EARLIEST_MONTH} and ${LATEST_MONTH}, got "${value}"`;
  return null;
}

/** Validates a YYYY-MM argument. */
export function parseMonth(argument: string, value: string): string {
  const problem = monthProblem(value);
  if (problem) throw badInput(argument, problem);
  return value;
}

export function monthRange(fromArg: string, from: string, toArg: string, to: string): [string, string] {
  parseMonth(fromArg, from);
  parseMonth(toArg, to);
  if (from > to) throw badInput(toArg, `must not be before ${fromArg} (${from})`);
  return [from, to];
}

/** Adds (or with a negative n, subtracts) whole months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

export function monthOf(date: Date | string): string {
  return (typeof date === "string" ? date : date.toISOString()).slice(0, 7);
}
