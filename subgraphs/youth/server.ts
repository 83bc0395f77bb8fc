import { MonthlyCountRecord } from "../shared/rollups";
import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import {
  EnrolmentRecord,
  ProgrammeRecord,
  ReferralRecord,
  ReferralStatusChangeRecord,
  SchoolRecord,
} from "./entities";
import { createYouthLoaders, type YouthLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { LeastPrivilegeRoles1764100000000 } from "./migrations/1764100000000-LeastPrivilegeRoles";
import { DataProtection1765100000004 } from "./migrations/1765100000004-DataProtection";
import { MonthlyCounts1796578491110 } from "./migrations/1796578491110-MonthlyCounts";
import { ErasureInTwoPhases1796578647022 } from "./migrations/1796578647022-ErasureInTwoPhases";
import { ErasureThroughDefinerFunctions1796583231004 } from "./migrations/1796583231004-ErasureThroughDefinerFunctions";
import { Ingest1796590548897 } from "./migrations/1796590548897-Ingest";
import { ForgottenRecords1796591932967 } from "./migrations/1796591932967-ForgottenRecords";
import { ImportRecord } from "../shared/ingest/store";
import { importsResolver } from "../shared/ingest/graphql";
import { ERASURE_ENTITIES } from "../shared/erasure";
import { FORGOTTEN_ENTITIES } from "../shared/forgotten";
import { holdingsResolver } from "../shared/data-protection";
import { youthHoldings } from "./repository";
import { KeptAgencyRegistry1765000000000, KeptAgencyRegistryRecord } from "../shared/kept-registry";
import { ConnectOnlyWhereServed1764300000000 } from "./migrations/1764300000000-ConnectOnlyWhereServed";
import { RecordKeys1764200000000 } from "./migrations/1764200000000-RecordKeys";
import { youthReferenceResolvers } from "./reference";
import { EnrolmentResolver } from "./resolvers/enrolment.resolver";
import { NeighbourhoodReferralStatsResolver } from "./resolvers/neighbourhood.resolver";
import { PersonYouthResolver } from "./resolvers/person.resolver";
import { ProgrammeResolver } from "./resolvers/programme.resolver";
import { ReferralResolver } from "./resolvers/referral.resolver";
import { SchoolResolver } from "./resolvers/school.resolver";
import { Neighbourhood } from "./types";

/** The youth subgraph: schools, enrolments and attendance; youth programmes and referrals. */
export const youth: SubgraphDefinition<YouthLoaders> = {
  name: "youth",
  ownerAgencyId: "youth",
  entities: [
    SchoolRecord,
    EnrolmentRecord,
    ProgrammeRecord,
    ReferralRecord,
    ReferralStatusChangeRecord,
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
    Ingest1796590548897,
    ForgottenRecords1796591932967,
  ],
  resolvers: [
    importsResolver("youth"),
    holdingsResolver(youthHoldings),
    SchoolResolver,
    EnrolmentResolver,
    ProgrammeResolver,
    ReferralResolver,
    PersonYouthResolver,
    NeighbourhoodReferralStatsResolver,
  ],
  // Nothing here returns a Neighbourhood; without this its referralStats would not be in the schema.
  orphanedTypes: [Neighbourhood],
  referenceResolvers: youthReferenceResolvers,
  createLoaders: createYouthLoaders,
};
