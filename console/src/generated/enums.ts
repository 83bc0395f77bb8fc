/** On what ground an access was permitted. */
export type AccessBasis =
  /** Suppressed statistics under STATISTICS, which are not personal data. */
  | 'AGGREGATE'
  /** An active information sharing agreement covers the purpose and category. */
  | 'AGREEMENT'
  /** Emergency access under SAFEGUARDING; reviewed by the owner's data-sharing officers. */
  | 'BREAK_GLASS'
  /** The agreement asks for consent, and the person's consent covers it. */
  | 'CONSENT'
  /** The caller's own agency holds the data. */
  | 'OWN_DATA'
  /** Identity from the partnership's people index, open to practitioners and DSOs. */
  | 'PEOPLE_INDEX';

/** Whether an access was permitted or denied. */
export type AccessOutcome =
  /** The data was (or would be) withheld. */
  | 'DENIED'
  /** The data was (or would be) released. */
  | 'PERMITTED';

/** A person's age band today, computed from their date of birth. */
export type AgeBand =
  /** 13 to 15. */
  | 'AGE_13_TO_15'
  /** 16 or 17. */
  | 'AGE_16_TO_17'
  /** 18 to 24. */
  | 'AGE_18_TO_24'
  /** 25 to 64. */
  | 'AGE_25_TO_64'
  /** 65 or over. */
  | 'AGE_65_PLUS'
  /** Under 13: below the age of consent for data sharing. */
  | 'UNDER_13';

/** Where an information sharing agreement is in its lifecycle. */
export type AgreementStatus =
  /** Approved by both parties and in force today: data flows under it. */
  | 'ACTIVE'
  /** Proposed; waiting for both parties' approval or for its start date. */
  | 'DRAFT'
  /** Past its end date. */
  | 'EXPIRED'
  /** Ended by a party's DSO for good. */
  | 'REVOKED'
  /** Replaced by a later version both parties approved; nothing flows under it. */
  | 'SUPERSEDED'
  /** Paused by a party's DSO, with a reason; nothing flows under it. */
  | 'SUSPENDED';

/** How much rent the household owes, banded so that exact sums are never shared. */
export type ArrearsBand =
  /** £250 to £999 owed. */
  | 'FROM_250_TO_999'
  /** £1,000 to £2,499 owed. */
  | 'FROM_1000_TO_2499'
  /** The rent account is up to date. */
  | 'NONE'
  /** £2,500 or more owed. */
  | 'OVER_2500'
  /** Less than £250 owed. */
  | 'UNDER_250';

/** Where an ASB case is in the council's process. */
export type AsbCaseStatus =
  /** At least one intervention has been used. */
  | 'ACTION_TAKEN'
  /** The case is closed. */
  | 'CLOSED'
  /** Reported and logged; not yet investigated. */
  | 'OPEN'
  /** An officer is gathering evidence. */
  | 'UNDER_INVESTIGATION';

/** What kind of anti-social behaviour a case is about. */
export type AsbCategory =
  /** Drug use or dealing in a public or shared place. */
  | 'DRUG_USE'
  /** Waste dumped illegally. */
  | 'FLY_TIPPING'
  /** Harassment, threats or intimidating behaviour. */
  | 'INTIMIDATION'
  /** A dispute between neighbours. */
  | 'NEIGHBOUR_DISPUTE'
  /** Persistent noise: music, parties, shouting, barking. */
  | 'NOISE'
  /** Abandoned, dangerous or nuisance vehicles. */
  | 'NUISANCE_VEHICLES'
  /** Drinking in the street and the nuisance around it. */
  | 'STREET_DRINKING'
  /** Damage to property, graffiti. */
  | 'VANDALISM_AND_GRAFFITI'
  /** Nuisance by groups of young people. */
  | 'YOUTH_NUISANCE';

