import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { notFound } from "../../shared/errors";
import type { GovernanceLoaders } from "../loaders";
import { Agency } from "../types";

export type Context = RequestContext<GovernanceLoaders>;

/** An agency that must exist (foreign keys guarantee it; a miss is a broken store, not bad input). */
export async function agencyOf(ctx: Context, id: string): Promise<Agency> {
  const agency = await ctx.loaders.agencyById.load(id);
  if (!agency) throw notFound(`agency ${id}`);
  return agency;
}

@Resolver(() => Agency)
export class AgencyResolver {
  @Query(() => [Agency], { description: "Every partner agency, by id." })
  agencies(@Ctx() ctx: Context): Promise<Agency[]> {
    return ctx.loaders.agencies.all();
  }

  @Query(() => Agency, { nullable: true, description: "One agency by id; null when there is none." })
  agency(
    @Arg("id", () => ID, { description: "Agency id, e.g. `police`." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Agency | null> {
    return ctx.loaders.agencyById.load(id);
  }
}
