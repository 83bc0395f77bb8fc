import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page, Request } from "playwright-core";
import { consoleCsp } from "../../gateway/console";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../../gateway/trusted-documents";
import { checkScreen, consoleBuilt, launchChromium, openConsole, type WatchedPage } from "../support/console";
import { startTestFederation, type TestFederation } from "../support/federation";
import { startOpenIdProvider, type TestOpenIdProvider } from "../support/openid-provider";

/**
 * The console's production sign-in, end to end: a gateway in production (no development tokens,
 * trusted documents only) verifying tokens through the JWKS of a real OpenID Provider started
 * here (oidc-provider, configured from deploy/keycloak/partnership-realm.json: the console's
 * client and the users' agency and role claims), and Chromium doing the code flow with PKCE.
 */
const ROOT = join(__dirname, "..", "..");
const PASSWORD = "test-only-demo";
const ANALYST = "police.analyst";
const CODES = ["E01032739", "E01032740"];

const trusted = buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d)));

let op: TestOpenIdProvider;
let fed: TestFederation;
let browser: Browser;
let origin: string;
beforeAll(async () => {
  await consoleBuilt();
  op = await startOpenIdProvider({ password: PASSWORD });
  const manifest = join(mkdtempSync(join(tmpdir(), "console-oidc-")), "trusted-documents.json");
  writeFileSync(manifest, JSON.stringify(trusted));
  fed = await startTestFederation({
    env: {
      NODE_ENV: "production",
      JWKS_URL: op.jwksUrl,
      JWT_ISSUER: op.issuer,
      JWT_AUDIENCE: "partnership-graph",
      // As the stack and the Kubernetes config: Keycloak's sub is a UUID, the username is mapped.
      JWT_USER_CLAIM: "preferred_username",
      TRUSTED_DOCUMENTS: "require",
      TRUSTED_DOCUMENTS_MANIFEST: manifest,
    },
  });
  origin = new URL(fed.gatewayUrl).origin;
  // The realm's redirect URIs are the console's at http://localhost:4000: here, this gateway's.
  await op.configure({ consoleOrigin: origin });
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await fed?.stop();
  await op?.stop();
});

/** What went between the browser and the issuer and gateway, for the assertions below. */
interface Traffic {
  authorize: URL[];
  tokenRequests: URLSearchParams[];
  tokens: string[];
  /** Login pages the issuer showed (a password was asked for). */
  loginPages: number;
  /** The Authorization header of every GraphQL request, and the answer's status. */
  graphql: { authorization: string | undefined; status: number }[];
}

function watch(page: Page): Traffic {
  const traffic: Traffic = { authorize: [], tokenRequests: [], tokens: [], loginPages: 0, graphql: [] };
  page.on("request", (request: Request) => {
    const url = new URL(request.url());
    if (url.origin === op.issuer && url.pathname === "/auth") traffic.authorize.push(url);
    if (url.origin === op.issuer && url.pathname === "/token" && request.method() === "POST")
      traffic.tokenRequests.push(new URLSearchParams(request.postData() ?? ""));
  });
  page.on("response", async (response) => {
    const url = new URL(response.url());
    const request = response.request();
    if (url.origin === op.issuer && url.pathname === "/token" && request.method() === "POST")
      traffic.tokens.push(((await response.json()) as { access_token: string }).access_token);
    if (url.origin === op.issuer && url.pathname.startsWith("/interaction/") && response.status() === 200)
      traffic.loginPages += 1;
    if (url.origin === origin && url.pathname === "/graphql")
      traffic.graphql.push({ authorization: request.headers()["authorization"], status: response.status() });
  });
  return traffic;
}

/** Types a realm user's name and password into the issuer's login page. */
async function logInAtIssuer(page: Page, username: string): Promise<void> {
  await page.waitForURL(`${op.issuer}/interaction/**`);
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await page.click("button:has-text('Sign in')");
  await page.waitForSelector("[data-testid=signed-in-as]", { timeout: 30_000 });
}

/** Shows the dashboard (for the neighbourhoods the picker ticks): the queries the gateway must answer. */
async function showDashboard(page: Page): Promise<void> {
  await page.waitForSelector(`#neighbourhood-${CODES[0]}`, { timeout: 30_000 });
  await page.fill("#dashboard-from", "2019-01");
  await page.fill("#dashboard-to", "2019-03");
  await page.click("button:has-text('Show the dashboard')");
  await page.waitForSelector("table[data-testid^=table-]", { state: "attached", timeout: 30_000 });
}

