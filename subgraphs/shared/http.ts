import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type BaseContext } from "@apollo/server";
import type { Caller } from "./auth";
import { requestIdOf } from "./context";
import { watchDelivery, type Delivery } from "./deadline";
import { log, requestLogFields, withRequestLog, type RequestLogFields } from "./logger";
import { serveMetrics, type ServiceMetrics } from "./metrics";
import { inServerSpan } from "./tracing";

/** A GraphQL request as read from HTTP, before Apollo executes it. */
export interface GraphQLHttpRequest {
  method: string;
  /** The parsed JSON body (POST). */
  body: unknown;
  /** The query string (GET), with its leading "?". */
  search: string;
}

/** An answer given instead of executing the request (a refused document, say). */
export interface HttpRefusal {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface HttpServiceOptions<Ctx extends BaseContext> {
  name: string;
  apollo: ApolloServer<Ctx>;
  /**
   * The request's context; `attempt` counts from 0 and is 1 when `runAgain` asked for a rerun;
   * `delivery` says when the answer can no longer be delivered (caller gone, deadline passed).
   */
  context: (req: IncomingMessage, attempt: number, delivery: Delivery) => Promise<Ctx>;
  /** The longest a request may take, counted from its arrival (the gateway's budget). */
  maxRequestMs?: number;
  /**
   * Whether the answer must be thrown away and the request executed once more (a subgraph's
   * access facts changed while it was decided). A rerun is never run again.
   */
  runAgain?: (context: Ctx) => boolean;
  /** Throws when the service cannot serve data (e.g. its database is down). */
  ready: () => Promise<void>;
  /** Added to every /ready answer, ready or not (the age of the agency registry in use). */
  readyDetails?: () => Record<string, unknown>;
  bodyLimitBytes?: number;
  /** Extra routes (GraphiQL) answered before GraphQL; return true when handled. */
  route?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** Request durations by operation, and GET /metrics (for `metricsToken` bearers only). */
  metrics?: ServiceMetrics;
  metricsToken?: string;
  /** Looks at (and may rewrite) a request before it is executed, or refuses it (trusted documents). */
  admit?: (request: GraphQLHttpRequest) => GraphQLHttpRequest | HttpRefusal;
}

/** Notes the operation's name for the request's logs, span and metrics once Apollo has resolved it. */
export function operationNamePlugin<Ctx extends BaseContext>(): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName }) {
          const fields = requestLogFields();
          if (fields) fields.operation = operationName ?? "(anonymous)";
        },
      };
    },
  };
}

