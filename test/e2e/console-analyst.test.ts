import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { CONSOLE_CSP } from "../../gateway/console";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../../gateway/trusted-documents";
import { Role } from "../../subgraphs/shared/enums";
import {
  checkScreen,
  consoleBuilt,
  launchChromium,
  openConsole,
  SCREENSHOTS,
  signIn,
} from "../support/console";
import { startTestFederation, type TestFederation } from "../support/federation";

/**
 * The console in a real Chromium against the whole federation on real PostgreSQL, behind a
 * gateway that runs only trusted documents (TRUSTED_DOCUMENTS=require), as in production.
 */
const ROOT = join(__dirname, "..", "..");
const CODES = ["E01032739", "E01032740"];
const FROM = "2019-01";
const TO = "2019-06";
const ANALYST = { agency: "police", role: "ANALYST", user: "analyst.police" } as const;

let fed: TestFederation;
let browser: Browser;
let origin: string;
beforeAll(async () => {
  await consoleBuilt();
  const manifest = join(mkdtempSync(join(tmpdir(), "console-")), "trusted-documents.json");
  writeFileSync(manifest, JSON.stringify(buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d)))));
  fed = await startTestFederation({
    env: { TRUSTED_DOCUMENTS: "require", TRUSTED_DOCUMENTS_MANIFEST: manifest },
  });
  origin = new URL(fed.gatewayUrl).origin;
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await fed?.stop();
});

type Stat = { month: string; category?: string; type?: string; kind?: string; count: number | null };
type DashboardNeighbourhood = {
  code: string;
  incidentStats: Stat[];
  asbCaseStats: Stat[];
  tenancyActionStats: Stat[];
  referralStats: Stat[];
};

/** What the graph releases to the same analyst, read through the API (by the contract's id). */
async function dashboardFromApi(): Promise<Map<string, number | null>> {
  const manifest = buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d)));
  const id = manifest.operations.find((o) => o.name === "NeighbourhoodDashboard")!.id;
  const { tokenFor } = await import("../support/graphql");
  const token = await tokenFor({ agency: ANALYST.agency, role: Role.ANALYST, user: ANALYST.user });
  const response = await fetch(fed.gatewayUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-purpose": "STATISTICS",
    },
    body: JSON.stringify({
      operationName: "NeighbourhoodDashboard",
      variables: { codes: CODES, fromMonth: FROM, toMonth: TO },
      extensions: { persistedQuery: { version: 1, sha256Hash: id } },
    }),
  });
  const body = (await response.json()) as {
    data: { neighbourhoods: DashboardNeighbourhood[] };
    errors?: unknown;
  };
  expect(body.errors).toBeUndefined();
  const cells = new Map<string, number | null>();
  for (const n of body.data.neighbourhoods)
    for (const measure of ["incidentStats", "asbCaseStats", "tenancyActionStats", "referralStats"] as const)
      for (const s of n[measure])
        cells.set(`${n.code}|${measure}|${s.month}|${s.category ?? s.type ?? s.kind}`, s.count);
  return cells;
}

/** Every number in the page's tables, keyed as above. */
async function tableCells(page: Page): Promise<Map<string, number | null>> {
  const rows = await page.$$eval("table[data-testid^=table-] tbody tr", (trs) =>
    trs.flatMap((tr) => {
      const table = tr.closest("table")!;
      const [, code, measure] = /^table-([^-]+)-(.+)$/.exec(table.getAttribute("data-testid")!)!;
      const category = tr.querySelector("th")!.getAttribute("data-category")!;
      return [...tr.querySelectorAll("td")]
        .filter((td) => td.textContent !== "")
        .map((td) => ({
          key: `${code}|${measure}|${td.getAttribute("data-month")}|${category}`,
          text: td.textContent!,
        }));
    }),
  );
  return new Map(rows.map((r) => [r.key, r.text === "withheld" ? null : Number(r.text)]));
}