/** A person's part in an ASB case. */
export type AsbPartyRole =
  /** Reported the behaviour. */
  | 'COMPLAINANT'
  /** Alleged to be responsible for the behaviour. */
  | 'PERPETRATOR'
  /** Harmed by the behaviour. */
  | 'VICTIM'
  /** Saw or heard the behaviour. */
  | 'WITNESS';

/** A data-sharing officer's finding on a break-glass access. */
export type BreakGlassOutcome =
  /** The emergency access was warranted. */
  | 'JUSTIFIED'
  /** It was not: to be followed up with the user's agency. */
  | 'NOT_JUSTIFIED';

/** Where an action on a problem-solving case stands. */
export type CaseActionStatus =
  /** Cancelled with a reason; no longer to be done. */
  | 'CANCELLED'
  /** Completed by the assigned agency. */
  | 'DONE'
  /** Not done yet, and not yet due. */
  | 'OPEN'
  /** Not done, and its due date has passed. */
  | 'OVERDUE';

/** What the lead agency changed on a case. */
export type CaseChangeKind =
  /** Closed with an outcome (before: the stage; after: the outcome). */
  | 'CLOSED'
  /** The partner agencies (before and after: agency ids). */
  | 'PARTNERS'
  /** The people in the case and their parts (before and after: personId:ROLE). */
  | 'PEOPLE';

/** How a problem-solving case ended. */
export type CaseOutcome =
  /** The same problem is worked in another case. */
  | 'DUPLICATE'
  /** The response did not work; the problem continues. */
  | 'NOT_RESOLVED'
  /** Nothing more the partnership can do (no evidence, no engagement). */
  | 'NO_FURTHER_ACTION'
  /** The problem continues, but less; the partners judge it manageable. */
  | 'REDUCED'
  /** The problem stopped. */
  | 'RESOLVED'
  /** Handed to another process or body (e.g. a MARAC, another area). */
  | 'TRANSFERRED';

/** Kinds of agency record a problem-solving case can link to. */
export type CaseRecordKind =
  /** A council ASB case. */
  | 'ASB_CASE'
  /** A police incident. */
  | 'INCIDENT'
  /** A youth programme referral. */
  | 'REFERRAL'
  /** A housing tenancy. */
  | 'TENANCY';

/** SARA stage of a problem-solving case: scanning, analysis, response, assessment; then closed. */
export type CaseStage =
  /** Understanding its causes from every partner's records. */
  | 'ANALYSIS'
  /** Judging whether the response worked. */
  | 'ASSESSMENT'
  /** Finished; no further changes. */
  | 'CLOSED'
  /** Partners carry out the agreed actions. */
  | 'RESPONSE'
  /** Identifying the problem and who it harms. */
  | 'SCANNING';

/** Who gave a consent: the person, or a parent or guardian on their behalf. */
export type ConsentGiver =
  /** A parent or guardian, as required for someone under 13. */
  | 'PARENT_OR_GUARDIAN'
  /** The person themselves (13 or over when given). */
  | 'SELF';

/** Where a consent stands at the time of the request. */
export type ConsentStatus =
  /** In force: data it covers may be shared. */
  | 'ACTIVE'
  /** Its expiry has passed. */
  | 'EXPIRED'
  /** The person (or their parent or guardian) withdrew it. */
  | 'WITHDRAWN';

