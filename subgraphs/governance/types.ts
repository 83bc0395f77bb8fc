import { ChangedBy, Governed, Part, PeopleIndex, Reference } from "../shared/policy";
import {
  AGREEMENT_PARTY,
  CONSENT_PARTY,
  CONTROLLER,
  EXPLAINED_PARTY,
  LINKING_AGENCY,
  NOTIFICATION_RECIPIENT,
  OWNER_AGENCY,
} from "./access";
import { NotificationKind, NotificationSubjectKind } from "../shared/notifications";
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import {
  AgreementStatus,
  BreakGlassOutcome,
  ConsentGiver,
  DataCategory,
  Purpose,
  Role,
} from "../shared/enums";
import { CalendarDate, DateTime, JSONValue } from "../shared/scalars";
import { DATA_PROTECTION_OFFICER } from "../shared/data-protection";
import { PageInfo } from "../shared/types";
import { RetentionStart } from "../shared/data-protection";

/** Where a consent stands today. */
export enum ConsentStatus {
  ACTIVE = "ACTIVE",
  WITHDRAWN = "WITHDRAWN",
  EXPIRED = "EXPIRED",
}
registerEnumType(ConsentStatus, {
  name: "ConsentStatus",
  description: "Where a consent stands at the time of the request.",
  valuesConfig: {
    ACTIVE: { description: "In force: data it covers may be shared." },
    WITHDRAWN: { description: "The person (or their parent or guardian) withdrew it." },
    EXPIRED: { description: "Its expiry has passed." },
  },
});

/** The outcome of an access decision. */
export enum AccessOutcome {
  PERMITTED = "PERMITTED",
  DENIED = "DENIED",
}
registerEnumType(AccessOutcome, {
  name: "AccessOutcome",
  description: "Whether an access was permitted or denied.",
  valuesConfig: {
    PERMITTED: { description: "The data was (or would be) released." },
    DENIED: { description: "The data was (or would be) withheld." },
  },
});

/** On what ground access was permitted. */
export enum AccessBasis {
  OWN_DATA = "OWN_DATA",
  AGREEMENT = "AGREEMENT",
  CONSENT = "CONSENT",
  BREAK_GLASS = "BREAK_GLASS",
  PEOPLE_INDEX = "PEOPLE_INDEX",
  AGGREGATE = "AGGREGATE",
}
registerEnumType(AccessBasis, {
  name: "AccessBasis",
  description: "On what ground an access was permitted.",
  valuesConfig: {
    OWN_DATA: { description: "The caller's own agency holds the data." },
    AGREEMENT: { description: "An active information sharing agreement covers the purpose and category." },
    CONSENT: { description: "The agreement asks for consent, and the person's consent covers it." },
    BREAK_GLASS: {
      description: "Emergency access under SAFEGUARDING; reviewed by the owner's data-sharing officers.",
    },
    PEOPLE_INDEX: {
      description: "Identity from the partnership's people index, open to practitioners and DSOs.",
    },
    AGGREGATE: { description: "Suppressed statistics under STATISTICS, which are not personal data." },
  },
});

// Names and contacts of partner agencies: partnership reference data.
@Reference()
@Directive('@key(fields: "id")')
@ObjectType({ description: "A partner agency: police, council, youth services, housing or another." })
export class Agency {
  @Field(() => ID, { description: "Agency id, e.g. `police`." })
  id!: string;

  @Field(() => String, { description: "The agency's name." })
  name!: string;

  @Field(() => String, { description: "What kind of agency: POLICE, COUNCIL, YOUTH, HOUSING or another." })
  kind!: string;

  @Field(() => String, { description: "Whom partners contact to ask for access to its data." })
  contact!: string;

  /** Only an active agency's tokens are accepted; an inactive one stays for the records that name it. */
  active!: boolean;
}

@Part()
@ObjectType({ description: "One party's approval of an information sharing agreement." })
export class AgreementApproval {
  @Field(() => Agency, { description: "The approving agency." })
  agency!: Agency;

  @Field(() => String, { description: "The data-sharing officer who approved." })
  approvedBy!: string;

  @Field(() => DateTime, { description: "When." })
  approvedAt!: Date;

  /** The approving agency's id (the agency field resolves through a loader). */
  agencyId!: string;
}

