import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../../gateway/trusted-documents";
import { Role } from "../../subgraphs/shared/enums";
import {
  checkScreen,
  consoleBuilt,
  launchChromium,
  openConsole,
  signIn,
  type WatchedPage,
} from "../support/console";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql, type As } from "../support/graphql";

/**
 * The data-sharing officers' screens for the agreement lifecycle and a person's data-protection
 * rights (issues 17 and 18), in a real Chromium against the whole federation on its own freshly
 * seeded databases, behind a gateway that runs only trusted documents. Agreements the tests make
 * are revoked before the test ends.
 */
const ROOT = join(__dirname, "..", "..");
const HOUSING_DSO = { agency: "housing", role: "DATA_SHARING_OFFICER", user: "dso.housing" } as const;
const YOUTH_DSO = { agency: "youth", role: "DATA_SHARING_OFFICER", user: "dso.youth" } as const;

let fed: TestFederation;
let browser: Browser;
let origin: string;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  await consoleBuilt();
  const manifest = join(mkdtempSync(join(tmpdir(), "console-rights-")), "trusted-documents.json");
  writeFileSync(manifest, JSON.stringify(buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d)))));
  fed = await startTestFederation({
    fresh: true,
    env: { TRUSTED_DOCUMENTS: "require", TRUSTED_DOCUMENTS_MANIFEST: manifest },
  });
  origin = new URL(fed.gatewayUrl).origin;
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  for (const o of opened) await o.context.close().catch(() => undefined);
  await browser?.close();
  await fed?.stop();
});
afterEach(() => {
  for (const o of opened) expect(o.problems).toEqual([]);
});

/** Setting up and tidying away, straight at the governance subgraph (the gateway runs only the console's documents). */
async function governance<T>(query: string, variables: Record<string, unknown>, as: As): Promise<T> {
  const response = await graphql<T>(fed.federation.subgraphs.governance.url, query, variables, as);
  expect(response.errors).toBeUndefined();
  return response.data!;
}
const dso = (agency: string): As => ({ agency, role: Role.DATA_SHARING_OFFICER, user: `dso.${agency}` });

async function as(who: { agency: string; role: "DATA_SHARING_OFFICER"; user: string }): Promise<Page> {
  const watched = await openConsole(browser, origin);
  opened.push(watched);
  await signIn(watched.page, who);
  return watched.page;
}

/** Goes to a console page in place, as its links do (a reload would sign the person out). */
async function go(page: Page, path: string, heading: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState(null, "", `/console${to}`);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, path);
  await page.waitForSelector(`main h1:has-text("${heading}")`);
}

/** The first of these people whose name no one else's starts with (so a search by it finds them alone). */
async function onlyOneNamed(personIds: string[]): Promise<{ personId: string; name: string }> {
  for (const personId of personIds) {
    const row = await fed.stores.partnership.sql.one<{ name: string; n: string }>(
      `SELECT p.given_name || ' ' || p.family_name AS name,
              (SELECT count(*) FROM people q
                WHERE (q.given_name || ' ' || q.family_name) ILIKE (p.given_name || ' ' || p.family_name || '%')) AS n
         FROM people p WHERE p.id = $1`,
      [personId],
    );
    if (row && Number(row.n) === 1) return { personId, name: row.name };
  }
  throw new Error("no one with a name of their own");
}

const isoDay = (days: number) => new Date(Date.now() + days * 864e5).toISOString().slice(0, 10);

