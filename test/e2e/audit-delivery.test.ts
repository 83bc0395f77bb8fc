import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { DEADLINE_HEADER } from "../../subgraphs/shared/deadline";
import { startTestFederation, type TestFederation } from "../support/federation";
import { tokenFor } from "../support/graphql";
import { urlOf } from "../support/outage";

/**
 * Issue 11, "audit what was delivered": a subgraph records a disclosure only for an answer it
 * sends. The police subgraph is held on a lock while its caller goes away or its deadline
 * passes; once it can finish, it must write no audit row for that request.
 */
let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
}, 180_000);
afterAll(() => fed?.stop());

const SHARED_INCIDENTS = `query SharedIncidents($lsoaCodes: [String!]!) {
  incidents(filter: { lsoaCodes: $lsoaCodes, fromMonth: "2019-01", toMonth: "2019-06" }, first: 30) {
    totalCount edges { node { id reference category } }
  }
}`;

async function send(
  requestId: string,
  extra: { signal?: AbortSignal; headers?: Record<string, string> } = {},
) {
  const response = await fetch(fed.federation.subgraphs.police.url, {
    method: "POST",
    signal: extra.signal,
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await tokenFor({ agency: "council" })}`,
      "x-purpose": "ASB_CASE_MANAGEMENT",
      "x-request-id": requestId,
      ...extra.headers,
    },
    body: JSON.stringify({ query: SHARED_INCIDENTS, variables: { lsoaCodes: CASE_NEIGHBOURHOODS } }),
  });
  return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}

const auditRows = async (requestId: string) =>
  Number(
    (await fed.stores.governance.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM audit_log WHERE request_id = $1`,
      [requestId],
    ))!.n,
  );

/** Holds every read of police incidents until `release` (as a slow disk or a long lock would). */
async function holdIncidents(): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: urlOf(fed.stores.police) });
  await client.connect();
  await client.query("BEGIN");
  await client.query("LOCK TABLE incidents IN ACCESS EXCLUSIVE MODE");
  return {
    async release() {
      await client.query("ROLLBACK");
      await client.end();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a delivered disclosure is audited (the baseline)", async () => {
  const id = `delivered-${randomUUID()}`;
  const answer = await send(id);
  expect(answer.errors).toBeUndefined();
  expect(await auditRows(id)).toBeGreaterThan(0);
});

describe("an answer that is not delivered", () => {
  test("a request whose caller went away writes no audit row", async () => {
    const id = `abandoned-${randomUUID()}`;
    const hold = await holdIncidents();
    const caller = new AbortController();
    const pending = send(id, { signal: caller.signal }).catch(() => null);
    await sleep(300);
    caller.abort();
    await pending;
    await hold.release();
    await sleep(1_000);
    expect(await auditRows(id)).toBe(0);
  });

  test("an answer past its deadline is withheld and writes no audit row", async () => {
    const id = `late-${randomUUID()}`;
    const hold = await holdIncidents();
    const pending = send(id, { headers: { [DEADLINE_HEADER]: String(Date.now() + 300) } });
    await sleep(600);
    await hold.release();
    const answer = await pending;
    expect(answer.data ?? null).toBeNull();
    expect(JSON.stringify(answer)).not.toMatch(/"reference"|"category"/);
    expect(await auditRows(id)).toBe(0);
  });
});
