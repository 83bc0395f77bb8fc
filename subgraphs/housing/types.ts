import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType } from "../shared/connection";
import { DataCategory } from "../shared/enums";
import { Aggregate, Category, PeopleIndex, Reference } from "../shared/policy";
import { CalendarDate, DateTime } from "../shared/scalars";

/** Where a tenancy stands. */
export enum TenancyStatus {
  ACTIVE = "ACTIVE",
  AT_RISK = "AT_RISK",
  ENDED = "ENDED",
}
registerEnumType(TenancyStatus, {
  name: "TenancyStatus",
  description: "Where a tenancy stands.",
  valuesConfig: {
    ACTIVE: { description: "A current tenancy with no possession proceedings." },
    AT_RISK: {
      description:
        "A current tenancy that housing is taking steps to end or to save (notice, order, arrears).",
    },
    ENDED: {
      description: "The tenancy has ended: surrender, transfer, eviction or death; `endDate` says when.",
    },
  },
});

/** The legal form of a tenancy. */
export enum Tenure {
  SECURE = "SECURE",
  INTRODUCTORY = "INTRODUCTORY",
  ASSURED = "ASSURED",
  PRIVATE_RENTED = "PRIVATE_RENTED",
}
registerEnumType(Tenure, {
  name: "Tenure",
  description: "The legal form of a tenancy.",
  valuesConfig: {
    SECURE: { description: "A council secure tenancy (Housing Act 1985)." },
    INTRODUCTORY: {
      description: "A council trial tenancy for the first twelve months, easier to end for ASB.",
    },
    ASSURED: { description: "A housing association assured tenancy (Housing Act 1988)." },
    PRIVATE_RENTED: { description: "A privately rented home housing has placed or manages a tenant in." },
  },
});

/** How much rent the household owes, banded so exact sums are not shared. */
export enum ArrearsBand {
  NONE = "NONE",
  UNDER_250 = "UNDER_250",
  FROM_250_TO_999 = "FROM_250_TO_999",
  FROM_1000_TO_2499 = "FROM_1000_TO_2499",
  OVER_2500 = "OVER_2500",
}
registerEnumType(ArrearsBand, {
  name: "ArrearsBand",
  description: "How much rent the household owes, banded so that exact sums are never shared.",
  valuesConfig: {
    NONE: { description: "The rent account is up to date." },
    UNDER_250: { description: "Less than £250 owed." },
    FROM_250_TO_999: { description: "£250 to £999 owed." },
    FROM_1000_TO_2499: { description: "£1,000 to £2,499 owed." },
    OVER_2500: { description: "£2,500 or more owed." },
  },
});

/** A person's place in a tenancy. */
export enum OccupantRole {
  TENANT = "TENANT",
  JOINT_TENANT = "JOINT_TENANT",
  HOUSEHOLD_MEMBER = "HOUSEHOLD_MEMBER",
}
registerEnumType(OccupantRole, {
  name: "OccupantRole",
  description: "A person's place in a tenancy.",
  valuesConfig: {
    TENANT: { description: "The named tenant, responsible for the tenancy." },
    JOINT_TENANT: { description: "A second named tenant, jointly responsible." },
    HOUSEHOLD_MEMBER: {
      description: "Lives in the home (a child, partner or relative) without being a tenant.",
    },
  },
});

/** Steps housing takes on a tenancy, from a warning to eviction, and support to keep the home. */
export enum TenancyActionType {
  WARNING = "WARNING",
  NOTICE_OF_SEEKING_POSSESSION = "NOTICE_OF_SEEKING_POSSESSION",
  POSSESSION_ORDER = "POSSESSION_ORDER",
  EVICTION = "EVICTION",
  SUSTAINMENT_SUPPORT = "SUSTAINMENT_SUPPORT",
}
registerEnumType(TenancyActionType, {
  name: "TenancyActionType",
  description: "Steps housing takes on a tenancy, from a warning to eviction, and support to keep the home.",
  valuesConfig: {
    WARNING: { description: "A verbal or written warning about conduct or rent." },
    NOTICE_OF_SEEKING_POSSESSION: {
      description: "A notice of seeking possession (NOSP) served: the first legal step to end the tenancy.",
    },
    POSSESSION_ORDER: { description: "The county court granted a possession order (outright or suspended)." },
    EVICTION: { description: "Bailiffs executed a warrant: the household lost the home." },
    SUSTAINMENT_SUPPORT: {
      description: "Tenancy sustainment support: money advice, a support worker, a referral.",
    },
  },
});

@Directive('@key(fields: "id")')
@PeopleIndex()
@ObjectType({
  description:
    "A person in the partnership's people index; housing adds their tenancies and housing reports.",
})
export class Person {
  @Field(() => ID, { description: "Partnership person id." })
  id!: string;

  // The people index's (partnership's): whose records are this person's, so a merged person's are listed here.
  @Directive("@external")
  @Field(() => [ID], {
    nullable: true,
    description:
      "The partnership person ids whose records are this person's (itself and those merged into it).",
  })
  personIds?: string[] | null;
}

export const personRef = (id: string): Person => Object.assign(new Person(), { id });

@Directive('@key(fields: "id")')
// Addresses of homes are tenancy data: who lives where.
@Category(DataCategory.TENANCY)
@ObjectType({
  description: "A home housing manages, identified by its Unique Property Reference Number (UPRN).",
})
export class Property {
  @Field(() => ID, { description: "Property id." })
  id!: string;

