import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import {
  AgencyRecord,
  CaseActionRecord,
  CaseEventRecord,
  CaseNeighbourhoodRecord,
  CasePartnerRecord,
  CasePersonRecord,
  CaseRecordLinkRecord,
  CaseReferenceCounterRecord,
  CaseStageChangeRecord,
  NeighbourhoodRecord,
  PersonRecord,
  PersonReferenceRecord,
  ProblemCaseRecord,
} from "./entities";
import { createPartnershipLoaders, type PartnershipLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { KeptAgencyRegistry1765000000000, KeptAgencyRegistryRecord } from "../shared/kept-registry";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { DropReportIndex1765210000000 } from "./migrations/1765210000000-DropReportIndex";
import { partnershipReferenceResolvers } from "./reference";
import { CaseMutationResolver } from "./resolvers/case-mutation.resolver";
import {
  CaseActionResolver,
  CaseAssessmentResolver,
  CasePersonResolver,
} from "./resolvers/case-parts.resolver";
import { CaseReviewResolver } from "./resolvers/case-review.resolver";
import { NeighbourhoodResolver } from "./resolvers/neighbourhood.resolver";
import { PersonResolver } from "./resolvers/person.resolver";
import { ProblemCaseResolver } from "./resolvers/problem-case.resolver";

/** The partnership subgraph: people index (Person), neighbourhoods (LSOA) and problem-solving cases. */
export const partnership: SubgraphDefinition<PartnershipLoaders> = {
  name: "partnership",
  ownerAgencyId: "partnership",
  entities: [
    AgencyRecord,
    PersonRecord,
    PersonReferenceRecord,
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
    DemoSeedRecord,
    KeptAgencyRegistryRecord,
  ],
  migrations: [
    Initial1763700000000,
    LeastPrivilegeRoles1764100000000,
    ConnectOnlyWhereServed1764300000000,
    KeptAgencyRegistry1765000000000,
    DropReportIndex1765210000000,
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
  ],
  referenceResolvers: partnershipReferenceResolvers,
  createLoaders: createPartnershipLoaders,
};