/** Everything the page keeps in web storage, as text. */
const storage = (page: Page) =>
  page.evaluate(() =>
    [localStorage, sessionStorage].flatMap((s) =>
      Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`),
    ),
  );

test("the gateway tells the console to sign in at the issuer, lets it reach that origin only, and issues no development token", async () => {
  const settings = await fetch(`${origin}/console/sign-in`);
  expect(await settings.json()).toEqual({
    method: "oidc",
    issuer: op.issuer,
    clientId: "partnership-console",
    scope: "openid profile",
    // The claim the services take as the user id: the console names the person by it too.
    userClaim: "preferred_username",
  });
  const csp = (await fetch(`${origin}/console/`)).headers.get("content-security-policy")!;
  expect(csp).toBe(consoleCsp([op.issuer]));
  const directives = Object.fromEntries(csp.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
  expect(directives["connect-src"]).toEqual(["'self'", op.issuer]);
  expect(directives["form-action"]).toEqual(["'self'", op.issuer]);
  // The issuer's origin appears nowhere else: no script, style, frame or image from it.
  expect(csp.split(op.issuer).length - 1).toBe(2);
  const devToken = await fetch(`${origin}/console/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ agency: "police", role: "ANALYST", user: "x" }),
  });
  expect(devToken.status).toBe(404);
});

describe("signing in at the identity provider, in Chromium", () => {
  let watched: WatchedPage;
  let traffic: Traffic;
  let firstToken: string;
  beforeAll(async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    traffic = watch(page);
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      // Only the console's own pages: the issuer's are not ours.
      if (message.type() === "error" && page.url().startsWith(origin))
        problems.push(`console: ${message.text()}`);
    });
    watched = { page, context, problems };
  });
  afterAll(async () => watched?.context.close());

  test("code flow with PKCE: the console goes to the issuer, the person logs in there, and is back on the page asked for", async () => {
    const { page } = watched;
    await page.goto(`${origin}/console/dashboard`);
    await logInAtIssuer(page, ANALYST);
    expect(new URL(page.url()).pathname).toBe("/console/dashboard");
    // The agency is named once the graph has answered with the agencies' names (its id until then).
    await page.waitForSelector("[data-testid=signed-in-as] >> text=City Police");
    expect(await page.textContent("[data-testid=signed-in-as]")).toMatch(
      /police\.analyst.*Analyst.*City Police/s,
    );

    // The authorization request: a public client (no secret), code flow, PKCE with S256.
    const [authorize] = traffic.authorize;
    expect(authorize.searchParams.get("client_id")).toBe("partnership-console");
    expect(authorize.searchParams.get("response_type")).toBe("code");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${origin}/console/signed-in`);
    // The code was exchanged with the verifier whose hash the challenge was, and no secret.
    const [exchange] = traffic.tokenRequests;
    expect(exchange.get("grant_type")).toBe("authorization_code");
    expect(exchange.get("client_secret")).toBeNull();
    const verifier = exchange.get("code_verifier")!;
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(
      authorize.searchParams.get("code_challenge"),
    );
    expect(traffic.tokens).toHaveLength(1);
    firstToken = traffic.tokens[0];
    // The address bar no longer holds the code.
    expect(page.url()).not.toContain("code=");
  });

  test("the gateway verifies the issuer's token through its JWKS and answers the console's queries", async () => {
    const { page, problems } = watched;
    const since = new Date(Date.now() - 1000);
    await showDashboard(page);
    expect(traffic.graphql.length).toBeGreaterThan(0);
    for (const call of traffic.graphql)
      expect(call).toEqual({ authorization: `Bearer ${firstToken}`, status: 200 });
    expect(await page.textContent("main")).toContain("perturbed by disclosure control");
    await checkScreen(page, "oidc-01-dashboard-signed-in-at-issuer");
    // The issuer's sub is an opaque UUID, as Keycloak's is; the console and the audit name the
    // user by the username the realm maps into the token (JWT_USER_CLAIM).
    const claims = JSON.parse(Buffer.from(firstToken.split(".")[1], "base64url").toString("utf8")) as {
      sub: string;
      preferred_username: string;
    };
    expect(claims.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(claims.preferred_username).toBe("police.analyst");
    // A refusal is audited (permitted counts are not): a person's page asked for with this token.
    const person360 = trusted.operations.find((o) => o.name === "Person360")!;
    const refused = await fetch(fed.gatewayUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${firstToken}`,
        "x-purpose": "STATISTICS",
      },
      body: JSON.stringify({
        operationName: "Person360",
        variables: { id: "per-000002" },
        extensions: { persistedQuery: { version: 1, sha256Hash: person360.id } },
      }),
    });
    const answer = (await refused.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(answer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    let audited: string[] = [];
    for (let i = 0; i < 40 && !audited.length; i++) {
      audited = (
        await fed.stores.governance.sql.many<{ user_id: string }>(
          `SELECT DISTINCT user_id FROM audit_log WHERE at >= $1 AND agency_id = 'police' AND role = 'ANALYST'`,
          [since],
        )
      ).map((r) => r.user_id);
      if (!audited.length) await page.waitForTimeout(250);
    }
    expect(audited).toContain("police.analyst");
    expect(audited).not.toContain(claims.sub);
    // No CSP refusal or script error on the console's pages.
    expect(problems).toEqual([]);
  });

  test("the token is kept in memory only: nothing of it in localStorage or sessionStorage", async () => {
    const kept = await storage(watched.page);
    for (const entry of kept) {
      expect(entry).not.toContain(firstToken);
      expect(entry).not.toMatch(/access_token|id_token|refresh_token/);
    }
  });

  test("a reload forgets the token and signs straight back in at the issuer (its session), on the same page, without a password", async () => {
    const { page } = watched;
    const loginPages = traffic.loginPages;
    await page.reload();
    await page.waitForURL(`${origin}/console/dashboard`, { timeout: 30_000 });
    await page.waitForSelector("[data-testid=signed-in-as]", { timeout: 30_000 });
    expect(traffic.loginPages).toBe(loginPages);
    expect(traffic.tokens).toHaveLength(2);
    expect(traffic.tokens[1]).not.toBe(firstToken);
  });

  test("signing out ends the session at the issuer too: the next sign-in asks for the password again", async () => {
    const { page, problems } = watched;
    await page.click("button:has-text('Sign out')");
    await page.waitForURL(`${origin}/console/`, { timeout: 30_000 });
    await page.waitForSelector("text=You have signed out");
    expect(await page.$("[data-testid=signed-in-as]")).toBeNull();
    // It waits here for the person: no automatic trip back to the issuer.
    await page.waitForTimeout(1000);
    expect(page.url()).toBe(`${origin}/console/`);
    await checkScreen(page, "oidc-02-signed-out");
    const loginPages = traffic.loginPages;
    await page.click("button:has-text('Sign in')");
    await logInAtIssuer(page, ANALYST);
    expect(traffic.loginPages).toBe(loginPages + 1);
    expect(problems).toEqual([]);
  });
});