// The register of information sharing agreements is published to every partner (no personal data).
@Reference()
// Only its parties propose or change it.
@ChangedBy(AGREEMENT_PARTY)
@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "An information sharing agreement: the provider may share the listed categories with the recipient for the " +
    "listed purposes, between its dates, once both have approved.",
})
export class Agreement {
  @Field(() => ID, { description: "Agreement id." })
  id!: string;

  @Field(() => String, {
    description: "The partnership's reference, e.g. ISA-2026-001; every version of one agreement shares it.",
  })
  reference!: string;

  @Field(() => Int, { description: "1 when first proposed; each amendment is the next version." })
  version!: number;

  @Field(() => Agreement, {
    nullable: true,
    description:
      "The version this one amends: in force until this one is, then SUPERSEDED. Null for a first version.",
  })
  supersedes!: Agreement | null;

  @Field(() => String, { description: "What the agreement is for, in a line." })
  title!: string;

  @Field(() => AgreementStatus, {
    description:
      "Status today: DRAFT until both parties approve (and while an approved agreement is not yet in force), " +
      "ACTIVE between its dates, EXPIRED after validTo, SUSPENDED or REVOKED by a party, or SUPERSEDED once " +
      "an amendment of it is in force.",
  })
  status!: AgreementStatus;

  @Field(() => Agency, { description: "The agency that holds the data." })
  provider!: Agency;

  @Field(() => Agency, { description: "The agency that may receive it." })
  recipient!: Agency;

  @Field(() => [Purpose], { description: "Purposes the data may be shared for." })
  purposes!: Purpose[];

  @Field(() => [DataCategory], { description: "Categories of data the provider may share." })
  categories!: DataCategory[];

  @Field(() => [DataCategory], {
    description: "Categories (a subset of categories) shared only with the person's consent.",
  })
  consentRequiredFor!: DataCategory[];

  @Field(() => String, {
    description: "The lawful basis, e.g. UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115.",
  })
  lawfulBasis!: string;

  @Field(() => CalendarDate, { description: "First day in force." })
  validFrom!: string;

  @Field(() => CalendarDate, { description: "Last day in force." })
  validTo!: string;

  @Field(() => CalendarDate, { description: "When the parties review it." })
  reviewDate!: string;

  @Field(() => [AgreementApproval], { description: "Approvals so far; both parties must approve." })
  approvals!: AgreementApproval[];

  @Field(() => [AgreementApproval], {
    description:
      "While SUSPENDED: the parties that have approved reinstating it since it was suspended; with both, it is ACTIVE again.",
  })
  reinstatementApprovals!: AgreementApproval[];

  @Field(() => [AgreementReview], { description: "Its periodic reviews, oldest first." })
  reviews!: AgreementReview[];

  @Field(() => String, { nullable: true, description: "Why a party suspended it." })
  suspendedReason!: string | null;

  @Field(() => String, { nullable: true, description: "Why a party revoked it." })
  revokedReason!: string | null;

  @Field(() => String, {
    description: "Why it has its status, e.g. 'awaiting approval by recipient council'.",
  })
  statusNote!: string;

  // Kept for the field resolvers and the decision; not exposed as such.
  providerAgencyId!: string;
  recipientAgencyId!: string;
  storedStatus!: AgreementStatus;
  approvedByProvider!: boolean;
  approvedByRecipient!: boolean;
  suspendedAt!: Date | null;
  revokedAt!: Date | null;
  supersedesId!: string | null;
  supersededAt!: Date | null;
}

@Directive('@key(fields: "id")')
@PeopleIndex()
@ObjectType({ description: "A person in the partnership's people index; governance adds their consents." })
export class Person {
  @Field(() => ID, { description: "Partnership person id." })
  id!: string;
}

@Governed({
  personLevel: true,
  party: CONSENT_PARTY,
  subjects: (c: { personId: string }) => [c.personId],
})
@Directive('@key(fields: "id")')
@ObjectType({
  description:
    "A person's consent to share categories of their data with a recipient agency for stated purposes.",
})
export class Consent {
  @Field(() => ID, { description: "Consent id." })
  id!: string;

  @Field(() => ConsentStatus, {
    description: "Where it stands now: expiry is judged at the time of the request.",
  })
  status!: ConsentStatus;

  @Field(() => Person, { description: "Whose consent it is." })
  person!: Person;

  @Field(() => Agency, { description: "The agency the data may be shared with." })
  recipient!: Agency;