/** The police.uk crime types, as published. */
export type CrimeCategory =
  /** police.uk: Anti-social behaviour. */
  | 'ANTI_SOCIAL_BEHAVIOUR'
  /** police.uk: Bicycle theft. */
  | 'BICYCLE_THEFT'
  /** police.uk: Burglary. */
  | 'BURGLARY'
  /** police.uk: Criminal damage and arson. */
  | 'CRIMINAL_DAMAGE_AND_ARSON'
  /** police.uk: Drugs. */
  | 'DRUGS'
  /** police.uk: Other crime. */
  | 'OTHER_CRIME'
  /** police.uk: Other theft. */
  | 'OTHER_THEFT'
  /** police.uk: Possession of weapons. */
  | 'POSSESSION_OF_WEAPONS'
  /** police.uk: Public order. */
  | 'PUBLIC_ORDER'
  /** police.uk: Robbery. */
  | 'ROBBERY'
  /** police.uk: Shoplifting. */
  | 'SHOPLIFTING'
  /** police.uk: Theft from the person. */
  | 'THEFT_FROM_THE_PERSON'
  /** police.uk: Vehicle crime. */
  | 'VEHICLE_CRIME'
  /** police.uk: Violence and sexual offences. */
  | 'VIOLENCE_AND_SEXUAL_OFFENCES';

/** What kind of data a field or record is; agreements and consents are written in these terms. */
export type DataCategory =
  /** Council anti-social behaviour case records. */
  | 'ASB_CASE'
  /** School enrolments, attendance and suspensions. */
  | 'EDUCATION'
  /** Rent arrears and other financial information. */
  | 'FINANCIAL'
  /** Who a person is: name, date of birth, agency references. */
  | 'IDENTITY'
  /** The free-text account of an incident. */
  | 'INCIDENT_NARRATIVE'
  /** That an incident happened: when, where, what type, outcome. */
  | 'INCIDENT_SUMMARY'
  /** A person's involvement as a suspect or offender. */
  | 'OFFENDING'
  /** Risk assessments of victims and cases. */
  | 'RISK'
  /** Tenancies, properties and tenancy actions. */
  | 'TENANCY'
  /** Youth programme referrals and participation. */
  | 'YOUTH_PROGRAMME';

/** How an import ended. */
export type ImportOutcome =
  /** A dry run: nothing was written. */
  | 'DRY_RUN'
  /** A file was refused or could not be written; files before it were loaded. */
  | 'FAILED'
  /** Every file was loaded (bad rows, if rejects were asked for, left out). */
  | 'LOADED'
  /** Not ended: still running, or stopped without ending (killed). */
  | 'RUNNING';

/** Where an intervention stands. */
export type InterventionStatus =
  /** The person broke its terms. */
  | 'BREACHED'
  /** The person kept to its terms. */
  | 'COMPLIED'
  /** Ended or lifted. */
  | 'DISCHARGED'
  /** Issued and in force. */
  | 'ISSUED'
  /** Agreed as the next step; not yet issued. */
  | 'PROPOSED';

/** The tools the council and partners use against ASB, in escalation order. */
export type InterventionType =
  /** A voluntary written agreement to stop the behaviour. */
  | 'ACCEPTABLE_BEHAVIOUR_CONTRACT'
  /** A court injunction under the 2014 Act, Part 1. */
  | 'CIVIL_INJUNCTION'
  /** A court order closing premises. */
  | 'CLOSURE_ORDER'
  /** A notice under the ASB, Crime and Policing Act 2014, s43. */
  | 'COMMUNITY_PROTECTION_NOTICE'
  /** A written warning before a community protection notice. */
  | 'COMMUNITY_PROTECTION_WARNING'
  /** An order made on conviction. */
  | 'CRIMINAL_BEHAVIOUR_ORDER'
  /** A word from an officer. */
  | 'VERBAL_WARNING'
  /** A written warning. */
  | 'WARNING_LETTER';

/** A person's part in an incident. */
export type InvolvementRole =
  /** The person who reported it. */
  | 'REPORTER'
  /** A person suspected of the offence or behaviour. */
  | 'SUSPECT'
  /** The person harmed. */
  | 'VICTIM'
  /** A person who saw or heard it. */
  | 'WITNESS';