test("an expired token leads back to sign-in, keeping the page, and the gateway refuses it", async () => {
  await op.configure({ accessTokenTtlSeconds: 15 });
  const watched = await openConsole(browser, origin, "/console/dashboard");
  try {
    const page = watched.page;
    const traffic = watch(page);
    await logInAtIssuer(page, ANALYST);
    await page.waitForTimeout(100);
    const token = traffic.tokens.at(-1)!;
    // Once it has expired, the console says so and offers to sign in again, on the same page.
    await page.waitForSelector("text=Please sign in again", { timeout: 45_000 });
    expect(new URL(page.url()).pathname).toBe("/console/dashboard");
    await checkScreen(page, "oidc-03-expired");
    // A document the gateway runs (by its id), with the expired token: 401.
    const dashboard = trusted.operations.find((o) => o.name === "NeighbourhoodDashboard")!;
    const refused = await fetch(fed.gatewayUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${token}`,
        "x-purpose": "STATISTICS",
      },
      body: JSON.stringify({
        operationName: dashboard.name,
        variables: { codes: CODES, fromMonth: "2019-01", toMonth: "2019-03" },
        extensions: { persistedQuery: { version: 1, sha256Hash: dashboard.id } },
      }),
    });
    expect(refused.status).toBe(401);
    // Signing in again: the issuer's session is still there, so no password, and the same page.
    await op.configure({ accessTokenTtlSeconds: 300 });
    await page.click("button:has-text('Sign in')");
    await page.waitForSelector("[data-testid=signed-in-as]", { timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe("/console/dashboard");
    expect(traffic.tokens.at(-1)).not.toBe(token);
    await showDashboard(page);
    expect(traffic.graphql.at(-1)).toEqual({ authorization: `Bearer ${traffic.tokens.at(-1)}`, status: 200 });
  } finally {
    await op.configure({ accessTokenTtlSeconds: 300 });
    await watched.context.close();
  }
}, 120_000);
