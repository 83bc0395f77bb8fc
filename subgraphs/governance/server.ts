import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import {
  AccessFactsVersionRecord,
  AgencyRecord,
  AgreementApprovalRecord,
  AgreementRecord,
  AuditCheckpointRecord,
  AuditRecord,
  AuditWriterRecord,
  BreakGlassReviewRecord,
  ConsentRecord,
  LegalHoldRecord,
  PersonDateOfBirthRecord,
  PersonErasureRecord,
  PersonKeyRecord,
  RetentionRuleRecord,
} from "./entities";
import { createGovernanceLoaders, type GovernanceLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { OneRoundTripAccess1763900000000 } from "./migrations/1763900000000-OneRoundTripAccess";
import { ConsentProvenance1763950000000 } from "./migrations/1763950000000-ConsentProvenance";
import { ReferralConsentByReferrer1763960000000 } from "./migrations/1763960000000-ReferralConsentByReferrer";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { AuditAppendByLogin1764310000000 } from "./migrations/1764310000000-AuditAppendByLogin";
import { DataProtection1765100000000 } from "./migrations/1765100000000-DataProtection";
import { governanceReferenceResolvers } from "./reference";
import { AgencyResolver } from "./resolvers/agency.resolver";
import { AgreementApprovalResolver, AgreementResolver } from "./resolvers/agreement.resolver";
import { AccessExplanationResolver, ActorResolver, DisclosureResolver } from "./resolvers/audit.resolver";
import { BreakGlassResolver } from "./resolvers/break-glass.resolver";
import {
  ErasureResolver,
  LegalHoldResolver,
  RetentionRuleResolver,
} from "./resolvers/data-protection.resolver";
import { ConsentResolver, PersonConsentsResolver } from "./resolvers/consent.resolver";

/** The governance subgraph: agencies, agreements, consents, access decisions and the audit log. */
export const governance: SubgraphDefinition<GovernanceLoaders> = {
  name: "governance",
  ownerAgencyId: null,
  entities: [
    AgencyRecord,
    AgreementRecord,
    AgreementApprovalRecord,
    ConsentRecord,
    PersonDateOfBirthRecord,
    AuditRecord,
    AuditWriterRecord,
    AuditCheckpointRecord,
    BreakGlassReviewRecord,
    AccessFactsVersionRecord,
    DemoSeedRecord,
    PersonKeyRecord,
    RetentionRuleRecord,
    LegalHoldRecord,
    PersonErasureRecord,
  ],
  migrations: [
    Initial1763700000000,
    OneRoundTripAccess1763900000000,
    ConsentProvenance1763950000000,
    ReferralConsentByReferrer1763960000000,
    LeastPrivilegeRoles1764100000000,
    ConnectOnlyWhereServed1764300000000,
    AuditAppendByLogin1764310000000,
    DataProtection1765100000000,
  ],
  resolvers: [
    AgencyResolver,
    AgreementResolver,
    AgreementApprovalResolver,
    ConsentResolver,
    PersonConsentsResolver,
    DisclosureResolver,
    ActorResolver,
    AccessExplanationResolver,
    BreakGlassResolver,
    RetentionRuleResolver,
    ErasureResolver,
    LegalHoldResolver,
  ],
  referenceResolvers: governanceReferenceResolvers,
  createLoaders: createGovernanceLoaders,
};
