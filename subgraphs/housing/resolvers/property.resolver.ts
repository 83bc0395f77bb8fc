import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { badInput } from "../../shared/errors";
import type { HousingLoaders } from "../loaders";
import { Property } from "../types";

type Context = RequestContext<HousingLoaders>;

const UPRN = /^[0-9]{12}$/;

@Resolver(() => Property)
export class PropertyResolver {
  @Query(() => Property, {
    nullable: true,
    description: "One property by id; null when housing holds none with that id.",
  })
  property(
    @Arg("id", () => ID, { description: "Property id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Property | null> {
    return ctx.loaders.propertyById.load(id);
  }

  @Query(() => Property, {
    nullable: true,
    description:
      "One property by its Unique Property Reference Number; null when housing manages no such property.",
  })
  propertyByUprn(
    @Arg("uprn", () => String, {
      description: "The 12-digit Unique Property Reference Number, e.g. 100021000123.",
    })
    uprn: string,
    @Ctx() ctx: Context,
  ): Promise<Property | null> {
    if (!UPRN.test(uprn))
      throw badInput("uprn", "must be a Unique Property Reference Number of exactly 12 digits");
    return ctx.loaders.propertyByUprn.load(uprn);
  }
}
