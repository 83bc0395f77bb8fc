import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { personIdsOf } from "../../shared/loaders";
import type { HousingLoaders } from "../loaders";
import { HousingReport, HousingReportConnection, Person, Tenancy, TenancyConnection } from "../types";

type Context = RequestContext<HousingLoaders>;

@Resolver(() => Person)
export class PersonHousingResolver {
  // Loaded by whose records are the person's, as the people index says (merges, issue 20).
  @Directive('@requires(fields: "personIds")')
  @FieldResolver(() => TenancyConnection, {
    nullable: true,
    description: "Tenancies the person lives or lived in, in any role: current ones first, then the newest.",
  })
  async tenancies(
    @Root() person: Person,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<Tenancy>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.tenanciesByPerson.load({
      parentId: person.id,
      personIds: personIdsOf(person),
      ...page,
    });
    return toConnection(result.items, result.totalCount, page);
  }

  // Loaded by whose records are the person's, as the people index says (merges, issue 20).
  @Directive('@requires(fields: "personIds")')
  @FieldResolver(() => HousingReportConnection, {
    nullable: true,
    description: "Reports of anti-social behaviour the person made to housing, newest first.",
  })
  async housingReports(
    @Root() person: Person,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<HousingReport>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.housingReportsByPerson.load({
      parentId: person.id,
      personIds: personIdsOf(person),
      ...page,
    });
    return toConnection(result.items, result.totalCount, page);
  }
}
