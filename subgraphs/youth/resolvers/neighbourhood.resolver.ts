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
      "neighbourhood when referred; small counts suppressed.",
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
        suppressed: c.suppressed,
      }),
    );
  }

  @Aggregate()
  @FieldResolver(() => [MonthlyCount], {
    nullable: true,
    description:
      "Monthly totals of referrals to youth programmes across all kinds, consistent with `referralStats`: a cell withheld there cannot be " +
      "recovered from a total shown here (secondary suppression).",
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
    return table.rowTotals.map(monthlyCount);
  }
}
