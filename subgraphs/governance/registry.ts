import { cachedAgencyRegistry, type AgencyRegistry } from "../shared/auth";
import type { Sql } from "../shared/database";
import { AgencyRepository } from "./repositories/agencies";

/**
 * The registered, active agencies as every process checks tokens against them: read from the
 * governance store (the gateway and each subgraph already reach it) and kept for a short while.
 */
export function governanceAgencyRegistry(
  sql: Sql,
  options: { ttlMs?: number; staleMs?: number; now?: () => number } = {},
): AgencyRegistry {
  return cachedAgencyRegistry(() => new AgencyRepository(sql).activeIds(), options);
}