  @Field(() => String, {
    description: "Unique Property Reference Number: 12 digits, as the national address gazetteer gives it.",
  })
  uprn!: string;

  @Field(() => String, { description: "Postal address, e.g. 'Flat 12, Golden Lane Estate'." })
  address!: string;

  @Field(() => String, { nullable: true, description: "LSOA code of the neighbourhood the property is in." })
  lsoaCode!: string | null;

  @Field(() => Float, { nullable: true, description: "Latitude (WGS84)." })
  latitude!: number | null;

  @Field(() => Float, { nullable: true, description: "Longitude (WGS84)." })
  longitude!: number | null;
}

@ObjectType({ description: "A person living in a tenancy and their place in it." })
@Category(DataCategory.TENANCY)
export class TenancyOccupant {
  @Field(() => OccupantRole, { description: "Tenant, joint tenant or household member." })
  role!: OccupantRole;

  @Field(() => Person, { nullable: true, description: "Who lives there." })
  person!: Person | null;
}

@ObjectType({ description: "An enforcement or support step housing took on a tenancy." })
@Category(DataCategory.TENANCY)
export class TenancyAction {
  @Field(() => ID, { description: "Tenancy action id." })
  id!: string;

  @Field(() => TenancyActionType, { description: "What was done." })
  type!: TenancyActionType;

  @Field(() => DateTime, { description: "When it was done." })
  takenAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: "The housing officer's note, e.g. the ground a notice was served on.",
  })
  note!: string | null;

  /** Not exposed: which tenancy, for grouping per parent. */
  tenancyId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "A tenancy of one property: who lives there, on what terms, and what housing has done about it.",
})
// About its liable tenants (tenant and joint tenants), whose consent it needs; it names the household
// members who live there too, so its audit names every occupant.
@Category(DataCategory.TENANCY, {
  subjects: (t: { subjectIds?: string[] }) => t.subjectIds ?? [],
  names: (t: { occupantIds?: string[] }) => t.occupantIds ?? [],
})
export class Tenancy {
  /** Not exposed: the liable tenants, whom the record is about (the access rules read it). */
  subjectIds!: string[];

  /** Not exposed: everyone who lives there, in any role (the audit names them). */
  occupantIds!: string[];

  @Field(() => ID, { description: "Tenancy id." })
  id!: string;

  @Field(() => TenancyStatus, { description: "Active, at risk or ended." })
  status!: TenancyStatus;

  @Field(() => Tenure, { description: "The legal form of the tenancy." })
  tenure!: Tenure;

  @Field(() => CalendarDate, { description: "When the tenancy began." })
  startDate!: string;

  @Field(() => CalendarDate, { nullable: true, description: "When the tenancy ended; null while it runs." })
  endDate!: string | null;

  @Category(DataCategory.FINANCIAL)
  @Field(() => ArrearsBand, {
    nullable: true,
    description:
      "How much rent is owed, banded; null where housing does not collect the rent (private rented).",
  })
  arrearsBand!: ArrearsBand | null;

  /** Not exposed: resolved to `property` through a loader. */
  propertyId!: string;
}

export const TenancyConnection = ConnectionType(Tenancy, "Tenancy", "A page of tenancies.");

@Directive('@key(fields: "id")')
@ObjectType({ description: "A report of anti-social behaviour a tenant made to their housing officer." })
@Category(DataCategory.TENANCY, { subjects: (r: { person: { id: string } }) => [r.person.id] })
export class HousingReport {
  @Field(() => ID, { description: "Housing report id." })
  id!: string;

  @Field(() => Person, { description: "The tenant who made the report." })
  person!: Person;

  @Field(() => DateTime, { description: "When the report was made." })
  reportedAt!: Date;

  @Field(() => String, { description: "What the tenant reported, in the housing officer's words." })
  description!: string;

  /** Not exposed: resolved to `property` through a loader. */
  propertyId!: string;
}

export const HousingReportConnection = ConnectionType(
  HousingReport,
  "HousingReport",
  "A page of housing reports.",
);

@ObjectType({ description: "Tenancy actions of one type in one neighbourhood and month." })
@Aggregate()
export class TenancyActionStat {
  @Field(() => String, { description: "Month the actions were taken, YYYY-MM." })
  month!: string;

  @Field(() => TenancyActionType, { description: "Kind of action." })
  type!: TenancyActionType;

  @Field(() => Int, {
    nullable: true,
    description:
      "Released by the cell-key method: the true count plus fixed noise of at most 5 either way, never 1 to 4 (a cell released as 0 is left out). Not null.",
  })
  count!: number | null;

  @Field(() => Boolean, {
    description: "Always false: counts are perturbed (cell-key method), never withheld.",
    deprecationReason:
      "Always false since disclosure control moved to perturbation (the cell-key method): a count is never withheld. Read `count` alone.",
  })
  suppressed = false;
}

@Directive('@key(fields: "code")')
@Reference()
@ObjectType({ description: "A neighbourhood (2011 LSOA); housing adds monthly tenancy action counts." })
export class Neighbourhood {
  @Field(() => String, { description: "LSOA code, e.g. E01000001." })
  code!: string;
}
