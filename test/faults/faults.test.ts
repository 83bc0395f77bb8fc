import { randomUUID } from "node:crypto";
import { contractOperations } from "../support/contract";
import type { GraphQLResponse } from "../support/graphql";
import { allowConnections, cutConnections, refuseConnections } from "../support/outage";
import { loop, sleep, startProcessFederation, waitReady, type ProcessFederation } from "../support/processes";

/**
 * Fault injection (issue 11): the gateway and each subgraph their own process on real
 * PostgreSQL, under a steady load of Person360 (every agency's part of one person) and case
 * mutations. Each fault runs for a couple of seconds and is then undone; each asserts what a
 * caller relies on: no 5xx, no crash, only the failing service's fields lost, nothing from
 * another agency released without governance, every delivered disclosure audited, and recovery
 * within a few seconds. The figures (printed with FAULT_FIGURES=1) feed the README.
 */
let fed: ProcessFederation;
const BREAKER_RESET_MS = 1_000;
const REQUEST_DEADLINE_MS = 1_500;

beforeAll(async () => {
  fed = await startProcessFederation({
    gatewayEnv: {
      REQUEST_DEADLINE_MS: String(REQUEST_DEADLINE_MS),
      BREAKER_RESET_MS: String(BREAKER_RESET_MS),
      // A short window, so that the few seconds of a pause outweigh the successes before it.
      BREAKER_WINDOW_MS: "3000",
      BREAKER_VOLUME_THRESHOLD: "4",
    },
  });
}, 180_000);
afterAll(() => fed?.stop());

const PERSON360 = contractOperations().find((o) => o.name === "Person360")!.source;
const FEATURED = "per-000002";
/** A police practitioner safeguarding: sees every agency's part of the featured person. */
const OFFICER = { agency: "police", purpose: "SAFEGUARDING" } as const;

/** Person360's lists and the subgraph that supplies each. */
const LISTS = {
  incidents: "police",
  asbCases: "council",
  tenancies: "housing",
  referrals: "youth",
  enrolments: "youth",
} as const;
type ListName = keyof typeof LISTS;
const OTHER_AGENCIES: ListName[] = ["asbCases", "tenancies", "referrals", "enrolments"];

type List = { totalCount: number; edges: unknown[] } | null;
type Person = ({ id: string; displayName: string } & Record<ListName, List>) | null;

interface Sample {
  requestId: string;
  status: number;
  ms: number;
  at: number;
  response: GraphQLResponse<{ person: Person }>;
}

async function person360(): Promise<Sample> {
  const requestId = `fault-${randomUUID()}`;
  const started = Date.now();
  const response = await fed
    .query<{ person: Person }>(
      PERSON360,
      { id: FEATURED },
      { ...OFFICER, requestId, operationName: "Person360" },
    )
    .catch(
      (error: Error) =>
        ({ status: 0, errors: [{ message: error.message }] }) as GraphQLResponse<{ person: Person }>,
    );
  return { requestId, status: response.status, ms: Date.now() - started, at: started, response };
}

/** Errors other than the access rules' own refusals (a field the agreement does not cover). */
const faults = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? []).filter((e) => e.extensions?.code !== "FORBIDDEN");

const complete = (s: Sample) =>
  s.status === 200 &&
  faults(s.response).length === 0 &&
  Object.keys(LISTS).every((l) => s.response.data?.person?.[l as ListName]);

/**
 * How long after `faultEnded` the first complete answer arrived, in ms: among the load's own
 * samples, else by polling.
 */
async function recoveryMs(samples: Sample[], faultEnded: number, limitMs = 8_000): Promise<number> {
  const done = samples.filter((s) => s.at >= faultEnded && complete(s)).map((s) => s.at + s.ms);
  if (done.length) return Math.min(...done) - faultEnded;
  while (Date.now() - faultEnded < limitMs) {
    const sample = await person360();
    if (complete(sample)) return sample.at + sample.ms - faultEnded;
    await sleep(50);
  }
  throw new Error(`no complete answer within ${limitMs} ms of the fault's end`);
}

/** Runs Person360 on `connections` loops while `fault` runs; the samples. */
async function underLoad(fault: () => Promise<void>, connections = 4): Promise<Sample[]> {
  const load = loop(connections, () => person360());
  await fault();
  return load.stop();
}

function expectNoCrash(except?: string) {
  for (const service of Object.values(fed.services)) {
    if (service.name === except) continue;
    expect({ service: service.name, exited: service.exited }).toEqual({
      service: service.name,
      exited: null,
    });
  }
}

