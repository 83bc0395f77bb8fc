import { AsyncLocalStorage } from "node:async_hooks";
import { trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger } from "pino";

type Level = "debug" | "info" | "warn" | "error";

/** What every log line written while serving one request says about it. */
export interface RequestLogFields {
  requestId: string;
  service: string;
  operation?: string;
  agency?: string;
  role?: string;
}

const scope = new AsyncLocalStorage<RequestLogFields>();

/** Runs `work` with `fields` added to every log line it writes (and the trace id, when traced). */
export function withRequestLog<T>(fields: RequestLogFields, work: () => T): T {
  return scope.run(fields, work);
}

/** The current request's log fields, to fill in as they become known (operation, caller). */
export function requestLogFields(): RequestLogFields | undefined {
  return scope.getStore();
}

/**
 * Never logged, wherever they appear: credentials, and anything that may carry personal data
 * (GraphQL variables and documents can hold names, dates of birth, addresses).
 */
export const REDACTED_PATHS = [
  "authorization",
  "cookie",
  "token",
  "password",
  "headers.authorization",
  "headers.cookie",
  "headers['set-cookie']",
  "headers['x-break-glass']",
  "*.authorization",
  "*.cookie",
  "*.token",
  "*.password",
  "*.headers.authorization",
  "*.headers.cookie",
  "variables",
  "*.variables",
  "query",
  "*.query",
  "displayName",
  "*.displayName",
  "dateOfBirth",
  "*.dateOfBirth",
  "address",
  "*.address",
];

function initialLevel(): Level | "silent" {
  const given = process.env.LOG_LEVEL as Level | "silent" | undefined;
  if (given && ["debug", "info", "warn", "error", "silent"].includes(given)) return given;
  return process.env.NODE_ENV === "test" ? "silent" : "info";
}

function createLogger(destination?: DestinationStream): Logger {
  return pino(
    {
      level: initialLevel(),
      messageKey: "message",
      base: { pid: process.pid },
      timestamp: () => `,"at":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      mixin() {
        const traceId = trace.getActiveSpan()?.spanContext().traceId;
        const fields = scope.getStore();
        return traceId ? { ...fields, traceId } : { ...fields };
      },
    },
    destination ??
      // Warnings and errors on stderr, the rest on stdout, as operators of the services expect.
      pino.multistream(
        [
          { level: "trace", stream: process.stdout },
          { level: "warn", stream: process.stderr },
        ],
        { dedupe: true },
      ),
  );
}

let logger = createLogger();

export function setLogLevel(level: Level | "silent"): void {
  logger.level = level;
}

/**
 * Sends every log line to `destination` (tests read what a request logged); with no argument,
 * back to stdout and stderr. Keeps the current level.
 */
export function setLogDestination(destination?: DestinationStream): void {
  const level = logger.level;
  logger = createLogger(destination);
  logger.level = level;
}

/** One JSON line per event, so request ids and traces can be followed across services. */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  logger[level](fields, message);
}
