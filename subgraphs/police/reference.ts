import type { RequestContext } from "../shared/context";
import { openAssessment } from "../shared/sealed-assessment";
import { release } from "../shared/statistics";
import type { PoliceLoaders } from "./loaders";
import { CaseAssessment } from "./types";

/** How the gateway turns entity references into police records, batched per request. */
export const policeReferenceResolvers = {
  Incident: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<PoliceLoaders>) =>
      ctx.loaders.incidentById.load(ref.id),
  },
  CaseAssessment: {
    // Only ids the partnership sealed for the calling agency are counted; any other is unknown.
    __resolveReference: async (
      ref: { id: string },
      ctx: RequestContext<PoliceLoaders>,
    ): Promise<CaseAssessment | null> => {
      const assessment = openAssessment(ref.id, ctx.caller.agencyId);
      if (!assessment) return null;
      const counts = await ctx.loaders.assessmentCounts.load(assessment);
      return Object.assign(new CaseAssessment(), {
        id: ref.id,
        incidentsBefore: release(counts.before.count, counts.before.cellKey),
        incidentsAfter: release(counts.after.count, counts.after.cellKey),
      });
    },
  },
};