  @Field(() => [Purpose], { description: "Purposes it covers." })
  purposes!: Purpose[];

  @Field(() => [DataCategory], { description: "Categories it covers." })
  categories!: DataCategory[];

  @Field(() => ConsentGiver, { description: "The person, or a parent or guardian (required under 13)." })
  givenBy!: ConsentGiver;

  @Field(() => DateTime, { description: "When it was given." })
  givenAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When it lapses; null when open-ended." })
  expiresAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: "When it was withdrawn; null while not withdrawn." })
  withdrawnAt!: Date | null;

  @Field(() => String, { description: "Where the signed form or recording is kept." })
  evidenceRef!: string;

  @Field(() => Agency, { description: "The agency that recorded it." })
  recordedByAgency!: Agency;

  // Kept for the field resolvers.
  personId!: string;
  recipientAgencyId!: string;
  /** The agency whose data it covers (the provider); its DSOs record it. */
  providerAgencyId!: string;
  recordedByAgencyId!: string;
}

@Part()
@ObjectType({ description: "Who acted: a user of an agency in a role." })
export class Actor {
  @Field(() => String, { description: "User id from the token's sub claim." })
  userId!: string;

  @Field(() => Role, { description: "The role they acted in." })
  role!: Role;

  @Field(() => Agency, { description: "Their agency." })
  agency!: Agency;

  /** The agency's id (the agency field resolves through a loader). */
  agencyId!: string;
}

@Part()
@ObjectType({ description: "A periodic review of an agreement by a data-sharing officer of a party." })
export class AgreementReview {
  @Field(() => DateTime, { description: "When it was reviewed." })
  at!: Date;

  @Field(() => Actor, { description: "Who reviewed it." })
  by!: Actor;

  @Field(() => String, { description: "What the review found." })
  note!: string;

  @Field(() => CalendarDate, { description: "The review date it set." })
  nextReviewDate!: string;
}

@Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true, party: OWNER_AGENCY })
@ObjectType({
  description: "One access to a person's data, permitted or denied, as the audit log records it.",
})
export class Disclosure {
  @Field(() => ID, { description: "The audit record's sequence number." })
  id!: string;

  @Field(() => DateTime, { description: "When." })
  at!: Date;

  @Field(() => Actor, { description: "Who asked." })
  actor!: Actor;

  @Field(() => Purpose, { nullable: true, description: "The purpose they stated." })
  purpose!: Purpose | null;

  @Field(() => String, { nullable: true, description: "The GraphQL operation they ran." })
  operationName!: string | null;

  @Field(() => String, { description: "Request id, to follow the request through every service's logs." })
  requestId!: string;

  @Field(() => Agency, { description: "The agency that holds the data." })
  owner!: Agency;

  @Field(() => [DataCategory], { description: "Categories disclosed (or refused)." })
  categories!: DataCategory[];

  @Field(() => [String], { description: "Ids of the records disclosed (or refused)." })
  recordIds!: string[];

  @Field(() => AccessOutcome, { description: "Permitted or denied." })
  decision!: AccessOutcome;

  @Field(() => String, {
    nullable: true,
    description: "Why it was denied: NO_AGREEMENT, CONSENT_REQUIRED and so on.",
  })
  reason!: string | null;

  @Field(() => AccessBasis, {
    nullable: true,
    description: "On what ground it was permitted; null when denied.",
  })
  basis!: AccessBasis | null;

  @Field(() => Agreement, { nullable: true, description: "The agreement relied on." })
  agreement!: Agreement | null;

  @Field(() => Consent, { nullable: true, description: "The consent relied on." })
  consent!: Consent | null;

  @Field(() => Boolean, { description: "True when released only by break-glass." })
  breakGlass!: boolean;

  // Kept for the field resolvers.
  agreementId!: string | null;
  consentId!: string | null;
  ownerAgencyId!: string;
}

@Part()
@ObjectType("DisclosureEdge", { description: "One disclosure in a page of results." })
export class DisclosureEdge {
  @Field(() => String, { description: "Opaque cursor; pass as `after` to continue." })
  cursor!: string;

  @Field(() => Disclosure, { description: "The disclosure." })
  node!: Disclosure;
}

@Part()
// Not the shared ConnectionType: a DSO reads its own agency's audit, so nothing is withheld
// and a `restricted` list would have nothing to say.
@ObjectType("DisclosureConnection", {
  description: "A page of disclosures of a person's data, newest first.",
})
export class DisclosureConnection {
  @Field(() => [DisclosureEdge], { description: "This page of results." })
  edges!: DisclosureEdge[];

