import { existsSync } from "node:fs";
import { z } from "zod";
import { isPublicHalfOf, serviceJwkProblem } from "./service-key";
import { budgetProblem } from "./connection-budget";

/** The six subgraphs, in the order they are started and composed. */
export const SUBGRAPH_NAMES = ["police", "council", "youth", "housing", "partnership", "governance"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_PORTS: Record<SubgraphName | "gateway", number> = {
  gateway: 4000,
  police: 4001,
  council: 4002,
  youth: 4003,
  housing: 4004,
  partnership: 4005,
  governance: 4006,
};

const port = z.coerce.number().int().min(0).max(65535);
const url = z.string().url();
/**
 * Half of the case review count service's key pair, as JWK JSON of the kind service-key.ts makes.
 * Empty counts as unset: docker-compose passes a variable missing from its environment as "".
 */
const serviceJwk = (kind: "private" | "public") =>
  z.preprocess(
    (value) => (value === "" ? undefined : value),
    z
      .string()
      .superRefine((text, ctx) => {
        const problem = serviceJwkProblem(text, kind);
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .optional(),
  );

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /**
   * The privileged (migration) connection: one PostgreSQL server for every subgraph, each with
   * its own database on it, or a database per subgraph. Used by the migration step, the seed and
   * the importer; services never connect with it.
   */
  DATABASE_URL: url.optional(),
  POLICE_DATABASE_URL: url.optional(),
  COUNCIL_DATABASE_URL: url.optional(),
  YOUTH_DATABASE_URL: url.optional(),
  HOUSING_DATABASE_URL: url.optional(),
  PARTNERSHIP_DATABASE_URL: url.optional(),
  GOVERNANCE_DATABASE_URL: url.optional(),
  /**
   * What each service connects with: its own least-privileged role (see database-roles.ts).
   * When unset, the role the migrations created on the database above, with a password derived
   * from DATABASE_ROLE_SECRET.
   */
  POLICE_SERVICE_DATABASE_URL: url.optional(),
  COUNCIL_SERVICE_DATABASE_URL: url.optional(),
  YOUTH_SERVICE_DATABASE_URL: url.optional(),
  HOUSING_SERVICE_DATABASE_URL: url.optional(),
  PARTNERSHIP_SERVICE_DATABASE_URL: url.optional(),
  GOVERNANCE_SERVICE_DATABASE_URL: url.optional(),
  /** How the gateway reaches governance: the access facts (registered agencies), nothing else. */
  GOVERNANCE_ACCESS_DATABASE_URL: url.optional(),
  /**
   * How each other subgraph reaches governance: the access facts and `audit_append`, which takes
   * only that subgraph's own records from its login (see database-roles.ts auditingAccessKind).
   */
  POLICE_GOVERNANCE_ACCESS_DATABASE_URL: url.optional(),
  COUNCIL_GOVERNANCE_ACCESS_DATABASE_URL: url.optional(),
  YOUTH_GOVERNANCE_ACCESS_DATABASE_URL: url.optional(),
  HOUSING_GOVERNANCE_ACCESS_DATABASE_URL: url.optional(),
  PARTNERSHIP_GOVERNANCE_ACCESS_DATABASE_URL: url.optional(),
  /**
   * What the ingest service (`npm run ingest:serve`) writes each agency's records and the people
   * index with, and audits the matcher's links with (governance): that database's ingest role (see
   * database-roles.ts). When unset, the ingest role
   * on the database above, with a password derived from DATABASE_ROLE_SECRET.
   */
  POLICE_INGEST_DATABASE_URL: url.optional(),
  COUNCIL_INGEST_DATABASE_URL: url.optional(),
  YOUTH_INGEST_DATABASE_URL: url.optional(),
  HOUSING_INGEST_DATABASE_URL: url.optional(),
  PARTNERSHIP_INGEST_DATABASE_URL: url.optional(),
  GOVERNANCE_INGEST_DATABASE_URL: url.optional(),
  /** What `npm run audit:verify` reads the audit log with (read only). */
  AUDITOR_DATABASE_URL: url.optional(),
  /** Role passwords are derived from it; outside production generated into the file below. */
  DATABASE_ROLE_SECRET: z.string().min(32, "at least 32 characters").optional(),
  DATABASE_ROLE_SECRET_FILE: z.string().default(".data/database-role-secret"),
  /** Prefix of the per-subgraph database names derived from DATABASE_URL. */
  DATABASE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "lower-case letters, digits and underscores")
    .default("partnership_graph"),
  /**
   * Connections (README, "Connections"): each service's pool on its own database, and each
   * other subgraph's pool on governance's (decisions, audit appends). Sized so that two replica
   * sets of every service and the jobs fit PostgreSQL's default max_connections of 100.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(4),
  GOVERNANCE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(2),
  /**
   * What the database server accepts (PostgreSQL's max_connections, or a pooler's
   * max_client_conn), the part of it kept for superusers (an operator's psql), and how many
   * replicas of each service share it (a rolling update's surge included). With the first set,
   * a configuration that cannot fit is refused at start; without it, the service asks the server
   * and warns.
   */
  DATABASE_MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  DATABASE_RESERVED_CONNECTIONS: z.coerce.number().int().min(0).default(3),
  REPLICAS_PER_SERVICE: z.coerce.number().int().min(1).max(1000).default(2),
  /** Where `npm start` keeps the embedded PostgreSQL when no database URL is set. */
  EMBEDDED_PG_DIR: z.string().default(".data/postgres"),
  EMBEDDED_PG_PORT: port.default(54329),
  /**
   * The interface subgraphs listen on: loopback, so that only the gateway on the same machine
   * reaches them. Containers (docker-compose, Kubernetes) set 0.0.0.0.
   */
  HOST: z.string().min(1).default("127.0.0.1"),
  GATEWAY_PORT: port.default(DEFAULT_PORTS.gateway),
  POLICE_PORT: port.default(DEFAULT_PORTS.police),
  COUNCIL_PORT: port.default(DEFAULT_PORTS.council),
  YOUTH_PORT: port.default(DEFAULT_PORTS.youth),
  HOUSING_PORT: port.default(DEFAULT_PORTS.housing),
  PARTNERSHIP_PORT: port.default(DEFAULT_PORTS.partnership),
  GOVERNANCE_PORT: port.default(DEFAULT_PORTS.governance),
  /** The ingest service's port (`npm run ingest:serve`, README "Pushing an export over HTTP"). */
  INGEST_PORT: port.default(4010),
  /**
   * The ingest service's mappings: `<dir>/<agency>/<name>.json`, read and checked at its start.
   * A pushing system names one; it cannot send its own. Unset outside production: examples/ingest.
   */
  INGEST_MAPPINGS_DIR: z.string().min(1).optional(),
  /** The largest file one push may send. */
  INGEST_BODY_LIMIT_BYTES: z.coerce.number().int().min(1000).default(50_000_000),
  /**
   * The audience the ingest service accepts tokens for; unset, JWT_AUDIENCE. A distinct one lets
   * an agency's pushing system hold tokens that push and do nothing else in the graph.
   */
  INGEST_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Subgraph URLs the gateway calls; default to loopback (where subgraphs listen) on the ports above. */
  POLICE_URL: url.optional(),
  COUNCIL_URL: url.optional(),
  YOUTH_URL: url.optional(),
  HOUSING_URL: url.optional(),
  PARTNERSHIP_URL: url.optional(),
  GOVERNANCE_URL: url.optional(),
  /** Production identity: tokens verified against this JWKS. */
  JWKS_URL: url.optional(),
  JWT_ISSUER: z.string().default("partnership-graph-dev"),
  JWT_AUDIENCE: z.string().default("partnership-graph"),
  /**
   * The token claim every service takes as the caller's user id (the audit names it). `sub` for
   * development tokens; Keycloak's `sub` is an opaque UUID, so the stack and the Kubernetes
   * config use `preferred_username`, which the realm maps into every access token.
   */
  JWT_USER_CLAIM: z.string().min(1).default("sub"),
  /**
   * Where the console signs people in (OpenID Connect, authorization code with PKCE): the issuer's
   * URL, whose discovery document is at `<issuer>/.well-known/openid-configuration`. Unset, the
   * console uses JWT_ISSUER in production (when it is a URL) and the development sign-in elsewhere.
   */
  CONSOLE_OIDC_ISSUER: url.optional(),
  /** The console's client at that issuer: a public client, PKCE S256 (deploy/keycloak/). */
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1).default("partnership-console"),
  /** Longest a token may live (exp − iat), in seconds: 12 hours, a working day and a bit. */
  TOKEN_MAX_LIFETIME_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(12 * 3600),
  /**
   * How long a service trusts the registry of partner agencies it last read from governance before
   * reading it again (an agency deactivated there is refused within this time of governance answering).
   */
  AGENCY_REGISTRY_TTL_MS: z.coerce.number().int().min(100).default(30_000),
  /**
   * Seals case assessment ids (shared/sealed-assessment.ts): the same in partnership, police and
   * the council; required in production by those three, generated into DEV_KEYS_DIR elsewhere.
   */
  ASSESSMENT_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /**
   * The case review count service's key pair (shared/service-identity.ts), as JWK JSON: the private
   * one in partnership (it signs), the public one in police, the council and housing (they verify).
   * Required in production by those four (`npm run keys -- case-review-service` makes a pair);
   * outside production a pair kept in DEV_KEYS_DIR.
   */
  CASE_REVIEW_SERVICE_PRIVATE_JWK: serviceJwk("private"),
  CASE_REVIEW_SERVICE_PUBLIC_JWK: serviceJwk("public"),
  /** Development key pair, generated on first use. */
  DEV_KEYS_DIR: z.string().default(".dev-keys"),
  /** The longest one subgraph call may take (within the request's deadline). */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  /** The gateway's budget for a whole request, shared by all its subgraph calls. */
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).default(10000),
  /** How long a subgraph's open circuit breaker waits before one probe call (half-open). */
  BREAKER_RESET_MS: z.coerce.number().int().min(100).default(2000),
  /** The breaker opens when over half the calls within this window failed... */
  BREAKER_WINDOW_MS: z.coerce.number().int().min(100).default(10000),
  /** ...and there were at least this many calls in it. */
  BREAKER_VOLUME_THRESHOLD: z.coerce.number().int().min(1).default(5),
  /**
   * Operation limits (graphql-armor) at the gateway and at every subgraph alike (shared/limits.ts):
   * the contract's deepest operation is 10.
   */
  GATEWAY_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  GATEWAY_MAX_ALIASES: z.coerce.number().int().min(0).default(15),
  GATEWAY_MAX_TOKENS: z.coerce.number().int().min(100).default(4000),
  GATEWAY_MAX_COST: z.coerce.number().int().min(100).default(20000),
  GATEWAY_BODY_LIMIT_BYTES: z.coerce.number().int().min(1000).default(100_000),
  /** Gateway processes sharing its port (node:cluster); 1 runs it in the main process alone. */
  GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Benchmark only (`npm run bench`, the cost of consent): "off" makes a subgraph skip the access
   * enforcement middleware and the audit. Refused in production.
   */
  ACCESS_RULES: z.enum(["on", "off"]).default("on"),
  /**
   * Benchmark only (`npm run bench -- --observability off:metrics`, what prom-client costs): "off"
   * makes every metric a service records a no-op (/metrics still answers, with nothing counted).
   * Refused in production.
   */
  BENCH_METRICS: z.enum(["on", "off"]).default("on"),
  /**
   * Bearer token Prometheus sends to scrape /metrics on every service; unset, /metrics is not
   * served at all (404). Never open to anonymous callers.
   */
  METRICS_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  /** OpenTelemetry: traces are exported (OTLP over HTTP) only when an endpoint is set. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  /**
   * Which documents the gateway executes: "require" only those in the trusted-documents manifest,
   * sent by id (the production default); "allow" those and any other (logged); "off" any
   * (the default elsewhere, with automatic persisted queries).
   */
  TRUSTED_DOCUMENTS: z.enum(["off", "allow", "require"]).optional(),
  /** The manifest `npm run trusted-documents` writes (part of `npm run build`). */
  TRUSTED_DOCUMENTS_MANIFEST: z.string().default("dist/trusted-documents.json"),
  /** Requests per minute at the gateway, per user and per agency; on by default in production. */
  RATE_LIMITS: z.enum(["on", "off"]).optional(),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_AGENCY_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** Rate-limit counters shared by every gateway replica; in the process's memory when unset. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
    .optional(),
  /**
   * Notifications (governance owns them; shared/notifications.ts): how often outboxes are relayed
   * and webhooks delivered, how often the time-based notices are swept (idempotent), and the
   * wait before a failed webhook delivery's second attempt (doubled for each after, at most 1 h).
   */
  NOTIFICATION_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  NOTIFICATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  NOTIFICATION_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5000),
  /**
   * Signs webhook deliveries (HMAC-SHA256, header x-partnership-signature); required when any
   * WEBHOOK_URL_<AGENCY> is set. Never in the repository: give it from your secret store.
   */
  NOTIFICATION_WEBHOOK_SECRET: z.string().min(32, "at least 32 characters").optional(),
  SEED_SCALE: z.enum(["small", "large"]).default("small"),
  SEED: z.coerce.number().int().default(42),
});

