import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Pool } from "pg";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import {
  AuthenticationError,
  createTokenVerifier,
  keepRegistryFresh,
  type Caller,
  type TokenVerifier,
} from "../../subgraphs/shared/auth";
import type { Config } from "../../subgraphs/shared/config";
import { requestIdOf } from "../../subgraphs/shared/context";
import { Sql } from "../../subgraphs/shared/database";
import { governanceAccessDatabaseUrl, ingestDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { Role } from "../../subgraphs/shared/enums";
import { listen, sendJson, type RunningService } from "../../subgraphs/shared/http";
import { matches, type Mapping } from "../../subgraphs/shared/ingest/mapping";
import type { IngestReport } from "../../subgraphs/shared/ingest/run";
import { log, requestLogFields, withRequestLog } from "../../subgraphs/shared/logger";
import {
  INGESTABLE,
  MAPPING_NAME,
  openIngestStores,
  readMappingsDir,
  runImport,
  type IngestStores,
  type ServedMappings,
} from "./ingest";

/**
 * The ingest service: an agency's own system pushes an export over HTTP and it is loaded exactly as
 * `npm run ingest` loads it (runImport in ./ingest.ts). It is a process of its own, not part of any
 * subgraph: it alone holds the ingest roles' logins (the agency's database and the people index),
 * which no subgraph service may hold, and reads only the registered agencies from governance.
 *
 *   POST /agencies/<agency>/imports?mapping=<name>&file=<name>[&dryRun=true][&rejects=true]
 *   body: the file (text/csv or application/x-ndjson)
 *
 * Who may push: a verified token (the graph's own verifier, against the JWKS) of a data-sharing
 * officer of that agency, and no one else: not another agency, not a practitioner or analyst, not
 * the case review count service. The mapping is the service's, by name: a pusher cannot say what a
 * column means.
 */

/** What the service serves for one agency: its stores (as the ingest roles) and its mappings. */
export interface ServedAgency {
  stores: IngestStores;
  mappings: Map<string, Mapping>;
}

export interface IngestServiceOptions {
  verify: TokenVerifier;
  agencies: ReadonlyMap<string, ServedAgency>;
  /** The largest body a push may send. */
  bodyLimitBytes: number;
  /** Where a pushed file waits while it loads (a folder of its own per request); the system's by default. */
  tmpDir?: string;
  /** Throws when the service cannot load anything (a database or governance out): GET /ready. */
  ready?: () => Promise<void>;
}

const ROUTE = /^\/agencies\/([^/]+)\/imports$/;
/** A pushed file's name: what the mapping's patterns match, and nothing that could leave its folder. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const CONTENT_TYPES: Record<string, "csv" | "jsonl"> = {
  "text/csv": "csv",
  "application/x-ndjson": "jsonl",
};
const QUERY_KEYS = new Set(["mapping", "file", "dryRun", "rejects"]);

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

class PayloadTooLarge extends Error {}

/**
 * Streams the body into `path`, refusing it past `limit` bytes. Past the limit the rest is read and
 * dropped rather than the socket destroyed, so that the client is told 413, not reset.
 */
function receive(req: IncomingMessage, path: string, limit: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    if (Number(req.headers["content-length"]) > limit) return reject(new PayloadTooLarge());
    const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
    let size = 0;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      out.destroy();
      reject(error);
    };
    out.on("error", fail);
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) return fail(new PayloadTooLarge());
      if (!out.write(chunk)) {
        req.pause();
        out.once("drain", () => req.resume());
      }
    });
    req.on("end", () => {
      if (settled) return;
      out.end(() => {
        settled = true;
        resolvePromise(size);
      });
    });
    req.on("error", fail);
    req.on("close", () => {
      if (!req.complete) fail(new Error("the client went away before the file was sent"));
    });
  });
}