/** What a notification tells its reader. */
export type NotificationKind =
  /** A case action was assigned to the reader's agency. */
  | 'ACTION_ASSIGNED'
  /** A case action assigned to the reader's agency passed its due date undone. */
  | 'ACTION_OVERDUE'
  /** An agreement the reader's agency is party to awaits its approval (to its data-sharing officers). */
  | 'AGREEMENT_AWAITING_APPROVAL'
  /** An agreement's review date is within 30 days, or has passed without a review. */
  | 'AGREEMENT_REVIEW_DUE'
  /** Someone used break-glass on the reader's agency's data (to its data-sharing officers). */
  | 'BREAK_GLASS_ON_OUR_DATA'
  /** A person on one of the reader's agency's open cases reached the case review threshold. */
  | 'CASE_REVIEW_THRESHOLD_MET'
  /** A consent expires within 14 days (to both parties' data-sharing officers). */
  | 'CONSENT_EXPIRING';

/** What a notification is about. */
export type NotificationSubjectKind =
  /** An agreement (Query.agreement). */
  | 'AGREEMENT'
  /** A break-glass access (Query.breakGlassEvents). */
  | 'BREAK_GLASS_EVENT'
  /** An action on a problem-solving case. */
  | 'CASE_ACTION'
  /** A consent (Query.consent). */
  | 'CONSENT'
  /** A person in the people index (Query.person). */
  | 'PERSON'
  /** A problem-solving case (Query.problemCase). */
  | 'PROBLEM_CASE';

/** A person's place in a tenancy. */
export type OccupantRole =
  /** Lives in the home (a child, partner or relative) without being a tenant. */
  | 'HOUSEHOLD_MEMBER'
  /** A second named tenant, jointly responsible. */
  | 'JOINT_TENANT'
  /** The named tenant, responsible for the tenancy. */
  | 'TENANT';

/** What happened to the link of one of the agency's references to a person in the people index. */
export type PersonMatchAuditKind =
  /** An import's matcher linked the reference to a person another agency holds (shared identifier or score). */
  | 'LINKED'
  /** An import's matcher gave the reference a provisional person and queued it for review. */
  | 'QUEUED'
  /** A data-sharing officer of the agency confirmed or rejected a queued match. */
  | 'REVIEWED';

/** Where a queued match stands. */
export type PersonMatchStatus =
  /** The same person: the reference was linked to the candidate. */
  | 'CONFIRMED'
  /** Waiting for a data-sharing officer of the reviewing agency. */
  | 'PENDING'
  /** Not the same person: the reference keeps its own person. */
  | 'REJECTED';

/** What a youth programme offers. */
export type ProgrammeKind =
  /** Music, drama, media and other creative projects. */
  | 'ARTS'
  /** Youth workers meeting young people where they gather, on the street. */
  | 'DETACHED_YOUTH_WORK'
  /** Structured work to divert a young person from offending or anti-social behaviour. */
  | 'DIVERSION'
  /** One-to-one support from a trained mentor. */
  | 'MENTORING'
  /** Regular sport sessions, often in the evenings when nuisance peaks. */
  | 'SPORT';

/** Why data is being accessed; sent on every request in the x-purpose header. */
export type Purpose =
  /** Managing an anti-social behaviour case. */
  | 'ASB_CASE_MANAGEMENT'
  /** Preventing or detecting crime and disorder. */
  | 'CRIME_PREVENTION'
  /** A data-sharing officer handling a person's rights (access, erasure, rectification) or retention. */
  | 'DATA_PROTECTION'
  /** Protecting a child or adult at risk; the only purpose that allows break-glass. */
  | 'SAFEGUARDING'
  /** Aggregate statistics only; reaches no person-level field. */
  | 'STATISTICS'
  /** Helping a tenant keep their home. */
  | 'TENANCY_SUSTAINMENT'
  /** Diverting a young person from offending. */
  | 'YOUTH_DIVERSION';

