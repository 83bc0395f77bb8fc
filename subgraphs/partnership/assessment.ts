import { addMonths } from "../shared/months";
import { londonMonth } from "./calendar";
import { CaseAssessment } from "./types";

export const MIN_WINDOW_MONTHS = 1;
export const MAX_WINDOW_MONTHS = 24;

const ID_PATTERN = /^([^|,]+(?:,[^|,]+)*)\|(\d{4}-\d{2})\|(\d{4}-\d{2})\|(\d{4}-\d{2})\|(\d{4}-\d{2})$/;

/**
 * The assessment windows of a case: the baseline is the `windowMonths` months before the month
 * it opened, the follow-up that month and the `windowMonths - 1` after. The id carries all of
 * it, so police and the council can count from the id alone.
 */
export function assessmentFor(
  lsoaCodes: readonly string[],
  openedAt: Date,
  windowMonths: number,
): CaseAssessment {
  const opened = londonMonth(openedAt);
  const codes = [...new Set(lsoaCodes)].sort();
  const baselineFrom = addMonths(opened, -windowMonths);
  const baselineTo = addMonths(opened, -1);
  const followUpFrom = opened;
  const followUpTo = addMonths(opened, windowMonths - 1);
  return Object.assign(new CaseAssessment(), {
    id: [codes.join(","), baselineFrom, baselineTo, followUpFrom, followUpTo].join("|"),
    baselineFrom,
    baselineTo,
    followUpFrom,
    followUpTo,
  });
}

/** Reads an assessment id back; undefined when it is not one this subgraph issues. */
export function parseAssessmentId(id: string): CaseAssessment | undefined {
  const match = ID_PATTERN.exec(id);
  if (!match) return undefined;
  const [, , baselineFrom, baselineTo, followUpFrom, followUpTo] = match;
  return Object.assign(new CaseAssessment(), { id, baselineFrom, baselineTo, followUpFrom, followUpTo });
}
