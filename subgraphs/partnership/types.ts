import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType } from "../shared/connection";
import { CaseRecordKind, CaseStage, DataCategory, RiskLevel } from "../shared/enums";
import {
  ChangedBy,
  Aggregate,
  Category,
  Governed,
  HeldBy,
  Part,
  PeopleIndex,
  Reference,
} from "../shared/policy";
import { ASSIGNED_AGENCY, CASE_LEAD, CASE_PARTY, IDENTITY_HOLDER } from "./access";
import { DATA_PROTECTION_OFFICER } from "../shared/data-protection";
import { CalendarDate, DateTime } from "../shared/scalars";
import { AgencyRef } from "../shared/types";
import { REPORT_CATEGORY } from "../shared/reports-made";
import { AgeBand } from "./calendar";

export { AgeBand };

registerEnumType(AgeBand, {
  name: "AgeBand",
  description: "A person's age band today, computed from their date of birth.",
  valuesConfig: {
    UNDER_13: { description: "Under 13: below the age of consent for data sharing." },
    AGE_13_TO_15: { description: "13 to 15." },
    AGE_16_TO_17: { description: "16 or 17." },
    AGE_18_TO_24: { description: "18 to 24." },
    AGE_25_TO_64: { description: "25 to 64." },
    AGE_65_PLUS: { description: "65 or over." },
  },
});

/** Where an action on a problem-solving case stands. */
export enum CaseActionStatus {
  OPEN = "OPEN",
  DONE = "DONE",
  OVERDUE = "OVERDUE",
  CANCELLED = "CANCELLED",
}
registerEnumType(CaseActionStatus, {
  name: "CaseActionStatus",
  description: "Where an action on a problem-solving case stands.",
  valuesConfig: {
    OPEN: { description: "Not done yet, and not yet due." },
    DONE: { description: "Completed by the assigned agency." },
    OVERDUE: { description: "Not done, and its due date has passed." },
    CANCELLED: { description: "Cancelled with a reason; no longer to be done." },
  },
});

/** How a problem-solving case ended. */
export enum CaseOutcome {
  RESOLVED = "RESOLVED",
  REDUCED = "REDUCED",
  NOT_RESOLVED = "NOT_RESOLVED",
  NO_FURTHER_ACTION = "NO_FURTHER_ACTION",
  TRANSFERRED = "TRANSFERRED",
  DUPLICATE = "DUPLICATE",
}
registerEnumType(CaseOutcome, {
  name: "CaseOutcome",
  description: "How a problem-solving case ended.",
  valuesConfig: {
    RESOLVED: { description: "The problem stopped." },
    REDUCED: { description: "The problem continues, but less; the partners judge it manageable." },
    NOT_RESOLVED: { description: "The response did not work; the problem continues." },
    NO_FURTHER_ACTION: { description: "Nothing more the partnership can do (no evidence, no engagement)." },
    TRANSFERRED: { description: "Handed to another process or body (e.g. a MARAC, another area)." },
    DUPLICATE: { description: "The same problem is worked in another case." },
  },
});

/** What the lead changed on a case (see CaseChange). */
export enum CaseChangeKind {
  PEOPLE = "PEOPLE",
  PARTNERS = "PARTNERS",
  CLOSED = "CLOSED",
}
registerEnumType(CaseChangeKind, {
  name: "CaseChangeKind",
  description: "What the lead agency changed on a case.",
  valuesConfig: {
    PEOPLE: { description: "The people in the case and their parts (before and after: personId:ROLE)." },
    PARTNERS: { description: "The partner agencies (before and after: agency ids)." },
    CLOSED: { description: "Closed with an outcome (before: the stage; after: the outcome)." },
  },
});

/** The parts a person can play in a problem-solving case. */
export const CASE_PERSON_ROLES = ["VICTIM", "PERPETRATOR", "WITNESS", "COMPLAINANT", "OTHER"] as const;

// ---------------------------------------------------------------------------------------------
// People index

