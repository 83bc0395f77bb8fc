import { Ctx, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import type { YouthLoaders } from "../loaders";
import { School } from "../types";

@Resolver(() => School)
export class SchoolResolver {
  @Query(() => [School], {
    description: "The schools and pupil referral units in the partnership's area, by name.",
  })
  schools(@Ctx() ctx: RequestContext<YouthLoaders>): Promise<School[]> {
    return ctx.loaders.youth.schools();
  }
}
