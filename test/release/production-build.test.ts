import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { promisify } from "node:util";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { makeServiceKeyPair } from "../../subgraphs/shared/service-key";
import { demoDatabaseEnv } from "../support/demo-databases";
import { startTestFederation } from "../support/federation";
import { identityEnv, startIdentityProvider, type TestIdentityProvider } from "../support/jwks";

const ROOT = join(__dirname, "..", "..");
const run = promisify(execFile);
const QUERY = `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }, first: 3) { totalCount edges { node { id category } } } }`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`start:prod exited ${child.exitCode}:\n${output()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready in time:\n${output()}`);
}

let idp: TestIdentityProvider;
let child: ChildProcess;
let gateway: string;
let output = "";
let recorder = "";
const loadedFiles = join(mkdtempSync(join(tmpdir(), "pg-prod-")), "loaded.json");

beforeAll(async () => {
  // The compiled release and its trusted-documents manifest, by the image's build stage's command.
  await run("npm", ["run", "--silent", "build"], { cwd: ROOT, maxBuffer: 20_000_000 });
  // The run's demo databases, seeded (read-only use here).
  await (await startTestFederation()).stop();
  idp = await startIdentityProvider();
  const ports = Object.fromEntries(
    await Promise.all(
      [...SUBGRAPH_NAMES, "gateway"].map(async (n) => [`${n.toUpperCase()}_PORT`, String(await freePort())]),
    ),
  );
  // Records every module file the running process loaded, to check where they came from.
  recorder = join(tmpdir(), `pg-prod-recorder-${process.pid}.js`);
  writeFileSync(
    recorder,
    `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(loadedFiles)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  child = spawn(process.execPath, ["-r", recorder, join(ROOT, "dist", "scripts", "serve.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      ...demoDatabaseEnv(),
      // The services connect as their own roles, whose passwords the run's migrations derived from it.
      DATABASE_ROLE_SECRET: process.env.DATABASE_ROLE_SECRET,
      // Seals case assessment ids: production starts only with it.
      ASSESSMENT_SECRET: "production-build-test-assessment-seal",
      // Signs the case review count requests; in one process the owners verify with its public half.
      CASE_REVIEW_SERVICE_PRIVATE_JWK: JSON.stringify(makeServiceKeyPair().privateJwk),
      ...identityEnv(idp),
      ...ports,
      DATABASE_POOL_SIZE: "3",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
  await waitUntilReady(`${gateway}/ready`, child, () => output);
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await idp?.stop();
});

/** The id of a contract operation in the manifest `npm run build` wrote (production runs only those). */
function documentId(name: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, "dist", "trusted-documents.json"), "utf8")) as {
    operations: { id: string; name: string }[];
  };
  return manifest.operations.find((o) => o.name === name)!.id;
}

const VARIABLES = { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03", first: 3 };

async function post(
  request: { query: string } | { documentId: string; variables: Record<string, unknown> },
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-purpose": "CRIME_PREVENTION",
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${gateway}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify(request),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the compiled release under NODE_ENV=production (npm run start:prod)", () => {
  test("answers a token from the identity provider with data", async () => {
    const token = await idp.sign({ agency: "police", role: "PRACTITIONER", sub: "pc.prod" });
    const { status, body } = await post(
      { documentId: documentId("IncidentsInArea"), variables: VARIABLES },
      token,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const incidents = (body.data as { incidents: { totalCount: number; edges: unknown[] } }).incidents;
    expect(incidents.totalCount).toBeGreaterThan(0);
    expect(incidents.edges.length).toBeGreaterThan(0);
  });

  test("behaves as production: trusted documents only, no anonymous data, no GraphiQL", async () => {
    const anonymous = await post({ documentId: documentId("IncidentsInArea"), variables: VARIABLES });
    expect(anonymous.body.data ?? null).toBeNull();
    const token = await idp.sign({ agency: "police", role: "PRACTITIONER", sub: "pc.prod" });
    // Document text, even a valid query, is refused: TRUSTED_DOCUMENTS=require is production's default.
    const text = await post({ query: QUERY }, token);
    expect(text.status).toBe(400);
    expect(text.body.data ?? null).toBeNull();
    const introspection = await post({ query: "{ __schema { queryType { name } } }" }, token);
    expect(introspection.body.errors).toBeDefined();
    const page = await fetch(`${gateway}/graphiql`, { headers: { accept: "text/html" } });
    expect(await page.text()).not.toContain("GraphiQL");
  });

  test("runs only compiled JavaScript and production dependencies, and SIGTERM stops it with exit 0", async () => {
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    const loaded = JSON.parse(readFileSync(loadedFiles, "utf8")) as string[];
    const own = loaded.filter((f) => !f.includes(`${sep}node_modules${sep}`) && f !== recorder);
    expect(own.length).toBeGreaterThan(50);
    expect(own.filter((f) => !f.startsWith(join(ROOT, "dist") + sep))).toEqual([]);
    // Every package the process loaded is one `npm ci --omit=dev` installs.
    const { stdout } = await run("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
      cwd: ROOT,
      maxBuffer: 20_000_000,
    });
    const production = new Set(stdout.split("\n").filter(Boolean));
    const packageDir = (file: string) => {
      const parts = file.split(`${sep}node_modules${sep}`);
      const rest = parts.pop()!.split(sep);
      const name = rest[0].startsWith("@") ? `${rest[0]}${sep}${rest[1]}` : rest[0];
      return `${parts.join(`${sep}node_modules${sep}`)}${sep}node_modules${sep}${name}`;
    };
    const outside = [
      ...new Set(loaded.filter((f) => f.includes(`${sep}node_modules${sep}`)).map(packageDir)),
    ].filter((dir) => !production.has(dir));
    expect(outside).toEqual([]);
  });
});
