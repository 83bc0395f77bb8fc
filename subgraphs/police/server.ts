import "reflect-metadata";
import { DemoSeedRecord } from "../shared/demo/seed-marker";
import type { SubgraphDefinition } from "../shared/subgraph";
import { IncidentRecord, InvolvementRecord } from "./entities";
import { createPoliceLoaders, type PoliceLoaders } from "./loaders";
import { Initial1763700000000 } from "./migrations/1763700000000-Initial";
import { policeReferenceResolvers } from "./reference";
import { AsbCaseNearbyIncidentsResolver } from "./resolvers/asb-case.resolver";
import { IncidentResolver } from "./resolvers/incident.resolver";
import { NeighbourhoodIncidentStatsResolver } from "./resolvers/neighbourhood.resolver";
import { PersonIncidentsResolver } from "./resolvers/person.resolver";

/** The police subgraph: incidents (police.uk crime types), involvements and outcomes. */
export const police: SubgraphDefinition<PoliceLoaders> = {
  name: "police",
  entities: [IncidentRecord, InvolvementRecord, DemoSeedRecord],
  migrations: [Initial1763700000000],
  resolvers: [IncidentResolver, PersonIncidentsResolver, NeighbourhoodIncidentStatsResolver, AsbCaseNearbyIncidentsResolver],
  referenceResolvers: policeReferenceResolvers,
  createLoaders: createPoliceLoaders,
};
