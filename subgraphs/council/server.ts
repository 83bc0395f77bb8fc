import { MonthlyCountRecord } from "../shared/rollups";
import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import { AsbCaseRecord, AsbPartyRecord, InterventionRecord } from "./entities";
import { createCouncilLoaders, type CouncilLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { DataProtection1765100000004 } from "./migrations/1765100000004-DataProtection";
import { MonthlyCounts1796578491110 } from "./migrations/1796578491110-MonthlyCounts";
import { ErasureInTwoPhases1796578647022 } from "./migrations/1796578647022-ErasureInTwoPhases";
import { ErasureThroughDefinerFunctions1796583231004 } from "./migrations/1796583231004-ErasureThroughDefinerFunctions";
import { ERASURE_ENTITIES } from "../shared/erasure";
import { FORGOTTEN_ENTITIES } from "../shared/forgotten";
import { holdingsResolver } from "../shared/data-protection";
import { councilHoldings } from "./repository";
import { KeptAgencyRegistry1765000000000, KeptAgencyRegistryRecord } from "../shared/kept-registry";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { RecordKeys1764200000000 } from "./migrations/1764200000000-RecordKeys";
import { Ingest1796589434044 } from "./migrations/1796589434044-Ingest";
import { ForgottenRecords1796591932923 } from "./migrations/1796591932923-ForgottenRecords";
import { ImportRecord } from "../shared/ingest/store";
import { importsResolver } from "../shared/ingest/graphql";
import { councilReferenceResolvers } from "./reference";
import { AsbCaseResolver } from "./resolvers/asb-case.resolver";
import { NeighbourhoodAsbCaseStatsResolver } from "./resolvers/neighbourhood.resolver";
import { PersonAsbCasesResolver } from "./resolvers/person.resolver";
import { ReportsMadeResolver } from "./resolvers/reports-made.resolver";
import { ReportCountsResolver } from "./resolvers/report-counts.resolver";
import { CaseAssessment, Neighbourhood } from "./types";

/** The council subgraph: ASB cases, parties, interventions and victim risk. */
export const council: SubgraphDefinition<CouncilLoaders> = {
  name: "council",
  ownerAgencyId: "council",
  entities: [
    AsbCaseRecord,
    AsbPartyRecord,
    InterventionRecord,
    DemoSeedRecord,
    KeptAgencyRegistryRecord,
    MonthlyCountRecord,
    ImportRecord,
    ...ERASURE_ENTITIES,
    ...FORGOTTEN_ENTITIES,
  ],
  migrations: [
    Initial1763700000000,
    LeastPrivilegeRoles1764100000000,
    RecordKeys1764200000000,
    ConnectOnlyWhereServed1764300000000,
    KeptAgencyRegistry1765000000000,
    DataProtection1765100000004,
    MonthlyCounts1796578491110,
    ErasureInTwoPhases1796578647022,
    ErasureThroughDefinerFunctions1796583231004,
    Ingest1796589434044,
    ForgottenRecords1796591932923,
  ],
  resolvers: [
    importsResolver("council"),
    holdingsResolver(councilHoldings),
    ReportsMadeResolver,
    ReportCountsResolver,
    AsbCaseResolver,
    PersonAsbCasesResolver,
    NeighbourhoodAsbCaseStatsResolver,
  ],
  // Reached only through entity references, so no query leads type-graphql to them.
  orphanedTypes: [Neighbourhood, CaseAssessment],
  referenceResolvers: councilReferenceResolvers,
  createLoaders: createCouncilLoaders,
};
