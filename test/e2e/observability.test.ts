import { Writable } from "node:stream";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createGatewayServer } from "../../gateway/server";
import { buildManifest } from "../../gateway/trusted-documents";
import { governanceAgencyRegistry } from "../../subgraphs/shared/access/registry";
import { createTokenVerifier } from "../../subgraphs/shared/auth";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { Role } from "../../subgraphs/shared/enums";
import type { RunningService } from "../../subgraphs/shared/http";
import { log, setLogDestination, setLogLevel } from "../../subgraphs/shared/logger";
import { parsePrometheusText, sampleSum } from "../../subgraphs/shared/metrics";
import { startTelemetry, stopTelemetry } from "../../subgraphs/shared/telemetry";
import { CONTRACT_DIR } from "../support/contract";
import { startTestFederation, supergraphFromCode, type TestFederation } from "../support/federation";
import { testConfig, tokenFor, type As } from "../support/graphql";

/**
 * What an operator relies on: one trace per request across services, Prometheus metrics only
 * for the scraper, logs that carry the request's identity but never a credential or a name.
 */
const METRICS_TOKEN = "scrape-token-0123456789";
const spans = new InMemorySpanExporter();
const lines: string[] = [];
const memory = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    done();
  },
});

const manifest = buildManifest(CONTRACT_DIR);
const person360 = manifest.operations.find((o) => o.name === "Person360")!;
const safeguarding: As = { agency: "police", role: Role.PRACTITIONER, purpose: "SAFEGUARDING" };

let fed: TestFederation;
let supergraphSdl: string;
const extraGateways: RunningService[] = [];

beforeAll(async () => {
  startTelemetry("partnership-graph-test", { spanProcessors: [new SimpleSpanProcessor(spans)] });
  setLogDestination(memory);
  setLogLevel("debug");
  fed = await startTestFederation({ env: { METRICS_TOKEN } });
  supergraphSdl = await supergraphFromCode();
}, 180_000);

afterAll(async () => {
  await Promise.all(extraGateways.map((g) => g.stop()));
  await fed?.stop();
  setLogLevel("silent");
  setLogDestination();
  await stopTelemetry();
});

/** Another gateway over the same subgraphs, configured by `env`. */
async function gatewayWith(env: Record<string, string>): Promise<string> {
  const config = testConfig(env);
  const gateway = await createGatewayServer({
    config,
    verify: await createTokenVerifier(config, governanceAgencyRegistry(fed.stores.governance.sql)),
    supergraphSdl,
    subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, fed.federation.subgraphs[n].url])),
    trustedDocuments: manifest,
  });
  const running = await gateway.listen(0);
  extraGateways.push(running);
  return running.url;
}

