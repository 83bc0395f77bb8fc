import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthlyCount, neighbourhoodTable } from "../../shared/statistics";
import { Aggregate } from "../../shared/policy";
import { MonthlyCount } from "../../shared/types";
import type { PoliceLoaders } from "../loaders";
import { IncidentStat, Neighbourhood } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodIncidentStatsResolver {
  @FieldResolver(() => [IncidentStat], {
    nullable: true,
    description:
      "Monthly incident counts by crime type; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  })
  async incidentStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<PoliceLoaders>,
  ): Promise<IncidentStat[]> {
    const table = await neighbourhoodTable(
      ctx.loaders.incidentCounts,
      neighbourhood.code,
      fromMonth,
      toMonth,
    );
    return table.cells.map((c) =>
      Object.assign(new IncidentStat(), {
        month: c.month,
        category: c.category,
        count: c.count,
      }),
    );
  }

  @Aggregate()
  @FieldResolver(() => [MonthlyCount], {
    nullable: true,
    description:
      "Monthly totals of incidents across all kinds, each a cell of its own (all the month's records, with their own cell key), perturbed " +
      "like `incidentStats` and not the sum of its released cells: a total minus the cells shown is noise, not a hidden count.",
  })
  async incidentMonthTotals(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<PoliceLoaders>,
  ): Promise<MonthlyCount[]> {
    const table = await neighbourhoodTable(
      ctx.loaders.incidentCounts,
      neighbourhood.code,
      fromMonth,
      toMonth,
    );
    return table.rowTotals.map((total) => Object.assign(new MonthlyCount(), monthlyCount(total)));
  }
}
