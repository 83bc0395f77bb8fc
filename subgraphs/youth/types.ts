import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType } from "../shared/connection";
import { DataCategory } from "../shared/enums";
import { ChangedBy, Aggregate, Category, PeopleIndex, Reference } from "../shared/policy";
import { YOUTH_SERVICES } from "./access";
import { CalendarDate, DateTime } from "../shared/scalars";
import { AgencyRef } from "../shared/types";

/** What stage of education a school serves. */
export enum SchoolPhase {
  PRIMARY = "PRIMARY",
  SECONDARY = "SECONDARY",
  ALL_THROUGH = "ALL_THROUGH",
  PUPIL_REFERRAL_UNIT = "PUPIL_REFERRAL_UNIT",
}
registerEnumType(SchoolPhase, {
  name: "SchoolPhase",
  description: "What stage of education a school serves.",
  valuesConfig: {
    PRIMARY: { description: "Reception to Year 6 (ages 4 to 11)." },
    SECONDARY: { description: "Year 7 to Year 11, with or without a sixth form (ages 11 to 18)." },
    ALL_THROUGH: { description: "Reception to Year 11 or beyond in one school." },
    PUPIL_REFERRAL_UNIT: {
      description: "Alternative provision for pupils who cannot attend a mainstream school.",
    },
  },
});

/** What a youth programme offers. */
export enum ProgrammeKind {
  DIVERSION = "DIVERSION",
  SPORT = "SPORT",
  MENTORING = "MENTORING",
  ARTS = "ARTS",
  DETACHED_YOUTH_WORK = "DETACHED_YOUTH_WORK",
}
registerEnumType(ProgrammeKind, {
  name: "ProgrammeKind",
  description: "What a youth programme offers.",
  valuesConfig: {
    DIVERSION: {
      description: "Structured work to divert a young person from offending or anti-social behaviour.",
    },
    SPORT: { description: "Regular sport sessions, often in the evenings when nuisance peaks." },
    MENTORING: { description: "One-to-one support from a trained mentor." },
    ARTS: { description: "Music, drama, media and other creative projects." },
    DETACHED_YOUTH_WORK: {
      description: "Youth workers meeting young people where they gather, on the street.",
    },
  },
});

/** Where a referral is in its life. */
export enum ReferralStatus {
  REFERRED = "REFERRED",
  ACCEPTED = "ACCEPTED",
  ACTIVE = "ACTIVE",
  COMPLETED = "COMPLETED",
  DECLINED = "DECLINED",
  WITHDRAWN = "WITHDRAWN",
}
registerEnumType(ReferralStatus, {
  name: "ReferralStatus",
  description:
    "Where a referral is in its life: REFERRED, then ACCEPTED or DECLINED, then ACTIVE, then COMPLETED; " +
    "WITHDRAWN at any point before it ends.",
  valuesConfig: {
    REFERRED: { description: "Sent to the programme, not yet assessed." },
    ACCEPTED: { description: "The programme has accepted the young person." },
    ACTIVE: { description: "The young person is taking part." },
    COMPLETED: { description: "The young person finished the programme." },
    DECLINED: { description: "The programme did not accept the referral." },
    WITHDRAWN: { description: "Withdrawn by the referrer, the young person or their family." },
  },
});

/** The moves a referral may make; COMPLETED, DECLINED and WITHDRAWN are final. */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  REFERRED: [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN],
  ACCEPTED: [ReferralStatus.ACTIVE, ReferralStatus.WITHDRAWN],
  ACTIVE: [ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN],
  COMPLETED: [],
  DECLINED: [],
  WITHDRAWN: [],
};

@Directive('@key(fields: "id")')
@PeopleIndex()
@ObjectType({
  description: "A person in the partnership's people index; youth services add enrolments and referrals.",
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

@Directive('@key(fields: "code")')
@Reference()
@ObjectType({ description: "A neighbourhood (2011 LSOA); youth services add monthly referral counts." })
export class Neighbourhood {
  @Field(() => String, { description: "LSOA code, e.g. E01000001." })
  code!: string;
}

@Directive('@key(fields: "id")')
@Reference()
@ObjectType({ description: "A school or pupil referral unit in the partnership's area." })
export class School {
  @Field(() => ID, { description: "School id." })
  id!: string;

  @Field(() => String, {
    description: "The DfE Unique Reference Number: six digits, as Get Information About Schools lists it.",
  })
  urn!: string;

  @Field(() => String, { description: "The school's name." })
  name!: string;

  @Field(() => SchoolPhase, { description: "What stage of education it serves." })
  phase!: SchoolPhase;

  @Field(() => String, { description: "LSOA code of the neighbourhood the school is in." })
  lsoaCode!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description: "A pupil on a school's roll for one academic year, with attendance and suspensions.",
})
// About the pupil.
@Category(DataCategory.EDUCATION, { subjects: (e: { person: { id: string } }) => [e.person.id] })
export class Enrolment {
  @Field(() => ID, { description: "Enrolment id." })
  id!: string;

  @Field(() => School, { description: "The school." })
  school!: School;

  /** The school's id; the `school` field loads it. */
  schoolId!: string;

  @Field(() => Int, { description: "National curriculum year group: 0 for Reception, then 1 to 13." })
  yearGroup!: number;

  @Field(() => String, { description: "Academic year, e.g. 2018/19." })
  academicYear!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      "Share of possible sessions attended, 0 to 1; below 0.9 is persistent absence. Null when not yet recorded.",
  })
  attendanceRate!: number | null;

  @Field(() => Int, { description: "Fixed-period suspensions in the academic year." })
  suspensions!: number;

  @Field(() => CalendarDate, { description: "When the pupil joined the school." })
  startedOn!: string;

  @Field(() => CalendarDate, { nullable: true, description: "When the pupil left; null while on roll." })
  leftOn!: string | null;

  @Field(() => Person, { description: "The pupil." })
  person!: Person;
}

