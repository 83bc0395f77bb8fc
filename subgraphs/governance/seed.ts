import { notify } from "../shared/notifications";
import { agreementAwaitingApproval } from "./services/notifications";
import { AGE_OF_CONSENT, ageOnDate } from "../shared/facts";
import type { SubgraphSeeder } from "../shared/demo/seed";
import { DEMO_AGENCIES, FEATURED_YOUNG, personId } from "../shared/demo/world";
import { AgreementStatus, ConsentGiver, DataCategory as C, Purpose as P } from "../shared/enums";
import { AgencyRepository } from "./repositories/agencies";
import { AgreementRepository, type ApprovalRow, type NewAgreement } from "./repositories/agreements";
import { AuditRepository, type NewAuditRecord } from "./repositories/audit";
import { ConsentRepository, type NewConsent } from "./repositories/consents";
import { Agency } from "./types";
import { DataProtectionRepository } from "./repositories/data-protection";
import { RetentionStart, type RetentionRuleFacts } from "../shared/data-protection";

const LAWFUL_BASIS = "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115";
const SPECIAL_BASIS =
  "UK GDPR Art 6(1)(e) and Art 9(2)(g); Children Act 2004 s10; Crime and Disorder Act 1998 s115";
/** In force on any date the demo is likely to be run on. */
const IN_FORCE = { validFrom: "2019-01-01", validTo: "2030-12-31", reviewDate: "2027-06-30" };

interface SeedAgreement {
  id: string;
  title: string;
  provider: string;
  recipient: string;
  purposes: P[];
  categories: C[];
  consentRequiredFor?: C[];
  lawfulBasis?: string;
  dates?: { validFrom: string; validTo: string; reviewDate: string };
  /** Agencies that approved; both unless said. */
  approvedBy?: string[];
  suspended?: { at: string; reason: string };
}

/**
 * The demo partnership's agreements. Police narratives are shared with no one; housing and
 * youth services have no agreement at all, in either direction (so nothing is signposted
 * between them); one agreement of each other status shows how the rules treat it.
 */
const AGREEMENTS: SeedAgreement[] = [
  {
    id: "agr-police-council",
    title: "Police incident and offender information for council ASB case management and crime prevention",
    provider: "police",
    recipient: "council",
    purposes: [P.ASB_CASE_MANAGEMENT, P.CRIME_PREVENTION],
    categories: [C.INCIDENT_SUMMARY, C.ASB_CASE, C.IDENTITY, C.RISK, C.OFFENDING],
  },
  {
    id: "agr-council-police",
    title: "Council ASB case and risk information for police ASB case management and safeguarding",
    provider: "council",
    recipient: "police",
    purposes: [P.ASB_CASE_MANAGEMENT, P.SAFEGUARDING],
    categories: [C.ASB_CASE, C.RISK],
  },
  {
    id: "agr-housing-council",
    title: "Tenancy information for tenancy sustainment and ASB case management; arrears only with consent",
    provider: "housing",
    recipient: "council",
    purposes: [P.TENANCY_SUSTAINMENT, P.ASB_CASE_MANAGEMENT],
    categories: [C.TENANCY, C.FINANCIAL],
    consentRequiredFor: [C.FINANCIAL],
  },
  {
    id: "agr-youth-council",
    title: "Youth programme and education information for council youth diversion and safeguarding",
    provider: "youth",
    recipient: "council",
    purposes: [P.YOUTH_DIVERSION, P.SAFEGUARDING],
    categories: [C.YOUTH_PROGRAMME, C.EDUCATION],
    consentRequiredFor: [C.EDUCATION],
    lawfulBasis: SPECIAL_BASIS,
  },
  {
    id: "agr-youth-police",
    title: "Youth programme and education information for police youth diversion and safeguarding",
    provider: "youth",
    recipient: "police",
    purposes: [P.YOUTH_DIVERSION, P.SAFEGUARDING],
    categories: [C.YOUTH_PROGRAMME, C.EDUCATION],
    consentRequiredFor: [C.EDUCATION],
    lawfulBasis: SPECIAL_BASIS,
  },
  {
    id: "agr-council-youth",
    title: "Council ASB cases for youth diversion",
    provider: "council",
    recipient: "youth",
    purposes: [P.YOUTH_DIVERSION],
    categories: [C.ASB_CASE],
  },
  {
    id: "agr-police-youth",
    title: "Police incident summaries for youth diversion",
    provider: "police",
    recipient: "youth",
    purposes: [P.YOUTH_DIVERSION],
    categories: [C.INCIDENT_SUMMARY],
  },
  {
    id: "agr-police-housing",
    title: "Police incident summaries for tenancy enforcement",
    provider: "police",
    recipient: "housing",
    purposes: [P.TENANCY_SUSTAINMENT, P.ASB_CASE_MANAGEMENT],
    categories: [C.INCIDENT_SUMMARY],
    suspended: {
      at: "2024-10-01T09:00:00Z",
      reason:
        "Suspended pending review after incident summaries were used in possession proceedings outside the agreed purposes",
    },
  },
  {
    id: "agr-council-housing",
    title: "Council ASB cases for housing ASB case management (2019 to 2024 pilot)",
    provider: "council",
    recipient: "housing",
    purposes: [P.ASB_CASE_MANAGEMENT],
    categories: [C.ASB_CASE],
    dates: { validFrom: "2019-01-01", validTo: "2024-03-31", reviewDate: "2023-06-30" },
  },
  {
    id: "agr-housing-police",
    title: "Tenancy information for police crime prevention",
    provider: "housing",
    recipient: "police",
    purposes: [P.CRIME_PREVENTION],
    categories: [C.TENANCY],
    approvedBy: ["housing"],
  },
  {
    id: "agr-housing-police-safeguarding",
    title: "Tenancy information for police safeguarding of people at risk in their homes",
    provider: "housing",
    recipient: "police",
    purposes: [P.SAFEGUARDING],
    categories: [C.TENANCY],
  },
];