@ObjectType({
  description: "One agency's own reference for a person, as it appears in that agency's records.",
})
// How an agency refers to a person is that agency's identity data: shared where it shares with the caller.
@Category(DataCategory.IDENTITY, { owner: (r: { agency: { id: string } }) => r.agency.id })
export class AgencyReference {
  @Field(() => AgencyRef, {
    nullable: true,
    description: "The agency whose reference this is; null only when the governance service cannot name it.",
  })
  agency!: AgencyRef;

  @Field(() => String, {
    description: "The agency's local reference, e.g. a police nominal or housing tenant number.",
  })
  reference!: string;
}

@Directive('@key(fields: "id")')
@PeopleIndex()
@ChangedBy(IDENTITY_HOLDER)
@ObjectType({
  description:
    "A person in the partnership's people index: who they are, and how each agency refers to them. Agencies add their records.",
})
export class Person {
  @Field(() => ID, { description: "Partnership person id, e.g. per-000123." })
  id!: string;

  @Category(DataCategory.IDENTITY)
  // Nullable, as every access-controlled field is: a denial nulls the field, not the person.
  @Field(() => String, { nullable: true, description: "Given and family name, e.g. 'Amara Okafor'." })
  displayName!: string;

  @Category(DataCategory.IDENTITY)
  @Field(() => String, { nullable: true, description: "Given name." })
  givenName!: string;

  @Category(DataCategory.IDENTITY)
  @Field(() => String, { nullable: true, description: "Family name." })
  familyName!: string;

  @Category(DataCategory.IDENTITY)
  @Field(() => CalendarDate, { nullable: true, description: "Date of birth, where known." })
  dateOfBirth!: string | null;

  // What agencies load a person's records by (@requires): merged people's records are listed here.
  @Category(DataCategory.IDENTITY)
  @Field(() => [ID], {
    nullable: true,
    description:
      "The person ids whose agency records are this person's: itself and everyone merged into it (mergePeople); " +
      "none for a person merged into another, whose records are listed under the survivor (see mergedInto).",
  })
  personIds!: string[];

  /** The person it is merged into, while the merge is in force; null otherwise. */
  mergedIntoId!: string | null;
}

@Governed({
  ...DATA_PROTECTION_OFFICER,
  party: IDENTITY_HOLDER,
  subjects: (c: { personId: string }) => [c.personId],
})
@ObjectType({
  description:
    "What a person's identity in the people index was before a data-sharing officer rectified it, and on what evidence.",
})
export class PersonIdentityChange {
  @Field(() => String, { description: "The name before the correction ('Given Family')." })
  displayName!: string;

  @Field(() => CalendarDate, { nullable: true, description: "The date of birth before the correction." })
  dateOfBirth!: string | null;

  @Field(() => DateTime, { description: "When it was replaced." })
  replacedAt!: Date;

  @Field(() => AgencyRef, { description: "The agency whose data-sharing officer replaced it." })
  replacedBy!: AgencyRef;

  @Field(() => String, { description: "The user (token sub) who replaced it." })
  replacedByUser!: string;

  @Field(() => String, { description: "The evidence for the correction." })
  evidenceRef!: string;

  /** Whom the entry is about, and the agencies whose DSOs may read it (IDENTITY_HOLDER). */
  personId!: string;
  holderAgencyIds!: string[];
}

@InputType({ description: "A correction of a person's identity in the people index, with its evidence." })
export class RectifyPersonInput {
  @Field(() => String, {
    nullable: true,
    description: "The correct name, 'Given Family'; unchanged when absent.",
  })
  displayName?: string | null;

  @Field(() => CalendarDate, {
    nullable: true,
    description: "The correct date of birth; unchanged when absent.",
  })
  dateOfBirth?: Date | null;

  @Field(() => String, { description: "The evidence for the correction." })
  evidenceRef!: string;
}

export const PersonConnection = ConnectionType(
  Person,
  "Person",
  "A page of people from the partnership's people index.",
);

// ---------------------------------------------------------------------------------------------
// Neighbourhoods

@Directive('@key(fields: "code")')
@Reference()
@ObjectType({
  description:
    "A neighbourhood (2011 LSOA): its name, local authority and centroid. Agencies add monthly counts.",
})
export class Neighbourhood {
  @Field(() => String, { description: "LSOA code, e.g. E01000001." })
  code!: string;

  @Field(() => String, { description: "LSOA name, e.g. 'City of London 001A'." })
  name!: string;

