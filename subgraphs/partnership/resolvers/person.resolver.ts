import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { pageRequest, toConnection, type Connection } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import { DataCategory } from "../../shared/enums";
import { Category, Changes, Governed } from "../../shared/policy";
import { CalendarDate } from "../../shared/scalars";
import { DATA_PROTECTION_OFFICER } from "../../shared/data-protection";
import { PERSON_RECTIFIED, rectifyPerson } from "../rectification";
import { agencyRef } from "../../shared/types";
import { ageBandOn, today } from "../calendar";
import type { PartnershipLoaders } from "../loaders";
import {
  AgeBand,
  AgencyReference,
  Person,
  PersonConnection,
  PersonIdentityChange,
  RectifyPersonInput,
} from "../types";

type Context = RequestContext<PartnershipLoaders>;

@Resolver(() => Person)
export class PersonResolver {
  @Query(() => Person, {
    nullable: true,
    description: "One person from the partnership's people index, by id.",
  })
  person(
    @Arg("id", () => ID, { description: "Partnership person id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Person | null> {
    return ctx.loaders.personById.load(id);
  }

  @Query(() => PersonConnection, {
    description:
      "People in the index, by family name; optionally only those whose name starts with `search`, born on " +
      "`dateOfBirth`, or known to the caller's agency by `reference` (every filter given must match).",
  })
  async people(
    @Arg("search", () => String, {
      nullable: true,
      description: "Start of a given name, family name or full name ('Given Family'); case does not matter.",
    })
    search: string | null,
    @Arg("dateOfBirth", () => CalendarDate, { nullable: true, description: "Date of birth, exactly." })
    dateOfBirth: Date | null,
    @Arg("reference", () => String, {
      nullable: true,
      description:
        "The caller's own agency's reference for the person, exactly (e.g. a police nominal). Another agency's " +
        "reference finds no one: how an agency refers to a person is that agency's data.",
    })
    reference: string | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size (at most 500; default 50)." })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<Connection<Person>> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.people.search(
      {
        name: search?.trim() || null,
        dateOfBirth: dateOfBirth ? dateOfBirth.toISOString().slice(0, 10) : null,
        // Only the caller's own references are searched, so a match discloses nothing it does not hold.
        reference: reference?.trim() ? { agencyId: ctx.caller.agencyId, reference: reference.trim() } : null,
      },
      page,
    );
    return toConnection(result.items, result.totalCount, page);
  }

  @Category(DataCategory.IDENTITY)
  @FieldResolver(() => AgeBand, {
    nullable: true,
    description: "Age band today, from the date of birth; null when that is unknown.",
  })
  ageBand(@Root() person: Person): AgeBand | null {
    return person.dateOfBirth ? ageBandOn(person.dateOfBirth, today()) : null;
  }

  @Category(DataCategory.IDENTITY)
  @FieldResolver(() => [AgencyReference], {
    nullable: true,
    description: "Each agency's own reference for the person, where it has one.",
  })
  async references(@Root() person: Person, @Ctx() ctx: Context): Promise<AgencyReference[]> {
    const rows = await ctx.loaders.referencesByPerson.load(person.id);
    return rows.map((r) => ({ agency: agencyRef(r.agencyId), reference: r.reference }));
  }

  @Category(DataCategory.IDENTITY)
  @FieldResolver(() => Person, {
    nullable: true,
    description:
      "The person this one was merged into (mergePeople), while the merge is in force: its records are listed there. " +
      "Null for a person not merged into another.",
  })
  mergedInto(@Root() person: Person, @Ctx() ctx: Context): Promise<Person | null> | null {
    return person.mergedIntoId ? ctx.loaders.personById.load(person.mergedIntoId) : null;
  }

  @Governed(DATA_PROTECTION_OFFICER)
  @FieldResolver(() => [PersonIdentityChange], {
    nullable: true,
    description:
      "What the person's identity was before each rectification, oldest first. Data-sharing officers of an agency that " +
      "holds records about the person, under DATA_PROTECTION only.",
  })
  identityHistory(@Root() person: Person, @Ctx() ctx: Context): Promise<PersonIdentityChange[]> {
    return ctx.loaders.identityHistoryByPerson.load(person.id);
  }

  @Governed(DATA_PROTECTION_OFFICER)
  @Changes(Person, PERSON_RECTIFIED)
  @Mutation(() => Person, {
    description:
      "Rectification: corrects a person's name or date of birth in the people index, with the evidence; the values replaced " +
      "are kept in identityHistory. A data-sharing officer of an agency that holds records about the person, under " +
      "DATA_PROTECTION; audited.",
  })
  async rectifyPerson(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("input", () => RectifyPersonInput, { description: "The correction and its evidence." })
    input: RectifyPersonInput,
    @Ctx() ctx: Context,
  ): Promise<Person> {
    await rectifyPerson(ctx, personId, input);
    const [person] = await ctx.loaders.people.findByIds([personId]);
    return person;
  }
}
