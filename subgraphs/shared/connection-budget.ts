import type { Pool } from "pg";
import { SUBGRAPH_NAMES, type ServiceName } from "./config";
import { log } from "./logger";

/**
 * The most PostgreSQL connections each service may open, across all its pools, and what a whole
 * deployment may open: a replica set (one of each service) times the replicas of each, plus the
 * jobs that run beside them. A pool opens connections only as requests need them, so these are
 * ceilings, which is what a server's `max_connections` must hold: past it PostgreSQL refuses
 * (53300) and answers fail closed (DATABASE_UNAVAILABLE, ACCESS_DECISION_UNAVAILABLE,
 * AUDIT_UNAVAILABLE).
 */

/** The settings the budget is made of (Config's, by the same names). */
export interface BudgetSettings {
  DATABASE_POOL_SIZE: number;
  GOVERNANCE_POOL_SIZE: number;
  REPLICAS_PER_SERVICE: number;
  DATABASE_MAX_CONNECTIONS?: number;
  DATABASE_RESERVED_CONNECTIONS: number;
  /** Each gateway worker process opens its own registry pool. */
  GATEWAY_WORKERS: number;
}

/** The gateway reads only the registered agencies: two connections are plenty for one read per TTL. */
export const GATEWAY_REGISTRY_POOL_SIZE = 2;

/**
 * The jobs' own pools (scripts/migrate.ts, scripts/retention.ts, scripts/audit-verify.ts): small
 * and fixed, since each works one statement or transaction at a time per database.
 */
export const JOB_POOL_SIZE = {
  /** Per subgraph database: migrations run one after another on one connection. */
  migrate: 1,
  /** Per subgraph database, as its service role: one batch's transaction, and a read beside it. */
  retentionStore: 2,
  /** Per login into governance: used only to check the role has no more than it needs. */
  retentionAccess: 1,
  auditVerify: 1,
} as const;

/** Each service's pools and their sizes: `own` on its database, `governance` on governance's. */
export function serviceBudget(settings: BudgetSettings, service: ServiceName): Record<string, number> {
  if (service === "gateway") return { registry: GATEWAY_REGISTRY_POOL_SIZE * settings.GATEWAY_WORKERS };
  if (service === "governance") return { own: settings.DATABASE_POOL_SIZE };
  return { own: settings.DATABASE_POOL_SIZE, governance: settings.GOVERNANCE_POOL_SIZE };
}

const sum = (pools: Record<string, number>) => Object.values(pools).reduce((a, b) => a + b, 0);

/** What the jobs beside the services may open at once: the migration, the retention job, the verifier. */
export function jobsBudget(): { migrate: number; retention: number; auditVerify: number; total: number } {
  const databases = SUBGRAPH_NAMES.length;
  const migrate = databases * JOB_POOL_SIZE.migrate;
  // Every subgraph's own store, and one login into governance for each (the five others and the access role).
  const retention = databases * JOB_POOL_SIZE.retentionStore + databases * JOB_POOL_SIZE.retentionAccess;
  const auditVerify = JOB_POOL_SIZE.auditVerify;
  return { migrate, retention, auditVerify, total: migrate + retention + auditVerify };
}

export interface DeploymentBudget {
  /** One of each service. */
  replicaSet: number;
  replicas: number;
  /** Every replica of every service. */
  services: number;
  jobs: number;
  total: number;
  /** What the server accepts from the deployment (max_connections less the superusers' reserve), when known. */
  available?: number;
}

export function deploymentBudget(
  settings: BudgetSettings,
  maxConnections = settings.DATABASE_MAX_CONNECTIONS,
): DeploymentBudget {
  const replicaSet = (["gateway", ...SUBGRAPH_NAMES] as const).reduce(
    (total, service) => total + sum(serviceBudget(settings, service)),
    0,
  );
  const services = replicaSet * settings.REPLICAS_PER_SERVICE;
  const jobs = jobsBudget().total;
  return {
    replicaSet,
    replicas: settings.REPLICAS_PER_SERVICE,
    services,
    jobs,
    total: services + jobs,
    available:
      maxConnections === undefined ? undefined : maxConnections - settings.DATABASE_RESERVED_CONNECTIONS,
  };
}

/** Why the budget does not fit the server, in a sentence; null when it fits or cannot be known. */
export function budgetProblem(
  settings: BudgetSettings,
  maxConnections = settings.DATABASE_MAX_CONNECTIONS,
): string | null {
  const budget = deploymentBudget(settings, maxConnections);
  if (budget.available === undefined || budget.total <= budget.available) return null;
  const perSubgraph = `${settings.DATABASE_POOL_SIZE} own + ${settings.GOVERNANCE_POOL_SIZE} governance`;
  return (
    `${budget.replicas} replicas of every service may open ${budget.services} connections ` +
    `(${budget.replicaSet} a replica set: each subgraph ${perSubgraph}, governance ${settings.DATABASE_POOL_SIZE}, ` +
    `the gateway ${serviceBudget(settings, "gateway").registry}) and the jobs ${budget.jobs}: ${budget.total} in all, ` +
    `over the ${budget.available} the server accepts (${maxConnections} less ${settings.DATABASE_RESERVED_CONNECTIONS} reserved); ` +
    `lower DATABASE_POOL_SIZE or GOVERNANCE_POOL_SIZE, or put a pooler in front (README, "Connections")`
  );
}

/**
 * States a service's budget at start (a log line), and when the configuration does not say what
 * the server accepts, asks the server and warns if the deployment would not fit it (a warning,
 * not a refusal: behind a pooler the server's own limit is not the one that counts).
 */
export async function announceConnectionBudget(
  settings: BudgetSettings,
  services: readonly ServiceName[],
  pool: Pool | undefined,
): Promise<void> {
  const pools = Object.fromEntries(services.map((s) => [s, serviceBudget(settings, s)]));
  const deployment = deploymentBudget(settings);
  log("info", "database connection budget", {
    services: pools,
    connections: services.reduce((total, s) => total + sum(pools[s]), 0),
    replicaSet: deployment.replicaSet,
    replicas: deployment.replicas,
    deployment: deployment.total,
    maxConnections: settings.DATABASE_MAX_CONNECTIONS ?? null,
  });
  if (settings.DATABASE_MAX_CONNECTIONS !== undefined || !pool) return;
  try {
    const { rows } = await pool.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'max_connections'",
    );
    const problem = rows[0] ? budgetProblem(settings, Number(rows[0].setting)) : null;
    if (problem) log("warn", "database connection budget over the server's max_connections", { problem });
  } catch {
    // The server out at start is the readiness probe's business, not the budget's.
  }
}