test("the gateway serves the console from its own origin with a strict Content-Security-Policy", async () => {
  const response = await fetch(`${origin}/console/`);
  expect(response.status).toBe(200);
  const csp = response.headers.get("content-security-policy")!;
  expect(csp).toBe(CONSOLE_CSP);
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  const html = await response.text();
  // No inline script, and every script and stylesheet from /console/ itself.
  expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  expect(urls.filter((u) => u !== "data:,").every((u) => u.startsWith("/console/assets/"))).toBe(true);
  // A path the app routes in the browser gets the app; an unknown file does not.
  expect((await fetch(`${origin}/console/dashboard`)).status).toBe(200);
  expect((await fetch(`${origin}/console/assets/nothing.js`)).status).toBe(404);
  expect((await fetch(`${origin}/console/..%2fpackage.json`)).status).toBe(404);
  // Development tokens: POST with a JSON body only, and a bad choice is refused.
  expect((await fetch(`${origin}/console/dev-token`)).status).toBe(404);
  const refused = await fetch(`${origin}/console/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ agency: "police", role: "ADMIN", user: "x" }),
  });
  expect(refused.status).toBe(400);
  // The console sends documents by id: their text alone is refused by this gateway.
  const asText = await fetch(fed.gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ agencies { id } }" }),
  });
  expect(asText.status).toBe(400);
});

test("an analyst signs in, sees the dashboard's numbers with the perturbation note, and the CSV holds the same numbers", async () => {
  const { page, context, problems } = await openConsole(browser, origin);
  await checkScreen(page, "01-sign-in");
  await signIn(page, ANALYST);
  // The purpose is on screen from the start: analysts work under STATISTICS.
  expect(await page.textContent("[data-testid=current-purpose]")).toContain("Statistics");
  await checkScreen(page, "02-analyst-home");

  await page.click("nav >> text=Neighbourhood dashboard");
  await page.waitForSelector("h1:has-text('Neighbourhood dashboard')");
  // A mistake is named next to its field, and nothing is asked of the graph.
  await page.fill("#dashboard-from", "January");
  await page.click("button:has-text('Show the dashboard')");
  expect(await page.textContent("#dashboard-from-error")).toContain("YYYY-MM");
  await checkScreen(page, "03-dashboard-form-error");

  // The picker: untick one, find it again by its code among the graph's neighbourhoods, tick it.
  await page.uncheck(`#neighbourhood-${CODES[1]}`);
  await page.fill("#dashboard-search", CODES[1].toLowerCase());
  await page.check(`#neighbourhood-${CODES[1]}`);
  await page.fill("#dashboard-from", FROM);
  await page.fill("#dashboard-to", TO);
  await page.click("button:has-text('Show the dashboard')");
  await page.waitForSelector("table[data-testid^=table-]", { state: "attached", timeout: 30_000 });

  // Every chart and every table carries the note that counts are perturbed.
  const measures = await page.$$("section[data-measure]");
  expect(measures.length).toBe(CODES.length * 4);
  for (const section of measures)
    expect(await section.textContent()).toContain("perturbed by disclosure control");
  const tables = await page.$$("table[data-testid^=table-]");
  for (const table of tables)
    expect(await table.evaluate((t) => t.parentElement!.textContent)).toContain(
      "perturbed by disclosure control",
    );

  // The page's numbers are the graph's numbers for this analyst, none of them 1 to 4.
  const shown = await tableCells(page);
  const api = await dashboardFromApi();
  expect(shown.size).toBeGreaterThan(10);
  expect(shown).toEqual(api);
  for (const count of shown.values()) if (count !== null) expect(count === 0 || count >= 5).toBe(true);

  await page.click("summary:has-text('Table of incidents by crime type') >> nth=0");
  // The README's picture (docs/console-dashboard.png is a copy): the first neighbourhood's charts.
  await page.evaluate(() => document.querySelector("section[data-neighbourhood] h2")!.scrollIntoView());
  await page.screenshot({ path: join(SCREENSHOTS, "readme-dashboard.png") });
  await checkScreen(page, "04-dashboard");

  // The CSV download: the same numbers, with the note.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("button:has-text('Download the numbers as CSV')"),
  ]);
  const csv = readFileSync((await download.path())!, "utf8");
  const [note, header, ...lines] = csv.trim().split(/\r\n/);
  expect(note).toContain("perturbed by disclosure control");
  expect(header).toBe("neighbourhood_code,neighbourhood,agency,measure,month,category,count");
  const measureIds: Record<string, string> = {
    Police: "incidentStats",
    Council: "asbCaseStats",
    Housing: "tenancyActionStats",
    "Youth services": "referralStats",
  };
  const fromCsv = new Map(
    lines.map((line) => {
      const f = line.split(",");
      return [`${f[0]}|${measureIds[f[2]]}|${f[4]}|${f[5]}`, f[6] === "" ? null : Number(f[6])] as const;
    }),
  );
  expect(fromCsv).toEqual(shown);
  expect(problems).toEqual([]);
  await context.close();
}, 120_000);