/** The variables the connection budget is made of (connection-budget.ts). */
const BUDGET = schema.pick({
  DATABASE_POOL_SIZE: true,
  GOVERNANCE_POOL_SIZE: true,
  DATABASE_MAX_CONNECTIONS: true,
  DATABASE_RESERVED_CONNECTIONS: true,
  REPLICAS_PER_SERVICE: true,
  GATEWAY_WORKERS: true,
});

/** Rules across variables, reported with every other bad variable. */
const validated = schema.superRefine((values, ctx) => {
  if (values.NODE_ENV === "production" && values.ACCESS_RULES === "off") {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ["ACCESS_RULES"],
      message: '"off" is for benchmarks only and is refused in production (no access rules, no audit)',
    });
  }
  if (values.NODE_ENV === "production" && values.BENCH_METRICS === "off") {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ["BENCH_METRICS"],
      message: '"off" is for benchmarks only and is refused in production (no metrics)',
    });
  }
});

export type Config = Omit<z.infer<typeof schema>, "TRUSTED_DOCUMENTS" | "RATE_LIMITS"> & {
  TRUSTED_DOCUMENTS: "off" | "allow" | "require";
  RATE_LIMITS: "on" | "off";
  /** Agency id → the webhook its notifications are delivered to (WEBHOOK_URL_<AGENCY>). */
  webhookUrls: ReadonlyMap<string, string>;
  databaseUrl(subgraph: SubgraphName): string | undefined;
  port(service: SubgraphName | "gateway"): number;
  subgraphUrl(subgraph: SubgraphName): string;
};

