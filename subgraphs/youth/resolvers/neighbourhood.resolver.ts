import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthlyCount, neighbourhoodTable } from "../../shared/statistics";
import { Aggregate } from "../../shared/policy";
import { MonthlyCount } from "../../shared/types";
import type { YouthLoaders } from "../loaders";
import { Neighbourhood, ReferralStat } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodReferralStatsResolver {
  @FieldResolver(() => [ReferralStat], {
    nullable: true,
    description:
      "Monthly referrals to youth programmes by programme kind, counted by the young person's home " +
      "neighbourhood when referred; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  })
  async referralStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<YouthLoaders>,
  ): Promise<ReferralStat[]> {
    const table = await neighbourhoodTable(
      ctx.loaders.referralCounts,
      neighbourhood.code,
      fromMonth,
      toMonth,
    );
    return table.cells.map((c) =>
      Object.assign(new ReferralStat(), {
        month: c.month,
        kind: c.kind,
        count: c.count,
      }),
    );
  }

  @Aggregate()
  @FieldResolver(() => [MonthlyCount], {
    nullable: true,
    description:
      "Monthly totals of referrals to youth programmes across all kinds, each a cell of its own (all the month's records, with their own cell key), perturbed " +
      "like `referralStats` and not the sum of its released cells: a total minus the cells shown is noise, not a hidden count.",
  })
  async referralMonthTotals(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<YouthLoaders>,
  ): Promise<MonthlyCount[]> {
    const table = await neighbourhoodTable(
      ctx.loaders.referralCounts,
      neighbourhood.code,
      fromMonth,
      toMonth,
    );
    return table.rowTotals.map((total) => Object.assign(new MonthlyCount(), monthlyCount(total)));
  }
}