export interface RunningService {
  name: string;
  server: Server;
  port: number;
  url: string;
  /**
   * Stops listening. With `graceMs` (SIGTERM), requests already in flight finish first, for at
   * most that long; without, every connection is closed at once (tests, a failed start).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** How long SIGTERM waits for in-flight requests: inside Kubernetes' default 30 s grace period. */
export const SHUTDOWN_GRACE_MS = 20_000;

class PayloadTooLarge extends Error {}

/**
 * Reads the body up to `limit` bytes. Past it, the rest is left unread rather than the socket
 * destroyed: a destroyed socket reaches the client as a reset, not as the 413 it is owed.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) return reject(new PayloadTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        reject(new PayloadTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** A JSON answer with its status (and any headers), as every service of the graph answers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A plain node:http front for an Apollo server with /health and /ready, shared by the
 * gateway and every subgraph so they all behave alike.
 */
export function createHttpService<Ctx extends BaseContext>(options: HttpServiceOptions<Ctx>): Server {
  const limit = options.bodyLimitBytes ?? 1_000_000;
  return createServer((req, res) => {
    // One id per request, given back on every answer and passed on to the subgraphs.
    const requestId = requestIdOf(req.headers);
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const fields: RequestLogFields = { requestId, service: options.name };
    void withRequestLog(fields, () => handle(req, res, fields));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, fields: RequestLogFields): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    try {
      if (path === "/health") return sendJson(res, 200, { status: "ok", service: options.name });
      if (path === "/ready") {
        try {
          await options.ready();
          return sendJson(res, 200, { status: "ready", service: options.name, ...options.readyDetails?.() });
        } catch (error) {
          return sendJson(res, 503, {
            status: "unavailable",
            service: options.name,
            reason: (error as Error).message,
            ...options.readyDetails?.(),
          });
        }
      }
      if (path === "/metrics" && options.metrics)
        return await serveMetrics(options.metrics, options.metricsToken, req, res);
      if (options.route && (await options.route(req, res))) return;
      if (path !== "/graphql" && path !== "/") return sendJson(res, 404, { error: "not found" });
      const started = process.hrtime.bigint();
      await inServerSpan(options.name, req.headers, async (span) => {
        try {
          await serveGraphQL(req, res);
        } finally {
          const operation = options.metrics?.operationLabel(fields.operation) ?? fields.operation ?? "(none)";
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          options.metrics?.requestSeconds.observe({ operation, status: String(res.statusCode) }, seconds);
          span.updateName(`${options.name} ${fields.operation ?? "request"}`);
          span.setAttributes({
            "graphql.operation.name": fields.operation ?? "",
            "http.response.status_code": res.statusCode,
          });
          log("info", "request", { status: res.statusCode, durationMs: Math.round(seconds * 1000) });
        }
      });
    } catch (error) {
      handleError(error, res);
    }
  }

  async function serveGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let body: unknown = undefined;
    if (req.method === "POST") {
      const text = await readBody(req, limit);
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, {
          errors: [{ message: "request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }],
        });
      }
    }
    let request: GraphQLHttpRequest = {
      method: req.method ?? "GET",
      search: new URL(req.url ?? "/", "http://localhost").search,
      body,
    };
    if (options.admit) {
      const admitted = options.admit(request);
      if ("status" in admitted) return sendJson(res, admitted.status, admitted.body, admitted.headers);
      request = admitted;
    }
    const httpGraphQLRequest = { ...request, headers };
    const delivery = watchDelivery(req, res, options.maxRequestMs);
    res.once("finish", delivery.done);
    if (delivery.signal.aborted) {
      // Nobody waits for this answer any more: no work, no disclosure.
      return sendJson(res, 200, {
        errors: [
          {
            message: "the request's deadline had passed on arrival",
            extensions: { code: "DEADLINE_EXCEEDED" },
          },
        ],
      });
    }
    let context: Ctx | undefined;
    const execute = (attempt: number) =>
      options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async () => {
          context = await options.context(req, attempt, delivery);
          const caller = (context as { caller?: Caller }).caller;
          const fields = requestLogFields();
          if (caller && fields) {
            fields.agency = caller.agencyId;
            fields.role = caller.role;
          }
          return context;
        },
      });
    let response = await execute(0);
    if (context && options.runAgain?.(context) && !delivery.signal.aborted) response = await execute(1);
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  function handleError(error: unknown, res: ServerResponse): void {
    if (error instanceof PayloadTooLarge) {
      // The connection closes after the answer, so the unread rest of the body is never read.
      return sendJson(
        res,
        413,
        {
          errors: [
            { message: `request body exceeds ${limit} bytes`, extensions: { code: "PAYLOAD_TOO_LARGE" } },
          ],
        },
        { connection: "close" },
      );
    }
    log("error", "unhandled request error", { service: options.name, error: (error as Error).message });
    if (!res.headersSent)
      sendJson(res, 500, {
        errors: [{ message: "internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
      });
    else res.end();
  }
}

/** Starts listening on `host` (loopback unless told otherwise); port 0 picks a free port (tests). */
export async function listen(
  name: string,
  server: Server,
  port: number,
  host = "127.0.0.1",
): Promise<RunningService> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  server.keepAliveTimeout = 65_000;
  // Requests not yet answered, so that a drain knows when it is done.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    res.once("close", () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
  });
  return {
    name,
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}/graphql`,
    stop: async (options = {}) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.graceMs && inFlight > 0) {
        // No new connections from here; idle keep-alive ones go now, busy ones once answered.
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, options.graceMs).unref();
        });
        clearInterval(idle);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