export class ConfigError extends Error {}

/** A process's services: what `serving` in loadConfig names. */
export type ServiceName = SubgraphName | "gateway";

/** The subgraphs that seal or open case assessments (shared/sealed-assessment.ts). */
const SEALING: readonly SubgraphName[] = ["partnership", "police", "council"];
/** The subgraphs that answer the case review count service (shared/report-counts.ts). */
const COUNTING: readonly SubgraphName[] = ["police", "council", "housing"];

/** What a variable is for, said with every problem reported about it. */
const WHAT_FOR: Record<string, string> = {
  NODE_ENV: "production turns off introspection, GraphiQL and development tokens",
  DATABASE_URL:
    "the PostgreSQL server holding every subgraph's database (start:prod runs no embedded one); each service logs in on it as its own role",
  DATABASE_ROLE_SECRET:
    "each service's database password is derived from it: the same secret `npm run migrate` used",
  GOVERNANCE_ACCESS_DATABASE_URL:
    "how the gateway and the subgraphs read agencies, agreements and consents, and append the audit",
  JWKS_URL: "your identity provider's JSON Web Key Set, which every service verifies tokens against",
  CONSOLE_OIDC_ISSUER:
    "the OpenID Connect issuer the console signs people in at (JWT_ISSUER when that is a URL, in production)",
  ASSESSMENT_SECRET: "seals case assessment ids; the same in partnership, police and council",
  CASE_REVIEW_SERVICE_PRIVATE_JWK:
    "partnership signs its case review count requests (threshold notices) with it: the private JWK JSON, held by partnership alone (`npm run keys -- case-review-service` makes the pair)",
  CASE_REVIEW_SERVICE_PUBLIC_JWK:
    "police, council and housing verify partnership's case review count requests with it: the public JWK JSON of the same pair",
  TRUSTED_DOCUMENTS_MANIFEST:
    "the operations the gateway runs under TRUSTED_DOCUMENTS=require or allow (`npm run build` writes it)",
  METRICS_TOKEN: "the bearer token Prometheus scrapes /metrics with",
  NOTIFICATION_WEBHOOK_SECRET: "signs notification webhook deliveries; receivers verify with the same secret",
  REDIS_URL: "where gateway replicas share their rate-limit counters",
  DATABASE_MAX_CONNECTIONS:
    'what the database server accepts from every replica of every service and the jobs (README, "Connections")',
};

