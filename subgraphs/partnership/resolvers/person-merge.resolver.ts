import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { Role } from "../../shared/enums";
import { Changes, Creates, Governed } from "../../shared/policy";
import type { PartnershipLoaders } from "../loaders";
import {
  MERGE_MERGED,
  MERGE_SPLIT,
  MERGE_SURVIVOR,
  mergePeople,
  PersonMerge,
  splitPerson,
} from "../matching/merge";
import { Person } from "../types";

type Context = RequestContext<PartnershipLoaders>;

const DSO = { roles: [Role.DATA_SHARING_OFFICER], personLevel: true } as const;

@Resolver(() => PersonMerge)
export class PersonMergeResolver {
  @Governed(DSO)
  @Changes(Person, MERGE_SURVIVOR)
  @Changes(Person, MERGE_MERGED)
  @Creates(PersonMerge)
  @Mutation(() => PersonMerge, {
    description:
      "Merges two people in the index found to be one: the merged person's records at every agency are listed under the " +
      "survivor (each still decided by its own owner and its own subjects' consents), and the merged person resolves with " +
      "mergedInto. Nothing is rewritten: splitPerson undoes it exactly. A data-sharing officer of an agency that holds " +
      "a reference of each person, with a note; audited.",
  })
  mergePeople(
    @Arg("survivorId", () => ID, { description: "The person who stays." }) survivorId: string,
    @Arg("mergedId", () => ID, { description: "The person merged into the survivor." }) mergedId: string,
    @Arg("note", () => String, { description: "Why they are the same person; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<PersonMerge> {
    return mergePeople(ctx, survivorId, mergedId, note);
  }

  @Governed(DSO)
  @Changes(PersonMerge, MERGE_SPLIT)
  @Mutation(() => PersonMerge, {
    description:
      "Splits a merge in force: both people are again separate, with exactly their own records. By the merge's id, or " +
      "the merged person's id. A data-sharing officer of an agency that holds a reference of both people, with a note; " +
      "audited.",
  })
  splitPerson(
    @Arg("id", () => ID, { description: "The merge's id, or the id of the person merged into another." })
    id: string,
    @Arg("note", () => String, { description: "Why they are not the same person; required." }) note: string,
    @Ctx() ctx: Context,
  ): Promise<PersonMerge> {
    return splitPerson(ctx, id, note);
  }

  @FieldResolver(() => Person, { nullable: true, description: "The person who stays." })
  survivor(@Root() merge: PersonMerge, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.loaders.personById.load(merge.survivorId);
  }

  @FieldResolver(() => Person, { nullable: true, description: "The person merged into the survivor." })
  merged(@Root() merge: PersonMerge, @Ctx() ctx: Context): Promise<Person | null> {
    return ctx.loaders.personById.load(merge.mergedId);
  }
}
