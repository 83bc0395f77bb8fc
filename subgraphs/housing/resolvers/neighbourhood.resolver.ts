import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthRange } from "../../shared/months";
import { suppress } from "../../shared/statistics";
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
    monthRange("fromMonth", fromMonth, "toMonth", toMonth);
    const counts = await ctx.loaders.tenancyActionCounts.load({
      lsoaCode: neighbourhood.code,
      fromMonth,
      toMonth,
    });
    return counts.map((c) =>
      Object.assign(new TenancyActionStat(), { month: c.month, type: c.type, ...suppress(c.count) }),
    );
  }
}