const described = (variable: string, problem: string) =>
  `  ${variable}: ${problem}${WHAT_FOR[variable] ? `\n      what it is for: ${WHAT_FOR[variable]}` : ""}`;

/**
 * What a process serving `services` needs that no single variable's schema can say: a database
 * for each service, the secrets production derives passwords and seals from, the trusted
 * documents the gateway runs. Read from the raw environment, so that these are reported
 * together with any malformed value.
 */
function servingProblems(env: NodeJS.ProcessEnv, services: readonly ServiceName[]): string[] {
  const production = (env.NODE_ENV ?? "development") === "production";
  const set = (name: string) => Boolean(env[name]);
  const subgraphs = SUBGRAPH_NAMES.filter((n) => services.includes(n));
  // Logins into governance: the gateway's (access facts), and each other subgraph's own (access
  // facts and `audit_append` of its records, run.ts), as Kubernetes and compose give them.
  const auditing = subgraphs.filter((n) => n !== "governance");
  const accessLogins = [
    ...(services.includes("gateway") ? ["GOVERNANCE_ACCESS_DATABASE_URL"] : []),
    ...auditing.map((n) => `${n.toUpperCase()}_GOVERNANCE_ACCESS_DATABASE_URL`),
  ];
  const problems: string[] = [];
  /** Logins named briefly: the service logins of `names`, and the governance logins `access`. */
  const logins = (names: readonly SubgraphName[], access: readonly string[]) =>
    [
      ...(names.length > 1 && names.length === subgraphs.length
        ? ["<NAME>_SERVICE_DATABASE_URL for every subgraph"]
        : names.map((n) => `${n.toUpperCase()}_SERVICE_DATABASE_URL`)),
      ...(auditing.length > 1 &&
      auditing.every((n) => access.includes(`${n.toUpperCase()}_GOVERNANCE_ACCESS_DATABASE_URL`))
        ? [
            ...access.filter((v) => v === "GOVERNANCE_ACCESS_DATABASE_URL"),
            "<NAME>_GOVERNANCE_ACCESS_DATABASE_URL for every other subgraph",
          ]
        : access),
    ].reduce(
      (list, item, i, all) => (i === 0 ? item : `${list}${i === all.length - 1 ? " and " : ", "}${item}`),
      "",
    );

  // Each service's own login: its URL, or a role derived on the migrator's database.
  const unplaced = subgraphs.filter(
    (n) => !set(`${n.toUpperCase()}_SERVICE_DATABASE_URL`) && !set(`${n.toUpperCase()}_DATABASE_URL`),
  );
  const accessUnplaced = set("GOVERNANCE_DATABASE_URL") ? [] : accessLogins.filter((v) => !set(v));
  if (!set("DATABASE_URL") && (unplaced.length || accessUnplaced.length))
    problems.push(described("DATABASE_URL", `not set, nor ${logins(unplaced, accessUnplaced)}`));

  // Passwords are derived for every login not given a URL of its own.
  const derivedLogins = subgraphs.filter((n) => !set(`${n.toUpperCase()}_SERVICE_DATABASE_URL`));
  const accessDerived = accessLogins.filter((v) => !set(v));
  if (production && !set("DATABASE_ROLE_SECRET") && (derivedLogins.length || accessDerived.length))
    problems.push(
      described(
        "DATABASE_ROLE_SECRET",
        `required in production unless ${logins(derivedLogins, accessDerived)} ${derivedLogins.length + accessDerived.length > 1 ? "are" : "is"} set`,
      ),
    );

  const sealing = subgraphs.filter((n) => SEALING.includes(n));
  if (production && !set("ASSESSMENT_SECRET") && sealing.length)
    problems.push(described("ASSESSMENT_SECRET", `required in production by ${sealing.join(", ")}`));

  // The case review count service: partnership signs, the owners verify (shared/service-identity.ts).
  const signs = subgraphs.includes("partnership");
  const counting = subgraphs.filter((n) => COUNTING.includes(n));
  const privateKey = optionalText(env.CASE_REVIEW_SERVICE_PRIVATE_JWK);
  if (production && signs && !privateKey)
    problems.push(described("CASE_REVIEW_SERVICE_PRIVATE_JWK", "required in production by partnership"));
  // In one process with partnership the owners verify with the private key's public half.
  if (production && counting.length && !signs && !optionalText(env.CASE_REVIEW_SERVICE_PUBLIC_JWK))
    problems.push(
      described("CASE_REVIEW_SERVICE_PUBLIC_JWK", `required in production by ${counting.join(", ")}`),
    );
  if (privateKey && !signs)
    problems.push(
      described(
        "CASE_REVIEW_SERVICE_PRIVATE_JWK",
        `given to ${services.join(", ")}, which must never hold it: only partnership signs${counting.length ? `; give ${counting.join(", ")} CASE_REVIEW_SERVICE_PUBLIC_JWK` : ""}`,
      ),
    );

  if (services.includes("gateway")) {
    const mode = env.TRUSTED_DOCUMENTS ?? (production ? "require" : "off");
    const manifest = env.TRUSTED_DOCUMENTS_MANIFEST ?? "dist/trusted-documents.json";
    if (mode !== "off" && !existsSync(manifest))
      problems.push(
        described(
          "TRUSTED_DOCUMENTS_MANIFEST",
          `${manifest} does not exist, and TRUSTED_DOCUMENTS is ${mode}`,
        ),
      );
  }
  return problems;
}

