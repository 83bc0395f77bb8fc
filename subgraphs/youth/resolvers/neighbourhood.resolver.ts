import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthRange } from "../../shared/months";
import { suppress } from "../../shared/statistics";
import type { YouthLoaders } from "../loaders";
import { Neighbourhood, ReferralStat } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodReferralStatsResolver {
  @FieldResolver(() => [ReferralStat], {
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
    monthRange("fromMonth", fromMonth, "toMonth", toMonth);
    const counts = await ctx.loaders.referralCounts.load({
      lsoaCode: neighbourhood.code,
      fromMonth,
      toMonth,
    });
    return counts.map((c) => ({ month: c.month, kind: c.kind, ...suppress(c.count) }));
  }
}
