import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType } from "../shared/connection";
import { DataCategory, RiskLevel } from "../shared/enums";
import { Aggregate, Category, PeopleIndex, Reference } from "../shared/policy";
import { DateTime } from "../shared/scalars";
import { Location } from "../shared/types";

/** Where an ASB case is in the council's process. */
export enum AsbCaseStatus {
  OPEN = "OPEN",
  UNDER_INVESTIGATION = "UNDER_INVESTIGATION",
  ACTION_TAKEN = "ACTION_TAKEN",
  CLOSED = "CLOSED",
}
registerEnumType(AsbCaseStatus, {
  name: "AsbCaseStatus",
  description: "Where an ASB case is in the council's process.",
  valuesConfig: {
    OPEN: { description: "Reported and logged; not yet investigated." },
    UNDER_INVESTIGATION: { description: "An officer is gathering evidence." },
    ACTION_TAKEN: { description: "At least one intervention has been used." },
    CLOSED: { description: "The case is closed." },
  },
});

/** What kind of anti-social behaviour a case is about. */
export enum AsbCategory {
  NOISE = "NOISE",
  NEIGHBOUR_DISPUTE = "NEIGHBOUR_DISPUTE",
  VANDALISM_AND_GRAFFITI = "VANDALISM_AND_GRAFFITI",
  INTIMIDATION = "INTIMIDATION",
  DRUG_USE = "DRUG_USE",
  STREET_DRINKING = "STREET_DRINKING",
  YOUTH_NUISANCE = "YOUTH_NUISANCE",
  NUISANCE_VEHICLES = "NUISANCE_VEHICLES",
  FLY_TIPPING = "FLY_TIPPING",
}
registerEnumType(AsbCategory, {
  name: "AsbCategory",
  description: "What kind of anti-social behaviour a case is about.",
  valuesConfig: {
    NOISE: { description: "Persistent noise: music, parties, shouting, barking." },
    NEIGHBOUR_DISPUTE: { description: "A dispute between neighbours." },
    VANDALISM_AND_GRAFFITI: { description: "Damage to property, graffiti." },
    INTIMIDATION: { description: "Harassment, threats or intimidating behaviour." },
    DRUG_USE: { description: "Drug use or dealing in a public or shared place." },
    STREET_DRINKING: { description: "Drinking in the street and the nuisance around it." },
    YOUTH_NUISANCE: { description: "Nuisance by groups of young people." },
    NUISANCE_VEHICLES: { description: "Abandoned, dangerous or nuisance vehicles." },
    FLY_TIPPING: { description: "Waste dumped illegally." },
  },
});

/** A person's part in an ASB case. */
export enum AsbPartyRole {
  VICTIM = "VICTIM",
  COMPLAINANT = "COMPLAINANT",
  PERPETRATOR = "PERPETRATOR",
  WITNESS = "WITNESS",
}
registerEnumType(AsbPartyRole, {
  name: "AsbPartyRole",
  description: "A person's part in an ASB case.",
  valuesConfig: {
    VICTIM: { description: "Harmed by the behaviour." },
    COMPLAINANT: { description: "Reported the behaviour." },
    PERPETRATOR: { description: "Alleged to be responsible for the behaviour." },
    WITNESS: { description: "Saw or heard the behaviour." },
  },
});

/** The tools the council and partners use against ASB, from the lightest to the heaviest. */
export enum InterventionType {
  VERBAL_WARNING = "VERBAL_WARNING",
  WARNING_LETTER = "WARNING_LETTER",
  ACCEPTABLE_BEHAVIOUR_CONTRACT = "ACCEPTABLE_BEHAVIOUR_CONTRACT",
  COMMUNITY_PROTECTION_WARNING = "COMMUNITY_PROTECTION_WARNING",
  COMMUNITY_PROTECTION_NOTICE = "COMMUNITY_PROTECTION_NOTICE",
  CIVIL_INJUNCTION = "CIVIL_INJUNCTION",
  CLOSURE_ORDER = "CLOSURE_ORDER",
  CRIMINAL_BEHAVIOUR_ORDER = "CRIMINAL_BEHAVIOUR_ORDER",
}
registerEnumType(InterventionType, {
  name: "InterventionType",
  description: "The tools the council and partners use against ASB, in escalation order.",
  valuesConfig: {
    VERBAL_WARNING: { description: "A word from an officer." },
    WARNING_LETTER: { description: "A written warning." },
    ACCEPTABLE_BEHAVIOUR_CONTRACT: { description: "A voluntary written agreement to stop the behaviour." },
    COMMUNITY_PROTECTION_WARNING: { description: "A written warning before a community protection notice." },
    COMMUNITY_PROTECTION_NOTICE: { description: "A notice under the ASB, Crime and Policing Act 2014, s43." },
    CIVIL_INJUNCTION: { description: "A court injunction under the 2014 Act, Part 1." },
    CLOSURE_ORDER: { description: "A court order closing premises." },
    CRIMINAL_BEHAVIOUR_ORDER: { description: "An order made on conviction." },
  },
});