/** The same officers approve, propose and review throughout the demo. */
const DSO = (agency: string) => `${agency}.dso`;

function agreementsToSeed(): { agreements: NewAgreement[]; approvals: ApprovalRow[] } {
  const agreements: NewAgreement[] = [];
  const approvals: ApprovalRow[] = [];
  AGREEMENTS.forEach((a, i) => {
    const approvedBy = a.approvedBy ?? [a.provider, a.recipient];
    const approved = approvedBy.length === 2;
    agreements.push({
      id: a.id,
      reference: `ISA-2019-${String(i + 1).padStart(3, "0")}`,
      title: a.title,
      providerAgencyId: a.provider,
      recipientAgencyId: a.recipient,
      status: a.suspended
        ? AgreementStatus.SUSPENDED
        : approved
          ? AgreementStatus.ACTIVE
          : AgreementStatus.DRAFT,
      purposes: a.purposes,
      categories: a.categories,
      consentRequiredFor: a.consentRequiredFor ?? [],
      lawfulBasis: a.lawfulBasis ?? LAWFUL_BASIS,
      ...(a.dates ?? IN_FORCE),
      proposedBy: DSO(a.provider),
      proposedAt: new Date(
        approved ? `2018-11-${String(i + 1).padStart(2, "0")}T10:00:00Z` : "2019-06-20T10:00:00Z",
      ),
      suspendedAt: a.suspended ? new Date(a.suspended.at) : null,
      suspendedReason: a.suspended?.reason ?? null,
    });
    approvedBy.forEach((agency, j) =>
      approvals.push({
        agreementId: a.id,
        agencyId: agency,
        approvedBy: DSO(agency),
        approvedAt: new Date(
          approved ? `2018-12-${String(i + 1 + j * 10).padStart(2, "0")}T15:00:00Z` : "2019-06-24T11:30:00Z",
        ),
      }),
    );
  });
  return { agreements, approvals };
}

/**
 * Consents of the featured young people (per-000001..010), each recorded by a DSO of the agency
 * whose data it lets be shared (its provider): to youth services sharing their education and
 * programme records with council and police; and (but for per-000005) to the council and police
 * sharing their ASB case and incident summaries with youth services, which is what a referral by
 * either discloses (see youth's referral-consent.ts). per-000001 is 12, so a parent gave them;
 * per-000003 withdrew theirs; per-000004's have expired. Three featured adults consented to
 * housing (the provider, who recorded it) sharing arrears with the council.
 */
