import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import {
  AgencyRecord,
  CaseActionRecord,
  CaseEventRecord,
  CaseNeighbourhoodRecord,
  CaseNoteRecord,
  CasePartnerRecord,
  CasePersonRecord,
  CaseRecordLinkRecord,
  CaseReferenceCounterRecord,
  CaseStageChangeRecord,
  NeighbourhoodRecord,
  PersonRecord,
  PersonReferenceRecord,
  PersonIdentityHistoryRecord,
  MatchedReferenceRecord,
  PersonMatchReviewRecord,
  PersonMergeRecord,
  ProblemCaseRecord,
  NotificationOutboxRecord,
  VictimRiskAssessmentRecord,
} from "./entities";
import { createPartnershipLoaders, type PartnershipLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { HeldRecord } from "../shared/data-protection";
import { DataProtectionResolver } from "./resolvers/data-protection.resolver";
import { DataProtection1765100000004 } from "./migrations/1765100000004-DataProtection";
import { ErasureInTwoPhases1796578647022 } from "./migrations/1796578647022-ErasureInTwoPhases";
import { ErasureThroughDefinerFunctions1796583231004 } from "./migrations/1796583231004-ErasureThroughDefinerFunctions";
import { IngestPeople1796589476599 } from "./migrations/1796589476599-IngestPeople";
import { MatcherIngest1796591902576 } from "./migrations/1796591902576-MatcherIngest";
import { PersonMerges1796600000001 } from "./migrations/1796600000001-PersonMerges";
import { ERASURE_ENTITIES } from "../shared/erasure";
import { KeptAgencyRegistry1765000000000, KeptAgencyRegistryRecord } from "../shared/kept-registry";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { CaseWork1765100000000 } from "./migrations/1765100000000-CaseWork";
import { IdentityRectification1765100000001 } from "./migrations/1765100000001-IdentityRectification";
import { NotificationOutbox1765100000002 } from "./migrations/1765100000002-NotificationOutbox";
import { every } from "../shared/notifications";
import { relayNotifications, sweepCaseNotices } from "./notices";
import { countFromOwners } from "./threshold";
import { PeopleByDateOfBirth1765100000003 } from "./migrations/1765100000003-PeopleByDateOfBirth";
import { DropReportIndex1765210000000 } from "./migrations/1765210000000-DropReportIndex";
import { PeopleMatching1796589361515 } from "./migrations/1796589361515-PeopleMatching";
import { partnershipReferenceResolvers } from "./reference";
import { CaseMutationResolver } from "./resolvers/case-mutation.resolver";
import {
  CaseActionResolver,
  CaseAssessmentResolver,
  CasePersonResolver,
} from "./resolvers/case-parts.resolver";
import { CaseReviewResolver } from "./resolvers/case-review.resolver";
import {
  CaseActionCaseResolver,
  CaseWorkResolver,
  VictimRiskAssessmentResolver,
} from "./resolvers/case-work.resolver";
import { NeighbourhoodResolver } from "./resolvers/neighbourhood.resolver";
import { PersonResolver } from "./resolvers/person.resolver";
import { PersonMatchReviewResolver } from "./resolvers/person-match-review.resolver";
import { PersonMergeResolver } from "./resolvers/person-merge.resolver";
import { ProblemCaseResolver } from "./resolvers/problem-case.resolver";

/** The partnership subgraph: people index (Person), neighbourhoods (LSOA) and problem-solving cases. */
export const partnership: SubgraphDefinition<PartnershipLoaders> = {
  name: "partnership",
  ownerAgencyId: "partnership",
  entities: [
    AgencyRecord,
    PersonRecord,
    PersonReferenceRecord,
    PersonIdentityHistoryRecord,
    MatchedReferenceRecord,
    PersonMatchReviewRecord,
    PersonMergeRecord,
    NeighbourhoodRecord,
    ProblemCaseRecord,
    CaseReferenceCounterRecord,
    CasePartnerRecord,
    CaseNeighbourhoodRecord,
    CasePersonRecord,
    CaseActionRecord,
    CaseStageChangeRecord,
    CaseRecordLinkRecord,
    CaseEventRecord,
    CaseNoteRecord,
    VictimRiskAssessmentRecord,
    NotificationOutboxRecord,
    DemoSeedRecord,
    KeptAgencyRegistryRecord,
    ...ERASURE_ENTITIES,
  ],
  migrations: [
    Initial1763700000000,
    LeastPrivilegeRoles1764100000000,
    ConnectOnlyWhereServed1764300000000,
    KeptAgencyRegistry1765000000000,
    CaseWork1765100000000,
    IdentityRectification1765100000001,
    NotificationOutbox1765100000002,
    PeopleByDateOfBirth1765100000003,
    DataProtection1765100000004,
    DropReportIndex1765210000000,
    ErasureInTwoPhases1796578647022,
    ErasureThroughDefinerFunctions1796583231004,
    PeopleMatching1796589361515,
    IngestPeople1796589476599,
    MatcherIngest1796591902576,
    PersonMerges1796600000001,
  ],
  resolvers: [
    PersonResolver,
    NeighbourhoodResolver,
    ProblemCaseResolver,
    CaseMutationResolver,
    CasePersonResolver,
    CaseActionResolver,
    CaseAssessmentResolver,
    CaseReviewResolver,
    CaseWorkResolver,
    CaseActionCaseResolver,
    VictimRiskAssessmentResolver,
    DataProtectionResolver,
    PersonMatchReviewResolver,
    PersonMergeResolver,
  ],
  // Named by _forgetHeld's declared change (an agency's holdings), which returns none.
  orphanedTypes: [HeldRecord],
  referenceResolvers: partnershipReferenceResolvers,
  createLoaders: createPartnershipLoaders,
  background: ({ sql, governanceSql, config, peerUrl }) => {
    // The case review threshold is counted by the report owners, asked as the case review count
    // service (shared/service-identity.ts) on behalf of each agency a notice would go to.
    const countThreshold = countFromOwners(config, peerUrl ?? ((name) => config.subgraphUrl(name)));
    const stops = [
      every(config.NOTIFICATION_RELAY_INTERVAL_MS, "notification relay", () =>
        relayNotifications(sql, governanceSql),
      ),
      every(
        config.NOTIFICATION_SWEEP_INTERVAL_MS,
        "notification sweep",
        () => sweepCaseNotices(sql, { countThreshold }),
        {
          now: true,
        },
      ),
    ];
    return () => stops.forEach((stop) => stop());
  },
};
