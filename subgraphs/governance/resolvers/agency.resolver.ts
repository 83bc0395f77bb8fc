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

/**
 * The agency an audit record names. The audit keeps whatever a request was made as, and one odd
 * row (an agency since removed, or one that should never have been served) must not make a
 * DSO's whole `disclosures` page fail: an agency the registry does not know reads as unregistered.
 */
export async function auditedAgencyOf(ctx: Context, id: string): Promise<Agency> {
  const agency = await ctx.loaders.agencyById.load(id);
  return (
    agency ??
    Object.assign(new Agency(), {
      id,
      name: `unregistered agency "${id}"`,
      kind: "UNREGISTERED",
      contact: "",
      active: false,
    })
  );
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
