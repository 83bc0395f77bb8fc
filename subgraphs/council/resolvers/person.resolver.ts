import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { personIdsOf } from "../../shared/loaders";
import type { CouncilLoaders } from "../loaders";
import { AsbCase, AsbCaseConnection, Person } from "../types";

@Resolver(() => Person)
export class PersonAsbCasesResolver {
  // Loaded by whose records are the person's, as the people index says (merges, issue 20).
  @Directive('@requires(fields: "personIds")')
  @FieldResolver(() => AsbCaseConnection, {
    nullable: true,
    description: "ASB cases the person is a party to, most recently opened first.",
  })
  async asbCases(
    @Root() person: Person,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: RequestContext<CouncilLoaders>,
  ): Promise<Connection<AsbCase>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.asbCasesByPerson.load({
      parentId: person.id,
      personIds: personIdsOf(person),
      ...page,
    });
    return toConnection(result.items, result.totalCount, page);
  }
}
