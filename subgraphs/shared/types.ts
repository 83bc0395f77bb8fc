import { Directive, Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DataCategory } from "./enums";
import { Part, Reference } from "./policy";

/** The governance subgraph owns agencies; others only point at them by id. */
@Directive('@key(fields: "id", resolvable: false)')
@Reference()
@ObjectType("Agency", {
  description: "A partner agency: police, council, youth services, housing or another.",
})
export class AgencyRef {
  @Field(() => ID, { description: "Agency id, e.g. `police`." })
  id!: string;
}

export const agencyRef = (id: string): AgencyRef => Object.assign(new AgencyRef(), { id });

@Directive("@shareable")
@Part()
@ObjectType({ description: "Where something happened, to street level as police.uk publishes it." })
export class Location {
  @Field(() => String, { nullable: true, description: "Street description, e.g. 'On or near Old Square'." })
  street!: string | null;

  @Field(() => String, { nullable: true, description: "LSOA code of the neighbourhood." })
  lsoaCode!: string | null;

  @Field(() => Float, { nullable: true, description: "Latitude (WGS84)." })
  latitude!: number | null;

  @Field(() => Float, { nullable: true, description: "Longitude (WGS84)." })
  longitude!: number | null;
}

@Directive("@shareable")
@Part()
@ObjectType({ description: "Relay-style page information." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether more items follow this page." })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: "Cursor of the last item of this page." })
  endCursor!: string | null;
}

@Directive("@shareable")
@Part()
@ObjectType({
  description:
    "Records withheld from a list by the access rules, per owner agency and category, with whom to ask. " +
    "Only shown where an active agreement for the purpose exists between the two agencies.",
})
export class RestrictedRecords {
  // Nullable: the agency's name comes from governance, and its outage must not take the list
  // these records were withheld from (released and audited by their owner) down with it.
  @Field(() => AgencyRef, {
    nullable: true,
    description:
      "The agency that holds the withheld records; null only when the governance service cannot name it.",
  })
  agency!: AgencyRef;

  @Field(() => DataCategory, { description: "The category that was not covered." })
  category!: DataCategory;

  @Field(() => Int, { description: "How many records were withheld." })
  count!: number;

  @Field(() => String, { description: "Whom to contact to request access." })
  contact!: string;
}

@Directive("@shareable")
@Part()
@ObjectType({
  description:
    "A month's total, a cell of its own: all the month's records counted and perturbed by the cell-key method, not the sum of the month's perturbed cells (additivity is given up so that a total minus the cells shown is noise, not a count).",
})
export class MonthlyCount {
  @Field(() => String, { description: "Month, YYYY-MM." })
  month!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      "The released total: the true total plus fixed noise of at most 5 either way, never 1 to 4 (a month released as 0 is left out). Not null.",
  })
  count!: number | null;

  @Field(() => Boolean, {
    description: "Always false: counts are perturbed (cell-key method), never withheld.",
    deprecationReason:
      "Always false since disclosure control moved to perturbation (the cell-key method): a count is never withheld. Read `count` alone.",
  })
  suppressed = false;
}
