import { GraphQLError } from "graphql";
import { HeaderMap } from "@apollo/server";
import Redis from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Caller } from "../subgraphs/shared/auth";
import type { Config } from "../subgraphs/shared/config";
import { log } from "../subgraphs/shared/logger";

export interface RateLimits {
  /** Counts one request for the caller and their agency; throws a 429 GraphQLError past either limit. */
  consume(caller: Caller): Promise<void>;
  close(): Promise<void>;
}

export type RateLimitScope = "user" | "agency";

const WINDOW_SECONDS = 60;

/**
 * Requests per minute per user and per agency at the gateway (rate-limiter-flexible). With
 * REDIS_URL the counters live in Redis, shared by every gateway replica; should Redis fail, each
 * replica falls back to counting in its own memory (the library's insurance limiter) rather than
 * refusing everyone or letting everyone through. Null when RATE_LIMITS is off.
 */
export function createRateLimits(
  config: Pick<
    Config,
    "RATE_LIMITS" | "RATE_LIMIT_USER_PER_MINUTE" | "RATE_LIMIT_AGENCY_PER_MINUTE" | "REDIS_URL"
  >,
  onLimited: (scope: RateLimitScope) => void = () => undefined,
  /** Where the counters live in Redis; tests use their own. */
  keyPrefix = "partnership-graph",
): RateLimits | null {
  if (config.RATE_LIMITS === "off") return null;
  const redis = config.REDIS_URL
    ? // No offline queue: a request never waits for Redis to come back (the insurance limiter answers).
      new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on("error", (error: Error) => log("warn", "rate-limit store unavailable", { error: error.message }));
  const limiter = (points: number, scope: RateLimitScope): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix: scope });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points,
          duration: WINDOW_SECONDS,
          keyPrefix: `${keyPrefix}:${scope}`,
          insuranceLimiter: memory,
        })
      : memory;
  };
  const user = limiter(config.RATE_LIMIT_USER_PER_MINUTE, "user");
  const agency = limiter(config.RATE_LIMIT_AGENCY_PER_MINUTE, "agency");
  const take = async (scope: RateLimitScope, store: RateLimiterAbstract, key: string) => {
    try {
      await store.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      onLimited(scope);
      throw tooManyRequests(scope, Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
    }
  };
  return {
    async consume(caller) {
      // The user's own limit first, so one busy user does not use up their agency's allowance.
      await take("user", user, `${caller.agencyId}/${caller.userId}`);
      await take("agency", agency, caller.agencyId);
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function tooManyRequests(scope: RateLimitScope, retryAfterSeconds: number): GraphQLError {
  // Apollo Server answers a context error with the status and headers in extensions.http.
  const extensions: Record<string, unknown> = {
    code: "RATE_LIMITED",
    scope,
    retryAfterSeconds,
    http: { status: 429, headers: new HeaderMap([["retry-after", String(retryAfterSeconds)]]) },
  };
  return new GraphQLError(`rate limit reached for this ${scope}: try again in ${retryAfterSeconds} s`, {
    extensions,
  });
}