test("keyboard only: sign in, open the dashboard, show it and download the CSV", async () => {
  const { page, context, problems } = await openConsole(browser, origin);
  const press = (key: string, times = 1) =>
    Array.from({ length: times }).reduce<Promise<void>>(
      (p) => p.then(() => page.keyboard.press(key)),
      Promise.resolve(),
    );
  /** Tabs until the focused element matches, as a person would (at most `limit` presses). */
  const tabTo = async (selector: string, text?: string, limit = 40) => {
    for (let i = 0; i < limit; i++) {
      await press("Tab");
      const reached = await page.evaluate(
        ([s, t]) =>
          Boolean(
            document.activeElement?.matches(s) && (!t || document.activeElement.textContent?.includes(t)),
          ),
        [selector, text] as const,
      );
      if (reached) return;
    }
    throw new Error(`Tab never reached ${selector} ${text ?? ""}`);
  };
  // The skip link is the first stop.
  await press("Tab");
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to main content");
  await tabTo("#sign-in-agency");
  await page.keyboard.press("ArrowDown"); // council
  await tabTo("input[name=role]:checked");
  // Round the three roles with the arrow keys, back to analyst.
  await press("ArrowDown", 3);
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe("ANALYST");
  await tabTo("button[type=submit]");
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=signed-in-as]");
  await page.waitForSelector("[data-testid=signed-in-as] >> text=City Council Community Safety");

  await tabTo("nav a", "Neighbourhood dashboard");
  await page.keyboard.press("Enter");
  await page.waitForSelector("h1:has-text('Neighbourhood dashboard')");
  await tabTo("button", "Show the dashboard");
  await page.keyboard.press("Enter");
  await page.waitForSelector("table[data-testid^=table-]", { state: "attached", timeout: 30_000 });
  // Focus is visible where it is (GOV.UK's yellow focus state).
  await tabTo("button", "Download the numbers as CSV");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).backgroundColor);
  expect(outline).toBe("rgb(255, 221, 0)");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  expect(readFileSync((await download.path())!, "utf8")).toContain("neighbourhood_code");
  await tabTo("summary");
  await page.keyboard.press("Enter");
  await checkScreen(page, "05-dashboard-keyboard");
  expect(problems).toEqual([]);
  await context.close();
}, 120_000);

// Last: it stops a subgraph of the file's federation.
test("with youth services down, the dashboard shows the other agencies' numbers and names what is missing", async () => {
  await fed.federation.subgraphs.youth.stop();
  const { page, context } = await openConsole(browser, origin, "/console/dashboard");
  await signIn(page, ANALYST);
  await page.click("button:has-text('Show the dashboard')");
  await page.waitForSelector("table[data-testid^=table-]", { state: "attached", timeout: 30_000 });
  const notice = await page.textContent("[role=alert]");
  expect(notice).toContain("Part of this page could not be shown");
  expect(notice).toContain("The youth service is not answering");
  expect(notice).toContain("missing: referrals by programme kind for City of London 001F");
  // The police, council and housing numbers are there; the referrals say where to look.
  expect(await page.$$("table[data-testid$=-incidentStats]")).toHaveLength(CODES.length);
  const referrals = await page.textContent(
    `section[data-neighbourhood=${CODES[0]}] section[data-measure=referralStats]`,
  );
  expect(referrals).toContain("Not available");
  await checkScreen(page, "06-dashboard-partly-failed");
  await context.close();
}, 120_000);