async function post(url: string, body: unknown, as: As = safeguarding): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await tokenFor(as)}`,
      ...(as.purpose ? { "x-purpose": as.purpose } : {}),
    },
    body: JSON.stringify(body),
  });
}

const metricsOf = (service: RunningService, headers: Record<string, string> = {}) =>
  fetch(service.url.replace(/\/graphql$/, "/metrics"), { headers });

describe("tracing", () => {
  test("one trace runs from the gateway through the subgraphs it calls", async () => {
    spans.reset();
    const response = await fed.query(person360.body, { id: "per-000002" }, safeguarding);
    expect(response.data?.person).toBeTruthy();
    const finished = spans.getFinishedSpans();
    const gatewaySpan = finished.find((s) => s.name === "gateway Person360");
    expect(gatewaySpan).toBeDefined();
    const traceId = gatewaySpan!.spanContext().traceId;
    const inTrace = finished.filter((s) => s.spanContext().traceId === traceId);
    // Each subgraph's server span is the child of the gateway's call to it (traceparent crossed HTTP).
    const clientSpans = new Map(
      inTrace.filter((s) => s.name.startsWith("gateway fetch ")).map((s) => [s.spanContext().spanId, s]),
    );
    const subgraphSpans = inTrace.filter(
      (s) =>
        SUBGRAPH_NAMES.some((n) => s.name.startsWith(`${n} `)) &&
        clientSpans.has(s.parentSpanContext?.spanId ?? ""),
    );
    const subgraphs = new Set(subgraphSpans.map((s) => s.name.split(" ")[0]));
    expect(subgraphs.size).toBeGreaterThanOrEqual(2);
    expect(subgraphs).toContain("partnership");
    expect(subgraphs).toContain("police");
    // No span of another trace claims this request.
    expect(finished.filter((s) => s.name === "gateway Person360")).toHaveLength(1);
  });
});

describe("x-request-id", () => {
  test("every answer carries one: the caller's own when given, a new one otherwise", async () => {
    const given = await fetch(fed.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "dash-42" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(given.headers.get("x-request-id")).toBe("dash-42");
    const health = await fetch(fed.gatewayUrl.replace(/\/graphql$/, "/health"));
    expect(health.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const subgraph = await fetch(fed.federation.subgraphs.police.url, { method: "POST", body: "{}" });
    expect(subgraph.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("/metrics", () => {
  test("is refused to anonymous callers and to a wrong token, on the gateway and every subgraph", async () => {
    for (const service of [fed.federation.gateway, ...Object.values(fed.federation.subgraphs)]) {
      const anonymous = await metricsOf(service);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).not.toContain("process_cpu");
      const wrong = await metricsOf(service, { authorization: "Bearer scrape-token-0123456780" });
      expect(wrong.status).toBe(401);
    }
  });

  test("does not exist when no METRICS_TOKEN is configured", async () => {
    const url = await gatewayWith({});
    const response = await fetch(url.replace(/\/graphql$/, "/metrics"));
    expect(response.status).toBe(404);
  });

  test("gives the scraper Prometheus text with the named metrics", async () => {
    await fed.query(person360.body, { id: "per-000002" }, safeguarding);
    const auth = { authorization: `Bearer ${METRICS_TOKEN}` };
    const gateway = await metricsOf(fed.federation.gateway, auth);
    expect(gateway.status).toBe(200);
    expect(gateway.headers.get("content-type")).toMatch(/^text\/plain/);
    const g = parsePrometheusText(await gateway.text());
    expect(
      sampleSum(g, "graphql_request_duration_seconds_count", { operation: "Person360" }),
    ).toBeGreaterThan(0);
    expect(
      sampleSum(g, "gateway_subgraph_fetch_duration_seconds_count", { subgraph: "police" }),
    ).toBeGreaterThan(0);
    expect(sampleSum(g, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    // Every breaker is in exactly one state, and closed while its subgraph answers.
    expect(sampleSum(g, "gateway_subgraph_breaker_state", { subgraph: "police", state: "closed" })).toBe(1);
    expect(sampleSum(g, "gateway_subgraph_breaker_state", { subgraph: "police" })).toBe(1);

    const police = parsePrometheusText(await (await metricsOf(fed.federation.subgraphs.police, auth)).text());
    expect(
      sampleSum(police, "graphql_request_duration_seconds_count", {
        service: "police",
        operation: "Person360",
      }),
    ).toBeGreaterThan(0);
    expect(sampleSum(police, "graphql_requests_total")).toBeGreaterThan(0);
    expect(sampleSum(police, "sql_statements_total", { store: "own" })).toBeGreaterThan(0);
    expect(sampleSum(police, "db_pool_connections", { pool: "own", state: "total" })).toBeGreaterThan(0);
    // Declared even before the access rules have counted anything.
    const policeText = await (await metricsOf(fed.federation.subgraphs.police, auth)).text();
    expect(policeText).toContain("# TYPE access_decisions_total counter");
    expect(policeText).toContain("# TYPE audit_append_duration_seconds histogram");
    expect(policeText).toContain("# TYPE access_facts_cache_total counter");
    // Person360 from another agency is decided at police, its facts loaded and its disclosures appended.
    const counted = parsePrometheusText(policeText);
    expect(sampleSum(counted, "access_decisions_total", { outcome: "permitted" })).toBeGreaterThan(0);
    expect(sampleSum(counted, "access_facts_cache_total")).toBeGreaterThan(0);
    expect(sampleSum(counted, "audit_append_duration_seconds_count", { result: "stored" })).toBeGreaterThan(
      0,
    );
  });
});

test("/metrics counts the errors of answers by code, at the gateway and at the subgraphs", async () => {
  const auth = { authorization: `Bearer ${METRICS_TOKEN}` };
  const forbidden = async (service: Parameters<typeof metricsOf>[0]) =>
    sampleSum(parsePrometheusText(await (await metricsOf(service, auth)).text()), "graphql_errors_total", {
      code: "FORBIDDEN",
    });
  const services = [fed.federation.gateway, ...Object.values(fed.federation.subgraphs)];
  const before = await Promise.all(services.map(forbidden));
  // No purpose: the person's records are refused (FORBIDDEN, PURPOSE_REQUIRED) where they are held.
  const answer = await fed.query(
    person360.body,
    { id: "per-000002" },
    { agency: "council", role: Role.PRACTITIONER },
  );
  const refused = (answer.errors ?? []).filter((e) => e.extensions?.code === "FORBIDDEN").length;
  expect(refused).toBeGreaterThan(0);
  const after = await Promise.all(services.map(forbidden));
  // The gateway counts what its caller was told; the subgraphs what each refused.
  expect(after[0] - before[0]).toBe(refused);
  expect(after.slice(1).reduce((a, b) => a + b, 0)).toBeGreaterThan(
    before.slice(1).reduce((a, b) => a + b, 0),
  );
});

describe("logs", () => {
  test("name the request, trace, operation, agency and role, and never a token, a header or a person", async () => {
    lines.length = 0;
    const token = await tokenFor(safeguarding);
    const response = await fed.query(
      person360.body,
      { id: "per-000002" },
      { ...safeguarding, requestId: "logs-1" },
    );
    const displayName = (response.data as { person: { displayName: string } }).person.displayName;
    expect(displayName).toBeTruthy();
    // What a careless call would log: the request's headers and variables.
    log("warn", "careless", {
      headers: { authorization: `Bearer ${token}`, cookie: "session=secret" },
      variables: { search: displayName },
      token,
    });
    const text = lines.join("\n");
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const gatewayLine = entries.find(
      (e) => e.message === "request" && e.service === "gateway" && e.requestId === "logs-1",
    );
    expect(gatewayLine).toMatchObject({
      operation: "Person360",
      agency: "police",
      role: "PRACTITIONER",
      status: 200,
    });
    expect(gatewayLine!.traceId).toMatch(/^[0-9a-f]{32}$/);
    // The subgraphs log the same request id (passed on by the gateway) and trace.
    const subgraphLines = entries.filter(
      (e) => e.message === "request" && e.requestId === "logs-1" && e.service !== "gateway",
    );
    expect(subgraphLines.length).toBeGreaterThanOrEqual(2);
    expect(subgraphLines.every((e) => e.traceId === gatewayLine!.traceId)).toBe(true);

    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(".")[2]);
    expect(text).not.toMatch(/Bearer/i);
    expect(text).not.toContain("session=secret");
    expect(text).not.toContain(displayName);
    expect(text).toContain("[redacted]");
  });
});

describe("trusted documents", () => {
  let required: string;
  let allowed: string;
  beforeAll(async () => {
    required = await gatewayWith({ TRUSTED_DOCUMENTS: "require" });
    allowed = await gatewayWith({ TRUSTED_DOCUMENTS: "allow" });
  });
  const apollo = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });

  test("require: a manifest document runs when sent by id, as Apollo's hash or as a documentId", async () => {
    const byHash = await post(required, { ...apollo(person360.id), variables: { id: "per-000002" } });
    expect(byHash.status).toBe(200);
    const body = (await byHash.json()) as { data: { person: { id: string } } };
    expect(body.data.person.id).toBe("per-000002");
    const byDocumentId = await post(required, {
      documentId: `sha256:${person360.id}`,
      variables: { id: "per-000002" },
    });
    expect(((await byDocumentId.json()) as { data: { person: { id: string } } }).data.person.id).toBe(
      "per-000002",
    );
  });

  test("require: document text is refused, even the manifest's own, and so is an unknown id", async () => {
    for (const query of ["{ __typename }", person360.body]) {
      const response = await post(required, { query, variables: { id: "per-000002" } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        data?: unknown;
        errors: { message: string; extensions: { code: string } }[];
      };
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions.code).toBe("PERSISTED_QUERY_ID_REQUIRED");
      expect(body.errors[0].message).toMatch(/trusted documents/);
    }
    // An automatic persisted query registration (text and hash) is text too.
    const apq = await post(required, { query: "{ __typename }", ...apollo("0".repeat(64)) });
    expect(apq.status).toBe(400);
    const unknown = await post(required, apollo("0".repeat(64)));
    expect(unknown.status).toBe(400);
    expect(
      ((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
    ).toBe("PERSISTED_QUERY_NOT_IN_LIST");
    const get = await fetch(`${required}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { "apollo-require-preflight": "1", authorization: `Bearer ${await tokenFor(safeguarding)}` },
    });
    expect(get.status).toBe(400);
  });

  test("allow: runs ids and text, and logs text that is not in the manifest", async () => {
    lines.length = 0;
    const byId = await post(allowed, { ...apollo(person360.id), variables: { id: "per-000002" } });
    expect(((await byId.json()) as { data: { person: { id: string } } }).data.person.id).toBe("per-000002");
    const known = await post(allowed, { query: person360.body, variables: { id: "per-000002" } });
    expect(known.status).toBe(200);
    expect(lines.some((l) => l.includes("not in the trusted documents manifest"))).toBe(false);
    const adHoc = await post(allowed, { query: "query AdHoc { __typename }", operationName: "AdHoc" });
    expect(((await adHoc.json()) as { data: unknown }).data).toEqual({ __typename: "Query" });
    const warning = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.message === "document not in the trusted documents manifest");
    expect(warning).toMatchObject({ operationName: "AdHoc" });
  });
});