function consentsToSeed(dateOfBirth: Map<string, string>): NewConsent[] {
  const consents: NewConsent[] = [];
  const recordedAt = (givenAt: Date) => new Date(givenAt.getTime() + 2 * 3600 * 1000);
  for (let n = 1; n <= FEATURED_YOUNG; n++) {
    const id = personId(n);
    const born = dateOfBirth.get(id);
    if (!born) continue;
    const givenAt = new Date(`2019-03-${String(n + 1).padStart(2, "0")}T10:00:00Z`);
    const underAge = ageOnDate(born, givenAt.toISOString().slice(0, 10)) < AGE_OF_CONSENT;
    const shares: {
      provider: string;
      recipient: string;
      purposes: P[];
      categories: C[];
      evidence: string;
    }[] = [
      // Youth services hold the education and programme records these cover, and record them.
      ...(["council", "police"] as const).map((recipient) => ({
        provider: "youth",
        recipient,
        purposes: [P.YOUTH_DIVERSION, P.SAFEGUARDING],
        categories: [C.EDUCATION, C.YOUTH_PROGRAMME],
        evidence: "YS-CONSENT",
      })),
      // Referrals to youth programmes: the referrer shares its own record; per-000005 has none.
      ...(n === 5
        ? []
        : [
            {
              provider: "council",
              recipient: "youth",
              purposes: [P.YOUTH_DIVERSION],
              categories: [C.ASB_CASE],
              evidence: "CASB-REFERRAL",
            },
            {
              provider: "police",
              recipient: "youth",
              purposes: [P.YOUTH_DIVERSION],
              categories: [C.INCIDENT_SUMMARY],
              evidence: "POL-REFERRAL",
            },
          ]),
    ];
    shares.forEach((share, r) =>
      consents.push({
        id: `con-${String(n).padStart(4, "0")}-${r + 1}`,
        personId: id,
        recipientAgencyId: share.recipient,
        providerAgencyId: share.provider,
        purposes: share.purposes,
        categories: share.categories,
        givenBy: n === 1 || underAge ? ConsentGiver.PARENT_OR_GUARDIAN : ConsentGiver.SELF,
        givenAt,
        expiresAt: n === 4 ? new Date("2019-06-30T23:00:00Z") : null,
        withdrawnAt: n === 3 ? new Date("2019-06-01T12:00:00Z") : null,
        evidenceRef: `${share.evidence}-2019-${String(n).padStart(4, "0")}`,
        recordedByAgencyId: share.provider,
        recordedBy: DSO(share.provider),
        recordedAt: recordedAt(givenAt),
      }),
    );
  }
  for (const n of [11, 12, 13]) {
    const id = personId(n);
    if (!dateOfBirth.has(id)) continue;
    const givenAt = new Date(`2019-04-${String(n).padStart(2, "0")}T14:00:00Z`);
    consents.push({
      id: `con-${String(n).padStart(4, "0")}-1`,
      personId: id,
      recipientAgencyId: "council",
      // Housing holds the arrears, and records the consent to share them.
      providerAgencyId: "housing",
      purposes: [P.TENANCY_SUSTAINMENT, P.ASB_CASE_MANAGEMENT],
      categories: [C.FINANCIAL],
      givenBy: ConsentGiver.SELF,
      givenAt,
      expiresAt: null,
      evidenceRef: `CH-TS-2019-${String(n).padStart(4, "0")}`,
      recordedByAgencyId: "housing",
      recordedBy: DSO("housing"),
      recordedAt: recordedAt(givenAt),
    });
  }
  return consents;
}

interface SeedAccess {
  at: string;
  user: string;
  agency: string;
  purpose: P;
  operation: string;
  request: string;
  owner: string;
  person: string;
  categories: C[];
  recordIds?: string[];
  denied?: string;
  basis?: "AGREEMENT" | "CONSENT" | "BREAK_GLASS";
  agreementId?: string;
  consentId?: string;
  justification?: string;
}

