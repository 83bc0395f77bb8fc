import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { GraphQLError } from "graphql";
import { log } from "./logger";

/**
 * Infrastructure faults: what counts as a lost database, the error a caller sees for one, and
 * the process-wide safety net, shared by the gateway and every subgraph.
 */

/** Node socket errors that mean the database could not be reached or went away. */
const SOCKET_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);

/**
 * PostgreSQL SQLSTATEs for a connection that failed or was ended by the server: class 08
 * (connection exception), admin/crash shutdown and "cannot connect now", too many connections.
 */
const SERVER_CODES = /^(08...|57P01|57P02|57P03|53300)$/;

/** What pg says, without a code, when the connection under a client is gone. */
const LOST =
  /Connection terminated|connection error and is not queryable|Client was closed|timeout exceeded when trying to connect|is not currently accepting connections|terminating connection/i;

/** True when `error` is a lost, reset or refused database connection rather than a bad statement. */
export function isConnectionFault(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  if (error instanceof DatabaseUnavailable) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (SOCKET_CODES.has(code) || SERVER_CODES.test(code))) return true;
  // "database … is not currently accepting connections" is SQLSTATE 55000, which also covers
  // faults of another kind: the message decides.
  return LOST.test(String((error as { message?: unknown }).message ?? ""));
}

/**
 * The error a request ends with when its database is unavailable: retryable, and without the
 * cause (hosts, database names), which goes to the log instead.
 */
export class DatabaseUnavailable extends GraphQLError {
  constructor(readonly reason: string) {
    super("database unavailable: the request was not completed and nothing was written; retry shortly", {
      extensions: { code: "DATABASE_UNAVAILABLE", retryable: true },
    });
  }
}

/** `error` as a DatabaseUnavailable when it is a connection fault; otherwise unchanged. */
export function asDatabaseFault(error: unknown): unknown {
  if (error instanceof DatabaseUnavailable || !isConnectionFault(error)) return error;
  return new DatabaseUnavailable((error as Error).message);
}

/**
 * Logs at most `limit` identical events (same key) per window and then one line saying how many
 * were left out, so that a fault repeated by every request does not flood the log.
 */
export function rateLimitedLog(options: { windowMs?: number; limit?: number } = {}) {
  const windowMs = options.windowMs ?? 10_000;
  const limit = options.limit ?? 5;
  const windows = new Map<string, { start: number; count: number; fields: Record<string, unknown> }>();
  const report = (level: "warn" | "error", message: string, key: string, now: number) => {
    const current = windows.get(key);
    if (!current) return;
    if (current.count > limit) {
      log(level, `${message} (repeated)`, {
        ...current.fields,
        suppressed: current.count - limit,
        windowMs: now - current.start,
      });
    }
    windows.delete(key);
  };
  return (level: "warn" | "error", message: string, fields: Record<string, unknown>, key = message) => {
    const now = Date.now();
    const fullKey = `${level}:${message}:${key}`;
    let current = windows.get(fullKey);
    if (current && now - current.start >= windowMs) {
      report(level, message, fullKey, now);
      current = undefined;
    }
    if (!current) {
      current = { start: now, count: 0, fields };
      windows.set(fullKey, current);
      // Bounded: a key never seen again still reports its suppressed count and is forgotten.
      setTimeout(() => report(level, message, fullKey, Date.now()), windowMs).unref();
    }
    current.count += 1;
    current.fields = fields;
    if (current.count <= limit) log(level, message, fields);
  };
}

let installed = false;
const processLog = rateLimitedLog();

/**
 * An unhandled rejection or error is logged and the service keeps serving: a fault in one request
 * (a lost connection's late 'error', say) must not take every other request down with it.
 */
export function keepServiceRunning(service: string): void {
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason) => {
    processLog("error", "unhandled rejection", { service, error: describe(reason) }, describe(reason));
  });
  process.on("uncaughtException", (error) => {
    processLog("error", "uncaught exception", { service, error: describe(error) }, describe(error));
  });
}

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
}

/** Codes that mean the service could not do its work, as opposed to a refusal or bad input. */
const FAULT_CODES = new Set(["DATABASE_UNAVAILABLE", "INTERNAL_SERVER_ERROR", "ACCESS_DECISION_UNAVAILABLE"]);

const requestLog = rateLimitedLog();

/**
 * Logs a request that failed for want of infrastructure once, with its request id, the
 * subgraph and the cause (which the caller is not shown); identical causes are rate-limited.
 */
export function faultLogPlugin<Ctx extends BaseContext & { requestId?: string }>(
  subgraph: string,
): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          const faults = errors.filter((e) => {
            const code = e.extensions?.code ?? (e.originalError ? "INTERNAL_SERVER_ERROR" : undefined);
            return typeof code === "string" && FAULT_CODES.has(code);
          });
          if (!faults.length) return;
          const first = faults[0];
          const original = first.originalError;
          const cause =
            original instanceof DatabaseUnavailable ? original.reason : (original?.message ?? first.message);
          const code = String(first.extensions?.code ?? "INTERNAL_SERVER_ERROR");
          requestLog(
            "warn",
            "request failed",
            { subgraph, requestId: contextValue?.requestId, code, cause, errors: faults.length },
            `${code}:${cause}`,
          );
        },
      };
    },
  };
}
