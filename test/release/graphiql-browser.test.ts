import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTestFederation, type TestFederation } from "../support/federation";
import { tokenFor } from "../support/graphql";

/** Debian's chromium package (.ci/run installs it when missing). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = join(__dirname, "..", "..");
/** The editor shown under the query: headers, as the page opens it. */
const HEADERS = ".graphiql-editor-tool .graphiql-editor:not(.hidden)";

/** The README's first call: its token command, its purpose header and its query. */
function readmeFirstCall(): { agency: string; role: string; user: string; purpose: string; query: string } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const token = /npm run --silent token -- --agency (\S+) --role (\S+) --user (\S+)\)/.exec(readme)!;
  const purpose = /-H "x-purpose: (\w+)"/.exec(readme)!;
  const body = /-d '(\{"query":.*\})'/.exec(readme)!;
  return {
    agency: token[1],
    role: token[2],
    user: token[3],
    purpose: purpose[1],
    query: (JSON.parse(body[1]) as { query: string }).query,
  };
}

/** Replaces an editor's text as a paste would (one input, no per-key auto-closing of brackets). */
async function paste(page: Page, editor: string, text: string): Promise<void> {
  await page.click(`${editor} .CodeMirror-lines`);
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

const editorText = (page: Page, editor: string) =>
  page.$eval(`${editor} .CodeMirror`, (el) =>
    (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
  );

let fed: TestFederation;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  fed = await startTestFederation();
  browser = await chromium.launch({
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
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await fed?.stop();
});

test("GraphiQL loads, waits for a token, then runs the README's first query and shows data", async () => {
  const call = readmeFirstCall();
  const origin = new URL(fed.gatewayUrl).origin;
  const page = await browser.newPage();
  const graphqlPosts: string[] = [];
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith("/graphql"))
      graphqlPosts.push(request.postData() ?? "");
  });

  await page.goto(`${origin}/graphiql`);
  await page.waitForSelector(".graphiql-container", { timeout: 30_000 });
  // The headers tab is open, with the two headers to fill in, and the page says where a token comes from.
  const headers = await editorText(page, HEADERS);
  expect(headers).toContain('"Authorization"');
  expect(headers).toContain('"x-purpose"');
  expect(await page.isVisible("#token-help")).toBe(true);
  expect(await page.textContent("#token-help")).toContain("npm run --silent token");
  // No schema fetch without a token (it could only fail).
  await page.waitForTimeout(500);
  expect(graphqlPosts).toEqual([]);

  const token = await tokenFor({ agency: call.agency, role: call.role as never, user: call.user });
  const introspected = page.waitForRequest(
    (r) => r.method() === "POST" && (r.postData() ?? "").includes("IntrospectionQuery"),
  );
  await paste(page, HEADERS, JSON.stringify({ Authorization: `Bearer ${token}`, "x-purpose": call.purpose }));
  // The token given, the schema is fetched with it and the help goes away.
  const introspection = await (await introspected).response();
  expect(((await introspection!.json()) as { data?: { __schema?: unknown } }).data?.__schema).toBeDefined();
  await page.waitForSelector("#token-help", { state: "hidden" });

  await paste(page, ".graphiql-query-editor", call.query);
  // GraphiQL reads the operation's name from the editor after a short debounce; a person is slower.
  await page.waitForTimeout(1000);
  await page.click(".graphiql-execute-button");
  await page.waitForFunction(
    () => {
      const el = document.querySelector(".result-window .CodeMirror") as unknown as {
        CodeMirror?: { getValue(): string };
      } | null;
      return Boolean(el?.CodeMirror?.getValue().includes("totalCount"));
    },
    undefined,
    { timeout: 30_000 },
  );
  const result = JSON.parse(await editorText(page, ".result-window")) as {
    data?: { incidents: { totalCount: number; edges: { node: { id: string } }[] } };
    errors?: unknown;
  };
  expect(result.errors).toBeUndefined();
  expect(result.data!.incidents.totalCount).toBeGreaterThan(0);
  expect(result.data!.incidents.edges.length).toBeGreaterThan(0);
  expect(pageErrors).toEqual([]);
}, 120_000);

test("the page's script files answer with their contents", async () => {
  const origin = new URL(fed.gatewayUrl).origin;
  for (const [path, marker] of [
    ["/graphiql/react.js", "React"],
    ["/graphiql/react-dom.js", "ReactDOM"],
    ["/graphiql/graphiql.js", "GraphiQL"],
    ["/graphiql/graphiql.css", ".graphiql-container"],
  ]) {
    const response = await fetch(`${origin}${path}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.length).toBeGreaterThan(1000);
    expect(text).toContain(marker);
  }
});
