import { registerEnumType } from "type-graphql";

/** Why data is being accessed; sent on every request in the x-purpose header. */
export enum Purpose {
  ASB_CASE_MANAGEMENT = "ASB_CASE_MANAGEMENT",
  SAFEGUARDING = "SAFEGUARDING",
  CRIME_PREVENTION = "CRIME_PREVENTION",
  YOUTH_DIVERSION = "YOUTH_DIVERSION",
  TENANCY_SUSTAINMENT = "TENANCY_SUSTAINMENT",
  STATISTICS = "STATISTICS",
  DATA_PROTECTION = "DATA_PROTECTION",
}

/** What kind of data a field or record is; agreements and consents are written in these terms. */
export enum DataCategory {
  IDENTITY = "IDENTITY",
  INCIDENT_SUMMARY = "INCIDENT_SUMMARY",
  INCIDENT_NARRATIVE = "INCIDENT_NARRATIVE",
  OFFENDING = "OFFENDING",
  ASB_CASE = "ASB_CASE",
  RISK = "RISK",
  EDUCATION = "EDUCATION",
  YOUTH_PROGRAMME = "YOUTH_PROGRAMME",
  TENANCY = "TENANCY",
  FINANCIAL = "FINANCIAL",
}

/** What a caller does in the partnership; carried in the token's `role` claim. */
export enum Role {
  PRACTITIONER = "PRACTITIONER",
  ANALYST = "ANALYST",
  DATA_SHARING_OFFICER = "DATA_SHARING_OFFICER",
}

export enum AgreementStatus {
  DRAFT = "DRAFT",
  ACTIVE = "ACTIVE",
  SUSPENDED = "SUSPENDED",
  EXPIRED = "EXPIRED",
  REVOKED = "REVOKED",
  SUPERSEDED = "SUPERSEDED",
}

export enum ConsentGiver {
  SELF = "SELF",
  PARENT_OR_GUARDIAN = "PARENT_OR_GUARDIAN",
}

export enum CaseStage {
  SCANNING = "SCANNING",
  ANALYSIS = "ANALYSIS",
  RESPONSE = "RESPONSE",
  ASSESSMENT = "ASSESSMENT",
  CLOSED = "CLOSED",
}

export enum CaseRecordKind {
  INCIDENT = "INCIDENT",
  ASB_CASE = "ASB_CASE",
  TENANCY = "TENANCY",
  REFERRAL = "REFERRAL",
}

export enum BreakGlassOutcome {
  JUSTIFIED = "JUSTIFIED",
  NOT_JUSTIFIED = "NOT_JUSTIFIED",
}

/** Risk to a victim or to a case, as partners grade it. */
export enum RiskLevel {
  STANDARD = "STANDARD",
  MEDIUM = "MEDIUM",
  HIGH = "HIGH",
}

