import { cutConnections } from "../support/outage";
import { loop, sleep, startProcessFederation, type ProcessFederation } from "../support/processes";
import { graphql, type As, type GraphQLResponse } from "../support/graphql";
import { parsePrometheusText, sampleSum } from "../../subgraphs/shared/metrics";

const METRICS_TOKEN = "faults-scrape-token-0123456789";

/**
 * The partnership subgraph as its own process while its database's backends are ended again
 * and again under four loops of linkCaseRecord (each a transaction) and case-board reads: the
 * crash of issue 11. A lost connection must end only the request that held it.
 */
let fed: ProcessFederation;
let caseId: string;
let lead: As;
let incidentIds: string[];

beforeAll(async () => {
  fed = await startProcessFederation({ only: ["police", "partnership"], env: { METRICS_TOKEN } });
  const open = await fed.stores.partnership.sql.one<{ id: string; lead: string }>(
    `SELECT id, lead_agency_id AS lead FROM problem_cases WHERE stage <> 'CLOSED' ORDER BY id LIMIT 1`,
  );
  caseId = open!.id;
  lead = { agency: open!.lead, purpose: "ASB_CASE_MANAGEMENT" };
  incidentIds = (
    await fed.stores.police.sql.many<{ id: string }>(`SELECT id FROM incidents ORDER BY id LIMIT 2000`)
  ).map((r) => r.id);
}, 180_000);
afterAll(() => fed?.stop());

const partnershipUrl = () => `http://127.0.0.1:${fed.services.partnership.port}/graphql`;

/** An answer, or status 0 when there was none (the connection refused or reset). */
const send = (query: string, variables: Record<string, unknown>): Promise<GraphQLResponse<unknown>> =>
  graphql(partnershipUrl(), query, variables, lead).catch((error: Error) => ({
    status: 0,
    errors: [{ message: String((error.cause as Error | undefined)?.message ?? error.message) }],
  }));

const LINK = `mutation ($caseId: ID!, $id: ID!) {
  linkCaseRecord(caseId: $caseId, record: { kind: INCIDENT, id: $id }) { id }
}`;
const BOARD = `query ($id: ID!) { problemCase(id: $id) { id stage actions { id } } }`;

test("backends ended during transactions: no crash, DATABASE_UNAVAILABLE, nothing half-written, recovery", async () => {
  const { since } = (await fed.stores.partnership.sql.one<{ since: Date }>(`SELECT now() AS since`))!;
  let next = 0;
  const writes = loop(4, () => send(LINK, { caseId, id: incidentIds[next++ % incidentIds.length] }));
  const reads = loop(2, () => send(BOARD, { id: caseId }));
  let cut = 0;
  const until = Date.now() + 4_000;
  while (Date.now() < until) {
    cut += await cutConnections(fed.databases.partnership);
    await sleep(40);
  }
  const answers = [...(await writes.stop()), ...(await reads.stop())];

  expect(cut).toBeGreaterThan(0);
  // The process is still there, and every request had an answer (none a 5xx).
  expect({
    exited: fed.services.partnership.exited,
    log: fed.services.partnership.exited && fed.services.partnership.lines.slice(-45, -15),
  }).toEqual({ exited: null, log: null });
  expect(answers.every((a) => a.status === 200)).toBe(true);
  const codes = answers.flatMap((a) => (a.errors ?? []).map((e) => e.extensions?.code));
  expect(codes.length).toBeGreaterThan(0);
  expect(new Set(codes)).toEqual(new Set(["DATABASE_UNAVAILABLE"]));
  // The caller is told to retry, and not where the database is.
  for (const answer of answers)
    for (const error of answer.errors ?? []) {
      expect(error.message).toMatch(/^database unavailable: .*retry/);
      expect(error.message).not.toMatch(/terminat|ECONN|127\.0\.0\.1|pgt_/);
      expect(error.extensions?.retryable).toBe(true);
    }

  // An interrupted transaction left nothing half-written: every link has its event, and no more.
  const unmatched = await fed.stores.partnership.sql.many(
    `SELECT r.record_id, e.detail->>'recordId' AS event_record
       FROM (SELECT record_id FROM case_records WHERE case_id = $1 AND linked_at >= $2) r
       FULL JOIN (SELECT detail FROM case_events
                   WHERE case_id = $1 AND event = 'RECORD_LINKED' AND occurred_at >= $2) e
         ON e.detail->>'recordId' = r.record_id
      WHERE r.record_id IS NULL OR e.detail IS NULL`,
    [caseId, since],
  );
  expect(unmatched).toEqual([]);

  // The pool recovers by itself: the next link and read succeed at once.
  const after = await send(LINK, { caseId, id: incidentIds[next++ % incidentIds.length] });
  expect(after.errors).toBeUndefined();
  expect((await send(BOARD, { id: caseId })).errors).toBeUndefined();

  // An operator sees it: lost connections and the errors they cost, by code, on /metrics.
  const scrape = await fetch(partnershipUrl().replace(/\/graphql$/, "/metrics"), {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const samples = parsePrometheusText(await scrape.text());
  expect(sampleSum(samples, "db_connections_lost_total")).toBeGreaterThan(0);
  expect(sampleSum(samples, "graphql_errors_total", { code: "DATABASE_UNAVAILABLE" })).toBe(codes.length);
}, 60_000);
