import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { personIdsOf } from "../../shared/loaders";
import type { PoliceLoaders } from "../loaders";
import { Incident, IncidentConnection, Person } from "../types";

@Resolver(() => Person)
export class PersonIncidentsResolver {
  // Loaded by whose records are the person's, as the people index says (merges, issue 20).
  @Directive('@requires(fields: "personIds")')
  @FieldResolver(() => IncidentConnection, {
    nullable: true,
    description: "Incidents the person was involved in, newest first.",
  })
  async incidents(
    @Root() person: Person,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: RequestContext<PoliceLoaders>,
  ): Promise<Connection<Incident>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.incidentsByPerson.load({
      parentId: person.id,
      personIds: personIdsOf(person),
      ...page,
    });
    return toConnection(result.items, result.totalCount, page);
  }
}