test("a housing DSO amends an agreement, both DSOs approve, and the old version is superseded; reinstating and reviewing", async () => {
  // An agreement in force between housing and youth services, made for this test.
  const title = "Tenancy information for youth diversion (amendable)";
  const { proposeAgreement } = await governance<{ proposeAgreement: { id: string } }>(
    `mutation ($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id } }`,
    {
      input: {
        title,
        providerAgencyId: "housing",
        recipientAgencyId: "youth",
        purposes: ["YOUTH_DIVERSION"],
        categories: ["TENANCY"],
        consentRequiredFor: [],
        lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
        validFrom: isoDay(0),
        validTo: isoDay(365),
        reviewDate: isoDay(20),
      },
    },
    dso("housing"),
  );
  const v1 = proposeAgreement.id;
  const approve = `mutation ($id: ID!) { approveAgreement(id: $id) { status } }`;
  await governance(approve, { id: v1 }, dso("housing"));
  await governance(approve, { id: v1 }, dso("youth"));
  const made: string[] = [v1];
  try {
    const housing = await as(HOUSING_DSO);
    // Due for review within 30 days: highlighted in the register and listed; within 10 days it is not.
    await go(housing, "/agreements", "Agreements register");
    await housing.waitForSelector(`[data-testid=due-for-review] li:has-text("${title}")`);
    expect(
      await housing.getAttribute(`[data-testid=agreements] tr:has-text("${title}")`, "data-due-for-review"),
    ).toBe("yes");
    await checkScreen(housing, "rights-01-register-due-for-review");
    await housing.fill("#due-within", "10");
    await housing.waitForFunction(
      (t) => !document.querySelector("[data-testid=due-for-review]")?.textContent?.includes(t),
      title,
    );
    await housing.fill("#due-within", "30");
    await housing.waitForSelector(`[data-testid=due-for-review] li:has-text("${title}")`);

    await housing.click(`[data-testid=agreements] tr:has-text("${title}") a.govuk-link`);
    await housing.waitForSelector(`main h1:has-text("${title}")`);
    expect(await housing.textContent(".govuk-caption-l")).toContain("version 1");
    await housing.click("button:has-text('Amend')");
    await housing.waitForSelector("h2:has-text('Amend it')");
    // Why it changes is required before anything is sent.
    await housing.click("button:has-text('Propose version 2')");
    await housing.waitForSelector("#amend-note-error");
    await housing.check("#amend-categories-FINANCIAL");
    await housing.fill("#amend-note", "Arrears bands help the youth worker plan support");
    await checkScreen(housing, "rights-02-amend-form");
    await housing.click("button:has-text('Propose version 2')");
    await housing.waitForSelector(".govuk-caption-l:has-text('version 2')");
    await housing.waitForSelector("[data-testid=agreement-status]:has-text('Draft')");
    const v2 = new URL(housing.url()).searchParams.get("id")!;
    made.push(v2);
    expect(v2).not.toBe(v1);
    expect(await housing.textContent("[data-testid=version-note]")).toContain(
      "Version 1 (active) stays in force until this version is active",
    );
    await housing.click("button:has-text('Approve for your agency')");
    await housing.waitForSelector("[data-testid=done]:has-text('the other agency must approve too')");
    await checkScreen(housing, "rights-03-amendment-draft");

    // The version in force says it stays in force until the amendment is.
    await housing.click("[data-testid=versions] a:has-text('Version 1')");
    await housing.waitForSelector(".govuk-caption-l:has-text('version 1')");
    expect(await housing.textContent("[data-testid=version-note]")).toContain(
      "In force until the amendment (version 2) is active",
    );

    const youth = await as(YOUTH_DSO);
    await go(youth, `/agreement?id=${encodeURIComponent(v2)}`, title);
    await youth.click("button:has-text('Approve for your agency')");
    await youth.waitForSelector("[data-testid=agreement-status]:has-text('Active')");
    expect(await youth.textContent("[data-testid=approvals]")).toMatch(/dso\.housing[\s\S]*dso\.youth/);
    await go(youth, "/", "What do you want to do?");
    await go(youth, `/agreement?id=${encodeURIComponent(v1)}`, title);
    await youth.waitForSelector("[data-testid=agreement-status]:has-text('Superseded')");
    expect(await youth.textContent("[data-testid=version-note]")).toContain("Superseded by version 2");
    await checkScreen(youth, "rights-04-superseded");
    await go(youth, "/agreements", "Agreements register");
    await youth.selectOption("#filter-status", "SUPERSEDED");
    await youth.waitForSelector(`[data-testid=agreements] tr[data-version="1"]:has-text("${title}")`);

    // Suspended, then reinstated: who has approved reinstating it and who has not.
    await governance(
      `mutation ($id: ID!) { suspendAgreement(id: $id, reason: "Data flows under review") { status } }`,
      { id: v2 },
      dso("youth"),
    );
    await go(housing, "/", "What do you want to do?");
    await go(housing, `/agreement?id=${encodeURIComponent(v2)}`, title);
    await housing.waitForSelector("[data-testid=agreement-status]:has-text('Suspended')");
    const parties = async () =>
      housing.$$eval("[data-testid=reinstatement] li", (items) =>
        items.map((li) => `${li.getAttribute("data-party")}: ${li.textContent}`),
      );
    expect((await parties()).every((p) => p.includes("Not yet approved"))).toBe(true);
    await housing.click("button:has-text('Approve reinstating it for your agency')");
    await housing.waitForSelector("#reinstate-note-error");
    await housing.fill("#reinstate-note", "The review found the flows sound");
    await housing.click("button:has-text('Approve reinstating it for your agency')");
    await housing.waitForSelector(
      "[data-testid=done]:has-text('the other agency must approve reinstating it too')",
    );
    const after = await parties();
    expect(after.find((p) => p.startsWith("housing:"))).toMatch(/Approved.*dso\.housing/);
    expect(after.find((p) => p.startsWith("youth:"))).toContain("Not yet approved");
    await checkScreen(housing, "rights-05-reinstatement");
    await governance(
      `mutation ($id: ID!) { reinstateAgreement(id: $id, note: "Agreed") { status } }`,
      { id: v2 },
      dso("youth"),
    );

    // A review sets the next review date, and is listed.
    await go(housing, "/", "What do you want to do?");
    await go(housing, `/agreement?id=${encodeURIComponent(v2)}`, title);
    await housing.waitForSelector("[data-testid=agreement-status]:has-text('Active')");
    await housing.click("button:has-text('Record a review')");
    await housing.fill("#review-note", "Still needed; arrears bands used as intended");
    await housing.fill("#review-nextReviewDate", isoDay(180));
    await housing.click("button:has-text('Record the review')");
    await housing.waitForSelector(`[data-testid=done]:has-text("the next review is due on ${isoDay(180)}")`);
    expect(await housing.textContent("[data-testid=reviews]")).toContain(
      "Still needed; arrears bands used as intended",
    );
    await checkScreen(housing, "rights-06-reviewed");
  } finally {
    for (const id of made) {
      await graphql(
        fed.federation.subgraphs.governance.url,
        `
          mutation ($id: ID!) {
            revokeAgreement(id: $id, reason: "Test over") {
              status
            }
          }
        `,
        { id },
        dso("housing"),
      );
    }
  }
}, 240_000);