  @Field(() => String, { description: "The local authority the neighbourhood lies in." })
  localAuthority!: string;

  @Field(() => String, { description: "ONS code of the local authority, e.g. E09000001." })
  localAuthorityCode!: string;

  @Field(() => Float, { description: "Latitude of the neighbourhood's centroid (WGS84)." })
  latitude!: number;

  @Field(() => Float, { description: "Longitude of the neighbourhood's centroid (WGS84)." })
  longitude!: number;
}

// ---------------------------------------------------------------------------------------------
// Records owned by the agencies, linked from cases: only the key lives here; the router
// resolves the rest through their owners, and so through the owners' access rules.

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: "A police incident; police resolve it." })
@HeldBy("police", DataCategory.INCIDENT_SUMMARY)
export class Incident {
  @Field(() => ID, { description: "Incident id." })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: "A council ASB case; the council resolves it." })
@HeldBy("council", DataCategory.ASB_CASE)
export class AsbCase {
  @Field(() => ID, { description: "ASB case id." })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: "A housing tenancy; housing resolves it." })
@HeldBy("housing", DataCategory.TENANCY)
export class Tenancy {
  @Field(() => ID, { description: "Tenancy id." })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: "A youth programme referral; youth services resolve it." })
@HeldBy("youth", DataCategory.YOUTH_PROGRAMME)
export class Referral {
  @Field(() => ID, { description: "Referral id." })
  id!: string;
}

// ---------------------------------------------------------------------------------------------
// Problem-solving cases

// Case records are the partnership's, shared by case membership (lead and partners), not by
// agency agreements; the person's identity still goes through the people index rules.
@Governed({ personLevel: true })
@ObjectType({ description: "A person in a problem-solving case and their part in it." })
export class CasePerson {
  @Field(() => String, { description: "VICTIM, PERPETRATOR, WITNESS, COMPLAINANT or OTHER." })
  role!: string;

  @Field(() => Person, { description: "The person." })
  person!: Person;

  /** Not a field: `person` is loaded from it. */
  personId!: string;
}

@Governed({ personLevel: true })
@ChangedBy(ASSIGNED_AGENCY)
@ObjectType({ description: "An action on a problem-solving case, assigned to one agency with a due date." })
export class CaseAction {
  @Field(() => ID, { description: "Action id." })
  id!: string;

  @Field(() => String, { description: "What is to be done." })
  description!: string;

  @Field(() => CaseActionStatus, {
    description: "Open, done, cancelled, or overdue (open and past its due date).",
  })
  status!: CaseActionStatus;

  @Field(() => CalendarDate, { description: "When it is due." })
  dueOn!: string;

  @Field(() => AgencyRef, {
    nullable: true,
    description:
      "The agency that is to do it: the lead or a partner; null only when the governance service cannot name it.",
  })
  assignedAgency!: AgencyRef;

  @Field(() => DateTime, {
    nullable: true,
    description: "When the assigned agency marked it done; null while not done.",
  })
  completedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "User id of whoever marked it done; null while not done.",
  })
  completedBy!: string | null;

  @Field(() => DateTime, { nullable: true, description: "When it was cancelled; null unless cancelled." })
  cancelledAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Why it was cancelled; null unless cancelled." })
  cancelReason!: string | null;

  /** Not a field: `case` is loaded from it. */
  caseId!: string;
}

@Governed({ personLevel: true })
@ObjectType({ description: "One move of a case between SARA stages, with the reason given." })
export class CaseStageChange {
  @Field(() => CaseStage, {
    nullable: true,
    description: "The stage it left; null when the case was opened.",
  })
  from!: CaseStage | null;

  @Field(() => CaseStage, { description: "The stage it moved to." })
  to!: CaseStage;

  @Field(() => String, { description: "Why it moved." })
  note!: string;

  @Field(() => DateTime, { description: "When it moved." })
  at!: Date;

  @Field(() => String, { description: "User id of whoever moved it." })
  by!: string;

  @Field(() => AgencyRef, {
    nullable: true,
    description: "The agency of whoever moved it; null only when the governance service cannot name it.",
  })
  agency!: AgencyRef;
}

