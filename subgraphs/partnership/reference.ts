import type { RequestContext } from "../shared/context";
import { parseAssessmentId } from "./assessment";
import type { PartnershipLoaders } from "./loaders";
import type { CaseAssessment } from "./types";

type Context = RequestContext<PartnershipLoaders>;

type AssessmentRepresentation = { id: string } & Partial<
  Pick<CaseAssessment, "incidentsBefore" | "incidentsAfter" | "asbCasesBefore" | "asbCasesAfter">
>;

/** How the router turns entity references into partnership records, batched per request. */
export const partnershipReferenceResolvers = {
  Person: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.personById.load(ref.id),
  },
  Neighbourhood: {
    __resolveReference: (ref: { code: string }, ctx: Context) =>
      ctx.loaders.neighbourhoodByCode.load(ref.code),
  },
  ProblemCase: {
    // The enforcement applies the case's party rule to `_entities` as to any other path.
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.caseById.load(ref.id),
  },
  CaseAssessment: {
    // Everything is in the sealed id (ids not sealed for the caller's agency are unknown); the
    // counts police and the council gave (for `suppressed`) come with the reference.
    __resolveReference: (ref: AssessmentRepresentation, ctx: Context) => {
      const assessment = parseAssessmentId(ref.id, ctx.caller.agencyId);
      if (!assessment) return null;
      return Object.assign(assessment, {
        incidentsBefore: ref.incidentsBefore ?? null,
        incidentsAfter: ref.incidentsAfter ?? null,
        asbCasesBefore: ref.asbCasesBefore ?? null,
        asbCasesAfter: ref.asbCasesAfter ?? null,
      });
    },
  },
};
