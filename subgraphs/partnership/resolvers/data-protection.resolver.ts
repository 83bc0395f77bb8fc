import { Arg, Ctx, Directive, Field, ID, Int, Mutation, ObjectType, Resolver } from "type-graphql";
import { GraphQLError } from "graphql";
import type { RequestContext } from "../../shared/context";
import { HeldRecord, HeldRecordKey } from "../../shared/data-protection";
import { Purpose, Role } from "../../shared/enums";
import { Changes, Governed, Part } from "../../shared/policy";
import { forgetAtAgency } from "../repositories/people";

@Directive("@shareable")
@Directive("@inaccessible")
@Part()
@ObjectType({
  description: "What the people index forgot after an agency's erasure (internal: data protection).",
})
export class PersonForgotten {
  @Field(() => Int, { description: "Case links and report index entries removed." })
  unlinked!: number;

  @Field(() => Boolean, {
    description: "Whether the person's index entry was anonymised (no agency holds anything).",
  })
  anonymised!: boolean;
}

/**
 * The people index's part in an erasure, asked by governance as the DSO once the agency's own
 * store has erased its records. Internal (@inaccessible); the caller must be a DSO of the agency
 * named, under DATA_PROTECTION (declared: @Changes of that agency's holdings).
 */
@Resolver()
export class DataProtectionResolver {
  @Directive("@inaccessible")
  @Governed({ roles: [Role.DATA_SHARING_OFFICER], purposes: [Purpose.DATA_PROTECTION], personLevel: true })
  @Changes(HeldRecord, {
    find: (args: { agencyId: string }) => ({ ownerAgencyId: args.agencyId }),
    unknown: () => new GraphQLError("no such holdings", { extensions: { code: "NOT_FOUND" } }),
  })
  @Mutation(() => PersonForgotten, {
    name: "_forgetHeld",
    description:
      "Internal (data protection): drops links to an agency's erased records, and its reference for the person when it " +
      "keeps nothing; anonymises the person once every agency has erased what it held. One transaction.",
  })
  forgetHeld(
    @Arg("agencyId", () => ID, { description: "The agency that erased." }) agencyId: string,
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("deleted", () => [HeldRecordKey], { description: "Records the agency deleted altogether." })
    deleted: HeldRecordKey[],
    @Arg("dropReference", () => Boolean, { description: "The agency keeps nothing about the person." })
    dropReference: boolean,
    @Arg("anonymise", () => Boolean, {
      description: "Every agency has erased what it held: anonymise the entry.",
    })
    anonymise: boolean,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<PersonForgotten> {
    return ctx.sql
      .transaction((tx) => forgetAtAgency(tx, agencyId, personId, deleted, dropReference, anonymise))
      .then((f) => Object.assign(new PersonForgotten(), f));
  }
}
