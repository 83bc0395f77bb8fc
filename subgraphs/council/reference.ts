import type { RequestContext } from "../shared/context";
import { openAssessment } from "../shared/sealed-assessment";
import { release } from "../shared/statistics";
import type { CouncilLoaders } from "./loaders";
import { CaseAssessment } from "./types";

type Context = RequestContext<CouncilLoaders>;

/** How the gateway turns entity references into council records, batched per request. */
export const councilReferenceResolvers = {
  AsbCase: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.asbCaseById.load(ref.id),
  },
  CaseAssessment: {
    // Only ids the partnership sealed for the calling agency are counted; any other is unknown.
    __resolveReference: async (ref: { id: string }, ctx: Context): Promise<CaseAssessment | null> => {
      const assessment = openAssessment(ref.id, ctx.caller.agencyId);
      if (!assessment) return null;
      const counts = await ctx.loaders.assessmentCounts.load(assessment);
      return Object.assign(new CaseAssessment(), {
        id: ref.id,
        asbCasesBefore: release(counts.before.count, counts.before.cellKey),
        asbCasesAfter: release(counts.after.count, counts.after.cellKey),
      });
    },
  },
};
