import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { GraphQLError } from "graphql";
import { breakGlassProblem, normaliseJustification } from "./access/break-glass";
import { AccessGuard, type PolicyStore } from "./access/guard";
import { AuthenticationError, type Caller, type TokenVerifier } from "./auth";
import type { SubgraphName } from "./config";
import type { Sql } from "./database";
import { Purpose } from "./enums";
import { unauthenticated } from "./errors";
import { forwardedHeaders, type PeerAccess } from "./peers";

/** What every resolver in every subgraph knows about the request it serves. */
export interface RequestContext<Loaders = unknown> {
  subgraph: SubgraphName;
  requestId: string;
  caller: Caller;
  /** From x-purpose; null when the caller sent none. */
  purpose: Purpose | null;
  /** From x-break-glass: the caller's justification for emergency access. */
  breakGlass: string | null;
  sql: Sql;
  /** Created fresh for every request, so no cached row outlives it. */
  loaders: Loaders;
  /** The access rules for this request: decisions, and the audit written before the response. */
  access: AccessGuard;
  /**
   * Aborted when the answer will not be delivered: the caller (the gateway) has gone, or the
   * request's deadline (x-request-deadline) has passed. Work for it is wasted; nothing in it may
   * be recorded as disclosed.
   */
  signal: AbortSignal;
  /** Other subgraphs, asked through their own APIs as this caller. */
  peers: PeerAccess;
}

/** A signal that never aborts, for a context built outside an HTTP request. */
const ALWAYS_DELIVERED = new AbortController().signal;

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
/** RFC 8187's ASCII form of UTF-8 text, `UTF-8''` and the text percent-encoded: what routers send on. */
const EXTENDED = /^utf-8''([\x21-\x7e]*)$/i;

/**
 * A header whose value is text (x-break-glass). HTTP carries bytes, which Node hands over one byte
 * per character (latin1); the partnership sends text as UTF-8, so the bytes are decoded as UTF-8,
 * or from RFC 8187's `UTF-8''percent-encoded` form (which survives any proxy, and is how a router
 * that cannot pass the bytes on unchanged sends it). What is not valid UTF-8 is refused, never read
 * as another encoding.
 */
export function textHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = header(headers, name);
  if (value === undefined) return undefined;
  const extended = EXTENDED.exec(value);
  try {
    return extended ? decodeURIComponent(extended[1]) : UTF8.decode(Buffer.from(value, "latin1"));
  } catch {
    throw new GraphQLError(`${name}: not valid UTF-8; send the text encoded as UTF-8`, {
      extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
    });
  }
}

/** Text as a header value carries it on (the inverse of textHeader): its UTF-8 bytes, one per character. */
export function textHeaderValue(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = header(headers, "x-request-id");
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

export function parsePurpose(value: string | undefined): Purpose | null {
  if (!value) return null;
  if (!(Object.values(Purpose) as string[]).includes(value)) {
    throw new GraphQLError(
      `x-purpose: unknown purpose "${value}"; expected one of ${Object.values(Purpose).join(", ")}`,
      {
        extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
      },
    );
  }
  return value as Purpose;
}

/**
 * Break-glass is only for SAFEGUARDING with a real justification; anything else is refused
 * outright rather than silently ignored, so the caller knows it was not honoured.
 */
export function parseBreakGlass(value: string | undefined, purpose: Purpose | null): string | null {
  if (value === undefined) return null;
  const problem = breakGlassProblem(value, purpose);
  if (problem) {
    throw new GraphQLError(`x-break-glass: ${problem}`, {
      extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
    });
  }
  return normaliseJustification(value);
}

export async function callerFrom(headers: IncomingHttpHeaders, verify: TokenVerifier): Promise<Caller> {
  const authorization = header(headers, "authorization");
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw unauthenticated("authorization: a Bearer token is required");
  try {
    return await verify(match[1]);
  } catch (error) {
    if (error instanceof AuthenticationError) throw unauthenticated(error.message);
    throw error;
  }
}

/** The one place every subgraph turns an HTTP request into a RequestContext. */
export async function buildRequestContext<Loaders>(
  headers: IncomingHttpHeaders,
  options: {
    subgraph: SubgraphName;
    verify: TokenVerifier;
    sql: Sql;
    createLoaders: (sql: Sql) => Loaders;
    policy: PolicyStore;
    /** Decide on facts read now (a request run again because its facts changed). */
    freshFacts?: boolean;
    /** Aborted when the answer will not be delivered (see RequestContext.signal). */
    signal?: AbortSignal;
    /** Where the other subgraphs listen. */
    peerUrl?: (name: SubgraphName) => string;
  },
): Promise<RequestContext<Loaders>> {
  const caller = await callerFrom(headers, options.verify);
  const purpose = parsePurpose(header(headers, "x-purpose"));
  const breakGlass = parseBreakGlass(textHeader(headers, "x-break-glass"), purpose);
  const requestId = requestIdOf(headers);
  const context: RequestContext<Loaders> = {
    subgraph: options.subgraph,
    requestId,
    caller,
    purpose,
    breakGlass,
    sql: options.sql,
    loaders: options.createLoaders(options.sql),
    access: undefined as unknown as AccessGuard,
    signal: options.signal ?? ALWAYS_DELIVERED,
    peers: {
      url: options.peerUrl ?? ((name) => `http://localhost/${name}/unknown`),
      headers: { ...forwardedHeaders(headers), "x-request-id": requestId },
    },
  };
  context.access = new AccessGuard(
    { caller, purpose, breakGlass, requestId, freshFacts: options.freshFacts },
    options.policy,
  );
  return context;
}