/** Every error names the failing service, and only its lists may be missing. */
function expectOnlyLost(samples: Sample[], service: string, codes: string[]) {
  for (const { status, response } of samples) {
    expect(status).toBe(200);
    for (const error of faults(response)) {
      expect({ code: error.extensions?.code, serviceName: error.extensions?.serviceName }).toEqual({
        code: expect.stringMatching(new RegExp(`^(${codes.join("|")})$`)),
        serviceName: service,
      });
    }
    const person = response.data?.person;
    if (service !== "partnership") expect(person?.displayName).toBeTruthy();
    if (!person) continue;
    for (const [list, owner] of Object.entries(LISTS)) {
      if (owner !== service)
        expect({ list, value: person[list as ListName] }).not.toEqual({ list, value: null });
    }
  }
}

/** Every answer that carried another agency's records has its disclosure in the audit log. */
async function expectDeliveredAudited(samples: Sample[]) {
  const disclosed = samples.filter((s) =>
    OTHER_AGENCIES.some((l) => (s.response.data?.person?.[l]?.edges.length ?? 0) > 0),
  );
  expect(disclosed.length).toBeGreaterThan(0);
  const rows = await fed.stores.governance.sql.many<{ request_id: string }>(
    `SELECT DISTINCT request_id FROM audit_log WHERE request_id = ANY($1)`,
    [disclosed.map((s) => s.requestId)],
  );
  const audited = new Set(rows.map((r) => r.request_id));
  expect(disclosed.filter((s) => !audited.has(s.requestId)).map((s) => s.requestId)).toEqual([]);
}

const figures: Record<string, unknown> = {};
afterAll(() => {
  if (process.env.FAULT_FIGURES) process.stdout.write(`FAULT FIGURES ${JSON.stringify(figures)}\n`);
});

test("before any fault, Person360 is complete", async () => {
  const sample = await person360();
  expect(faults(sample.response)).toEqual([]);
  expect(complete(sample)).toBe(true);
});

test("housing killed under load and restarted: only tenancies lost, back within seconds", async () => {
  let restartedAt = 0;
  const samples = await underLoad(async () => {
    await sleep(500);
    await fed.kill("housing");
    await sleep(2_000);
    await fed.restart("housing");
    restartedAt = Date.now();
    await sleep(1_000);
  });
  const back = await recoveryMs(samples, restartedAt);
  expectNoCrash();
  expectOnlyLost(samples, "housing", ["SUBGRAPH_UNAVAILABLE"]);
  expect(samples.some((s) => s.response.data?.person?.tenancies === null)).toBe(true);
  await expectDeliveredAudited(samples);
  figures.housingKilled = { requests: samples.length, recoveryAfterRestartMs: back };
  expect(back).toBeLessThan(BREAKER_RESET_MS + 4_000);
});

test("partnership's database backends ended during queries and mutations: no crash, retryable errors", async () => {
  const caseRow = (await fed.stores.partnership.sql.one<{ id: string; lead: string }>(
    `SELECT id, lead_agency_id AS lead FROM problem_cases WHERE stage <> 'CLOSED' ORDER BY id LIMIT 1`,
  ))!;
  const incidents = (
    await fed.stores.police.sql.many<{ id: string }>(`SELECT id FROM incidents ORDER BY id DESC LIMIT 500`)
  ).map((r) => r.id);
  let next = 0;
  const mutations = loop(2, () =>
    fed
      .query(
        `mutation ($caseId: ID!, $id: ID!) { linkCaseRecord(caseId: $caseId, record: { kind: INCIDENT, id: $id }) { id } }`,
        { caseId: caseRow.id, id: incidents[next++ % incidents.length] },
        { agency: caseRow.lead, purpose: "ASB_CASE_MANAGEMENT" },
      )
      .catch((error: Error) => ({ status: 0, errors: [{ message: error.message }] }) as GraphQLResponse),
  );
  let ended = 0;
  let faultEnded = 0;
  const samples = await underLoad(async () => {
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      ended += await cutConnections(fed.databases.partnership);
      await sleep(50);
    }
    faultEnded = Date.now();
    await sleep(1_000);
  }, 3);
  const writes = await mutations.stop();
  const back = await recoveryMs(samples, faultEnded);
  expect(ended).toBeGreaterThan(0);
  expectNoCrash();
  // Person360's root (the person) is partnership's: when it fails, the whole person is lost.
  expectOnlyLost(samples, "partnership", ["DATABASE_UNAVAILABLE", "SUBGRAPH_UNAVAILABLE"]);
  for (const write of writes) {
    expect(write.status).toBe(200);
    // Its database gone, or (on a loaded machine) partnership not answering within the deadline:
    // retryable either way.
    for (const error of write.errors ?? [])
      expect(["DATABASE_UNAVAILABLE", "SUBGRAPH_UNAVAILABLE"]).toContain(error.extensions?.code);
  }
  expect([...samples.map((s) => s.response), ...writes].some((r) => faults(r).length)).toBe(true);
  await expectDeliveredAudited(samples);
  figures.partnershipBackendsEnded = {
    backendsEnded: ended,
    reads: samples.length,
    writes: writes.length,
    failedWrites: writes.filter((w) => w.errors).length,
    back,
  };
  expect(back).toBeLessThan(5_000);
});