  @Field(() => PageInfo, { description: "Whether more results follow, and where to continue." })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many disclosures match, across all pages." })
  totalCount!: number;
}

/** What a record of the people index's audit says happened to a reference's link. */
export enum PersonMatchAuditKind {
  LINKED = "LINKED",
  QUEUED = "QUEUED",
  REVIEWED = "REVIEWED",
}
registerEnumType(PersonMatchAuditKind, {
  name: "PersonMatchAuditKind",
  description: "What happened to the link of one of the agency's references to a person in the people index.",
  valuesConfig: {
    LINKED: {
      description:
        "An import's matcher linked the reference to a person another agency holds (shared identifier or score).",
    },
    QUEUED: {
      description: "An import's matcher gave the reference a provisional person and queued it for review.",
    },
    REVIEWED: { description: "A data-sharing officer of the agency confirmed or rejected a queued match." },
  },
});

@Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true, party: LINKING_AGENCY })
@ObjectType({
  description:
    "One link made, queued or decided in the people index for a reference of the caller's agency, as the audit log " +
    "records it: who, when, the people, and how (method and score); never the reference, a name or a date of birth.",
})
export class PersonMatchAuditRecord {
  @Field(() => ID, { description: "The audit record's sequence number." })
  id!: string;

  @Field(() => DateTime, { description: "When." })
  at!: Date;

  @Field(() => PersonMatchAuditKind, { description: "Linked, queued for review, or a review decided." })
  kind!: PersonMatchAuditKind;

  @Field(() => String, {
    description: "Who: the import's `--by` (for LINKED and QUEUED), or the data-sharing officer who decided.",
  })
  userId!: string;

  @Field(() => String, {
    description: "The role they acted in: INGEST for an import, else their token's role.",
  })
  role!: string;

  @Field(() => String, {
    description:
      "For an import, `<agency>-import-<id>` (its id in the agency's imports, e.g. `councilImports`); for a review " +
      "decision, the request's id.",
  })
  requestId!: string;

  @Field(() => [ID], {
    description:
      "The people it names: the linked person; or a review's provisional person, then its candidate. A person whose " +
      "audit key an erasure destroyed is no longer named.",
  })
  personIds!: string[];

  @Field(() => [String], { description: "The review it queued or decided, if any." })
  recordIds!: string[];

  @Field(() => String, {
    nullable: true,
    description: "What happened: the method and score, or the decision.",
  })
  detail!: string | null;

  /** The agency whose reference it is (the acting agency of the record). */
  agencyId!: string;
}

@Part()
@ObjectType("PersonMatchAuditRecordEdge", { description: "One record in a page of results." })
export class PersonMatchAuditRecordEdge {
  @Field(() => String, { description: "Opaque cursor; pass as `after` to continue." })
  cursor!: string;

  @Field(() => PersonMatchAuditRecord, { description: "The record." })
  node!: PersonMatchAuditRecord;
}

@Part()
// Not the shared ConnectionType, as for disclosures: a DSO reads its own agency's records only.
@ObjectType("PersonMatchAuditRecordConnection", {
  description: "A page of the people index's audit of a person's links, newest first.",
})
export class PersonMatchAuditRecordConnection {
  @Field(() => [PersonMatchAuditRecordEdge], { description: "This page of results." })
  edges!: PersonMatchAuditRecordEdge[];

  @Field(() => PageInfo, { description: "Whether more results follow, and where to continue." })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many records match, across all pages." })
  totalCount!: number;
}

// The audit log's integrity as last verified: no person, no agency's records, for the
// data-sharing officers who answer for the audit.
@Governed({ roles: [Role.DATA_SHARING_OFFICER] })
@ObjectType({
  description:
    "The audit log's hash chain: how long it is now, and the verdict of the last full verification (`npm run audit:verify`).",
})
export class AuditChainStatus {
  @Field(() => Int, { description: "Records in the audit log now." })
  records!: number;

  @Field(() => DateTime, {
    nullable: true,
    description: "When the chain was last verified in full; null when it never was.",
  })
  lastVerifiedAt!: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Whether that verification found the chain whole; null when it never was verified.",
  })
  intact!: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Records that verification checked (all of them when whole; those before the break when not).",
  })
  checked!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "The first broken record that verification named; null when whole.",
  })
  firstBrokenRecord!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Why that record is broken (edited, deleted, inserted, or the tail cut back); null when whole.",
  })
  reason!: string | null;
}

