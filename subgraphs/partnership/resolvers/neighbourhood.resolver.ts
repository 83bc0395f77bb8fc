import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { badInput } from "../../shared/errors";
import type { PartnershipLoaders } from "../loaders";
import { Neighbourhood } from "../types";

type Context = RequestContext<PartnershipLoaders>;

/** A dashboard asks for a handful of neighbourhoods; more than this is a mistake or a scrape. */
export const MAX_NEIGHBOURHOOD_CODES = 100;
/** Enough for a picker over one partnership's area; reference data, but no bulk export. */
export const MAX_NEIGHBOURHOOD_LIST = 500;

@Resolver(() => Neighbourhood)
export class NeighbourhoodResolver {
  @Query(() => [Neighbourhood], {
    description: "Neighbourhoods by LSOA code, in the order asked for; every code must be known.",
  })
  async neighbourhoods(
    @Arg("codes", () => [String], { description: `LSOA codes (at most ${MAX_NEIGHBOURHOOD_CODES}).` })
    codes: string[],
    @Ctx() ctx: Context,
  ): Promise<Neighbourhood[]> {
    const distinct = [...new Set(codes)];
    if (distinct.length > MAX_NEIGHBOURHOOD_CODES)
      throw badInput("codes", `at most ${MAX_NEIGHBOURHOOD_CODES} codes`);
    const found = await ctx.loaders.neighbourhoodByCode.loadMany(distinct);
    const failure = found.find((n): n is Error => n instanceof Error);
    if (failure) throw failure;
    const unknown = distinct.filter((_, i) => found[i] === null);
    if (unknown.length) throw badInput("codes", `unknown neighbourhood codes: ${unknown.join(", ")}`);
    return found as Neighbourhood[];
  }

  @Query(() => [Neighbourhood], {
    description:
      "Neighbourhoods whose name, LSOA code or local authority contains `search` (any case; all when none), by name: what a dashboard offers to pick from.",
  })
  neighbourhoodList(
    @Arg("search", () => String, { nullable: true, description: "Part of a name, code or local authority." })
    search: string | null | undefined,
    @Arg("first", () => Int, {
      defaultValue: 200,
      description: `How many at most (1 to ${MAX_NEIGHBOURHOOD_LIST}).`,
    })
    first: number,
    @Ctx() ctx: Context,
  ): Promise<Neighbourhood[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_NEIGHBOURHOOD_LIST)
      throw badInput("first", `from 1 to ${MAX_NEIGHBOURHOOD_LIST}`);
    if (search != null && search.length > 100) throw badInput("search", "at most 100 characters");
    return ctx.loaders.neighbourhoods.search(search?.trim() || null, first);
  }

  @Query(() => Neighbourhood, {
    nullable: true,
    description: "One neighbourhood by LSOA code; null when unknown.",
  })
  neighbourhood(
    @Arg("code", () => String, { description: "LSOA code, e.g. E01000001." }) code: string,
    @Ctx() ctx: Context,
  ): Promise<Neighbourhood | null> {
    return ctx.loaders.neighbourhoodByCode.load(code);
  }
}
