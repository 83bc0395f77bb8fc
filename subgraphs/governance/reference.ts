import type { RequestContext } from "../shared/context";
import type { GovernanceLoaders } from "./loaders";
import { Person } from "./types";

type Context = RequestContext<GovernanceLoaders>;

/** How the gateway turns entity references into governance records, batched per request. */
export const governanceReferenceResolvers = {
  Agency: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.agencyById.load(ref.id),
  },
  Agreement: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.agreementById.load(ref.id),
  },
  Consent: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.consentById.load(ref.id),
  },
  // The people index lives in the partnership subgraph; here a person is only a key to hang consents on.
  Person: {
    __resolveReference: (ref: { id: string }) => Object.assign(new Person(), { id: ref.id }),
  },
};
