import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType } from "../shared/connection";
import { DataCategory } from "../shared/enums";
import { Aggregate, Category, PeopleIndex, Part, Reference } from "../shared/policy";
import { DateTime } from "../shared/scalars";
import { Location } from "../shared/types";

/** The police.uk crime types, as published. */
export enum CrimeCategory {
  ANTI_SOCIAL_BEHAVIOUR = "ANTI_SOCIAL_BEHAVIOUR",
  BICYCLE_THEFT = "BICYCLE_THEFT",
  BURGLARY = "BURGLARY",
  CRIMINAL_DAMAGE_AND_ARSON = "CRIMINAL_DAMAGE_AND_ARSON",
  DRUGS = "DRUGS",
  OTHER_CRIME = "OTHER_CRIME",
  OTHER_THEFT = "OTHER_THEFT",
  POSSESSION_OF_WEAPONS = "POSSESSION_OF_WEAPONS",
  PUBLIC_ORDER = "PUBLIC_ORDER",
  ROBBERY = "ROBBERY",
  SHOPLIFTING = "SHOPLIFTING",
  THEFT_FROM_THE_PERSON = "THEFT_FROM_THE_PERSON",
  VEHICLE_CRIME = "VEHICLE_CRIME",
  VIOLENCE_AND_SEXUAL_OFFENCES = "VIOLENCE_AND_SEXUAL_OFFENCES",
}
registerEnumType(CrimeCategory, {
  name: "CrimeCategory",
  description: "The police.uk crime types, as published.",
  valuesConfig: {
    ANTI_SOCIAL_BEHAVIOUR: { description: "police.uk: Anti-social behaviour." },
    BICYCLE_THEFT: { description: "police.uk: Bicycle theft." },
    BURGLARY: { description: "police.uk: Burglary." },
    CRIMINAL_DAMAGE_AND_ARSON: { description: "police.uk: Criminal damage and arson." },
    DRUGS: { description: "police.uk: Drugs." },
    OTHER_CRIME: { description: "police.uk: Other crime." },
    OTHER_THEFT: { description: "police.uk: Other theft." },
    POSSESSION_OF_WEAPONS: { description: "police.uk: Possession of weapons." },
    PUBLIC_ORDER: { description: "police.uk: Public order." },
    ROBBERY: { description: "police.uk: Robbery." },
    SHOPLIFTING: { description: "police.uk: Shoplifting." },
    THEFT_FROM_THE_PERSON: { description: "police.uk: Theft from the person." },
    VEHICLE_CRIME: { description: "police.uk: Vehicle crime." },
    VIOLENCE_AND_SEXUAL_OFFENCES: { description: "police.uk: Violence and sexual offences." },
  },
});

/** A person's part in an incident. */
export enum InvolvementRole {
  VICTIM = "VICTIM",
  SUSPECT = "SUSPECT",
  WITNESS = "WITNESS",
  REPORTER = "REPORTER",
}
registerEnumType(InvolvementRole, {
  name: "InvolvementRole",
  description: "A person's part in an incident.",
  valuesConfig: {
    VICTIM: { description: "The person harmed." },
    SUSPECT: { description: "A person suspected of the offence or behaviour." },
    WITNESS: { description: "A person who saw or heard it." },
    REPORTER: { description: "The person who reported it." },
  },
});

@Directive('@key(fields: "id")')
@PeopleIndex()
@ObjectType({ description: "A person in the partnership's people index; police add their incidents." })
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

@ObjectType({ description: "A person's part in an incident." })
@Category(DataCategory.INCIDENT_SUMMARY)
export class Involvement {
  @Field(() => InvolvementRole, { description: "Victim, suspect, witness or reporter." })
  role!: InvolvementRole;

  @Field(() => Person, { description: "Who was involved." })
  person!: Person;
}

// Disclosed only with the incident whose history it is (Incident.outcomes), under its rules.
@Part()
@ObjectType({ description: "One outcome of a crime, from a police.uk outcome file." })
export class IncidentOutcome {
  @Field(() => String, { description: "Month the outcome was recorded, YYYY-MM." })
  month!: string;

