import type { RequestContext } from "../shared/context";
import { badInput } from "../shared/errors";
import { monthRange } from "../shared/months";
import { suppress } from "../shared/statistics";
import type { AssessmentKey, CouncilLoaders } from "./loaders";
import { CaseAssessment } from "./types";

type Context = RequestContext<CouncilLoaders>;

/**
 * Reads a CaseAssessment id: `<LSOA codes, comma-separated>|<baselineFrom>|<baselineTo>|<followUpFrom>|<followUpTo>`.
 * The partnership builds these ids; the council counts from them without reading its tables.
 */
export function parseAssessmentId(id: string): AssessmentKey {
  const parts = id.split("|");
  if (parts.length !== 5) {
    throw badInput(
      "representations",
      `CaseAssessment id "${id}" is not <LSOA codes>|<from>|<to>|<from>|<to>`,
    );
  }
  const [codes, baselineFrom, baselineTo, followUpFrom, followUpTo] = parts;
  const lsoaCodes = codes
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  monthRange("representations.baselineFrom", baselineFrom, "representations.baselineTo", baselineTo);
  monthRange("representations.followUpFrom", followUpFrom, "representations.followUpTo", followUpTo);
  return { id, lsoaCodes, baselineFrom, baselineTo, followUpFrom, followUpTo };
}

/** How the gateway turns entity references into council records, batched per request. */
export const councilReferenceResolvers = {
  AsbCase: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.asbCaseById.load(ref.id),
  },
  CaseAssessment: {
    __resolveReference: async (ref: { id: string }, ctx: Context): Promise<CaseAssessment> => {
      const counts = await ctx.loaders.assessmentCounts.load(parseAssessmentId(ref.id));
      return Object.assign(new CaseAssessment(), {
        id: ref.id,
        asbCasesBefore: suppress(counts.before).count,
        asbCasesAfter: suppress(counts.after).count,
      });
    },
  },
};
