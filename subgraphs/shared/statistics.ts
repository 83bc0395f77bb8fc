/** Counts from 1 to this minus one are suppressed: small numbers can identify people. */
export const SUPPRESS_BELOW = 5;

export interface SuppressedCount {
  count: number | null;
  suppressed: boolean;
}

export function suppress(count: number): SuppressedCount {
  return count > 0 && count < SUPPRESS_BELOW
    ? { count: null, suppressed: true }
    : { count, suppressed: false };
}
