import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { Role } from "../../shared/enums";
import { Changes, Governed } from "../../shared/policy";
import type { PartnershipLoaders } from "../loaders";
import {
  decidePersonMatch,
  PersonMatchReview,
  PersonMatchReviewConnection,
  PersonMatchReviewRepository,
  PersonMatchStatus,
  REVIEW_DECIDED,
} from "../matching/review";
import { Person } from "../types";

type Context = RequestContext<PartnershipLoaders>;

const DSO = { roles: [Role.DATA_SHARING_OFFICER], personLevel: true } as const;

@Resolver(() => PersonMatchReview)
export class PersonMatchReviewResolver {
  @Governed(DSO)
  @Query(() => PersonMatchReviewConnection, {
    description:
      "The people matcher's review queue of the caller's agency, oldest first: its records that may be a person already " +
      "in the index. For its data-sharing officers.",
  })
  async personMatchReviews(
    @Arg("status", () => PersonMatchStatus, {
      nullable: true,
      description: "Which reviews (default PENDING: those waiting for a decision).",
    })
    status: PersonMatchStatus | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<PersonMatchReview>> {
    const page = pageRequest(first, after);
    const result = await new PersonMatchReviewRepository(ctx.sql).page(
      ctx.caller.agencyId,
      status ?? PersonMatchStatus.PENDING,
      page,
    );
    return toConnection(result.items, result.totalCount, page);
  }

  @Governed(DSO)
  @Changes(PersonMatchReview, REVIEW_DECIDED)
  @Mutation(() => PersonMatchReview, {
    description:
      "Confirms a queued match: the record's reference is linked to the candidate person. A data-sharing officer of the " +
      "agency whose record it is, with a note; audited.",
  })
  confirmPersonMatch(
    @Arg("id", () => ID, { description: "The review's id." }) id: string,
    @Arg("note", () => String, { description: "Why they are the same person; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<PersonMatchReview> {
    return decidePersonMatch(ctx, id, true, note);
  }

  @Governed(DSO)
  @Changes(PersonMatchReview, REVIEW_DECIDED)
  @Mutation(() => PersonMatchReview, {
    description:
      "Rejects a queued match: the record keeps the person of its own the matcher gave it. A data-sharing officer of the " +
      "agency whose record it is, with a note; audited.",
  })
  rejectPersonMatch(
    @Arg("id", () => ID, { description: "The review's id." }) id: string,
    @Arg("note", () => String, { description: "Why they are not the same person; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<PersonMatchReview> {
    return decidePersonMatch(ctx, id, false, note);
  }

  @FieldResolver(() => Person, { nullable: true, description: "The person in the index the record may be." })
  candidate(@Root() review: PersonMatchReview, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.loaders.personById.load(review.candidatePersonId);
  }

  @FieldResolver(() => Person, {
    nullable: true,
    description: "The person the record has meanwhile (and keeps when rejected).",
  })
  provisionalPerson(@Root() review: PersonMatchReview, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.loaders.personById.load(review.provisionalPersonId);
  }
}
