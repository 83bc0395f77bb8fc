import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { packageDir } from "../../gateway/graphiql";
import { ensureConsoleBuilt } from "../../scripts/lib/console";
import { testServerUrl } from "./database";

/** Debian's chromium package (.ci/run installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = join(__dirname, "..", "..");
/** Screenshots of every screen, for a reviewer to look at (ignored by git). */
export const SCREENSHOTS = join(ROOT, "test-results", "console");

/**
 * Builds the console when its sources changed: once per run, under a server-wide lock so that
 * browser test files starting together do not build over each other.
 */
export async function consoleBuilt(): Promise<void> {
  const client = new Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('console:build'))");
    ensureConsoleBuilt();
  } finally {
    await client.end();
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

/** A page that records what must never happen: script errors and anything the CSP refused. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors and console errors (CSP refusals are reported there). */
  problems: string[];
}

export async function openConsole(
  browser: Browser,
  origin: string,
  path = "/console/",
): Promise<WatchedPage> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${origin}${path}`);
  await page.waitForSelector("main h1");
  return { page, context, problems };
}

/** Signs in through the development sign-in form, as a person would with a mouse. */
export async function signIn(
  page: Page,
  who: { agency: string; role: "PRACTITIONER" | "ANALYST" | "DATA_SHARING_OFFICER"; user: string },
): Promise<void> {
  await page.selectOption("#sign-in-agency", who.agency);
  await page.check(`#sign-in-role-${who.role}`);
  await page.fill("#sign-in-user", who.user);
  await page.click("button[type=submit]:has-text('Sign in')");
  await page.waitForSelector("[data-testid=signed-in-as]");
}

let axeSource: string | undefined;

/**
 * The check every screen test makes: axe-core finds no serious or critical violation, and a
 * screenshot goes to test-results/console/<name>.png. axe is evaluated through the DevTools
 * protocol, which the page's CSP does not govern, so the page is checked as it really runs.
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  axeSource ??= readFileSync(join(packageDir("axe-core"), "axe.min.js"), "utf8");
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
      },
    })) as { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  })) as { id: string; impact: string; help: string; targets: string[] }[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect({ screen: name, serious }).toEqual({ screen: name, serious: [] });
}