// The caller's own access, explained by the decision function itself (which refuses analysts and
// STATISTICS before any agreement or consent is looked at): no rule beyond being signed in.
@Governed({})
@ObjectType({
  description:
    "Why the caller, under the purpose it sent, may or may not see one category of a person's data.",
})
export class AccessExplanation {
  @Field(() => AccessOutcome, { description: "Permitted or denied." })
  decision!: AccessOutcome;

  @Field(() => String, {
    nullable: true,
    description: "When denied, the reason a field would carry: NO_AGREEMENT, CONSENT_REQUIRED and so on.",
  })
  reason!: string | null;

  @Field(() => AccessBasis, { nullable: true, description: "When permitted, on what ground." })
  basis!: AccessBasis | null;

  @Field(() => Boolean, { description: "True when only the caller's break-glass would release it." })
  breakGlass!: boolean;

  @Field(() => Agreement, {
    nullable: true,
    description: "The agreement relied on, or the one whose consent condition is unmet.",
  })
  agreement!: Agreement | null;

  @Field(() => Consent, { nullable: true, description: "The consent relied on." })
  consent!: Consent | null;

  @Field(() => [String], { description: "The rules applied, in order, in words." })
  steps!: string[];

  // Kept for the field resolvers.
  agreementId!: string | null;
  consentId!: string | null;
}

// "Why can't they see it?" for another agency's staff: a DSO of the agency whose data it is, or of
// the agency asking; anyone else is answered as if there were nothing to explain (null).
@Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true, party: EXPLAINED_PARTY })
@ObjectType({
  description:
    "How the access rules decide for a chosen agency's staff in a chosen role and purpose: one category of a person's data held by one agency.",
})
export class StaffAccessExplanation {
  @Field(() => AccessOutcome, { description: "Permitted or denied." })
  decision!: AccessOutcome;

  @Field(() => String, {
    nullable: true,
    description: "When denied, the reason a field would carry: NO_AGREEMENT, CONSENT_REQUIRED and so on.",
  })
  reason!: string | null;

  @Field(() => AccessBasis, { nullable: true, description: "When permitted, on what ground." })
  basis!: AccessBasis | null;

  @Field(() => Agreement, {
    nullable: true,
    description: "The agreement relied on, or the one whose consent condition is unmet.",
  })
  agreement!: Agreement | null;

  @Field(() => Consent, { nullable: true, description: "The consent relied on." })
  consent!: Consent | null;

  @Field(() => [String], { description: "The rules applied, in order, in words." })
  steps!: string[];

  // Kept for the party rule and the field resolvers.
  ownerAgencyId!: string;
  askingAgencyId!: string;
  agreementId!: string | null;
  consentId!: string | null;
}

@Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true, party: OWNER_AGENCY })
@ObjectType({
  description:
    "An emergency (break-glass) access to an agency's data, for its data-sharing officers to review.",
})
export class BreakGlassEvent {
  @Field(() => ID, { description: "The audit record's sequence number." })
  id!: string;

  @Field(() => DateTime, { description: "When." })
  at!: Date;

  @Field(() => Actor, { description: "Who broke the glass." })
  actor!: Actor;

  @Field(() => Purpose, { nullable: true, description: "The purpose stated (always SAFEGUARDING)." })
  purpose!: Purpose | null;

  @Field(() => String, { description: "The justification they gave." })
  justification!: string;

  @Field(() => Person, {
    nullable: true,
    description: "The person whose data was opened (the first, when several).",
  })
  person!: Person | null;

  @Field(() => [Person], { description: "Everyone whose data was opened." })
  people!: Person[];

  @Field(() => [DataCategory], { description: "Categories opened." })
  categories!: DataCategory[];

  @Field(() => [String], { description: "Ids of the records opened." })
  recordIds!: string[];

  @Field(() => Agency, { description: "The agency whose data it was." })
  ownerAgency!: Agency;

  @Field(() => Boolean, { description: "Whether a data-sharing officer has reviewed it." })
  reviewed!: boolean;

  @Field(() => BreakGlassOutcome, { nullable: true, description: "The review's finding." })
  outcome!: BreakGlassOutcome | null;

