import type { RequestContext } from "../shared/context";
import type { YouthLoaders } from "./loaders";

type Context = RequestContext<YouthLoaders>;

/** How the gateway turns entity references into youth records, batched per request. */
export const youthReferenceResolvers = {
  School: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.schoolById.load(ref.id),
  },
  Enrolment: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.enrolmentById.load(ref.id),
  },
  Programme: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.programmeById.load(ref.id),
  },
  Referral: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.referralById.load(ref.id),
  },
};
