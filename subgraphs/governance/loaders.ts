import type { Sql } from "../shared/database";
import { loaderByKey, loaderOfChildren } from "../shared/loaders";
import { AgencyRepository } from "./repositories/agencies";
import {
  AgreementRepository,
  type ApprovalRow,
  type ReinstatementRow,
  type ReviewRow,
} from "./repositories/agreements";
import { AuditRepository } from "./repositories/audit";
import { BreakGlassRepository } from "./repositories/break-glass";
import { ConsentRepository } from "./repositories/consents";
import { NotificationRepository } from "./repositories/notifications";
import type { Agency, Agreement, Consent } from "./types";

/** The governance subgraph's per-request loaders and repositories; made fresh for every request. */
export function createGovernanceLoaders(sql: Sql) {
  const agencies = new AgencyRepository(sql);
  const agreements = new AgreementRepository(sql);
  const consents = new ConsentRepository(sql);
  return {
    agencies,
    agreements,
    consents,
    audit: new AuditRepository(sql),
    breakGlass: new BreakGlassRepository(sql),
    notifications: new NotificationRepository(sql),
    agencyById: loaderByKey<string, Agency>(
      (ids) => agencies.findByIds(ids),
      (a) => a.id,
    ),
    agreementById: loaderByKey<string, Agreement>(
      (ids) => agreements.findByIds(ids),
      (a) => a.id,
    ),
    approvalsByAgreement: loaderOfChildren<string, ApprovalRow>(
      (ids) => agreements.approvalsFor(ids),
      (r) => r.agreementId,
    ),
    reinstatementsByAgreement: loaderOfChildren<string, ReinstatementRow>(
      (ids) => agreements.reinstatementsFor(ids),
      (r) => r.agreementId,
    ),
    reviewsByAgreement: loaderOfChildren<string, ReviewRow>(
      (ids) => agreements.reviewsFor(ids),
      (r) => r.agreementId,
    ),
    consentById: loaderByKey<string, Consent>(
      (ids) => consents.findByIds(ids),
      (c) => c.id,
    ),
    consentsByPerson: loaderOfChildren<string, Consent>(
      (ids) => consents.forPeople(ids),
      (c) => c.personId,
    ),
  };
}

export type GovernanceLoaders = ReturnType<typeof createGovernanceLoaders>;
