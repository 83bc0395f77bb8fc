import type { NewAuditRecord } from "../../subgraphs/governance/repositories/audit";

/**
 * An audit record of the kind the chain mostly holds: a council practitioner shown a police
 * incident under the police → council agreement. Tests give what they vary (time, user,
 * request, people, records).
 */
export function councilReadOfPoliceIncident(vary: Partial<NewAuditRecord>): NewAuditRecord {
  return {
    at: new Date(),
    userId: "council.officer",
    agencyId: "council",
    role: "PRACTITIONER",
    purpose: "ASB_CASE_MANAGEMENT",
    operationName: "Person360",
    requestId: "audit-fixture",
    ownerAgencyId: "police",
    personIds: ["per-000001"],
    categories: ["INCIDENT_SUMMARY"],
    recordIds: [],
    decision: "PERMITTED",
    reason: null,
    basis: "AGREEMENT",
    agreementId: "agr-police-council",
    consentId: null,
    breakGlass: false,
    justification: null,
    kind: "DISCLOSURE",
    detail: null,
    ...vary,
  };
}
