import { Ctx, Directive, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { today } from "../calendar";
import type { PartnershipLoaders } from "../loaders";
import { CaseAction, CaseActionStatus, CaseAssessment, CasePerson, Person } from "../types";

type Context = RequestContext<PartnershipLoaders>;

/** The person in a case, from the people index (batched across the case list). */
@Resolver(() => CasePerson)
export class CasePersonResolver {
  @FieldResolver(() => Person, { description: "The person." })
  async person(@Root() part: CasePerson, @Ctx() ctx: Context): Promise<Person> {
    // case_people references people, so the person is always in the index.
    return (
      (await ctx.loaders.personById.load(part.personId)) ?? Object.assign(new Person(), { id: part.personId })
    );
  }
}

@Resolver(() => CaseAction)
export class CaseActionResolver {
  @FieldResolver(() => CaseActionStatus, {
    description: "Open, done, cancelled, or overdue (open and past its due date).",
  })
  status(@Root() action: CaseAction): CaseActionStatus {
    if (action.cancelledAt) return CaseActionStatus.CANCELLED;
    if (action.completedAt) return CaseActionStatus.DONE;
    return action.dueOn < today() ? CaseActionStatus.OVERDUE : CaseActionStatus.OPEN;
  }
}

@Resolver(() => CaseAssessment)
export class CaseAssessmentResolver {
  @Directive('@requires(fields: "incidentsBefore incidentsAfter asbCasesBefore asbCasesAfter")')
  @FieldResolver(() => Boolean, {
    description:
      "True when any of the four counts could not be given. The counts themselves are never withheld: they are perturbed (cell-key method).",
  })
  suppressed(@Root() assessment: CaseAssessment): boolean {
    return [
      assessment.incidentsBefore,
      assessment.incidentsAfter,
      assessment.asbCasesBefore,
      assessment.asbCasesAfter,
    ].some((count) => count === null || count === undefined);
  }
}
