import { Arg, Ctx, Directive, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { personIdsOf } from "../../shared/loaders";
import type { YouthLoaders } from "../loaders";
import { Enrolment, EnrolmentConnection, Person, Referral, ReferralConnection } from "../types";

type Context = RequestContext<YouthLoaders>;

@Resolver(() => Person)
export class PersonYouthResolver {
  // Loaded by whose records are the person's, as the people index says (merges, issue 20).
  @Directive('@requires(fields: "personIds")')
  @FieldResolver(() => EnrolmentConnection, {
    nullable: true,
    description: "The person's school enrolments, latest first.",
  })
  async enrolments(
    @Root() person: Person,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<Enrolment>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.enrolmentsByPerson.load({
      parentId: person.id,
      personIds: personIdsOf(person),
      ...page,
    });
    return toConnection(result.items, result.totalCount, page);
  }

  // Loaded by whose records are the person's, as the people index says (merges, issue 20).
  @Directive('@requires(fields: "personIds")')
  @FieldResolver(() => ReferralConnection, {
    nullable: true,
    description: "The person's referrals to youth programmes, newest first.",
  })
  async referrals(
    @Root() person: Person,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<Referral>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.referralsByPerson.load({
      parentId: person.id,
      personIds: personIdsOf(person),
      ...page,
    });
    return toConnection(result.items, result.totalCount, page);
  }
}