  @Field(() => String, { description: "Outcome type, as police.uk words it." })
  outcome!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A police incident: a recorded crime or anti-social behaviour report." })
// About everyone involved: where an agreement asks for consent, each must have given it.
@Category(DataCategory.INCIDENT_SUMMARY, { subjects: (i: { subjectIds?: string[] }) => i.subjectIds ?? [] })
export class Incident {
  /** Not exposed: the people involved, whom the record is about (the access rules read it). */
  subjectIds!: string[];
  /** Not exposed: its record key, so a count of withheld incidents can be perturbed (shared/statistics.ts). */
  recordKey?: string;

  @Field(() => ID, { description: "Incident id." })
  id!: string;

  @Field(() => String, {
    description: "Police reference: the police.uk Crime ID (shortened) or a local one.",
  })
  reference!: string;

  @Field(() => String, { description: "Month recorded, YYYY-MM." })
  month!: string;

  @Field(() => DateTime, {
    nullable: true,
    description: "When it happened, where known (police.uk gives only the month).",
  })
  occurredAt!: Date | null;

  @Field(() => CrimeCategory, { description: "police.uk crime type." })
  category!: CrimeCategory;

  @Field(() => String, {
    nullable: true,
    description:
      "Its latest outcome, as police.uk words it: the last of `outcomes` when it has any, else the street file's Last outcome category.",
  })
  outcome!: string | null;

  @Field(() => Location, { description: "Where, to street level; all null when police.uk gave no location." })
  location!: Location;

  @Field(() => String, { nullable: true, description: "A short summary fit for partners." })
  summary!: string | null;

  @Category(DataCategory.INCIDENT_NARRATIVE)
  @Field(() => String, { nullable: true, description: "The officer's free-text account." })
  narrative!: string | null;
}

export const IncidentConnection = ConnectionType(Incident, "Incident", "A page of police incidents.");

@InputType({ description: "Which incidents to list." })
export class IncidentFilter {
  @Field(() => [String], { nullable: true, description: "Neighbourhoods (LSOA codes)." })
  lsoaCodes?: string[] | null;

  @Field(() => String, { nullable: true, description: "Inclusive, YYYY-MM." })
  fromMonth?: string | null;

  @Field(() => String, { nullable: true, description: "Inclusive, YYYY-MM." })
  toMonth?: string | null;

  @Field(() => [CrimeCategory], { nullable: true, description: "Crime types to include; all when absent." })
  categories?: CrimeCategory[] | null;
}

@ObjectType({ description: "Incidents of one crime type in one neighbourhood and month." })
@Aggregate()
export class IncidentStat {
  @Field(() => String, { description: "Month, YYYY-MM." })
  month!: string;

  @Field(() => CrimeCategory, { description: "Crime type." })
  category!: CrimeCategory;

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
@ObjectType({ description: "A neighbourhood (2011 LSOA); police add monthly incident counts." })
export class Neighbourhood {
  @Field(() => String, { description: "LSOA code, e.g. E01000001." })
  code!: string;
}

@Directive('@key(fields: "id")')
// Police hold nothing of the council's case: its fields echo what the router passes in (after
// the council's rules released them); what police add (nearby incidents) is judged as police records.
@Reference()
@ObjectType({ description: "A council ASB case; police add incidents recorded near it." })
export class AsbCase {
  @Field(() => ID, { description: "ASB case id." })
  id!: string;

  @Directive("@external")
  @Field(() => Location, { nullable: true, description: "Where the ASB happens." })
  location!: Location | null;

  @Directive("@external")
  @Field(() => DateTime, { description: "When the council opened the case." })
  openedAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "A problem-solving case's assessment (owned by the partnership); police add incident counts in its " +
    "neighbourhoods for the baseline and follow-up windows.",
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
      "Police incidents in the neighbourhoods during the baseline, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  incidentsBefore!: number | null;

  @Aggregate({ caseWork: true })
  @Field(() => Int, {
    nullable: true,
    description:
      "Police incidents in the neighbourhoods during the follow-up, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  incidentsAfter!: number | null;
}
