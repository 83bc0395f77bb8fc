import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { uniqueDatabaseUrl } from "../support/database";
import { governance } from "../../subgraphs/governance/server";
import { police } from "../../subgraphs/police/server";
import { openStore } from "../../subgraphs/shared/database";
import { testConfig, tokenFor } from "../support/graphql";
import { registerDemoAgencies } from "../support/subgraph";

/**
 * A subgraph run as its own process, as in production, with OTEL_EXPORTER_OTLP_ENDPOINT set: it
 * continues the caller's trace and exports it over OTLP/HTTP to a collector (here a plain HTTP
 * server), its SQL statements included, without their values.
 */
const ROOT = join(__dirname, "..", "..");
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CITY = "E01032739";

interface OtlpSpan {
  traceId: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}
const exported: OtlpSpan[] = [];
let collector: Server;
let child: ChildProcess;
let port = 0;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const parsed = JSON.parse(body) as {
        resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      for (const r of parsed.resourceSpans) for (const s of r.scopeSpans) exported.push(...s.spans);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  port = 40000 + Math.floor(Math.random() * 20000);
  // Services do not migrate: the privileged step does, as before a deployment starts them.
  const databases = {
    POLICE_DATABASE_URL: uniqueDatabaseUrl("police"),
    GOVERNANCE_DATABASE_URL: uniqueDatabaseUrl("policy"),
  };
  const roles = testConfig(databases);
  const stores = [
    await openStore(police, databases.POLICE_DATABASE_URL, { poolSize: 1, roles }),
    await openStore(governance, databases.GOVERNANCE_DATABASE_URL, { poolSize: 1, roles }),
  ];
  await registerDemoAgencies(stores[1].sql);
  await Promise.all(stores.map((store) => store.close()));
  child = spawn(process.execPath, ["-r", "@swc-node/register", join("subgraphs", "police", "index.ts")], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      ...process.env,
      NODE_ENV: "development",
      LOG_LEVEL: "silent",
      ...databases,
      POLICE_PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      OTEL_BSP_SCHEDULE_DELAY: "100",
    },
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
    if (ready?.ok) return;
    if (child.exitCode !== null) throw new Error(`police exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("police did not become ready");
}, 120_000);

afterAll(async () => {
  child?.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 500));
  child?.kill("SIGKILL");
  await new Promise<void>((resolve) => collector?.close(() => resolve()));
});

test("a subgraph process exports the caller's trace with its SQL, statement text only", async () => {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await tokenFor({ agency: "police" })}`,
      "x-purpose": "CRIME_PREVENTION",
      traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
    },
    body: JSON.stringify({
      query:
        "query Area($lsoa: String!) { incidents(filter: { lsoaCodes: [$lsoa] }, first: 2) { totalCount } }",
      variables: { lsoa: CITY },
    }),
  });
  expect(response.status).toBe(200);
  const deadline = Date.now() + 20_000;
  const inTrace = () => exported.filter((s) => s.traceId === TRACE_ID);
  // Spans arrive in batches: the server span (ended with the response) may come after the first SQL.
  const arrived = () =>
    inTrace().some((s) => s.name.startsWith("pg.query")) && inTrace().some((s) => s.name === "police Area");
  while (!arrived() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const spans = inTrace();
  expect(spans.map((s) => s.name)).toContain("police Area");
  const sql = spans.filter((s) => s.name.startsWith("pg.query"));
  expect(sql.length).toBeGreaterThan(0);
  const text = JSON.stringify(sql);
  expect(text).toContain("db.query.text");
  expect(text).not.toContain(CITY);
}, 60_000);
