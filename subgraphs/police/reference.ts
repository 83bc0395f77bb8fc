import type { RequestContext } from "../shared/context";
import { badInput } from "../shared/errors";
import { monthRange } from "../shared/months";
import { suppress } from "../shared/statistics";
import type { AssessmentKey, PoliceLoaders } from "./loaders";
import { CaseAssessment } from "./types";

const LSOA_CODE = /^[A-Z]\d{8}$/;

/**
 * The partnership's assessment id: `<LSOA codes, comma-separated>|<baselineFrom>|<baselineTo>|
 * <followUpFrom>|<followUpTo>`. It carries everything police need, so no call back is made.
 */
export function parseAssessmentId(id: string): AssessmentKey {
  const parts = id.split("|");
  if (parts.length !== 5)
    throw badInput("CaseAssessment.id", "expected <LSOA codes>|<from>|<to>|<from>|<to>");
  const [codes, baselineFrom, baselineTo, followUpFrom, followUpTo] = parts;
  const lsoaCodes = codes.split(",").map((c) => c.trim());
  if (!codes || lsoaCodes.some((c) => !LSOA_CODE.test(c))) {
    throw badInput("CaseAssessment.id", "expected comma-separated LSOA codes such as E01000001");
  }
  monthRange("CaseAssessment.id baselineFrom", baselineFrom, "CaseAssessment.id baselineTo", baselineTo);
  monthRange("CaseAssessment.id followUpFrom", followUpFrom, "CaseAssessment.id followUpTo", followUpTo);
  return { id, lsoaCodes, baselineFrom, baselineTo, followUpFrom, followUpTo };
}

/** How the gateway turns entity references into police records, batched per request. */
export const policeReferenceResolvers = {
  Incident: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<PoliceLoaders>) =>
      ctx.loaders.incidentById.load(ref.id),
  },
  CaseAssessment: {
    __resolveReference: async (
      ref: { id: string },
      ctx: RequestContext<PoliceLoaders>,
    ): Promise<CaseAssessment> => {
      const counts = await ctx.loaders.assessmentCounts.load(parseAssessmentId(ref.id));
      return Object.assign(new CaseAssessment(), {
        id: ref.id,
        incidentsBefore: suppress(counts.before).count,
        incidentsAfter: suppress(counts.after).count,
      });
    },
  },
};