test("keyboard only: a housing DSO signs in, finds a tenant and downloads their subject access export", async () => {
  const tenants = await fed.stores.housing.sql.many<{ person_id: string }>(
    `SELECT DISTINCT o.person_id FROM tenancy_occupants o ORDER BY o.person_id LIMIT 50`,
  );
  const { personId, name } = await onlyOneNamed(tenants.map((t) => t.person_id));

  const watched = await openConsole(browser, origin);
  opened.push(watched);
  const { page } = watched;
  const focused = (selector: string, text?: string) =>
    page.evaluate(
      ([s, t]) =>
        Boolean(
          document.activeElement?.matches(s) && (!t || document.activeElement.textContent?.includes(t)),
        ),
      [selector, text] as const,
    );
  /** Tabs until the focused element matches, as a person would (at most `limit` presses). */
  const tabTo = async (selector: string, text?: string, limit = 60) => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press("Tab");
      if (await focused(selector, text)) return;
    }
    throw new Error(`Tab never reached ${selector} ${text ?? ""}`);
  };
  const value = () => page.evaluate(() => (document.activeElement as HTMLInputElement).value);
  /** Arrow keys until the focused select or radio has the value. */
  const arrowTo = async (wanted: string) => {
    for (let i = 0; i < 10 && (await value()) !== wanted; i++) await page.keyboard.press("ArrowDown");
    expect(await value()).toBe(wanted);
  };

  await tabTo("#sign-in-agency");
  await arrowTo("housing");
  await tabTo("input[name=role]:checked");
  await arrowTo("DATA_SHARING_OFFICER");
  await tabTo("button[type=submit]");
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=signed-in-as]");

  await tabTo("nav a", "A person's rights");
  await page.keyboard.press("Enter");
  await page.waitForSelector('main h1:has-text("A person\'s rights")');
  // The purpose is switched on the page, by keyboard too.
  await tabTo("button", "Work under data protection");
  await page.keyboard.press("Space");
  await page.waitForSelector("[data-testid=current-purpose]:has-text('Data protection')");
  await tabTo("#find-name");
  await page.keyboard.type(name);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`[data-testid=people-found] tr:has-text("${name}")`);
  await tabTo("[data-testid=people-found] button", "Their rights");
  await page.keyboard.press("Enter");
  await page.waitForSelector("h2:has-text('Subject access')");
  await tabTo("button", "Make a subject access export");
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-testid=export]");
  const shown = (await page.textContent("[data-testid=export]")) ?? "";
  await tabTo("button", "Download the export (JSON)");
  const [download] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  expect(download.suggestedFilename()).toMatch(
    new RegExp(`^subject-access-${personId}-housing-\\d{4}-\\d\\d-\\d\\d\\.json$`),
  );
  const exported = JSON.parse(readFileSync((await download.path())!, "utf8")) as {
    version: number;
    controller: { agencyId: string };
    subject: { personId: string };
    recordCount: number;
    records: { id: string }[];
    disclosureCount: number;
    disclosures: unknown[];
  };
  expect(exported.version).toBe(1);
  expect(exported.controller.agencyId).toBe("housing");
  expect(exported.subject.personId).toBe(personId);
  expect(exported.records.length).toBe(exported.recordCount);
  expect(exported.recordCount).toBeGreaterThan(0);
  expect(exported.disclosures.length).toBe(exported.disclosureCount);
  // What the page said is what the file holds.
  expect(shown).toContain(`Records your agency holds${exported.recordCount}`);
  expect(shown).toContain(`Disclosures and refusals recorded${exported.disclosureCount}`);
  await checkScreen(page, "rights-07-subject-access-keyboard");
}, 120_000);

