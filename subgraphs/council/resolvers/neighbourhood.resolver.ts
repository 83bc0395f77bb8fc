import { Arg, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { monthRange } from "../../shared/months";
import { suppress } from "../../shared/statistics";
import type { CouncilLoaders } from "../loaders";
import { AsbCaseStat, Neighbourhood } from "../types";

@Resolver(() => Neighbourhood)
export class NeighbourhoodAsbCaseStatsResolver {
  @FieldResolver(() => [AsbCaseStat], {
    description:
      "ASB cases opened per month and kind of ASB; months and kinds with none are left out; small counts suppressed.",
  })
  async asbCaseStats(
    @Root() neighbourhood: Neighbourhood,
    @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
    @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
    @Ctx() ctx: RequestContext<CouncilLoaders>,
  ): Promise<AsbCaseStat[]> {
    monthRange("fromMonth", fromMonth, "toMonth", toMonth);
    const counts = await ctx.loaders.asbCaseCounts.load({ lsoaCode: neighbourhood.code, fromMonth, toMonth });
    return counts.map((c) => ({ month: c.month, category: c.category, ...suppress(c.count) }));
  }
}
