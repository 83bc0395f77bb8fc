import { Role } from "../../shared/enums";
import { Governed } from "../../shared/policy";
import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { pageRequest } from "../../shared/connection";
import { BreakGlassOutcome } from "../../shared/enums";
import { notFound } from "../../shared/errors";
import { actingFrom } from "../services/acting";
import { reviewBreakGlass } from "../services/break-glass";
import { Agency, BreakGlassEvent } from "../types";
import { auditedAgencyOf, type Context } from "./agency.resolver";

@Resolver(() => BreakGlassEvent)
export class BreakGlassResolver {
  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Query(() => [BreakGlassEvent], {
    description:
      "Break-glass accesses to the caller's agency's data, newest first. For its data-sharing officers.",
  })
  breakGlassEvents(
    @Arg("reviewed", () => Boolean, {
      nullable: true,
      description: "Only reviewed (true) or unreviewed (false) ones; all when absent.",
    })
    reviewed: boolean | null,
    @Arg("first", () => Int, {
      nullable: true,
      defaultValue: 100,
      description: "How many at most (at most 500; default 100).",
    })
    first: number | null,
    @Ctx() ctx: Context,
  ): Promise<BreakGlassEvent[]> {
    const { limit } = pageRequest(first ?? 100, null);
    return ctx.loaders.breakGlass.events(ctx.caller.agencyId, reviewed ?? null, limit);
  }

  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Mutation(() => BreakGlassEvent, {
    description:
      "Records a data-sharing officer's finding on a break-glass access to its agency's data. A note is required; the first review stands.",
  })
  async reviewBreakGlass(
    @Arg("id", () => ID, { description: "The break-glass event's id." }) id: string,
    @Arg("outcome", () => BreakGlassOutcome, { description: "Justified or not." }) outcome: BreakGlassOutcome,
    @Arg("note", () => String, { description: "The reviewer's reasons." }) note: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<BreakGlassEvent> {
    const sequence = await reviewBreakGlass(ctx.sql, actingFrom(ctx, info), id, outcome, note);
    const event = await ctx.loaders.breakGlass.find(sequence);
    if (!event) throw notFound(`break-glass event ${id}`);
    return event;
  }

  @FieldResolver(() => Agency, { description: "The agency whose data it was." })
  ownerAgency(@Root() event: BreakGlassEvent, @Ctx() ctx: Context): Promise<Agency> {
    return auditedAgencyOf(ctx, event.ownerAgencyId);
  }
}