  @Field(() => String, { nullable: true, description: "The reviewer's note." })
  reviewNote!: string | null;

  @Field(() => String, { nullable: true, description: "The reviewing data-sharing officer." })
  reviewedBy!: string | null;

  @Field(() => DateTime, { nullable: true, description: "When it was reviewed." })
  reviewedAt!: Date | null;

  // Kept for the field resolvers.
  ownerAgencyId!: string;
}

@InputType({
  description: "A new information sharing agreement, proposed by a data-sharing officer of either party.",
})
export class ProposeAgreementInput {
  @Field(() => String, { description: "What the agreement is for, in a line." })
  title!: string;

  @Field(() => ID, { description: "The agency that holds the data." })
  providerAgencyId!: string;

  @Field(() => ID, { description: "The agency that may receive it." })
  recipientAgencyId!: string;

  @Field(() => [Purpose], { description: "Purposes the data may be shared for." })
  purposes!: Purpose[];

  @Field(() => [DataCategory], { description: "Categories the provider may share." })
  categories!: DataCategory[];

  @Field(() => [DataCategory], {
    description: "Categories (a subset of categories) that are shared only with the person's consent.",
  })
  consentRequiredFor!: DataCategory[];

  @Field(() => String, { description: "For example: UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115." })
  lawfulBasis!: string;

  @Field(() => CalendarDate, { description: "First day in force." })
  validFrom!: Date;

  @Field(() => CalendarDate, { description: "Last day in force." })
  validTo!: Date;

  @Field(() => CalendarDate, { description: "When the parties review it (between validFrom and validTo)." })
  reviewDate!: Date;
}

@InputType({
  description:
    "An amendment of an agreement in force: the terms that change (the rest are kept), made a new DRAFT version " +
    "that both parties approve. The parties and first day in force stay as they are.",
})
export class AmendAgreementInput {
  @Field(() => String, { nullable: true, description: "A new title." })
  title?: string | null;

  @Field(() => [Purpose], { nullable: true, description: "The purposes, all of them." })
  purposes?: Purpose[] | null;

  @Field(() => [DataCategory], { nullable: true, description: "The categories, all of them." })
  categories?: DataCategory[] | null;

  @Field(() => [DataCategory], {
    nullable: true,
    description: "The categories shared only with consent (a subset of categories), all of them.",
  })
  consentRequiredFor?: DataCategory[] | null;

  @Field(() => String, { nullable: true, description: "A new lawful basis." })
  lawfulBasis?: string | null;

  @Field(() => CalendarDate, { nullable: true, description: "A new last day in force (a renewal)." })
  validTo?: Date | null;

  @Field(() => CalendarDate, { nullable: true, description: "A new review date." })
  reviewDate?: Date | null;

  @Field(() => String, { description: "Why it changes." })
  note!: string;
}

@InputType({
  description: "A person's consent, recorded by a data-sharing officer of the agency that holds their data.",
})
export class RecordConsentInput {
  @Field(() => ID, { description: "Partnership person id." })
  personId!: string;

  @Field(() => ID, { description: "The agency the data may be shared with." })
  recipientAgencyId!: string;

  @Field(() => [Purpose], { description: "Purposes it covers." })
  purposes!: Purpose[];

  @Field(() => [DataCategory], { description: "Categories it covers." })
  categories!: DataCategory[];

  @Field(() => ConsentGiver, { description: "The person, or a parent or guardian (required under 13)." })
  givenBy!: ConsentGiver;

  @Field(() => DateTime, { description: "When it was given; not in the future." })
  givenAt!: Date;

  @Field(() => DateTime, {
    nullable: true,
    description: "When it lapses; after givenAt. Open-ended when absent.",
  })
  expiresAt?: Date | null;

  @Field(() => String, { description: "Where the signed form or recording is kept." })
  evidenceRef!: string;

  @Field(() => CalendarDate, {
    nullable: true,
    description:
      "The person's date of birth, for the under-13 rule when the people index does not hold it; must agree with the index when it does.",
  })
  dateOfBirth?: Date | null;
}

@Governed({
  ...DATA_PROTECTION_OFFICER,
  party: CONTROLLER,
  subjects: (e: { personId: string }) => [e.personId],
})
@ObjectType({
  description:
    "A subject access export: everything the caller's agency holds about a person and every disclosure of it the audit records, " +
    "as one versioned JSON document (structure in the README, 'Subject access').",
})
export class SubjectAccessExport {
  @Field(() => DateTime, { description: "When the export was made." })
  generatedAt!: Date;

