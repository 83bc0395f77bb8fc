import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { createRateLimits, type RateLimits } from "../../gateway/rate-limits";
import type { Caller } from "../../subgraphs/shared/auth";
import { Role } from "../../subgraphs/shared/enums";

/**
 * Rate limits kept in the real Redis (REDIS_URL), shared by every gateway replica: two limiters
 * over one Redis count one caller's requests together. Each run uses its own keys.
 */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `partnership-graph-test:${randomUUID()}`;
const config = {
  RATE_LIMITS: "on" as const,
  RATE_LIMIT_USER_PER_MINUTE: 3,
  RATE_LIMIT_AGENCY_PER_MINUTE: 4,
  REDIS_URL,
};
const replicas: RateLimits[] = [];
let redis: Redis;

/**
 * Waits until a replica counts in Redis: without an offline queue, a replica not yet connected
 * counts in its own memory (its insurance limiter), and a fixed wait raced the connection on a
 * busy machine. Each try is a caller of an agency of its own, so no limit the tests use is touched.
 */
async function countingInRedis(limits: RateLimits, replica: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const agency = `connection-check-${replica}-${attempt}`;
    await limits.consume(caller("check", agency));
    if (await redis.exists(`${prefix}:user:${agency}/check`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`replica ${replica} did not count in Redis within 10 s`);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  for (let i = 0; i < 2; i++) replicas.push(createRateLimits(config, undefined, prefix)!);
  await Promise.all(replicas.map((limits, i) => countingInRedis(limits, i)));
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await Promise.all(replicas.map((r) => r.close()));
});

const caller = (userId: string, agencyId = "council"): Caller => ({
  userId,
  agencyId,
  role: Role.PRACTITIONER,
});

async function refusal(work: Promise<void>) {
  try {
    await work;
  } catch (error) {
    return error as { extensions: Record<string, unknown> };
  }
  return null;
}

test("replicas share one user's count in Redis: the fourth request, on either, is refused", async () => {
  const [a, b] = replicas;
  await a.consume(caller("pc.one"));
  await b.consume(caller("pc.one"));
  await a.consume(caller("pc.one"));
  const refused = await refusal(b.consume(caller("pc.one")));
  expect(refused?.extensions).toMatchObject({ code: "RATE_LIMITED", scope: "user" });
  const http = refused!.extensions.http as { status: number; headers: Map<string, string> };
  expect(http.status).toBe(429);
  expect(Number(http.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  // The counter is in Redis, under this run's keys.
  expect(Number(await redis.get(`${prefix}:user:council/pc.one`))).toBeGreaterThanOrEqual(4);
});

test("the agency's limit counts all its users, and another agency is not affected", async () => {
  const [a, b] = replicas;
  // pc.one's three requests counted for council; one more user request reaches the agency's four.
  await a.consume(caller("pc.two"));
  const refused = await refusal(b.consume(caller("pc.three")));
  expect(refused?.extensions).toMatchObject({ code: "RATE_LIMITED", scope: "agency" });
  await expect(a.consume(caller("pc.four", "housing"))).resolves.toBeUndefined();
});

test("in memory, without REDIS_URL, each process counts alone", async () => {
  const memory = createRateLimits({ ...config, REDIS_URL: undefined }, undefined, prefix)!;
  for (let i = 0; i < 3; i++) await memory.consume(caller("pc.memory"));
  expect((await refusal(memory.consume(caller("pc.memory"))))?.extensions.scope).toBe("user");
  expect(await redis.exists(`${prefix}:user:council/pc.memory`)).toBe(0);
  await memory.close();
});

test("off, there is no limiter", () => {
  expect(createRateLimits({ ...config, RATE_LIMITS: "off" })).toBeNull();
});
