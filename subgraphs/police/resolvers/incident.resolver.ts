import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { monthRange, parseMonth } from "../../shared/months";
import type { PoliceLoaders } from "../loaders";
import { Incident, IncidentConnection, IncidentFilter, IncidentOutcome, Involvement, Person } from "../types";

type Context = RequestContext<PoliceLoaders>;

@Resolver(() => Incident)
export class IncidentResolver {
  @Query(() => IncidentConnection, { description: "Incidents matching a filter, newest month first." })
  async incidents(
    @Arg("filter", () => IncidentFilter, { description: "Which incidents." }) filter: IncidentFilter,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<Incident>> {
    const page = pageRequest(first, after);
    if (filter.fromMonth && filter.toMonth)
      monthRange("filter.fromMonth", filter.fromMonth, "filter.toMonth", filter.toMonth);
    else if (filter.fromMonth) parseMonth("filter.fromMonth", filter.fromMonth);
    else if (filter.toMonth) parseMonth("filter.toMonth", filter.toMonth);
    const result = await ctx.loaders.incidents.search(filter, page);
    // Cursors carry each incident's (month, id), so the next page starts there (keyset), not at an offset.
    const connection = toConnection(result.items, result.totalCount, page, [], (i) => ({
      month: i.month,
      id: i.id,
    }));
    return { ...connection, cellKey: result.cellKey };
  }

  @Query(() => Incident, { nullable: true, description: "One incident by id." })
  incident(
    @Arg("id", () => ID, { description: "Incident id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Incident | null> {
    return ctx.loaders.incidentById.load(id);
  }

  @FieldResolver(() => [Involvement], { description: "The people involved and their parts." })
  async involvements(@Root() incident: Incident, @Ctx() ctx: Context): Promise<Involvement[]> {
    const rows = await ctx.loaders.involvementsByIncident.load(incident.id);
    return rows.map((r) => ({ role: r.role, person: Object.assign(new Person(), { id: r.personId }) }));
  }

  @FieldResolver(() => [IncidentOutcome], {
    description:
      "Its outcome history from police.uk outcome files, oldest first (a crime may have several over the months); empty when none is imported.",
  })
  async outcomes(@Root() incident: Incident, @Ctx() ctx: Context): Promise<IncidentOutcome[]> {
    const rows = await ctx.loaders.outcomesByIncident.load(incident.id);
    return rows.map((r) => Object.assign(new IncidentOutcome(), { month: r.month, outcome: r.outcome }));
  }
}
