import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthlyCount, neighbourhoodTable } from "../../shared/statistics";
import { Aggregate } from "../../shared/policy";
import { MonthlyCount } from "../../shared/types";
import type { CouncilLoaders } from "../loaders";
import { AsbCaseStat, Neighbourhood } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodAsbCaseStatsResolver {
  @FieldResolver(() => [AsbCaseStat], {
    nullable: true,
    description:
      "ASB cases opened per month and kind of ASB; months and kinds with none are left out; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  })
  async asbCaseStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<CouncilLoaders>,
  ): Promise<AsbCaseStat[]> {
    const table = await neighbourhoodTable(ctx.loaders.asbCaseCounts, neighbourhood.code, fromMonth, toMonth);
    return table.cells.map((c) =>
      Object.assign(new AsbCaseStat(), {
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
      "Monthly totals of ASB cases opened across all kinds, each a cell of its own (all the month's records, with their own cell key), perturbed " +
      "like `asbCaseStats` and not the sum of its released cells: a total minus the cells shown is noise, not a hidden count.",
  })
  async asbCaseMonthTotals(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<CouncilLoaders>,
  ): Promise<MonthlyCount[]> {
    const table = await neighbourhoodTable(ctx.loaders.asbCaseCounts, neighbourhood.code, fromMonth, toMonth);
    return table.rowTotals.map((total) => Object.assign(new MonthlyCount(), monthlyCount(total)));
  }
}
