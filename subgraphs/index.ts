import "reflect-metadata";
import type { SubgraphName } from "./shared/config";
import type { SubgraphSeeder } from "./shared/demo/seed";
import type { SubgraphDefinition } from "./shared/subgraph";
import { council } from "./council/server";
import { seedCouncil } from "./council/seed";
import { governance } from "./governance/server";
import { seedGovernance } from "./governance/seed";
import { housing } from "./housing/server";
import { seedHousing } from "./housing/seed";
import { partnership } from "./partnership/server";
import { seedPartnership } from "./partnership/seed";
import { police } from "./police/server";
import { seedPolice } from "./police/seed";
import { youth } from "./youth/server";
import { seedYouth } from "./youth/seed";

/** The six subgraphs, by name. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition<unknown>> = {
  police: police as SubgraphDefinition<unknown>,
  council: council as SubgraphDefinition<unknown>,
  youth: youth as SubgraphDefinition<unknown>,
  housing: housing as SubgraphDefinition<unknown>,
  partnership: partnership as SubgraphDefinition<unknown>,
  governance: governance as SubgraphDefinition<unknown>,
};

/**
 * Demo seeders in the order they run: the agencies first, then the partnership index,
 * which links to what the agencies seeded.
 */
export const DEMO_SEEDERS: [SubgraphName, SubgraphSeeder][] = [
  ["police", seedPolice],
  ["council", seedCouncil],
  ["youth", seedYouth],
  ["housing", seedHousing],
  ["governance", seedGovernance],
  ["partnership", seedPartnership],
];
