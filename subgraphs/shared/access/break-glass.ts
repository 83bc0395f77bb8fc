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

/** Characters a reader sees: everything but white space, after normalisation. */
function visibleLength(text: string): number {
  return [...text.replace(/\s/g, "")].length;
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