test("a housing DSO sets a retention rule, then erases a person's data at housing after a confirmation naming what is kept and why", async () => {
  // A tenant still in their tenancy (kept: open) who made a report long enough ago to go.
  const rows = await fed.stores.housing.sql.many<{ person_id: string; n: string }>(
    `SELECT o.person_id, (SELECT count(*) FROM housing_reports r WHERE r.person_id = o.person_id) AS n
       FROM tenancy_occupants o JOIN tenancies t ON t.id = o.tenancy_id
      WHERE t.end_date IS NULL
        AND NOT EXISTS (SELECT 1 FROM tenancy_occupants o2 JOIN tenancies t2 ON t2.id = o2.tenancy_id
                         WHERE o2.person_id = o.person_id AND t2.end_date IS NOT NULL)
        AND EXISTS (SELECT 1 FROM housing_reports r WHERE r.person_id = o.person_id)
        AND NOT EXISTS (SELECT 1 FROM housing_reports r
                         WHERE r.person_id = o.person_id AND r.reported_at >= now() - interval '2 months')
      ORDER BY o.person_id DESC LIMIT 50`,
  );
  const { personId, name } = await onlyOneNamed(rows.map((r) => r.person_id));
  const reports = Number(rows.find((r) => r.person_id === personId)!.n);

  const housing = await as(HOUSING_DSO);
  await go(housing, "/retention", "Retention");
  await housing.click("button:has-text('Work under data protection')");
  await housing.waitForSelector("[data-testid=retention-rules]");
  expect(await housing.textContent("[data-testid=retention-rules]")).toContain("Limitation Act 1980");
  // The form's own checks, then the rule: a month from the record's closing (a report closes as it is made).
  await housing.click("button:has-text('Set the rule')");
  await housing.waitForSelector("[data-testid=error-summary]");
  expect(await housing.textContent("[data-testid=error-summary]")).toContain("Months kept");
  await housing.selectOption("#rule-category", "TENANCY");
  await housing.fill("#rule-retainForMonths", "1");
  await housing.check("#rule-from-CLOSED");
  await housing.fill("#rule-basis", "Test schedule: a month after closing");
  await housing.click("button:has-text('Set the rule')");
  await housing.waitForSelector("[data-testid=done]:has-text('now kept 1 months')");
  await housing.waitForSelector("[data-testid=retention-due]");
  await checkScreen(housing, "rights-08-retention");

  await go(housing, "/rights", "A person's rights");
  await housing.fill("#find-name", name);
  await housing.click("button:has-text('Search')");
  await housing.click(`[data-testid=people-found] tr:has-text("${name}") button:has-text('Their rights')`);
  await housing.waitForSelector("h2:has-text('Erasure')");
  await checkScreen(housing, "rights-09-person-rights");
  // The request first: its reference and ground are required.
  await housing.click("button:has-text('Continue to check what will be erased')");
  await housing.waitForSelector("#erase-requestRef-error");
  await housing.fill("#erase-requestRef", "HSG-DSAR-2026-0042");
  await housing.fill("#erase-reason", "UK GDPR article 17(1)(a): no longer necessary");
  await housing.click("button:has-text('Continue to check what will be erased')");
  // Before anything is erased: each report goes, the open tenancy is kept, and why.
  const confirmation = await housing.waitForSelector("[data-testid=erasure-confirmation] [data-testid=kept]");
  const keptText = (await confirmation.textContent()) ?? "";
  expect(keptText).toMatch(
    /tenancy .* kept by TENANCY: kept 1 months from CLOSED under Test schedule: a month after closing \(still open\)/,
  );
  const going = await housing.$$eval("[data-testid=will-go] li", (items) =>
    items.map((li) => li.textContent ?? ""),
  );
  expect(going).toHaveLength(reports);
  expect(going.every((g) => g.startsWith("housing report "))).toBe(true);
  expect(await housing.textContent("[data-testid=erasure-confirmation]")).toContain(
    `What will be erased: ${reports} record`,
  );
  // Nothing has gone yet.
  const count = async () =>
    Number(
      (await fed.stores.housing.sql.one<{ n: string }>(
        `SELECT count(*) AS n FROM housing_reports WHERE person_id = $1`,
        [personId],
      ))!.n,
    );
  expect(await count()).toBe(reports);
  await checkScreen(housing, "rights-10-erasure-confirmation");
  await housing.click(`button:has-text("Erase ${reports} record")`);
  await housing.waitForSelector("[data-testid=erasure-outcome]");
  expect(await housing.textContent("[data-testid=erasure-outcome] [data-testid=done]")).toMatch(/kept 1\b/);
  expect(await housing.textContent("[data-testid=retained-because]")).toContain(
    "TENANCY: kept 1 months from CLOSED under Test schedule: a month after closing (still open)",
  );
  expect(await count()).toBe(0);
  const tenancies = await fed.stores.housing.sql.one<{ n: string }>(
    `SELECT count(*) AS n FROM tenancy_occupants WHERE person_id = $1`,
    [personId],
  );
  expect(Number(tenancies!.n)).toBeGreaterThan(0);
  await checkScreen(housing, "rights-11-erasure-done");

  // A legal hold from the person's page, listed on the retention screen, then lifted.
  await housing.fill("#hold-reason", "Claim CL-2026-7 pending");
  await housing.click("button:has-text('Place a legal hold')");
  await housing.waitForSelector("[data-testid=hold]:has-text('Claim CL-2026-7 pending')");
  await go(housing, "/retention", "Retention");
  await housing.waitForSelector(`[data-testid=legal-holds] tr:has-text("Claim CL-2026-7 pending")`);
  await checkScreen(housing, "rights-12-legal-holds");
  await housing.click(`[data-testid=legal-holds] a`);
  await housing.waitForSelector("[data-testid=hold]");
  await housing.click("button:has-text('Lift the hold')");
  await housing.waitForSelector("#hold-reason");
}, 180_000);
