import { MonthlyCountRecord } from "../shared/rollups";
import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import { IncidentOutcomeRecord, IncidentRecord, InvolvementRecord } from "./entities";
import { createPoliceLoaders, type PoliceLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { DataProtection1765100000004 } from "./migrations/1765100000004-DataProtection";
import { MonthlyCounts1796578491110 } from "./migrations/1796578491110-MonthlyCounts";
import { ErasureInTwoPhases1796578647022 } from "./migrations/1796578647022-ErasureInTwoPhases";
import { ErasureThroughDefinerFunctions1796583231004 } from "./migrations/1796583231004-ErasureThroughDefinerFunctions";
import { OutcomeHistory1796589263864 } from "./migrations/1796589263864-OutcomeHistory";
import { Ingest1796589889077 } from "./migrations/1796589889077-Ingest";
import { ForgottenRecords1796591932948 } from "./migrations/1796591932948-ForgottenRecords";
import { IncidentSearchIndex1796610000000 } from "./migrations/1796610000000-IncidentSearchIndex";
import { ImportRecord } from "../shared/ingest/store";
import { importsResolver } from "../shared/ingest/graphql";
import { ERASURE_ENTITIES } from "../shared/erasure";
import { FORGOTTEN_ENTITIES } from "../shared/forgotten";
import { holdingsResolver } from "../shared/data-protection";
import { policeHoldings } from "./repository";
import { KeptAgencyRegistry1765000000000, KeptAgencyRegistryRecord } from "../shared/kept-registry";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { RecordKeys1764200000000 } from "./migrations/1764200000000-RecordKeys";
import { SearchAndStatisticsIndexes1763800000000 } from "./migrations/1763800000000-SearchAndStatisticsIndexes";
import { policeReferenceResolvers } from "./reference";
import { AsbCaseNearbyIncidentsResolver } from "./resolvers/asb-case.resolver";
import { IncidentResolver } from "./resolvers/incident.resolver";
import { NeighbourhoodIncidentStatsResolver } from "./resolvers/neighbourhood.resolver";
import { PersonIncidentsResolver } from "./resolvers/person.resolver";
import { ReportsMadeResolver } from "./resolvers/reports-made.resolver";
import { ReportCountsResolver } from "./resolvers/report-counts.resolver";
import { AsbCase, CaseAssessment, Neighbourhood } from "./types";

/** The police subgraph: incidents (police.uk crime types), involvements and outcomes. */
export const police: SubgraphDefinition<PoliceLoaders> = {
  name: "police",
  ownerAgencyId: "police",
  entities: [
    IncidentRecord,
    InvolvementRecord,
    IncidentOutcomeRecord,
    DemoSeedRecord,
    KeptAgencyRegistryRecord,
    ...ERASURE_ENTITIES,
    ...FORGOTTEN_ENTITIES,
    MonthlyCountRecord,
    ImportRecord,
  ],
  migrations: [
    Initial1763700000000,
    SearchAndStatisticsIndexes1763800000000,
    LeastPrivilegeRoles1764100000000,
    RecordKeys1764200000000,
    ConnectOnlyWhereServed1764300000000,
    KeptAgencyRegistry1765000000000,
    DataProtection1765100000004,
    MonthlyCounts1796578491110,
    ErasureInTwoPhases1796578647022,
    ErasureThroughDefinerFunctions1796583231004,
    OutcomeHistory1796589263864,
    Ingest1796589889077,
    ForgottenRecords1796591932948,
    IncidentSearchIndex1796610000000,
  ],
  resolvers: [
    importsResolver("police"),
    holdingsResolver(policeHoldings),
    IncidentResolver,
    ReportsMadeResolver,
    ReportCountsResolver,
    PersonIncidentsResolver,
    NeighbourhoodIncidentStatsResolver,
    AsbCaseNearbyIncidentsResolver,
  ],
  // Entities owned elsewhere that police extend: reached only through _entities, so type-graphql
  // would leave them out of the schema unless named here.
  orphanedTypes: [AsbCase, Neighbourhood, CaseAssessment],
  referenceResolvers: policeReferenceResolvers,
  createLoaders: createPoliceLoaders,
};
