import { MonthlyCountRecord } from "../shared/rollups";
import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import {
  HousingReportRecord,
  PropertyRecord,
  TenancyActionRecord,
  TenancyOccupantRecord,
  TenancyRecord,
} from "./entities";
import { createHousingLoaders, type HousingLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { DataProtection1765100000004 } from "./migrations/1765100000004-DataProtection";
import { MonthlyCounts1796578491110 } from "./migrations/1796578491110-MonthlyCounts";
import { ErasureInTwoPhases1796578647022 } from "./migrations/1796578647022-ErasureInTwoPhases";
import { ErasureThroughDefinerFunctions1796583231004 } from "./migrations/1796583231004-ErasureThroughDefinerFunctions";
import { Ingest1796590217594 } from "./migrations/1796590217594-Ingest";
import { ForgottenRecords1796591932981 } from "./migrations/1796591932981-ForgottenRecords";
import { ImportRecord } from "../shared/ingest/store";
import { importsResolver } from "../shared/ingest/graphql";
import { ERASURE_ENTITIES } from "../shared/erasure";
import { FORGOTTEN_ENTITIES } from "../shared/forgotten";
import { holdingsResolver } from "../shared/data-protection";
import { housingHoldings } from "./repository";
import { KeptAgencyRegistry1765000000000, KeptAgencyRegistryRecord } from "../shared/kept-registry";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { RecordKeys1764200000000 } from "./migrations/1764200000000-RecordKeys";
import { housingReferenceResolvers } from "./reference";
import { HousingReportResolver } from "./resolvers/housing-report.resolver";
import { NeighbourhoodTenancyActionStatsResolver } from "./resolvers/neighbourhood.resolver";
import { PersonHousingResolver } from "./resolvers/person.resolver";
import { ReportsMadeResolver } from "./resolvers/reports-made.resolver";
import { ReportCountsResolver } from "./resolvers/report-counts.resolver";
import { PropertyResolver } from "./resolvers/property.resolver";
import { TenancyResolver } from "./resolvers/tenancy.resolver";
import { Neighbourhood } from "./types";

/** The housing subgraph: properties (UPRN), tenancies, tenancy actions, arrears bands and tenants' reports. */
export const housing: SubgraphDefinition<HousingLoaders> = {
  name: "housing",
  ownerAgencyId: "housing",
  entities: [
    PropertyRecord,
    TenancyRecord,
    TenancyOccupantRecord,
    TenancyActionRecord,
    HousingReportRecord,
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
    Ingest1796590217594,
    ForgottenRecords1796591932981,
  ],
  resolvers: [
    importsResolver("housing"),
    holdingsResolver(housingHoldings),
    TenancyResolver,
    ReportsMadeResolver,
    ReportCountsResolver,
    PropertyResolver,
    HousingReportResolver,
    PersonHousingResolver,
    NeighbourhoodTenancyActionStatsResolver,
  ],
  // Reached only through _entities: the partnership owns neighbourhoods, housing adds counts.
  orphanedTypes: [Neighbourhood],
  referenceResolvers: housingReferenceResolvers,
  createLoaders: createHousingLoaders,
};