/** Where an intervention stands. */
export enum InterventionStatus {
  PROPOSED = "PROPOSED",
  ISSUED = "ISSUED",
  COMPLIED = "COMPLIED",
  BREACHED = "BREACHED",
  DISCHARGED = "DISCHARGED",
}
registerEnumType(InterventionStatus, {
  name: "InterventionStatus",
  description: "Where an intervention stands.",
  valuesConfig: {
    PROPOSED: { description: "Agreed as the next step; not yet issued." },
    ISSUED: { description: "Issued and in force." },
    COMPLIED: { description: "The person kept to its terms." },
    BREACHED: { description: "The person broke its terms." },
    DISCHARGED: { description: "Ended or lifted." },
  },
});

@Directive('@key(fields: "id")')
@PeopleIndex()
@ObjectType({ description: "A person in the partnership's people index; the council adds their ASB cases." })
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

@ObjectType({ description: "A person's part in an ASB case." })
@Category(DataCategory.ASB_CASE)
export class AsbParty {
  @Field(() => AsbPartyRole, { description: "Victim, complainant, perpetrator or witness." })
  role!: AsbPartyRole;

  @Field(() => Person, { description: "Who." })
  person!: Person;
}

@ObjectType({
  description: "An intervention used in an ASB case, such as a warning letter or an injunction.",
})
@Category(DataCategory.ASB_CASE)
export class Intervention {
  @Field(() => InterventionType, { description: "What kind of intervention." })
  type!: InterventionType;

  @Field(() => DateTime, { description: "When it was issued (or proposed, while still proposed)." })
  issuedAt!: Date;

  @Field(() => InterventionStatus, { description: "Where it stands." })
  status!: InterventionStatus;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "A council anti-social behaviour (ASB) case: what is happening, where, who is involved and what was done.",
})
// About its parties: where an agreement asks for consent, each must have given it.
@Category(DataCategory.ASB_CASE, { subjects: (c: { subjectIds?: string[] }) => c.subjectIds ?? [] })
export class AsbCase {
  /** Not exposed: the case's parties, whom the record is about (the access rules read it). */
  subjectIds!: string[];

  @Field(() => ID, { description: "ASB case id." })
  id!: string;

  @Field(() => String, { description: "The council's case reference, e.g. ASB/2019/000123." })
  reference!: string;

  @Field(() => AsbCaseStatus, { description: "Where the case is in the council's process." })
  status!: AsbCaseStatus;

  @Field(() => AsbCategory, { description: "What kind of ASB." })
  category!: AsbCategory;

  @Field(() => DateTime, { description: "When the council opened the case." })
  openedAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When the case was closed; null while open." })
  closedAt!: Date | null;

  @Category(DataCategory.RISK)
  @Field(() => RiskLevel, {
    nullable: true,
    description: "The victim's risk as last assessed; null until assessed.",
  })
  riskLevel!: RiskLevel | null;

  @Field(() => String, { nullable: true, description: "What is happening, in the officer's words." })
  description!: string | null;

  @Field(() => Location, { nullable: true, description: "Where the ASB happens." })
  location!: Location | null;
}

export const AsbCaseConnection = ConnectionType(AsbCase, "AsbCase", "A page of council ASB cases.");

@InputType({ description: "Which ASB cases to list; every condition given must hold." })
export class AsbCaseFilter {
  @Field(() => [String], { nullable: true, description: "Neighbourhoods (LSOA codes) the cases are in." })
  lsoaCodes?: string[] | null;

  @Field(() => [AsbCaseStatus], { nullable: true, description: "Statuses to include; all when absent." })
  statuses?: AsbCaseStatus[] | null;

  @Field(() => [AsbCategory], { nullable: true, description: "Kinds of ASB to include; all when absent." })
  categories?: AsbCategory[] | null;

  @Field(() => String, { nullable: true, description: "Opened in or after this month, YYYY-MM." })
  openedFromMonth?: string | null;

  @Field(() => String, { nullable: true, description: "Opened in or before this month, YYYY-MM." })
  openedToMonth?: string | null;
}

@ObjectType({ description: "ASB cases of one kind opened in one neighbourhood and month." })
@Aggregate()
export class AsbCaseStat {
  @Field(() => String, { description: "Month opened, YYYY-MM." })
  month!: string;

  @Field(() => AsbCategory, { description: "Kind of ASB." })
  category!: AsbCategory;

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
@ObjectType({ description: "A neighbourhood (2011 LSOA); the council adds monthly ASB case counts." })
export class Neighbourhood {
  @Field(() => String, { description: "LSOA code, e.g. E01000001." })
  code!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "The assessment of a problem-solving case; the council adds ASB cases opened in its neighbourhoods before and after.",
})
export class CaseAssessment {
  // The id names the neighbourhoods and windows counted: part of the counts.
  @Aggregate({ caseWork: true })
  @Field(() => ID, {
    description:
      "Sealed by the partnership for the asking agency: `<case id>|<LSOA codes>|<baselineFrom>|<baselineTo>|<followUpFrom>|<followUpTo>|<agency>|<seal>`; no other id is counted.",
  })
  id!: string;

  @Aggregate({ caseWork: true })
  @Field(() => Int, {
    nullable: true,
    description:
      "ASB cases opened in the baseline months, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  asbCasesBefore!: number | null;

  @Aggregate({ caseWork: true })
  @Field(() => Int, {
    nullable: true,
    description:
      "ASB cases opened in the follow-up months, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  asbCasesAfter!: number | null;
}
