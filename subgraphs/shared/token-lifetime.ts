/**
 * How long a token may be trusted, judged alike for every kind (users' and the case review count
 * service's): jose checks that `exp` has not passed, but not that `iat` is in the past, so a
 * token issued in the future would pass `exp − iat` however long it really lives.
 */

/** How far ahead of this server's clock a token's `iat` may be (the issuer's clock may run fast). */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/** What is wrong with a verified token's `iat` and `exp` (seconds), judged at `at` (ms); null: nothing. */
export function lifetimeProblem(iat: number, exp: number, at: number, maxSeconds: number): string | null {
  if (iat * 1000 > at + TOKEN_CLOCK_SKEW_SECONDS * 1000) return "it was issued in the future (iat)";
  if (exp - iat > maxSeconds) return `it lives longer than the ${maxSeconds} seconds allowed (exp − iat)`;
  return null;
}
