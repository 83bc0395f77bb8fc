import { badInput } from "./errors";

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Validates a YYYY-MM argument. */
export function parseMonth(argument: string, value: string): string {
  if (!MONTH.test(value)) throw badInput(argument, `expected a month as YYYY-MM, got "${value}"`);
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