/** The answer about an import: counts and import id; the rejected rows only when asked for. */
function reportBody(agency: string, mappingName: string, report: IngestReport, withRejects: boolean) {
  return {
    importId: report.importId,
    agency,
    mapping: mappingName,
    dryRun: report.dryRun,
    // The temp file's path (`file`) stays here; the name is the one pushed.
    files: report.files.map(({ file: _file, ...kept }) => kept),
    totals: report.totals,
    ...(withRejects ? { rejected: report.rejected } : {}),
  };
}

function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null) return false;
  if (value === "true" || value === "false") return value === "true";
  throw new Refusal(400, "BAD_REQUEST", `${name}: "true" or "false"`);
}

/** The ingest service's HTTP server (not listening: see startIngestService, and tests). */
export function createIngestService(options: IngestServiceOptions): Server {
  return createServer((req, res) => {
    const requestId = requestIdOf(req.headers);
    res.setHeader("x-request-id", requestId);
    void withRequestLog({ requestId, service: "ingest" }, () => handle(req, res));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (url.pathname === "/health") return sendJson(res, 200, { status: "ok", service: "ingest" });
      if (url.pathname === "/ready") {
        try {
          await options.ready?.();
          return sendJson(res, 200, { status: "ready", service: "ingest" });
        } catch (error) {
          return sendJson(res, 503, {
            status: "unavailable",
            service: "ingest",
            reason: (error as Error).message,
          });
        }
      }
      const route = ROUTE.exec(url.pathname);
      if (!route) throw new Refusal(404, "NOT_FOUND", "no such route: POST /agencies/<agency>/imports");
      if (req.method !== "POST")
        throw new Refusal(405, "METHOD_NOT_ALLOWED", "imports are pushed with POST", {}, { allow: "POST" });
      let agency: string;
      try {
        agency = decodeURIComponent(route[1]);
      } catch {
        throw new Refusal(404, "NOT_FOUND", "no such agency");
      }
      await push(req, res, agency, url.searchParams);
    } catch (error) {
      if (error instanceof Refusal) {
        // A refused body is not read: the connection closes after the answer.
        const close: Record<string, string> = req.complete ? {} : { connection: "close" };
        sendJson(
          res,
          error.status,
          { error: { code: error.code, message: error.message }, ...error.extra },
          { ...error.headers, ...close },
        );
      } else {
        log("error", "unhandled request error", { error: (error as Error).message });
        if (!res.headersSent)
          sendJson(
            res,
            500,
            { error: { code: "INTERNAL_SERVER_ERROR", message: "internal error" } },
            { connection: "close" },
          );
        else res.end();
      }
    } finally {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
      log("info", "request", { method: req.method, path: url.pathname, status: res.statusCode, durationMs });
    }
  }

  async function authenticate(req: IncomingMessage): Promise<Caller> {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const challenge = { "www-authenticate": 'Bearer realm="ingest"' };
    if (!token)
      throw new Refusal(401, "UNAUTHENTICATED", "authorization: a Bearer token is required", {}, challenge);
    try {
      return await options.verify(token);
    } catch (error) {
      if (error instanceof AuthenticationError)
        throw new Refusal(401, "UNAUTHENTICATED", error.message, {}, challenge);
      throw error;
    }
  }

  async function push(
    req: IncomingMessage,
    res: ServerResponse,
    agency: string,
    params: URLSearchParams,
  ): Promise<void> {
    const caller = await authenticate(req);
    const fields = requestLogFields();
    if (fields) {
      fields.agency = caller.agencyId;
      fields.role = caller.role;
    }
    const served = options.agencies.get(agency);
    if (!served)
      throw new Refusal(
        404,
        "NOT_FOUND",
        `no agency "${agency}" loads through this service (it serves ${[...options.agencies.keys()].join(", ")})`,
      );
    if (caller.agencyId !== agency)
      throw new Refusal(403, "FORBIDDEN", `a token of ${caller.agencyId} may not push ${agency}'s records`);
    if (caller.service || caller.role !== Role.DATA_SHARING_OFFICER)
      throw new Refusal(
        403,
        "FORBIDDEN",
        `only a data-sharing officer of ${agency} may push its records (the token's role is ${caller.service ?? caller.role})`,
      );

    const unknown = [...params.keys()].filter((k) => !QUERY_KEYS.has(k));
    if (unknown.length)
      throw new Refusal(
        400,
        "BAD_REQUEST",
        `unknown parameter(s) ${unknown.join(", ")}: mapping, file, dryRun and rejects are read`,
      );
    const mappingName = params.get("mapping");
    if (!mappingName || !MAPPING_NAME.test(mappingName))
      throw new Refusal(
        400,
        "BAD_REQUEST",
        `mapping: the name of one of ${agency}'s mappings (letters, digits, "-" and "_"): ${[...served.mappings.keys()].join(", ")}`,
      );
    const mapping = served.mappings.get(mappingName);
    if (!mapping)
      throw new Refusal(
        400,
        "BAD_REQUEST",
        `mapping: ${agency} has no mapping "${mappingName}" (it has ${[...served.mappings.keys()].join(", ")})`,
      );
    const file = params.get("file");
    if (!file || !FILE_NAME.test(file))
      throw new Refusal(
        400,
        "BAD_REQUEST",
        'file: the export\'s file name, which the mapping matches (letters, digits, ".", "-" and "_")',
      );
    const entry = mapping.files.find((f) => matches(f.match, file));
    if (!entry)
      throw new Refusal(
        400,
        "BAD_REQUEST",
        `file: ${file} matches no file of the mapping "${mappingName}" (patterns: ${mapping.files.map((f) => f.match).join(", ")})`,
      );
    const dryRun = flag(params, "dryRun");
    const withRejects = flag(params, "rejects");
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (CONTENT_TYPES[type] !== entry.format.type)
      throw new Refusal(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `content-type: the mapping reads ${file} as ${entry.format.type === "csv" ? "text/csv" : "application/x-ndjson"}`,
      );

    // A folder of its own, so the file keeps the name the mapping matches and no two pushes meet.
    const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), "ingest-"));
    try {
      const path = join(dir, file);
      try {
        await receive(req, path, options.bodyLimitBytes);
      } catch (error) {
        if (error instanceof PayloadTooLarge)
          throw new Refusal(
            413,
            "PAYLOAD_TOO_LARGE",
            `the file exceeds ${options.bodyLimitBytes} bytes (INGEST_BODY_LIMIT_BYTES)`,
          );
        throw error;
      }
      const { report, failure } = await runImport({
        agency,
        mapping,
        files: [path],
        stores: served.stores,
        importedBy: caller.userId,
        dryRun,
        collectRejects: withRejects,
      });
      const problems = report.files.flatMap((f) => f.problems);
      const refused = failure !== null || (dryRun && !withRejects && problems.length > 0);
      // Counts only: the rows and the problems (which quote values) stay out of the log.
      log(refused ? "warn" : "info", "import", {
        importId: report.importId,
        agency,
        mapping: mappingName,
        file,
        dryRun,
        outcome: refused ? "REFUSED" : dryRun ? "DRY_RUN" : "LOADED",
        ...report.totals,
      });
      const body = reportBody(agency, mappingName, report, withRejects);
      if (refused)
        return sendJson(res, 422, {
          error: {
            code: "FILE_REFUSED",
            message: `${file}: ${dryRun ? "would be refused" : "nothing from this file was loaded"}: ${problems.length} problem(s)`,
          },
          problems,
          ...body,
        });
      sendJson(res, dryRun ? 200 : 201, body);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

export interface RunningIngestService extends RunningService {
  /** The agencies served, and each one's mapping names. */
  served: Record<string, string[]>;
}

/**
 * Reads and checks the mappings and the configuration (every problem at once), opens each served
 * agency's stores as the ingest roles (no migration: the privileged step has run) and governance's
 * access login (registered agencies only), and listens.
 */
export async function startIngestService(
  config: Config,
  options: { port?: number; host?: string; root?: string } = {},
): Promise<RunningIngestService> {
  const dir =
    config.INGEST_MAPPINGS_DIR ??
    (config.NODE_ENV === "production"
      ? undefined
      : join(options.root ?? process.cwd(), "examples", "ingest"));
  const problems: string[] = [];
  let mappings: ServedMappings = new Map();
  if (!dir) problems.push("INGEST_MAPPINGS_DIR: required in production (<dir>/<agency>/<name>.json)");
  else {
    const read = readMappingsDir(resolve(dir));
    mappings = read.served;
    problems.push(...read.problems.map((p) => `INGEST_MAPPINGS_DIR (${dir}): ${p}`));
  }
  const login = (what: string, url: () => string | undefined) => {
    try {
      if (!url()) problems.push(`${what}: not set, nor DATABASE_URL`);
    } catch (error) {
      // A login derived from DATABASE_URL needs DATABASE_ROLE_SECRET in production.
      problems.push(`${what}: ${(error as Error).message.replace(/^Invalid configuration:\n\s*/, "")}`);
    }
  };
  for (const agency of mappings.keys())
    login(`${agency.toUpperCase()}_INGEST_DATABASE_URL`, () =>
      ingestDatabaseUrl(config, INGESTABLE[agency].store.name),
    );
  if (mappings.size)
    login("PARTNERSHIP_INGEST_DATABASE_URL (the people index)", () =>
      ingestDatabaseUrl(config, "partnership"),
    );
  if (mappings.size)
    login("GOVERNANCE_INGEST_DATABASE_URL (audits the matcher's links)", () =>
      ingestDatabaseUrl(config, "governance"),
    );
  login("GOVERNANCE_ACCESS_DATABASE_URL (the registered agencies)", () =>
    governanceAccessDatabaseUrl(config),
  );
  if (problems.length)
    throw new Error(
      `Invalid configuration, ${problems.length} problem(s) (all reported at once):\n  ${problems.join("\n  ")}`,
    );
  const governanceUrl = governanceAccessDatabaseUrl(config)!;

  const agencies = new Map<string, ServedAgency>();
  const governancePool = new Pool({ connectionString: governanceUrl, max: 1 });
  governancePool.on("error", (error) => log("warn", "governance connection lost", { error: error.message }));
  const closeAll = async () => {
    await Promise.all([...agencies.values()].map((a) => a.stores.close()));
    await governancePool.end();
  };
  try {
    for (const [agency, served] of mappings)
      agencies.set(agency, {
        stores: await openIngestStores(config, agency, { migrate: false, poolSize: 1 }),
        mappings: served,
      });
    const governanceSql = new Sql(governancePool);
    const registry = governanceAgencyRegistry(governanceSql, { ttlMs: config.AGENCY_REGISTRY_TTL_MS });
    const stopRefreshing = keepRegistryFresh(registry, config.AGENCY_REGISTRY_TTL_MS);
    // The graph's verifier, as the gateway uses it (no service token is accepted), for the
    // service's own audience when one is set.
    const verify = await createTokenVerifier(
      { ...config, JWT_AUDIENCE: config.INGEST_JWT_AUDIENCE ?? config.JWT_AUDIENCE },
      registry,
    );
    const server = createIngestService({
      verify,
      agencies,
      bodyLimitBytes: config.INGEST_BODY_LIMIT_BYTES,
      ready: async () => {
        await registry();
        for (const { stores } of agencies.values()) {
          await stores.agency.sql.one("SELECT 1");
          await stores.people.sql.one("SELECT 1");
        }
      },
    });
    const running = await listen(
      "ingest",
      server,
      options.port ?? config.INGEST_PORT,
      options.host ?? config.HOST,
    );
    return {
      ...running,
      url: `http://127.0.0.1:${running.port}`,
      served: Object.fromEntries([...mappings].map(([agency, m]) => [agency, [...m.keys()]])),
      stop: async (stopOptions) => {
        stopRefreshing();
        await running.stop(stopOptions);
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