@Directive('@key(fields: "id")')
@Governed({ party: CASE_PARTY, purposeRequired: true })
@ObjectType({
  description:
    "A multi-agency problem-solving case following SARA (scanning, analysis, response, assessment). " +
    "Only its lead and partner agencies see it.",
})
export class ProblemCase {
  @Field(() => ID, { description: "Case id." })
  id!: string;

  @Field(() => String, { description: "Case reference, e.g. PSC-2019-001." })
  reference!: string;

  @Field(() => String, { description: "Short title of the problem." })
  title!: string;

  @Field(() => String, {
    description: "Free text such as 'Youth nuisance', 'Drug dealing', 'Neighbour dispute'.",
  })
  problemType!: string;

  @Field(() => CaseStage, { description: "The SARA stage the case is at." })
  stage!: CaseStage;

  @Field(() => RiskLevel, { description: "Risk the problem poses, as the partners grade it." })
  riskLevel!: RiskLevel;

  @Field(() => DateTime, { description: "When the case was opened." })
  openedAt!: Date;

  @Field(() => AgencyRef, {
    nullable: true,
    description:
      "The agency leading the case: the one that opened it; null only when the governance service cannot name it.",
  })
  lead!: AgencyRef;

  @Field(() => [AgencyRef], {
    nullable: "items",
    description:
      "The partner agencies working the case with the lead; an item is null only when the governance service cannot name it.",
  })
  partners!: AgencyRef[];

  @Field(() => CaseOutcome, {
    nullable: true,
    description: "How the case ended: set when the lead closes it (closeCase); null while open.",
  })
  outcome!: CaseOutcome | null;

  @Field(() => DateTime, { nullable: true, description: "When the case was closed; null while open." })
  closedAt!: Date | null;

  /** Not a field: the case's LSOA codes in the order given, for `neighbourhoods` and `assessment`. */
  neighbourhoodCodes!: string[];
}

export const CaseActionConnection = ConnectionType(
  CaseAction,
  "CaseAction",
  "A page of actions on problem-solving cases.",
);

@Part()
@ObjectType({ description: "A user of a partner agency who did something on a case." })
export class CaseWorker {
  @Field(() => String, { description: "User id from the token's sub claim." })
  userId!: string;

  @Field(() => AgencyRef, {
    nullable: true,
    description: "Their agency; null only when the governance service cannot name it.",
  })
  agency!: AgencyRef;
}

@Governed({ personLevel: true })
@ObjectType({
  description: "A note on a case, by a user of its lead or a partner: kept as written, never edited.",
})
export class CaseNote {
  @Field(() => ID, { description: "Note id." })
  id!: string;

  @Field(() => DateTime, { description: "When it was written." })
  at!: Date;

  @Field(() => String, { description: "What it says." })
  text!: string;

  @Field(() => CaseWorker, { description: "Who wrote it, and for which agency." })
  author!: CaseWorker;
}

export const CaseNoteConnection = ConnectionType(CaseNote, "CaseNote", "A page of case notes, newest first.");

@Reference()
@ObjectType({
  description:
    "A question of the ASB victim risk assessment (this partnership's wording; see README, Victim risk assessment), answered yes or no.",
})
export class VictimRiskQuestion {
  @Field(() => String, {
    description: "The question's code, e.g. VIOLENCE; pass it in RiskAnswerInput.question.",
  })
  code!: string;

  @Field(() => String, { description: "The question as asked." })
  text!: string;

  @Field(() => Int, { description: "What a yes adds to the score." })
  weight!: number;
}

@Part()
@ObjectType({ description: "One answer of a victim risk assessment." })
export class RiskAnswer {
  @Field(() => String, { description: "The question's code." })
  question!: string;

  @Field(() => Boolean, { description: "Yes or no." })
  answer!: boolean;
}

@Governed({ personLevel: true })
@ObjectType({
  description:
    "One ASB victim risk assessment of a person on a case: the answers, and the score and level they give. Every one is kept.",
})
export class VictimRiskAssessment {
  @Field(() => ID, { description: "Assessment id." })
  id!: string;

  @Field(() => DateTime, { description: "When it was made." })
  at!: Date;

  @Field(() => Person, { description: "Whose risk was assessed." })
  person!: Person;

