import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import type { YouthLoaders } from "../loaders";
import { Programme, ProgrammeKind } from "../types";

type Context = RequestContext<YouthLoaders>;

@Resolver(() => Programme)
export class ProgrammeResolver {
  @Query(() => [Programme], { description: "Youth programmes taking referrals, by name." })
  programmes(
    @Arg("kind", () => ProgrammeKind, {
      nullable: true,
      description: "Only programmes of this kind; all when absent.",
    })
    kind: ProgrammeKind | null,
    @Ctx() ctx: Context,
  ): Promise<Programme[]> {
    return ctx.loaders.youth.programmes(kind ?? null);
  }

  @Query(() => Programme, { nullable: true, description: "One programme by id." })
  programme(
    @Arg("id", () => ID, { description: "Programme id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Programme | null> {
    return ctx.loaders.programmeById.load(id);
  }
}
