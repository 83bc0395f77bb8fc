import autocannon from "autocannon";

/** What one autocannon run measured. */
export interface LoadResult {
  /** Answers per second that were 2xx without GraphQL errors: failures are not throughput. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Non-2xx answers, transport errors and timeouts, and 2xx answers with GraphQL errors. */
  errors: number;
  completed: number;
  non2xx: number;
  transportErrors: number;
  /** 2xx answers whose errors were all access denials (FORBIDDEN): the rules at work, not failures. */
  accessDenials: number;
  graphqlErrors: number;
  /** The first failing body seen, to explain the errors. */
  firstError?: string;
}

/** GraphQL error codes that are the access rules answering, not the service failing. */
const ACCESS_CODES = new Set(["FORBIDDEN"]);

export type BodyVerdict = "ok" | "denied" | "failed";

/** Whether a 2xx GraphQL answer is clean, carries only access denials, or failed. */
export function classifyBody(body: string): BodyVerdict {
  // Most answers have no errors at all: a substring test spares parsing them.
  if (!body.includes('"errors"')) return "ok";
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
    if (!parsed.errors?.length) return "ok";
    return parsed.errors.every((e) => ACCESS_CODES.has(e.extensions?.code ?? "")) ? "denied" : "failed";
  } catch {
    return "failed";
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

let sequence = 0;

/**
 * Drives one URL with autocannon: `connections` at once for `duration` seconds, cycling through
 * `bodies`, every request with its own x-request-id so nothing can be deduplicated. Latencies
 * are collected per response (autocannon reports no p95); every 2xx body is checked for errors.
 */
export function runLoad(options: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  bodies: string[];
  /** Prefix of the request ids, naming the run. */
  label: string;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let accessDenials = 0;
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const prefix = `bench-${process.pid}-${options.label}-${++sequence}`;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        timeout: 30,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => {
              const n = next++;
              return {
                ...request,
                headers: { ...options.headers, "x-request-id": `${prefix}-${n}` },
                body: options.bodies[n % options.bodies.length],
              };
            },
            onResponse: (status, body) => {
              if (status < 200 || status >= 300) {
                firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
                return;
              }
              const verdict = classifyBody(body);
              if (verdict === "denied") accessDenials += 1;
              if (verdict === "failed") {
                graphqlErrors += 1;
                firstError ??= body.slice(0, 500);
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        const completed = latencies.length;
        const transportErrors = result.errors;
        const good = completed - result.non2xx - graphqlErrors;
        resolve({
          rps: Math.round((good / result.duration) * 10) / 10,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          errors: result.non2xx + transportErrors + graphqlErrors,
          completed,
          non2xx: result.non2xx,
          transportErrors,
          accessDenials,
          graphqlErrors,
          firstError,
        });
      },
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
}
