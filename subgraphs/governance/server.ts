import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import {
  AccessFactsVersionRecord,
  AgencyRecord,
  AgreementApprovalRecord,
  AgreementRecord,
  AgreementReinstatementRecord,
  AgreementReviewRecord,
  AuditCheckpointRecord,
  AuditRecord,
  AuditVerificationRecord,
  AuditWriterRecord,
  BreakGlassReviewRecord,
  ConsentRecord,
  NotificationDeliveryRecord,
  NotificationReadRecord,
  NotificationRecord,
  LegalHoldRecord,
  PersonDateOfBirthRecord,
  PersonErasureRecord,
  ErasureRecord,
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
import { RightsAudit1765100000000 } from "./migrations/1765100000000-RightsAudit";
import { AgreementLifecycle1764420000000 } from "./migrations/1764420000000-AgreementLifecycle";
import { Notifications1764400000000 } from "./migrations/1764400000000-Notifications";
import { every } from "../shared/notifications";
import { AuditVerifications1765100000003 } from "./migrations/1765100000003-AuditVerifications";
import { DataProtection1765100000004 } from "./migrations/1765100000004-DataProtection";
import { ErasureDecisions1796578689180 } from "./migrations/1796578689180-ErasureDecisions";
import { PersonMatchReviewAudit1796589854419 } from "./migrations/1796589854419-PersonMatchReviewAudit";
import { PersonMergeAudit1796600000000 } from "./migrations/1796600000000-PersonMergeAudit";
import { PersonMatchAudit1796600649593 } from "./migrations/1796600649593-PersonMatchAudit";
import { governanceReferenceResolvers } from "./reference";
import { deliverDueNotifications, sweepGovernanceNotices } from "./services/notifications";
import { AgencyResolver } from "./resolvers/agency.resolver";
import { AgreementApprovalResolver, AgreementResolver } from "./resolvers/agreement.resolver";
import {
  AccessExplanationResolver,
  ActorResolver,
  AuditChainStatusResolver,
  DisclosureResolver,
  PersonMatchAuditResolver,
  StaffAccessExplanationResolver,
} from "./resolvers/audit.resolver";
import { BreakGlassResolver } from "./resolvers/break-glass.resolver";
import {
  ErasurePlanResolver,
  ErasureResolver,
  LegalHoldResolver,
  RetentionRuleResolver,
} from "./resolvers/data-protection.resolver";
import { ConsentResolver, PersonConsentsResolver } from "./resolvers/consent.resolver";
import { SubjectAccessResolver } from "./resolvers/subject-access.resolver";
import { NotificationResolver } from "./resolvers/notification.resolver";

/** The governance subgraph: agencies, agreements, consents, access decisions and the audit log. */
export const governance: SubgraphDefinition<GovernanceLoaders> = {
  name: "governance",
  ownerAgencyId: null,
  entities: [
    AgencyRecord,
    AgreementRecord,
    AgreementApprovalRecord,
    AgreementReinstatementRecord,
    AgreementReviewRecord,
    ConsentRecord,
    PersonDateOfBirthRecord,
    AuditRecord,
    AuditWriterRecord,
    AuditCheckpointRecord,
    AuditVerificationRecord,
    BreakGlassReviewRecord,
    AccessFactsVersionRecord,
    NotificationRecord,
    NotificationReadRecord,
    NotificationDeliveryRecord,
    DemoSeedRecord,
    PersonKeyRecord,
    RetentionRuleRecord,
    LegalHoldRecord,
    PersonErasureRecord,
    ErasureRecord,
  ],
  migrations: [
    Initial1763700000000,
    OneRoundTripAccess1763900000000,
    ConsentProvenance1763950000000,
    ReferralConsentByReferrer1763960000000,
    LeastPrivilegeRoles1764100000000,
    ConnectOnlyWhereServed1764300000000,
    AuditAppendByLogin1764310000000,
    Notifications1764400000000,
    AgreementLifecycle1764420000000,
    RightsAudit1765100000000,
    AuditVerifications1765100000003,
    DataProtection1765100000004,
    ErasureDecisions1796578689180,
    PersonMatchReviewAudit1796589854419,
    PersonMergeAudit1796600000000,
    PersonMatchAudit1796600649593,
  ],
  resolvers: [
    AgencyResolver,
    AgreementResolver,
    AgreementApprovalResolver,
    ConsentResolver,
    PersonConsentsResolver,
    DisclosureResolver,
    PersonMatchAuditResolver,
    ActorResolver,
    AccessExplanationResolver,
    SubjectAccessResolver,
    AuditChainStatusResolver,
    StaffAccessExplanationResolver,
    BreakGlassResolver,
    NotificationResolver,
    RetentionRuleResolver,
    ErasurePlanResolver,
    ErasureResolver,
    LegalHoldResolver,
  ],
  referenceResolvers: governanceReferenceResolvers,
  createLoaders: createGovernanceLoaders,
  background: ({ sql, config }) => {
    const stops = [
      every(config.NOTIFICATION_SWEEP_INTERVAL_MS, "notification sweep", () => sweepGovernanceNotices(sql), {
        now: true,
      }),
    ];
    if (config.webhookUrls.size && config.NOTIFICATION_WEBHOOK_SECRET) {
      const settings = {
        urls: config.webhookUrls,
        secret: config.NOTIFICATION_WEBHOOK_SECRET,
        backoffBaseMs: config.NOTIFICATION_RETRY_BASE_MS,
      };
      stops.push(
        every(config.NOTIFICATION_RELAY_INTERVAL_MS, "notification delivery", () =>
          deliverDueNotifications(sql, settings),
        ),
      );
    }
    return () => stops.forEach((stop) => stop());
  },
};