registerEnumType(Purpose, {
  name: "Purpose",
  description: "Why data is being accessed; sent on every request in the x-purpose header.",
  valuesConfig: {
    ASB_CASE_MANAGEMENT: { description: "Managing an anti-social behaviour case." },
    SAFEGUARDING: {
      description: "Protecting a child or adult at risk; the only purpose that allows break-glass.",
    },
    CRIME_PREVENTION: { description: "Preventing or detecting crime and disorder." },
    YOUTH_DIVERSION: { description: "Diverting a young person from offending." },
    TENANCY_SUSTAINMENT: { description: "Helping a tenant keep their home." },
    STATISTICS: { description: "Aggregate statistics only; reaches no person-level field." },
    DATA_PROTECTION: {
      description:
        "A data-sharing officer handling a person's rights (access, erasure, rectification) or retention.",
    },
  },
});
registerEnumType(DataCategory, {
  name: "DataCategory",
  description: "What kind of data a field or record is; agreements and consents are written in these terms.",
  valuesConfig: {
    IDENTITY: { description: "Who a person is: name, date of birth, agency references." },
    INCIDENT_SUMMARY: { description: "That an incident happened: when, where, what type, outcome." },
    INCIDENT_NARRATIVE: { description: "The free-text account of an incident." },
    OFFENDING: { description: "A person's involvement as a suspect or offender." },
    ASB_CASE: { description: "Council anti-social behaviour case records." },
    RISK: { description: "Risk assessments of victims and cases." },
    EDUCATION: { description: "School enrolments, attendance and suspensions." },
    YOUTH_PROGRAMME: { description: "Youth programme referrals and participation." },
    TENANCY: { description: "Tenancies, properties and tenancy actions." },
    FINANCIAL: { description: "Rent arrears and other financial information." },
  },
});
registerEnumType(Role, {
  name: "Role",
  description: "What a caller does in the partnership.",
  valuesConfig: {
    PRACTITIONER: { description: "Works cases: sees person-level data as agreements and consents allow." },
    ANALYST: { description: "Builds dashboards: perturbed aggregates only, under STATISTICS." },
    DATA_SHARING_OFFICER: {
      description: "Manages agreements and consents for its agency and reads its audit.",
    },
  },
});
registerEnumType(AgreementStatus, {
  name: "AgreementStatus",
  description: "Where an information sharing agreement is in its lifecycle.",
  valuesConfig: {
    DRAFT: { description: "Proposed; waiting for both parties' approval or for its start date." },
    ACTIVE: { description: "Approved by both parties and in force today: data flows under it." },
    SUSPENDED: { description: "Paused by a party's DSO, with a reason; nothing flows under it." },
    EXPIRED: { description: "Past its end date." },
    REVOKED: { description: "Ended by a party's DSO for good." },
    SUPERSEDED: {
      description: "Replaced by a later version both parties approved; nothing flows under it.",
    },
  },
});
registerEnumType(ConsentGiver, {
  name: "ConsentGiver",
  description: "Who gave a consent: the person, or a parent or guardian on their behalf.",
  valuesConfig: {
    SELF: { description: "The person themselves (13 or over when given)." },
    PARENT_OR_GUARDIAN: { description: "A parent or guardian, as required for someone under 13." },
  },
});
registerEnumType(CaseStage, {
  name: "CaseStage",
  description: "SARA stage of a problem-solving case: scanning, analysis, response, assessment; then closed.",
  valuesConfig: {
    SCANNING: { description: "Identifying the problem and who it harms." },
    ANALYSIS: { description: "Understanding its causes from every partner's records." },
    RESPONSE: { description: "Partners carry out the agreed actions." },
    ASSESSMENT: { description: "Judging whether the response worked." },
    CLOSED: { description: "Finished; no further changes." },
  },
});
registerEnumType(CaseRecordKind, {
  name: "CaseRecordKind",
  description: "Kinds of agency record a problem-solving case can link to.",
  valuesConfig: {
    INCIDENT: { description: "A police incident." },
    ASB_CASE: { description: "A council ASB case." },
    TENANCY: { description: "A housing tenancy." },
    REFERRAL: { description: "A youth programme referral." },
  },
});
registerEnumType(BreakGlassOutcome, {
  name: "BreakGlassOutcome",
  description: "A data-sharing officer's finding on a break-glass access.",
  valuesConfig: {
    JUSTIFIED: { description: "The emergency access was warranted." },
    NOT_JUSTIFIED: { description: "It was not: to be followed up with the user's agency." },
  },
});
registerEnumType(RiskLevel, {
  name: "RiskLevel",
  description: "Graded risk to a victim or case.",
  valuesConfig: {
    STANDARD: { description: "No significant risk of harm identified." },
    MEDIUM: {
      description:
        "Identifiable risk of harm; the person is unlikely to be harmed unless circumstances change.",
    },
    HIGH: {
      description: "Risk of serious harm that could happen at any time; needs urgent partnership action.",
    },
  },
});