function access(a: SeedAccess): NewAuditRecord {
  return {
    at: new Date(a.at),
    userId: a.user,
    agencyId: a.agency,
    role: "PRACTITIONER",
    purpose: a.purpose,
    operationName: a.operation,
    requestId: a.request,
    ownerAgencyId: a.owner,
    personIds: [a.person],
    categories: a.categories,
    recordIds: a.recordIds ?? [],
    decision: a.denied ? "DENIED" : "PERMITTED",
    reason: a.denied ?? null,
    basis: a.denied ? null : (a.basis ?? "AGREEMENT"),
    agreementId: a.agreementId ?? null,
    consentId: a.consentId ?? null,
    breakGlass: a.basis === "BREAK_GLASS",
    justification: a.justification ?? null,
    kind: a.denied ? "DENIAL" : "DISCLOSURE",
    detail: null,
  };
}

/**
 * A few weeks of audit history, so the contract's Disclosures and BreakGlassToReview show data
 * to a police DSO: council and youth reading police data about per-000011 (one refusal of the
 * narrative, which no agreement shares), police reading a young person's education records
 * under consent, and one unreviewed break-glass by the council into police data on per-000002.
 */
function auditToSeed(
  incidentIds: string[],
  consentTo: (person: string, agency: string) => string | undefined,
): NewAuditRecord[] {
  const records: NewAuditRecord[] = [
    access({
      at: "2019-07-01T09:30:00Z",
      user: "council.asb.officer",
      agency: "council",
      purpose: P.ASB_CASE_MANAGEMENT,
      operation: "Person360",
      request: "demo-request-0001",
      owner: "police",
      person: personId(11),
      categories: [C.INCIDENT_SUMMARY],
      recordIds: incidentIds.slice(0, 2),
      agreementId: "agr-police-council",
    }),
    access({
      at: "2019-07-01T09:30:00Z",
      user: "council.asb.officer",
      agency: "council",
      purpose: P.ASB_CASE_MANAGEMENT,
      operation: "Person360",
      request: "demo-request-0001",
      owner: "police",
      person: personId(11),
      categories: [C.INCIDENT_NARRATIVE],
      recordIds: incidentIds.slice(0, 2),
      denied: "CATEGORY_NOT_COVERED",
    }),
    access({
      at: "2019-07-03T14:10:00Z",
      user: "youth.diversion.worker",
      agency: "youth",
      purpose: P.YOUTH_DIVERSION,
      operation: "IncidentsInArea",
      request: "demo-request-0002",
      owner: "police",
      person: personId(11),
      categories: [C.INCIDENT_SUMMARY],
      recordIds: incidentIds.slice(0, 1),
      agreementId: "agr-police-youth",
    }),
    access({
      at: "2019-07-05T11:00:00Z",
      user: "council.asb.officer",
      agency: "council",
      purpose: P.CRIME_PREVENTION,
      operation: "Person360",
      request: "demo-request-0003",
      owner: "police",
      person: personId(11),
      categories: [C.OFFENDING, C.RISK],
      agreementId: "agr-police-council",
    }),
    access({
      at: "2019-07-10T22:45:00Z",
      user: "council.safeguarding.lead",
      agency: "council",
      purpose: P.SAFEGUARDING,
      operation: "Person360",
      request: "demo-request-0004",
      owner: "police",
      person: personId(2),
      categories: [C.INCIDENT_SUMMARY, C.INCIDENT_NARRATIVE],
      recordIds: incidentIds.slice(2, 3),
      basis: "BREAK_GLASS",
      justification:
        "Child reported missing overnight; need recent police contacts and locations to find them",
    }),
  ];
  const consentId = consentTo(personId(2), "police");
  if (consentId) {
    records.push(
      access({
        at: "2019-07-12T10:15:00Z",
        user: "police.youth.officer",
        agency: "police",
        purpose: P.YOUTH_DIVERSION,
        operation: "Person360",
        request: "demo-request-0005",
        owner: "youth",
        person: personId(2),
        categories: [C.EDUCATION],
        basis: "CONSENT",
        agreementId: "agr-youth-police",
        consentId,
      }),
    );
  }
  records.push({
    at: new Date("2024-10-01T09:00:00Z"),
    userId: DSO("police"),
    agencyId: "police",
    role: "DATA_SHARING_OFFICER",
    purpose: null,
    operationName: "SuspendAgreement",
    requestId: "demo-request-0006",
    ownerAgencyId: "police",
    personIds: [],
    categories: [C.INCIDENT_SUMMARY],
    recordIds: ["agr-police-housing"],
    decision: "PERMITTED",
    reason: null,
    basis: null,
    agreementId: "agr-police-housing",
    consentId: null,
    breakGlass: false,
    justification: null,
    kind: "AGREEMENT_CHANGE",
    detail: "suspended ISA-2019-008: pending review",
  });
  return records;
}

