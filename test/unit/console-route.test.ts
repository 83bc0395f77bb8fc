import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONSOLE_CSP, consoleRoute } from "../../gateway/console";
import type { Config } from "../../subgraphs/shared/config";
import { testConfig } from "../support/graphql";

/** The gateway's /console route alone, over a build folder made here. */
let build: string;
const servers: Server[] = [];

beforeAll(() => {
  build = mkdtempSync(join(tmpdir(), "console-build-"));
  mkdirSync(join(build, ".vite"));
  mkdirSync(join(build, "assets"));
  writeFileSync(join(build, ".vite", "manifest.json"), "{}");
  writeFileSync(
    join(build, "index.html"),
    '<!doctype html><script type="module" src="/console/assets/app.js"></script>',
  );
  writeFileSync(join(build, "assets", "app.js"), "console.log('app')");
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(config: Config): Promise<string> {
  const route = consoleRoute(config, build);
  const server = createServer((req, res) => {
    void route(req, res).then((handled) => {
      if (!handled) res.writeHead(418).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test("in production the console is served, and there is no development sign-in", async () => {
  const origin = await serve({ ...testConfig(), NODE_ENV: "production" } as Config);
  const page = await fetch(`${origin}/console/`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
  const token = await fetch(`${origin}/console/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ agency: "police", role: "ANALYST", user: "a" }),
  });
  expect(token.status).toBe(404);
  expect(await token.text()).not.toMatch(/eyJ/);
});

test("outside production a development token is issued for a valid choice only", async () => {
  const origin = await serve(testConfig());
  const ask = (body: unknown, type = "application/json") =>
    fetch(`${origin}/console/dev-token`, {
      method: "POST",
      headers: { "content-type": type },
      body: JSON.stringify(body),
    });
  const ok = await ask({ agency: "police", role: "ANALYST", user: "analyst.police" });
  expect(ok.status).toBe(200);
  const { token } = (await ok.json()) as { token: string };
  const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as Record<
    string,
    unknown
  >;
  expect(claims).toMatchObject({ sub: "analyst.police", agency: "police", role: "ANALYST" });
  // Short-lived: two hours.
  expect((claims.exp as number) - (claims.iat as number)).toBe(7200);
  expect((await ask({ agency: "police", role: "ROOT", user: "x" })).status).toBe(400);
  expect((await ask({ agency: "Police; drop", role: "ANALYST", user: "x" })).status).toBe(400);
  expect((await ask({ agency: "police", role: "ANALYST", user: "" })).status).toBe(400);
  // A cross-site form cannot post JSON without a preflight: only JSON is taken.
  expect((await ask({ agency: "police", role: "ANALYST", user: "x" }, "text/plain")).status).toBe(415);
});

test("files come from the build folder only; app paths get the app", async () => {
  const origin = await serve(testConfig());
  expect((await fetch(`${origin}/console`, { redirect: "manual" })).headers.get("location")).toBe(
    "/console/",
  );
  const asset = await fetch(`${origin}/console/assets/app.js`);
  expect(asset.headers.get("content-type")).toContain("text/javascript");
  expect(asset.headers.get("cache-control")).toContain("immutable");
  expect((await fetch(`${origin}/console/cases/123`)).status).toBe(200);
  for (const path of ["/console/..%2f..%2fetc%2fpasswd", "/console/.vite/manifest.json"])
    expect({ path, status: (await fetch(`${origin}${path}`)).status }).toEqual({ path, status: 404 });
  expect((await fetch(`${origin}/console/`, { method: "DELETE" })).status).toBe(405);
  expect((await fetch(`${origin}/graphql`)).status).toBe(418);
});