  /** Not a field: `person` is loaded from it. */
  personId!: string;

  @Field(() => Int, { description: "The sum of the weights of the questions answered yes." })
  score!: number;

  @Field(() => RiskLevel, { description: "The level the score gives (see README, Victim risk assessment)." })
  level!: RiskLevel;

  @Field(() => [RiskAnswer], { description: "Every question's answer, in the question set's order." })
  answers!: RiskAnswer[];

  @Field(() => CaseWorker, { description: "Who made it, and for which agency." })
  assessedBy!: CaseWorker;
}

@Governed({ personLevel: true })
@ChangedBy(CASE_LEAD)
@ObjectType({
  description:
    "A change only the case's lead agency makes: who is in the case, who works it, closing it. Who, when, why, before and after.",
})
export class CaseChange {
  @Field(() => CaseChangeKind, { description: "What changed." })
  kind!: CaseChangeKind;

  @Field(() => DateTime, { description: "When." })
  at!: Date;

  @Field(() => CaseWorker, { description: "Who changed it, and for which agency." })
  by!: CaseWorker;

  @Field(() => String, { description: "Why, in the lead's words." })
  note!: string;

  @Field(() => [String], { description: "Before the change (see CaseChangeKind for the form)." })
  before!: string[];

  @Field(() => [String], { description: "After the change (see CaseChangeKind for the form)." })
  after!: string[];
}

export const ProblemCaseConnection = ConnectionType(
  ProblemCase,
  "ProblemCase",
  "A page of problem-solving cases.",
);

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "Before-and-after counts for a case's neighbourhoods: the windowMonths months before the month it opened " +
    "(baseline) and the month it opened and those after (follow-up). Police and the council add the counts.",
})
@Aggregate({ caseWork: true })
export class CaseAssessment {
  @Field(() => ID, {
    description:
      "Sealed by the partnership for the asking agency: `<case id>|<LSOA codes>|<baselineFrom>|<baselineTo>|<followUpFrom>|<followUpTo>|<agency>|<seal>`; no other id is counted.",
  })
  id!: string;

  @Field(() => String, { description: "First month of the baseline, YYYY-MM." })
  baselineFrom!: string;

  @Field(() => String, {
    description: "Last month of the baseline (the month before the case opened), YYYY-MM.",
  })
  baselineTo!: string;

  @Field(() => String, { description: "First month of the follow-up (the month the case opened), YYYY-MM." })
  followUpFrom!: string;

  @Field(() => String, { description: "Last month of the follow-up, YYYY-MM." })
  followUpTo!: string;