/** Where a referral is in its life: REFERRED, then ACCEPTED or DECLINED, then ACTIVE, then COMPLETED; WITHDRAWN at any point before it ends. */
export type ReferralStatus =
  /** The programme has accepted the young person. */
  | 'ACCEPTED'
  /** The young person is taking part. */
  | 'ACTIVE'
  /** The young person finished the programme. */
  | 'COMPLETED'
  /** The programme did not accept the referral. */
  | 'DECLINED'
  /** Sent to the programme, not yet assessed. */
  | 'REFERRED'
  /** Withdrawn by the referrer, the young person or their family. */
  | 'WITHDRAWN';

/** From which moment a retention period runs. */
export type RetentionStart =
  /** From when the record was closed (a case closed, a tenancy ended); open records wait. */
  | 'CLOSED'
  /** From when the record was made. */
  | 'CREATED'
  /** From the last thing that happened on the record. */
  | 'LAST_ACTIVITY';

/** Graded risk to a victim or case. */
export type RiskLevel =
  /** Risk of serious harm that could happen at any time; needs urgent partnership action. */
  | 'HIGH'
  /** Identifiable risk of harm; the person is unlikely to be harmed unless circumstances change. */
  | 'MEDIUM'
  /** No significant risk of harm identified. */
  | 'STANDARD';

/** What a caller does in the partnership. */
export type Role =
  /** Builds dashboards: perturbed aggregates only, under STATISTICS. */
  | 'ANALYST'
  /** Manages agreements and consents for its agency and reads its audit. */
  | 'DATA_SHARING_OFFICER'
  /** Works cases: sees person-level data as agreements and consents allow. */
  | 'PRACTITIONER';

/** What stage of education a school serves. */
export type SchoolPhase =
  /** Reception to Year 11 or beyond in one school. */
  | 'ALL_THROUGH'
  /** Reception to Year 6 (ages 4 to 11). */
  | 'PRIMARY'
  /** Alternative provision for pupils who cannot attend a mainstream school. */
  | 'PUPIL_REFERRAL_UNIT'
  /** Year 7 to Year 11, with or without a sixth form (ages 11 to 18). */
  | 'SECONDARY';

/** Steps housing takes on a tenancy, from a warning to eviction, and support to keep the home. */
export type TenancyActionType =
  /** Bailiffs executed a warrant: the household lost the home. */
  | 'EVICTION'
  /** A notice of seeking possession (NOSP) served: the first legal step to end the tenancy. */
  | 'NOTICE_OF_SEEKING_POSSESSION'
  /** The county court granted a possession order (outright or suspended). */
  | 'POSSESSION_ORDER'
  /** Tenancy sustainment support: money advice, a support worker, a referral. */
  | 'SUSTAINMENT_SUPPORT'
  /** A verbal or written warning about conduct or rent. */
  | 'WARNING';

/** Where a tenancy stands. */
export type TenancyStatus =
  /** A current tenancy with no possession proceedings. */
  | 'ACTIVE'
  /** A current tenancy that housing is taking steps to end or to save (notice, order, arrears). */
  | 'AT_RISK'
  /** The tenancy has ended: surrender, transfer, eviction or death; `endDate` says when. */
  | 'ENDED';

/** The legal form of a tenancy. */
export type Tenure =
  /** A housing association assured tenancy (Housing Act 1988). */
  | 'ASSURED'
  /** A council trial tenancy for the first twelve months, easier to end for ASB. */
  | 'INTRODUCTORY'
  /** A privately rented home housing has placed or manages a tenant in. */
  | 'PRIVATE_RENTED'
  /** A council secure tenancy (Housing Act 1985). */
  | 'SECURE';

export type Join__Graph =
  | 'COUNCIL'
  | 'GOVERNANCE'
  | 'HOUSING'
  | 'PARTNERSHIP'
  | 'POLICE'
  | 'YOUTH';

export type Link__Purpose =
  /** `EXECUTION` features provide metadata necessary for operation execution. */
  | 'EXECUTION'
  /** `SECURITY` features provide metadata necessary to securely resolve fields. */
  | 'SECURITY';
