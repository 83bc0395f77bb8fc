import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthRange } from "../../shared/months";
import { monthlyCount, suppressTable } from "../../shared/statistics";
import { Aggregate } from "../../shared/policy";
import { MonthlyCount } from "../../shared/types";
import type { HousingLoaders } from "../loaders";
import { Neighbourhood, TenancyActionStat } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodTenancyActionStatsResolver {
  @FieldResolver(() => [TenancyActionStat], {
    description:
      "Monthly counts of tenancy actions on homes in the neighbourhood, by type; small counts suppressed.",
  })
  async tenancyActionStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<HousingLoaders>,
  ): Promise<TenancyActionStat[]> {
    const table = await this.table(neighbourhood, fromMonth, toMonth, ctx);
    return table.cells.map((c) =>
      Object.assign(new TenancyActionStat(), {
        month: c.month,
        type: c.type,
        count: c.count,
        suppressed: c.suppressed,
      }),
    );
  }

  @Aggregate()
  @FieldResolver(() => [MonthlyCount], {
    description:
      "Monthly totals of tenancy actions across all kinds, consistent with `tenancyActionStats`: a cell withheld there cannot be " +
      "recovered from a total shown here (secondary suppression).",
  })
  async tenancyActionMonthTotals(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<HousingLoaders>,
  ): Promise<MonthlyCount[]> {
    const table = await this.table(neighbourhood, fromMonth, toMonth, ctx);
    return table.rowTotals.map(monthlyCount);
  }

  /** One neighbourhood's months by kind, suppressed once for both fields. */
  private async table(
    neighbourhood: Neighbourhood,
    fromMonth: string,
    toMonth: string,
    ctx: RequestContext<HousingLoaders>,
  ) {
    monthRange("fromMonth", fromMonth, "toMonth", toMonth);
    const counts = await ctx.loaders.tenancyActionCounts.load({
      lsoaCode: neighbourhood.code,
      fromMonth,
      toMonth,
    });
    return suppressTable(
      counts,
      (c) => c.month,
      (c) => c.count,
    );
  }
}
