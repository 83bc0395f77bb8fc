import { addMonths } from "../shared/months";
import { MAX_ASSESSMENT_MONTHS, openAssessment, sealAssessment } from "../shared/sealed-assessment";
import { londonMonth } from "./calendar";
import { CaseAssessment } from "./types";

export const MIN_WINDOW_MONTHS = 1;
export const MAX_WINDOW_MONTHS = MAX_ASSESSMENT_MONTHS;

/**
 * The assessment windows of a case: the baseline is the `windowMonths` months before the month
 * it opened, the follow-up that month and the `windowMonths - 1` after. Its counts are cells
 * released by the disclosure-control engine (shared/statistics) in police and the council, which
 * count from the id alone; the id is sealed for the asking agency (shared/sealed-assessment), so
 * nobody can ask them for other neighbourhoods or months through `_entities`.
 */
export function assessmentFor(
  problemCase: { id: string; neighbourhoodCodes: readonly string[]; openedAt: Date },
  windowMonths: number,
  agencyId: string,
): CaseAssessment {
  const opened = londonMonth(problemCase.openedAt);
  const sealed = sealAssessment({
    caseId: problemCase.id,
    agencyId,
    lsoaCodes: [...problemCase.neighbourhoodCodes],
    baselineFrom: addMonths(opened, -windowMonths),
    baselineTo: addMonths(opened, -1),
    followUpFrom: opened,
    followUpTo: addMonths(opened, windowMonths - 1),
  });
  return Object.assign(new CaseAssessment(), {
    id: sealed.id,
    baselineFrom: sealed.baselineFrom,
    baselineTo: sealed.baselineTo,
    followUpFrom: sealed.followUpFrom,
    followUpTo: sealed.followUpTo,
  });
}

/** Reads a sealed assessment id back for the asking agency; undefined for any other id. */
export function parseAssessmentId(id: string, agencyId: string): CaseAssessment | undefined {
  const sealed = openAssessment(id, agencyId);
  if (!sealed) return undefined;
  const { baselineFrom, baselineTo, followUpFrom, followUpTo } = sealed;
  return Object.assign(new CaseAssessment(), { id, baselineFrom, baselineTo, followUpFrom, followUpTo });
}
