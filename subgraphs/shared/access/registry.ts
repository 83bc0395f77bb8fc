import { cachedAgencyRegistry, type KeptAgencyRegistry, type KeptRegistryStore } from "../auth";
import type { Sql } from "../database";
import { activeAgencyIds } from "./governance-sql";

/**
 * The registered, active agencies as every process checks tokens against them: read from the
 * governance store (the gateway and each subgraph already reach it), kept for a short while, and
 * the last list verified kept through an outage (in `kept` across restarts too).
 */
export function governanceAgencyRegistry(
  sql: Sql,
  options: { ttlMs?: number; now?: () => number; kept?: KeptRegistryStore } = {},
): KeptAgencyRegistry {
  return cachedAgencyRegistry(() => activeAgencyIds(sql), options);
}
