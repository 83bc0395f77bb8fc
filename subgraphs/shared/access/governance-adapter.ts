import type { GovernanceAdapter } from "../run";
import { governancePolicyStore } from "./facts-store";
import { governanceAgencyRegistry } from "./registry";

/** The governance store as every subgraph process uses it (handed to `runSubgraphProcess`). */
export const governanceAdapter: GovernanceAdapter = {
  policyStore: governancePolicyStore,
  agencyRegistry: (sql, options) => governanceAgencyRegistry(sql, options),
};
