import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { monthRange, parseMonth } from "../../shared/months";
import type { CouncilLoaders } from "../loaders";
import { AsbCase, AsbCaseConnection, AsbCaseFilter, AsbParty, Intervention, Person } from "../types";

type Context = RequestContext<CouncilLoaders>;

@Resolver(() => AsbCase)
export class AsbCaseResolver {
  @Query(() => AsbCase, { nullable: true, description: "One ASB case by id; null when there is none." })
  asbCase(
    @Arg("id", () => ID, { description: "ASB case id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<AsbCase | null> {
    return ctx.loaders.asbCaseById.load(id);
  }

  @Query(() => AsbCaseConnection, { description: "ASB cases matching a filter, most recently opened first." })
  async asbCases(
    @Arg("filter", () => AsbCaseFilter, { nullable: true, description: "Which cases; all when absent." })
    filter: AsbCaseFilter | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<AsbCase>> {
    const page = pageRequest(first, after);
    const search = filter ?? {};
    if (search.openedFromMonth && search.openedToMonth) {
      monthRange(
        "filter.openedFromMonth",
        search.openedFromMonth,
        "filter.openedToMonth",
        search.openedToMonth,
      );
    } else if (search.openedFromMonth) parseMonth("filter.openedFromMonth", search.openedFromMonth);
    else if (search.openedToMonth) parseMonth("filter.openedToMonth", search.openedToMonth);
    const result = await ctx.loaders.asbCases.search(search, page);
    return toConnection(result.items, result.totalCount, page);
  }

  @FieldResolver(() => [AsbParty], { description: "The people in the case and their parts." })
  async parties(@Root() asbCase: AsbCase, @Ctx() ctx: Context): Promise<AsbParty[]> {
    const rows = await ctx.loaders.partiesByCase.load(asbCase.id);
    return rows.map((r) => ({ role: r.role, person: Object.assign(new Person(), { id: r.personId }) }));
  }

  @FieldResolver(() => [Intervention], { description: "Interventions used, in the order they were issued." })
  async interventions(@Root() asbCase: AsbCase, @Ctx() ctx: Context): Promise<Intervention[]> {
    const rows = await ctx.loaders.interventionsByCase.load(asbCase.id);
    return rows.map((r) => ({ type: r.type, issuedAt: r.issuedAt, status: r.status }));
  }
}