test("governance's database refusing connections: nothing from another agency released, back within seconds", async () => {
  let faultStarted = 0;
  let faultEnded = 0;
  const samples = await underLoad(async () => {
    await refuseConnections(fed.databases.governance);
    faultStarted = Date.now();
    await sleep(3_000);
    await allowConnections(fed.databases.governance);
    faultEnded = Date.now();
    await sleep(1_000);
  });
  const back = await recoveryMs(samples, faultEnded);
  expectNoCrash();
  const refused = samples.filter((s) => s.status === 200 && faults(s.response).length);
  // Every service checks the caller's agency against governance's registry, read again every
  // 30 s and refused when it cannot be read (shared/auth.ts): should a re-read fall inside this
  // window, the request is refused with a 401 naming the registry. Never a 5xx either way.
  const unauthenticated = samples.filter((s) => s.status === 401);
  for (const { response } of unauthenticated)
    expect(response.errors?.[0]?.message).toMatch(/registry of partner agencies could not be read/);
  for (const { status } of samples) expect([200, 401]).toContain(status);
  expect(refused.length + unauthenticated.length).toBeGreaterThan(0);
  // Fail closed: asked and answered while governance was unreachable, no other agency's record.
  const during = samples.filter((s) => s.at >= faultStarted && s.at + s.ms <= faultEnded);
  expect(during.length).toBeGreaterThan(0);
  for (const { response } of during)
    for (const list of OTHER_AGENCIES) expect(response.data?.person?.[list]?.edges ?? []).toEqual([]);
  for (const { response } of refused) {
    const person = response.data?.person;
    for (const error of faults(response))
      expect([
        "ACCESS_DECISION_UNAVAILABLE",
        "AUDIT_UNAVAILABLE",
        "DATABASE_UNAVAILABLE",
        "SUBGRAPH_UNAVAILABLE",
        // A subgraph's own registry re-read failing (see above), passed on by the gateway.
        "UNAUTHENTICATED",
      ]).toContain(error.extensions?.code);
    // The officer's own incidents are not a disclosure: they still arrive.
    if (person) expect(person.incidents).not.toBeNull();
  }
  await expectDeliveredAudited(samples);
  figures.governanceRefusing = {
    requests: samples.length,
    refused: refused.length,
    unauthenticated: unauthenticated.length,
    back,
  };
  expect(back).toBeLessThan(5_000);
});

test("youth paused (SIGSTOP): requests keep their deadline, the breaker answers at once, resumed it is back", async () => {
  const youth = fed.services.youth;
  let resumedAt = 0;
  const samples = await underLoad(async () => {
    youth.child.kill("SIGSTOP");
    await sleep(5_000);
    youth.child.kill("SIGCONT");
    resumedAt = Date.now();
    await sleep(1_000);
  });
  await waitReady(youth);
  const back = await recoveryMs(samples, resumedAt);
  expectNoCrash();
  expectOnlyLost(samples, "youth", ["SUBGRAPH_UNAVAILABLE"]);
  // No request waits past its deadline (plus the gateway's own work).
  const slowest = Math.max(...samples.map((s) => s.ms));
  expect(slowest).toBeLessThan(REQUEST_DEADLINE_MS + 2_500);
  // Once the breaker has opened, requests no longer wait for youth at all.
  const shortCircuited = samples.filter((s) =>
    s.response.errors?.some((e) => e.message.includes("calls to it are paused")),
  );
  expect(shortCircuited.length).toBeGreaterThan(0);
  const median = shortCircuited.map((s) => s.ms).sort((a, b) => a - b)[shortCircuited.length >> 1];
  expect(median).toBeLessThan(REQUEST_DEADLINE_MS / 2);
  await expectDeliveredAudited(samples);
  figures.youthPaused = {
    requests: samples.length,
    shortCircuited: shortCircuited.length,
    slowestMs: slowest,
    shortCircuitedMedianMs: median,
    recoveryAfterResumeMs: back,
  };
  expect(back).toBeLessThan(BREAKER_RESET_MS + 4_000);
});
