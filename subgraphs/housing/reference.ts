import type { RequestContext } from "../shared/context";
import type { HousingLoaders } from "./loaders";

type Context = RequestContext<HousingLoaders>;

/** How the gateway turns entity references into housing records, batched per request. */
export const housingReferenceResolvers = {
  Property: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.propertyById.load(ref.id),
  },
  Tenancy: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.tenancyById.load(ref.id),
  },
  HousingReport: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.housingReportById.load(ref.id),
  },
};
