import type { RequestContext } from "../shared/context";
import type { PoliceLoaders } from "./loaders";

/** How the gateway turns entity references into police records, batched per request. */
export const policeReferenceResolvers = {
  Incident: {
    __resolveReference: (ref: { id: string }, ctx: RequestContext<PoliceLoaders>) => ctx.loaders.incidentById.load(ref.id),
  },
};