/**
 * Governance's part of the demo partnership: the four agencies, the agreements between them,
 * the featured people's consents, the people index's dates of birth (for the under-13 rule) and
 * a short audit history appended through the hash chain. Deterministic: the same every run.
 */
export const seedGovernance: SubgraphSeeder = async (sql, options) => {
  const { agreements, approvals } = agreementsToSeed();
  const consentRows = consentsToSeed(new Map(options.people.map((p) => [p.id, p.dateOfBirth])));
  const consentTo = (person: string, agency: string) =>
    consentRows.find(
      (c) => c.personId === person && c.recipientAgencyId === agency && !c.withdrawnAt && !c.expiresAt,
    )?.id;
  // One transaction: a seed that fails half-way leaves nothing behind to trip the next attempt.
  await sql.transaction(async (tx) => {
    await new AgencyRepository(tx).insertMany(DEMO_AGENCIES.map((a) => Object.assign(new Agency(), a)));
    const consents = new ConsentRepository(tx);
    await consents.copyDatesOfBirth(options.people);
    const repository = new AgreementRepository(tx);
    await repository.insertMany(agreements);
    await repository.insertApprovals(approvals);
    await consents.insertMany(consentRows);
    await AuditRepository.append(tx, auditToSeed(options.linkable?.INCIDENT ?? [], consentTo));
    // Drafts await the approval of the parties that have not given it (their DSOs are told).
    await notify(
      tx,
      agreements
        .filter((a) => a.status === AgreementStatus.DRAFT)
        .flatMap((a) =>
          agreementAwaitingApproval(
            a,
            approvals.filter((x) => x.agreementId === a.id).map((x) => x.agencyId),
          ),
        ),
    );
    for (const rule of DEMO_RETENTION_RULES) {
      await DataProtectionRepository.putRule(tx, rule.agencyId, rule, "seed");
    }
  });
};

/**
 * The demo partnership's retention schedule: per agency and category, sensible defaults with the
 * source each follows (README, "Retention"). A deployment sets its own with setRetentionRule.
 */
export const DEMO_RETENTION_RULES: readonly (RetentionRuleFacts & { agencyId: string })[] = [
  {
    agencyId: "police",
    category: C.INCIDENT_SUMMARY,
    retainForMonths: 72,
    from: RetentionStart.CREATED,
    basis: "College of Policing APP Management of Police Information (MoPI): group 3, reviewed after 6 years",
  },
  {
    agencyId: "police",
    category: C.OFFENDING,
    retainForMonths: 120,
    from: RetentionStart.LAST_ACTIVITY,
    basis: "College of Policing APP Management of Police Information (MoPI): group 2, 10-year clear period",
  },
  {
    agencyId: "council",
    category: C.ASB_CASE,
    retainForMonths: 72,
    from: RetentionStart.CLOSED,
    basis:
      "IRMS Local Government retention schedule (LGA toolkit): community safety and ASB case files, closure + 6 years",
  },
  {
    agencyId: "youth",
    category: C.EDUCATION,
    retainForMonths: 84,
    from: RetentionStart.CLOSED,
    basis:
      "IRMS Information Management Toolkit for Schools: pupil record to date of birth + 25 years (about leaving + 7)",
  },
  {
    agencyId: "youth",
    category: C.YOUTH_PROGRAMME,
    retainForMonths: 72,
    from: RetentionStart.CLOSED,
    basis: "IRMS Local Government retention schedule: youth work and early help records, closure + 6 years",
  },
  {
    agencyId: "housing",
    category: C.TENANCY,
    retainForMonths: 72,
    from: RetentionStart.CLOSED,
    basis:
      "Limitation Act 1980 s.5 and housing sector retention guidance (NHF): tenancy file, end of tenancy + 6 years",
  },
];