describe("rate limits (in memory)", () => {
  let limited: string;
  beforeAll(async () => {
    limited = await gatewayWith({
      RATE_LIMITS: "on",
      RATE_LIMIT_USER_PER_MINUTE: "3",
      RATE_LIMIT_AGENCY_PER_MINUTE: "5",
    });
  });
  const typename = (as: As) => post(limited, { query: "{ __typename }" }, as);

  test("a user past their limit gets 429 with Retry-After; their agency's next user is let through up to the agency's", async () => {
    const first: As = { agency: "council", role: Role.PRACTITIONER, user: "council.first" };
    const second: As = { ...first, user: "council.second" };
    for (let i = 0; i < 3; i++) expect((await typename(first)).status).toBe(200);
    const refused = await typename(first);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { errors: { extensions: { code: string; scope: string } }[] };
    expect(body.errors[0].extensions).toMatchObject({ code: "RATE_LIMITED", scope: "user" });

    expect((await typename(second)).status).toBe(200);
    expect((await typename(second)).status).toBe(200);
    const agencyFull = await typename(second);
    expect(agencyFull.status).toBe(429);
    expect(((await agencyFull.json()) as typeof body).errors[0].extensions.scope).toBe("agency");
    // Another agency has its own allowance.
    expect((await typename({ agency: "housing", role: Role.PRACTITIONER })).status).toBe(200);
  });
});