  @Directive("@external")
  @Field(() => Int, {
    nullable: true,
    description:
      "Police incidents in the neighbourhoods during the baseline, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  incidentsBefore!: number | null;

  @Directive("@external")
  @Field(() => Int, {
    nullable: true,
    description:
      "Police incidents in the neighbourhoods during the follow-up, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  incidentsAfter!: number | null;

  @Directive("@external")
  @Field(() => Int, {
    nullable: true,
    description:
      "Council ASB cases opened in the neighbourhoods during the baseline, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  asbCasesBefore!: number | null;

  @Directive("@external")
  @Field(() => Int, {
    nullable: true,
    description:
      "Council ASB cases opened in the neighbourhoods during the follow-up, perturbed by the cell-key method (at most 5 either way, never 1 to 4, a cell of its own, not a sum of dashboard cells); null only when it could not be given.",
  })
  asbCasesAfter!: number | null;
}

@ObjectType({
  description:
    "How many of a case review candidate's reports in the window one agency holds: released under that agency's " +
    "category rule (its reports are its data), else null with the reason.",
})
export class AgencyReportCount {
  @Part()
  @Field(() => AgencyRef, {
    nullable: true,
    description: "The agency the reports were made to; null only when the governance service cannot name it.",
  })
  agency!: AgencyRef;

  @Part()
  @Field(() => DataCategory, {
    description:
      "The data category the agency's reports are shared as (police incidents, council ASB cases...).",
  })
  category!: DataCategory;

  @Part()
  @Field(() => Boolean, {
    description:
      "Whether these reports count towards the candidate's `reports` and the threshold: only reports the caller's " +
      "agency may know of for its purpose without anyone's consent do.",
  })
  counted!: boolean;

  @Category((r: { agency: { id: string } }) => REPORT_CATEGORY[r.agency.id] ?? null, {
    categoryName: "the reporting agency's (police INCIDENT_SUMMARY, council ASB_CASE, housing TENANCY)",
    owner: (r: { agency: { id: string } }) => r.agency.id,
    subjects: (r: { personId: string | null }) => (r.personId ? [r.personId] : []),
  })
  @Field(() => Int, {
    nullable: true,
    description:
      "Reports the candidate made to the agency within the window; null, with the reason, where the agency's " +
      "agreement does not release its reports to the caller (for example without the person's consent).",
  })
  reports!: number | null;

  /** Not a field: whom the count is about (none when judged for the agency as a whole). */
  personId!: string | null;
}

@Governed({ personLevel: true })
@ObjectType({
  description:
    "A person who meets the ASB case review (community trigger) threshold, and the reports that do it.",
})
export class CaseReviewCandidate {
  @Field(() => Person, { description: "Who made the reports." })
  person!: Person;

  /** Not a field: `person` is loaded from it. */
  personId!: string;

  @Field(() => Int, {
    description:
      "Separate reports within the busiest window of windowMonths months, counting only agencies whose reports " +
      "count (see reportsByAgency): the sum of their counts.",
  })
  reports!: number;

  @Field(() => [AgencyReportCount], {
    description:
      "The reports in the window per agency, one entry for every agency whose reports the caller may be told " +
      "of (an agency with no agreement with the caller's for the purpose is not named), in agency order.",
  })
  reportsByAgency!: AgencyReportCount[];

  @Field(() => [AgencyRef], {
    nullable: "items",
    description:
      "The agencies those reports were made to; an item is null only when the governance service cannot name it.",
  })
  agencies!: AgencyRef[];

  @Field(() => DateTime, { description: "The first report in that window." })
  firstReportAt!: Date;

  @Field(() => DateTime, { description: "The last report in that window." })
  lastReportAt!: Date;
}

// ---------------------------------------------------------------------------------------------
// Inputs (binding: see the contract's inputs-and-enums.graphql)

@InputType({ description: "A person to add to a new case, with their part in it." })
export class CasePersonInput {
  @Field(() => ID, { description: "Partnership person id." })
  personId!: string;

  @Field(() => String, { description: "VICTIM, PERPETRATOR, WITNESS, COMPLAINANT or OTHER" })
  role!: string;
}

@InputType({ description: "A new problem-solving case; the caller's agency leads it." })
export class OpenCaseInput {
  @Field(() => String, { description: "Short title of the problem." })
  title!: string;

  @Field(() => String, {
    description: "Free text such as 'Youth nuisance', 'Drug dealing', 'Neighbour dispute'.",
  })
  problemType!: string;

  @Field(() => [String], {
    description: "LSOA codes of the neighbourhoods the problem affects (at least one).",
  })
  neighbourhoodCodes!: string[];

  @Field(() => [ID], { description: "Agencies to work the case with the lead." })
  partnerAgencyIds!: string[];

  @Field(() => [CasePersonInput], { description: "People in the case and their parts." })
  people!: CasePersonInput[];
}

@InputType({ description: "A new action on a case." })
export class CaseActionInput {
  @Field(() => ID, { description: "The agency to do it: the lead or a partner." })
  assignedAgencyId!: string;

  @Field(() => String, { description: "What is to be done." })
  description!: string;

  @Field(() => CalendarDate, { description: "When it is due." })
  dueOn!: Date;
}

@InputType({ description: "One answer to a victim risk question." })
export class RiskAnswerInput {
  @Field(() => String, { description: "A question code from victimRiskQuestions." })
  question!: string;

  @Field(() => Boolean, { description: "Yes or no." })
  answer!: boolean;
}

@InputType({ description: "A record held by an agency, to link to a case." })
export class CaseRecordInput {
  @Field(() => CaseRecordKind, { description: "Which kind of record." })
  kind!: CaseRecordKind;

  @Field(() => ID, { description: "The record's id in its owner's subgraph." })
  id!: string;
}