  @Field(() => Agency, { description: "The controller: the agency whose data this is (the caller's)." })
  agency!: Agency;

  @Field(() => Person, { description: "The person the export is about." })
  person!: Person;

  @Field(() => Int, {
    description: "How many records the agency holds about the person (in document.records).",
  })
  recordCount!: number;

  @Field(() => Int, {
    description:
      "How many disclosures and refusals of those records the audit holds (in document.disclosures).",
  })
  disclosureCount!: number;

  @Field(() => JSONValue, {
    description: 'The export: a JSON object, `"version": 1`, as the README documents it.',
  })
  document!: Record<string, unknown>;

  /** The controller's id (the party rule reads it). */
  ownerAgencyId!: string;
  /** The person's id. */
  personId!: string;
}

@Part()
@ObjectType({ description: "What a notification is about: the kind of record and its id." })
export class NotificationSubject {
  @Field(() => NotificationSubjectKind, { description: "The kind of record." })
  kind!: NotificationSubjectKind;

  @Field(() => ID, { description: "Its id, for the query that reads that kind of record." })
  id!: string;
}

// Person-level: a notice may name a person (by id) or a break-glass access to their data.
@Governed({ personLevel: true, party: NOTIFICATION_RECIPIENT })
@ObjectType({
  description:
    "Something that needs the signed-in user's attention: to their agency, narrowed to their role or to them.",
})
export class Notification {
  @Field(() => ID, { description: "Notification id." })
  id!: string;

  @Field(() => DateTime, { description: "When it was written (with the change that caused it)." })
  at!: Date;

  @Field(() => NotificationKind, { description: "What it tells." })
  kind!: NotificationKind;

  @Field(() => String, { description: "One line to show; names no person." })
  title!: string;

  @Field(() => Boolean, { description: "Whether the caller has marked it read." })
  read!: boolean;

  @Field(() => NotificationSubject, { description: "What it is about." })
  subject!: NotificationSubject;

  // For the party rule.
  toAgencyId!: string;
  toRole!: string | null;
  toUserId!: string | null;
}

@Part()
@ObjectType("NotificationEdge", { description: "One notification in a page of results." })
export class NotificationEdge {
  @Field(() => String, { description: "Opaque cursor; pass as `after` to continue." })
  cursor!: string;

  @Field(() => Notification, { description: "The notification." })
  node!: Notification;
}

@Part()
// Not the shared ConnectionType: a caller's own notifications, nothing withheld to count.
@ObjectType("NotificationConnection", { description: "A page of the caller's notifications, newest first." })
export class NotificationConnection {
  @Field(() => [NotificationEdge], { description: "This page of results." })
  edges!: NotificationEdge[];

  @Field(() => PageInfo, { description: "Whether more results follow, and where to continue." })
  pageInfo!: PageInfo;

  @Field(() => Int, {
    description: "How many notifications match (read or not, as asked), across all pages.",
  })
  totalCount!: number;

  @Field(() => Int, { description: "How many of the caller's notifications are unread, whatever was asked." })
  unreadCount!: number;
}

/** A data-protection record of an agency (its retention rules, holds, erasures): its own DSOs' only. */
const DATA_PROTECTION_RECORD = {
  roles: [Role.DATA_SHARING_OFFICER],
  purposes: [Purpose.DATA_PROTECTION],
  party: OWNER_AGENCY,
} as const;

@Governed(DATA_PROTECTION_RECORD)
@ObjectType({ description: "How long an agency keeps records of one category, from when, and why." })
export class RetentionRule {
  @Field(() => ID, { description: "Rule id." })
  id!: string;

  @Field(() => Agency, { description: "The agency whose records it governs." })
  agency!: Agency;

  @Field(() => DataCategory, { description: "The category of records." })
  category!: DataCategory;

  @Field(() => Int, { description: "How many months records are kept." })
  retainForMonths!: number;

  @Field(() => RetentionStart, { description: "From which moment the period runs." })
  from!: RetentionStart;

  @Field(() => String, { description: "Why this period: the law, policy or schedule it follows." })
  basis!: string;

  ownerAgencyId!: string;
}

