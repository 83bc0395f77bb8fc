import { Purpose } from "../enums";

/** Break-glass needs a real justification, not a token word. */
export const BREAK_GLASS_MIN_JUSTIFICATION = 20;

/**
 * A break-glass justification as it is judged and recorded: Unicode-normalised (NFKC), with
 * invisible, format and control characters removed (zero-width spaces, bidi marks, soft hyphens,
 * NUL...) and white space collapsed, so that padding cannot pass for a reason.
 */
export function normaliseJustification(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu, (c) => (/\s/.test(c) ? " " : ""))
    .replace(/[\s\p{Zs}]+/gu, " ")
    .trim();
}

const GRAPHEMES = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Characters a reader sees, after normalisation: user-perceived characters (a letter with its
 * accents is one) holding a letter, digit, punctuation or symbol; white space, and combining
 * marks stacked on nothing or on a space, count for nothing.
 */
function visibleLength(text: string): number {
  let visible = 0;
  for (const { segment } of GRAPHEMES.segment(text))
    if (/[\p{L}\p{N}\p{P}\p{S}]/u.test(segment)) visible += 1;
  return visible;
}

/** Whether an x-break-glass header may be honoured; the reason it may not, otherwise. */
export function breakGlassProblem(justification: string | null, purpose: Purpose | null): string | null {
  const text = justification === null ? "" : normaliseJustification(justification);
  if (!text) return "no justification was given";
  if (purpose !== Purpose.SAFEGUARDING)
    return `break-glass is only for SAFEGUARDING, not ${purpose ?? "no purpose"}`;
  if (visibleLength(text) < BREAK_GLASS_MIN_JUSTIFICATION) {
    return `the justification must hold at least ${BREAK_GLASS_MIN_JUSTIFICATION} visible characters`;
  }
  return null;
}
