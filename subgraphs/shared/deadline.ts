import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The absolute deadline of a request (epoch milliseconds), which the gateway sends to every
 * subgraph it calls: past it, nobody is waiting for the answer. Clocks of the gateway and the
 * subgraphs are assumed to agree to within a fraction of the budget (NTP).
 */
export const DEADLINE_HEADER = "x-request-deadline";

/** Why a request's answer will not be delivered. */
export type Undeliverable = "caller-gone" | "deadline-passed";

export interface Delivery {
  /** Epoch ms, or null when the caller set none. */
  deadline: number | null;
  /**
   * Aborted (reason: an Undeliverable) when the caller has closed the connection before the
   * answer was sent, or the deadline has passed: work for it is wasted, and nothing it would
   * have disclosed must be recorded as delivered.
   */
  signal: AbortSignal;
  /** Stops watching (the answer has been sent). */
  done(): void;
}

export function deadlineOf(req: IncomingMessage): number | null {
  const raw = req.headers[DEADLINE_HEADER];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Watches one request: its caller going away, its deadline passing, `maxMs` if given. */
export function watchDelivery(req: IncomingMessage, res: ServerResponse, maxMs?: number): Delivery {
  const controller = new AbortController();
  const given = deadlineOf(req);
  const deadline = maxMs === undefined ? given : Math.min(given ?? Infinity, Date.now() + maxMs);
  const abort = (reason: Undeliverable) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onClose = () => {
    if (!res.writableFinished) abort("caller-gone");
  };
  res.once("close", onClose);
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== null) {
    const left = deadline - Date.now();
    if (left <= 0) abort("deadline-passed");
    else timer = setTimeout(() => abort("deadline-passed"), left).unref();
  }
  return {
    deadline,
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      res.off("close", onClose);
    },
  };
}
