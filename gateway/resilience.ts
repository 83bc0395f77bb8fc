import { AsyncLocalStorage } from "node:async_hooks";
import CircuitBreaker from "opossum";
import { GraphQLError, Kind, parse, type DocumentNode, type SelectionSetNode } from "graphql";
import { DEADLINE_HEADER } from "../subgraphs/shared/deadline";
import { rateLimitedLog } from "../subgraphs/shared/faults";

/**
 * What keeps one failing subgraph from holding every request: one deadline per request shared
 * by all its subgraph calls, and a circuit breaker per subgraph (opossum).
 */

/** The request a subgraph call belongs to, seen by the fetcher (which gets no context). */
export interface CallBudget {
  /** Epoch ms by which the whole request must be answered. */
  deadline: number;
  /** Aborted when the caller has gone or the deadline has passed. */
  signal: AbortSignal;
}

export const currentCall = new AsyncLocalStorage<CallBudget>();

/** Why a subgraph call ended without an answer; the message is what a caller may see. */
export class CallFailure extends Error {
  constructor(
    message: string,
    /** Whether it says something about the subgraph's health (the breaker counts it). */
    readonly countsAgainstSubgraph: boolean,
  ) {
    super(message);
  }
}

type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Node's fetch with the request's remaining budget (at most `perCallMs`), sending the absolute
 * deadline so the subgraph can give up too. The abort's DOMException has a read-only message,
 * which the gateway tries to rewrite (a 500), so it is rethrown as a CallFailure.
 */
export function fetcherWithDeadline(
  perCallMs: number,
  send: (input: string, init: RequestInit) => Promise<Response> = fetch,
): Fetcher {
  return async (input, init) => {
    const budget = currentCall.getStore();
    const now = Date.now();
    const deadline = Math.min(budget?.deadline ?? Infinity, now + perCallMs);
    const remaining = deadline - now;
    if (budget?.signal.aborted) throw new CallFailure("the request was abandoned or ran out of time", false);
    if (remaining <= 0) throw new CallFailure("the request's time ran out before it was called", false);
    const headers = new Headers(init?.headers);
    headers.set(DEADLINE_HEADER, String(deadline));
    const signals = [AbortSignal.timeout(remaining), ...(budget ? [budget.signal] : [])];
    try {
      return await send(input, { ...init, headers, signal: AbortSignal.any(signals) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        if (budget?.signal.aborted)
          throw new CallFailure("the request was abandoned or ran out of time", false);
        // Cut short by the shared budget, the subgraph was not given its full time: not its fault.
        const full = remaining >= perCallMs;
        throw new CallFailure(`no answer within ${remaining} ms`, full || remaining >= 1_000);
      }
      throw error;
    }
  };
}

export interface BreakerSettings {
  /** How long an open breaker waits before letting one probe through (half-open). */
  resetMs: number;
  /** Failures, in per cent of calls within the rolling window, that open it. */
  errorThresholdPercentage?: number;
  /** Calls within the window before it may open at all. */
  volumeThreshold?: number;
  /** The rolling window failures are counted in. */
  windowMs?: number;
}

export type BreakerState = "closed" | "open" | "halfOpen";

const breakerLog = rateLimitedLog();

/** One opossum breaker per subgraph; a call is `breaker.fire(work)`. */
export function createBreaker(
  subgraph: string,
  settings: BreakerSettings,
): CircuitBreaker<[() => Promise<unknown>], unknown> {
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    // Time is bounded by the request's deadline in the fetcher, not by the breaker.
    timeout: false,
    resetTimeout: settings.resetMs,
    errorThresholdPercentage: settings.errorThresholdPercentage ?? 50,
    volumeThreshold: settings.volumeThreshold ?? 5,
    rollingCountTimeout: settings.windowMs ?? 10_000,
    rollingCountBuckets: 10,
    // Only faults of the subgraph itself count: not its answers, nor calls cut short for the caller.
    errorFilter: (error: unknown) => !(error instanceof CallFailure && error.countsAgainstSubgraph),
  });
  breaker.on("open", () => breakerLog("warn", "circuit open", { subgraph }, subgraph));
  breaker.on("halfOpen", () => breakerLog("warn", "circuit half-open: probing", { subgraph }, subgraph));
  breaker.on("close", () => breakerLog("warn", "circuit closed", { subgraph }, subgraph));
  return breaker;
}

export function breakerState(breaker: CircuitBreaker): BreakerState {
  return breaker.opened ? "open" : breaker.halfOpen ? "halfOpen" : "closed";
}

export function isOpenBreaker(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "EOPENBREAKER";
}

/**
 * The paths, in the subgraph's own answer, of every field a failed fetch would have filled: the
 * root fields, or each field of each entity asked for. The gateway maps them to the client's.
 */
export function pathsOfFetch(query: string | undefined, representations: unknown): (string | number)[][] {
  let document: DocumentNode;
  try {
    document = parse(query ?? "");
  } catch {
    return [];
  }
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const names = (set: SelectionSetNode, typename?: string): string[] =>
    set.selections.flatMap((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === "__typename" ? [] : [(s.alias ?? s.name).value];
      if (s.kind === Kind.INLINE_FRAGMENT) {
        const condition = s.typeCondition?.name.value;
        return !condition || !typename || condition === typename ? names(s.selectionSet, typename) : [];
      }
      return [];
    });
  const root = operation.selectionSet.selections[0];
  if (Array.isArray(representations) && root?.kind === Kind.FIELD && root.name.value === "_entities") {
    return representations.flatMap((r, i) =>
      names(root.selectionSet!, (r as { __typename?: string }).__typename).map((field) => [
        "_entities",
        i,
        field,
      ]),
    );
  }
  return names(operation.selectionSet).map((field) => [field]);
}

/** The error a client sees for each field a subgraph could not supply. */
export function unavailable(serviceName: string, why: string, path?: (string | number)[]): GraphQLError {
  return new GraphQLError(`the ${serviceName} service is unavailable: ${why}`, {
    path,
    extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName },
  });
}
