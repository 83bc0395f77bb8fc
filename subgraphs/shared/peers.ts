import { GraphQLError } from "graphql";
import type { SubgraphName } from "./config";
import { DEADLINE_HEADER } from "./deadline";

/**
 * Asking another subgraph, through its own API, as the same caller: its access rules and audit
 * apply as for any other request (a subgraph never reads another's tables).
 */
export interface PeerAccess {
  /** Where each subgraph listens. */
  url(name: SubgraphName): string;
  /** The caller's own headers to send on (token, purpose, request id, deadline). */
  headers: Record<string, string>;
}

const FORWARDED = ["authorization", "x-purpose", "x-break-glass", "x-request-id", DEADLINE_HEADER];

export function forwardedHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first) out[name] = first;
  }
  return out;
}

/** The owner could not be asked: nothing was done, and the caller may try again. */
export function peerUnavailable(name: SubgraphName, what: string): GraphQLError {
  return new GraphQLError(
    `the ${name} service could not be asked ${what}; nothing was changed, retry shortly`,
    {
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: name, retryable: true },
    },
  );
}

export interface PeerAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** One GraphQL request to `name`, bounded by the caller's deadline and at most `timeoutMs`. */
export async function askPeer<T>(
  peers: PeerAccess,
  name: SubgraphName,
  what: string,
  query: string,
  variables: Record<string, unknown>,
  timeoutMs = 5_000,
): Promise<PeerAnswer<T>> {
  const deadline = Number(peers.headers[DEADLINE_HEADER]) || Infinity;
  const budget = Math.min(timeoutMs, deadline - Date.now());
  if (budget <= 0) throw peerUnavailable(name, what);
  try {
    const response = await fetch(peers.url(name), {
      method: "POST",
      headers: { ...peers.headers, "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(budget),
    });
    if (!response.ok && response.status >= 500) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as PeerAnswer<T>;
  } catch {
    throw peerUnavailable(name, what);
  }
}