/**
 * Reads and validates the environment once, reporting every bad variable together. A process
 * that serves names its services (`serving`): then everything they need is checked too (a
 * database, production's secrets, the trusted documents), before anything listens.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { serving?: readonly ServiceName[] } = {},
): Config {
  const parsed = validated.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => described(i.path.join("."), i.message));
  if (env.NODE_ENV === "production" && !env.JWKS_URL)
    problems.push(described("JWKS_URL", "required in production"));
  const webhooks = webhookUrlsIn(env, problems);
  if (webhooks.size && !env.NOTIFICATION_WEBHOOK_SECRET)
    problems.push(
      described(
        "NOTIFICATION_WEBHOOK_SECRET",
        `required when a webhook is set (${[...webhooks.keys()].join(", ")})`,
      ),
    );
  const privateJwk = optionalText(env.CASE_REVIEW_SERVICE_PRIVATE_JWK);
  const publicJwk = optionalText(env.CASE_REVIEW_SERVICE_PUBLIC_JWK);
  if (
    privateJwk &&
    publicJwk &&
    !serviceJwkProblem(privateJwk, "private") &&
    !serviceJwkProblem(publicJwk, "public") &&
    !isPublicHalfOf(publicJwk, privateJwk)
  )
    problems.push(
      described(
        "CASE_REVIEW_SERVICE_PUBLIC_JWK",
        "not the public half of CASE_REVIEW_SERVICE_PRIVATE_JWK: both must come from one pair",
      ),
    );
  if (options.serving) problems.push(...servingProblems(env, options.serving));
  // Judged on its own variables, so that it is reported beside a malformed other one.
  const budget = BUDGET.safeParse(env);
  const overBudget = budget.success ? budgetProblem(budget.data) : null;
  if (overBudget) problems.push(described("DATABASE_MAX_CONNECTIONS", overBudget));
  if (!parsed.success || problems.length) {
    throw new ConfigError(
      `Invalid configuration, ${problems.length} ${problems.length === 1 ? "problem" : "problems"} (all reported at once):\n${problems.join("\n")}`,
    );
  }
  const values = parsed.data;
  const upper = (s: string) => s.toUpperCase() as Uppercase<SubgraphName>;
  const production = values.NODE_ENV === "production";
  return {
    ...values,
    TRUSTED_DOCUMENTS: values.TRUSTED_DOCUMENTS ?? (production ? "require" : "off"),
    RATE_LIMITS: values.RATE_LIMITS ?? (production ? "on" : "off"),
    webhookUrls: webhooks,
    databaseUrl(subgraph) {
      const own = values[`${upper(subgraph)}_DATABASE_URL`];
      if (own) return own;
      if (!values.DATABASE_URL) return undefined;
      return withDatabase(values.DATABASE_URL, `${values.DATABASE_PREFIX}_${subgraph}`);
    },
    port(service) {
      return service === "gateway" ? values.GATEWAY_PORT : values[`${upper(service)}_PORT`];
    },
    subgraphUrl(subgraph) {
      return values[`${upper(subgraph)}_URL`] ?? `http://127.0.0.1:${this.port(subgraph)}/graphql`;
    },
  };
}

/** A variable's value, "" counting as unset (as the schema counts it for the service keys). */
const optionalText = (value: string | undefined) => (value === "" ? undefined : value);

/** The same server URL pointing at another database. */
export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * WEBHOOK_URL_<AGENCY>: where an agency's notifications are delivered, one variable per agency
 * (agencies are registered at run time, so the names are not fixed): WEBHOOK_URL_POLICE for
 * `police`, WEBHOOK_URL_CITY_COUNCIL for `city_council`. A malformed URL is a problem reported
 * with the others.
 */
function webhookUrlsIn(env: NodeJS.ProcessEnv, problems: string[]): Map<string, string> {
  const urls = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const match = /^WEBHOOK_URL_([A-Z0-9_]+)$/.exec(name);
    if (!match || !value) continue;
    const parsed = url.refine((u) => /^https?:/.test(u), "an http(s) URL").safeParse(value);
    if (!parsed.success)
      problems.push(
        described(
          name,
          `${parsed.error.issues[0].message} (the webhook of agency ${match[1].toLowerCase()})`,
        ),
      );
    else urls.set(match[1].toLowerCase(), value);
  }
  return urls;
}
