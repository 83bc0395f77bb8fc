import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthRange } from "../../shared/months";
import { suppress } from "../../shared/statistics";
import type { PoliceLoaders } from "../loaders";
import { IncidentStat, Neighbourhood } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodIncidentStatsResolver {
  @FieldResolver(() => [IncidentStat], {
    description: "Monthly incident counts by crime type; small counts suppressed.",
  })
  async incidentStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<PoliceLoaders>,
  ): Promise<IncidentStat[]> {
    monthRange("fromMonth", fromMonth, "toMonth", toMonth);
    const counts = await ctx.loaders.incidentCounts.load({
      lsoaCode: neighbourhood.code,
      fromMonth,
      toMonth,
    });
    return counts.map((c) => ({ month: c.month, category: c.category, ...suppress(c.count) }));
  }
}
