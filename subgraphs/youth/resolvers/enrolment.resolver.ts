import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import type { YouthLoaders } from "../loaders";
import { Enrolment, School } from "../types";

@Resolver(() => Enrolment)
export class EnrolmentResolver {
  @FieldResolver(() => School, { description: "The school." })
  async school(@Root() enrolment: Enrolment, @Ctx() ctx: RequestContext<YouthLoaders>): Promise<School> {
    // The foreign key guarantees the school exists.
    return (await ctx.loaders.schoolById.load(enrolment.schoolId))!;
  }
}