export const EnrolmentConnection = ConnectionType(
  Enrolment,
  "Enrolment",
  "A page of school enrolments, latest first.",
);

@Directive('@key(fields: "id")')
@Reference()
@ObjectType({ description: "A youth programme that young people can be referred to." })
export class Programme {
  @Field(() => ID, { description: "Programme id." })
  id!: string;

  @Field(() => String, { description: "The programme's name." })
  name!: string;

  @Field(() => ProgrammeKind, { description: "What it offers." })
  kind!: ProgrammeKind;

  @Field(() => String, { description: "Who runs it: the youth service or a commissioned provider." })
  provider!: string;

  @Field(() => Int, {
    nullable: true,
    description: "Youngest age accepted, in years; null when there is no lower limit.",
  })
  minimumAge!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "Oldest age accepted, in years; null when there is no upper limit.",
  })
  maximumAge!: number | null;
}

@ObjectType({ description: "One step in a referral's life." })
@Category(DataCategory.YOUTH_PROGRAMME)
export class ReferralStatusChange {
  @Field(() => ReferralStatus, { description: "The status the referral moved to." })
  status!: ReferralStatus;

  @Field(() => DateTime, { description: "When." })
  at!: Date;

  @Field(() => String, { nullable: true, description: "The worker's note on the change, if any." })
  note!: string | null;

  /** The referral it belongs to; not exposed. */
  referralId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A young person referred to a youth programme, and what became of it." })
// About the young person referred.
@Category(DataCategory.YOUTH_PROGRAMME, { subjects: (r: { person: { id: string } }) => [r.person.id] })
// Who may move it on (updateReferralStatus).
@ChangedBy(YOUTH_SERVICES)
export class Referral {
  @Field(() => ID, { description: "Referral id." })
  id!: string;

  @Field(() => ReferralStatus, { description: "Where the referral is now: the latest step of its history." })
  status!: ReferralStatus;

  @Field(() => String, { description: "Why the young person was referred, in the referrer's words." })
  reason!: string;

  @Field(() => DateTime, { description: "When the referral was made." })
  referredAt!: Date;

  @Field(() => AgencyRef, { nullable: true, description: "The agency that made the referral." })
  referredByAgency!: AgencyRef | null;

  // Read with the referral in the same statement: the programme catalogue is small.
  @Field(() => Programme, { description: "The programme referred to." })
  programme!: Programme;

  @Field(() => Person, { description: "The young person referred." })
  person!: Person;

  @Field(() => [ReferralStatusChange], { description: "Every status the referral has had, oldest first." })
  statusHistory!: ReferralStatusChange[];
}

export const ReferralConnection = ConnectionType(
  Referral,
  "Referral",
  "A page of youth programme referrals, newest first.",
);

@InputType({ description: "A referral of a young person to a youth programme." })
export class ReferralInput {
  @Field(() => ID, { description: "The young person (partnership person id)." })
  personId!: string;

  @Field(() => ID, { description: "The programme to refer to." })
  programmeId!: string;

  @Field(() => String, { description: "Why: what the referrer hopes the programme will help with." })
  reason!: string;
}

@ObjectType({ description: "Referrals to programmes of one kind from one neighbourhood in one month." })
@Aggregate()
export class ReferralStat {
  @Field(() => String, { description: "Month referred, YYYY-MM." })
  month!: string;

  @Field(() => ProgrammeKind, { description: "Kind of programme." })
  kind!: ProgrammeKind;

  @Field(() => Int, {
    nullable: true,
    description:
      "How many referrals. Released by the cell-key method: the true count plus fixed noise of at most 5 either way, never 1 to 4 (a cell released as 0 is left out). Not null.",
  })
  count!: number | null;

  @Field(() => Boolean, {
    description: "Always false: counts are perturbed (cell-key method), never withheld.",
    deprecationReason:
      "Always false since disclosure control moved to perturbation (the cell-key method): a count is never withheld. Read `count` alone.",
  })
  suppressed = false;
}