@Governed({ ...DATA_PROTECTION_RECORD, personLevel: true })
@ObjectType({ description: "A record the caller's agency holds whose retention period has run out." })
export class RetentionDueRecord {
  @Field(() => String, {
    description: "What kind of record: INCIDENT, ASB_CASE, ENROLMENT, REFERRAL, TENANCY...",
  })
  kind!: string;

  @Field(() => ID, { description: "The record's id." })
  id!: string;

  @Field(() => DataCategory, { description: "Its category." })
  category!: DataCategory;

  @Field(() => DateTime, { description: "Since when it is due." })
  dueSince!: Date;

  ownerAgencyId!: string;
}

@Part()
@ObjectType("RetentionDueEdge", { description: "One record due in a page of results." })
export class RetentionDueEdge {
  @Field(() => String, { description: "Opaque cursor; pass as `after` to continue." })
  cursor!: string;

  @Field(() => RetentionDueRecord, { description: "The record due." })
  node!: RetentionDueRecord;
}

@Part()
@ObjectType("RetentionDueConnection", {
  description:
    "Records of the caller's agency due under its retention rules (a legal hold keeps a person's out).",
})
export class RetentionDueConnection {
  @Field(() => [RetentionDueEdge], { description: "This page of results." })
  edges!: RetentionDueEdge[];

  @Field(() => PageInfo, { description: "Whether more results follow, and where to continue." })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many records are due, across all pages." })
  totalCount!: number;
}

@Governed({ ...DATA_PROTECTION_RECORD, personLevel: true })
@ObjectType({ description: "What an erasure request did at the caller's agency." })
export class ErasureResult {
  @Field(() => Agency, { description: "The agency that erased (the caller's)." })
  agency!: Agency;

  @Field(() => Int, { description: "Records erased: the person's part in a record, or the whole record." })
  erasedRecords!: number;

  @Field(() => Int, { description: "Records kept, by a retention rule or a legal hold." })
  retainedRecords!: number;

  @Field(() => [String], { description: "Why records were kept, one line per reason." })
  retainedBecause!: string[];

  ownerAgencyId!: string;
}

@Governed({ ...DATA_PROTECTION_RECORD, personLevel: true })
@ObjectType({
  description:
    "A record the caller's agency holds about a person, and whether erasing the person would keep it.",
})
export class ErasurePlanRecord {
  @Field(() => String, {
    description: "What kind of record: INCIDENT, ASB_CASE, ENROLMENT, REFERRAL, TENANCY...",
  })
  kind!: string;

  @Field(() => ID, { description: "The record's id." })
  id!: string;

  @Field(() => [DataCategory], { description: "Its categories, as the person is in it." })
  categories!: DataCategory[];

  @Field(() => [String], {
    description: "Why erasure would keep it (a retention rule, a legal hold); empty when it would be erased.",
  })
  keptBecause!: string[];

  ownerAgencyId!: string;
}

@Governed({ ...DATA_PROTECTION_RECORD, personLevel: true })
@ObjectType({
  description:
    "What erasing a person at the caller's agency would erase and keep today, and why; nothing is changed by asking.",
})
export class ErasurePlan {
  @Field(() => Agency, { description: "The agency whose data it is (the caller's)." })
  agency!: Agency;

  @Field(() => Int, { description: "Records that would be erased (the person's part, or the whole record)." })
  eraseRecords!: number;

  @Field(() => Int, { description: "Records that would be kept, by a retention rule or a legal hold." })
  retainRecords!: number;

  @Field(() => [String], { description: "Why records would be kept, one line per reason." })
  retainedBecause!: string[];

  @Field(() => [ErasurePlanRecord], { description: "Each record, and what erasure would do with it." })
  records!: ErasurePlanRecord[];

  ownerAgencyId!: string;
}

@Governed({ ...DATA_PROTECTION_RECORD, personLevel: true })
@ObjectType({
  description:
    "A legal hold: the agency keeps everything it holds about the person, whatever erasure or retention say.",
})
export class LegalHold {
  @Field(() => Person, { description: "Whom it is about." })
  person!: Person;

  @Field(() => Agency, { description: "The agency that placed it (the caller's)." })
  agency!: Agency;

  @Field(() => String, { description: "Why (a claim, an inquiry, a court order reference)." })
  reason!: string;

  @Field(() => String, { description: "The data-sharing officer who placed it." })
  placedBy!: string;

  @Field(() => DateTime, { description: "When." })
  placedAt!: Date;

  ownerAgencyId!: string;
}
