import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthlyCount, neighbourhoodTable } from "../../shared/statistics";
import { Aggregate } from "../../shared/policy";
import { MonthlyCount } from "../../shared/types";
import type { HousingLoaders } from "../loaders";
import { Neighbourhood, TenancyActionStat } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodTenancyActionStatsResolver {
  @FieldResolver(() => [TenancyActionStat], {
    nullable: true,
    description:
      "Monthly counts of tenancy actions on homes in the neighbourhood, by type; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  })
  async tenancyActionStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<HousingLoaders>,
  ): Promise<TenancyActionStat[]> {
    const table = await neighbourhoodTable(
      ctx.loaders.tenancyActionCounts,
      neighbourhood.code,
      fromMonth,
      toMonth,
    );
    return table.cells.map((c) =>
      Object.assign(new TenancyActionStat(), {
        month: c.month,
        type: c.type,
        count: c.count,
      }),
    );
  }

  @Aggregate()
  @FieldResolver(() => [MonthlyCount], {
    nullable: true,
    description:
      "Monthly totals of tenancy actions across all kinds, each a cell of its own (all the month's records, with their own cell key), perturbed " +
      "like `tenancyActionStats` and not the sum of its released cells: a total minus the cells shown is noise, not a hidden count.",
  })
  async tenancyActionMonthTotals(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<HousingLoaders>,
  ): Promise<MonthlyCount[]> {
    const table = await neighbourhoodTable(
      ctx.loaders.tenancyActionCounts,
      neighbourhood.code,
      fromMonth,
      toMonth,
    );
    return table.rowTotals.map((total) => Object.assign(new MonthlyCount(), monthlyCount(total)));
  }
}
