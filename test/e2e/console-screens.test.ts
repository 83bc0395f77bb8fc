import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, ElementHandle, Page } from "playwright-core";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../../gateway/trusted-documents";
import { DEMO_AGENCIES } from "../../subgraphs/shared/demo/world";
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
import { tokenFor } from "../support/graphql";

/**
 * The data-sharing officers' and practitioners' screens in a real Chromium, against the whole
 * federation on its own freshly seeded databases (these tests change agreements and consents),
 * behind a gateway that runs only trusted documents, as in production. Each person works in a
 * browser context of their own, signed in through the development sign-in.
 */
const ROOT = join(__dirname, "..", "..");
const HOUSING_DSO = { agency: "housing", role: "DATA_SHARING_OFFICER", user: "dso.housing" } as const;
const YOUTH_DSO = { agency: "youth", role: "DATA_SHARING_OFFICER", user: "dso.youth" } as const;
const YOUTH_WORKER = { agency: "youth", role: "PRACTITIONER", user: "yw.jones" } as const;
const COUNCIL_OFFICER = { agency: "council", role: "PRACTITIONER", user: "asb.officer" } as const;
const COUNCIL_DSO = { agency: "council", role: "DATA_SHARING_OFFICER", user: "dso.council" } as const;
const POLICE_OFFICER = { agency: "police", role: "PRACTITIONER", user: "pc.smith" } as const;

let fed: TestFederation;
let browser: Browser;
let origin: string;
/** A tenant housing holds one tenancy for, with an arrears band, who has consented to nothing. */
let tenant: { personId: string; tenancyId: string; name: string };
const opened: WatchedPage[] = [];

beforeAll(async () => {
  await consoleBuilt();
  const manifest = join(mkdtempSync(join(tmpdir(), "console-screens-")), "trusted-documents.json");
  writeFileSync(manifest, JSON.stringify(buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d)))));
  fed = await startTestFederation({
    fresh: true,
    env: {
      TRUSTED_DOCUMENTS: "require",
      TRUSTED_DOCUMENTS_MANIFEST: manifest,
      NOTIFICATION_RELAY_INTERVAL_MS: "1000",
    },
    // The notification relay runs, as under npm start: a partner is told of its new action.
    background: true,
  });
  origin = new URL(fed.gatewayUrl).origin;
  browser = await launchChromium();
  const row = await fed.stores.housing.sql.one<{ person_id: string; tenancy_id: string }>(
    `SELECT o.person_id, o.tenancy_id
       FROM tenancy_occupants o JOIN tenancies t ON t.id = o.tenancy_id
      WHERE o.role = 'TENANT' AND t.status <> 'ENDED' AND t.arrears_band IS NOT NULL
        AND o.person_id NOT IN ('per-000011', 'per-000012', 'per-000013')
        AND (SELECT count(*) FROM tenancy_occupants x WHERE x.person_id = o.person_id) = 1
        AND (SELECT count(*) FROM tenancy_occupants x WHERE x.tenancy_id = t.id AND x.role <> 'HOUSEHOLD_MEMBER') = 1
      ORDER BY o.person_id LIMIT 1`,
  );
  const person = await fed.stores.partnership.sql.one<{ given_name: string; family_name: string }>(
    `SELECT given_name, family_name FROM people WHERE id = $1`,
    [row!.person_id],
  );
  tenant = {
    personId: row!.person_id,
    tenancyId: row!.tenancy_id,
    name: `${person!.given_name} ${person!.family_name}`,
  };
}, 300_000);
afterAll(async () => {
  for (const o of opened) await o.context.close().catch(() => undefined);
  await browser?.close();
  await fed?.stop();
});

/** A person at their own browser, signed in; nothing may go wrong in the page all along. */
async function as(who: {
  agency: string;
  role: "PRACTITIONER" | "DATA_SHARING_OFFICER";
  user: string;
}): Promise<Page> {
  const watched = await openConsole(browser, origin);
  opened.push(watched);
  await signIn(watched.page, who);
  return watched.page;
}

/** Goes to a console page in place, as its links do (a reload would sign the person out: the token is in memory). */
async function go(page: Page, path: string, heading: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState(null, "", `/console${to}`);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, path);
  await page.waitForSelector(`main h1:has-text("${heading}")`);
}

async function purpose(page: Page, name: string): Promise<void> {
  await page.click(`button:has-text("Switch to ${name}")`);
  await page.waitForSelector(`[data-testid=current-purpose]:has-text("${name}")`);
}

/** The person page's tenancies section, loaded afresh (from another page, as a person comes back to it). */
async function tenancies(page: Page): Promise<string> {
  await go(page, "/", "What do you want to do?");
  await go(page, `/person?id=${tenant.personId}`, tenant.name);
  const section = await page.waitForSelector("section[data-records=tenancies]");
  return (await section.textContent()) ?? "";
}

afterEach(() => {
  for (const o of opened) expect(o.problems).toEqual([]);
});

test("a housing DSO proposes an agreement to youth services, both DSOs approve, and the youth worker's person page then shows the tenancy", async () => {
  const worker = await as(YOUTH_WORKER);
  await purpose(worker, "Youth diversion");
  // Before: housing shares nothing with youth services, so nothing is shown, nor signposted.
  const before = await tenancies(worker);
  expect(before).toContain("None you may see");
  expect(await worker.$(`tr[data-record="${tenant.tenancyId}"]`)).toBeNull();
  await checkScreen(worker, "screens-01-person-before-agreement");

  const housing = await as(HOUSING_DSO);
  await go(housing, "/agreements", "Agreements register");
  await checkScreen(housing, "screens-02-agreements-register");
  await housing.click("a:has-text('Propose an agreement')");
  await housing.waitForSelector("h1:has-text('Propose an agreement')");
  // The graph's own validation, next to the field it is about.
  await housing.fill("#propose-title", "Tenancy information for youth diversion");
  await housing.selectOption("#propose-recipientAgencyId", "youth");
  await housing.check("#propose-purposes-YOUTH_DIVERSION");
  await housing.click("#propose-categories-TENANCY");
  await housing.fill("#propose-lawfulBasis", "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115");
  const today = await housing.inputValue("#propose-validFrom");
  await housing.fill("#propose-validTo", "2001-01-01");
  await housing.click("button:has-text('Propose the agreement')");
  await housing.waitForSelector("#propose-validTo-error");
  expect(await housing.textContent("#propose-validTo-error")).toMatch(/Must not be before/);
  expect(await housing.textContent("[data-testid=error-summary]")).toContain("Last day in force");
  await checkScreen(housing, "screens-03-propose-validation");
  const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  await housing.fill("#propose-validTo", nextYear);
  await housing.click("button:has-text('Propose the agreement')");
  await housing.waitForSelector("[data-testid=agreement-status]:has-text('Draft')");
  const agreementUrl = new URL(housing.url());
  await housing.click("button:has-text('Approve for your agency')");
  await housing.waitForSelector("[data-testid=done]:has-text('the other agency must approve too')");
  await checkScreen(housing, "screens-04-agreement-detail");

  // Meanwhile the youth worker still sees nothing: a draft shares nothing.
  expect(await tenancies(worker)).toContain("None you may see");

  const youth = await as(YOUTH_DSO);
  await go(youth, `/agreement${agreementUrl.search}`, "Tenancy information for youth diversion");
  await youth.click("button:has-text('Approve for your agency')");
  await youth.waitForSelector("[data-testid=agreement-status]:has-text('Active')");
  expect(await youth.textContent("[data-testid=approvals]")).toMatch(
    /Housing[\s\S]*dso\.housing[\s\S]*Youth[\s\S]*dso\.youth/i,
  );

  // After: the tenancy shows on the next load; its arrears (financial, not in the agreement) are
  // withheld with the reason, not left blank.
  await tenancies(worker);
  const row = await worker.waitForSelector(`tr[data-record="${tenant.tenancyId}"]`);
  const text = (await row.textContent()) ?? "";
  expect(text).toContain("Withheld");
  expect(text).toContain("This kind of information is not shared");
  expect(await row.$("[data-withheld=CATEGORY_NOT_COVERED]")).not.toBeNull();
  await checkScreen(worker, "screens-05-person-after-agreement");

  // The register lists it, and suspending it takes a reason.
  await go(youth, "/agreements", "Agreements register");
  await youth.selectOption("#filter-partner", "housing");
  await youth.selectOption("#filter-purpose", "YOUTH_DIVERSION");
  expect(await youth.textContent("[data-testid=agreements]")).toContain(
    "Tenancy information for youth diversion",
  );
  await go(youth, `/agreement${agreementUrl.search}`, "Tenancy information for youth diversion");
  await youth.click("button:has-text('Suspend')");
  await youth.click("button:has-text('Suspend the agreement')");
  expect(await youth.textContent("#suspend-reason-error")).toContain("Enter why");
  await youth.fill("#suspend-reason", "Paused while the tenancy data flows are reviewed");
  await youth.click("button:has-text('Suspend the agreement')");
  await youth.waitForSelector("[data-testid=agreement-status]:has-text('Suspended')");
  expect(await tenancies(worker)).toContain("None you may see");
}, 180_000);

test("a consent recorded, then withdrawn, changes what the council officer sees on the next load", async () => {
  const officer = await as(COUNCIL_OFFICER);
  await purpose(officer, "Tenancy sustainment");
  // Housing shares arrears with the council only with the person's consent.
  await tenancies(officer);
  const withheld = async () =>
    (await officer.waitForSelector(`tr[data-record="${tenant.tenancyId}"] [data-withheld]`)).getAttribute(
      "data-withheld",
    );
  expect(await withheld()).toBe("CONSENT_REQUIRED");

  const housing = await as(HOUSING_DSO);
  await purpose(housing, "Tenancy sustainment");
  await go(housing, "/consents", "Consents");
  const [given, family] = tenant.name.split(" ");
  await housing.fill("#find-name", `${given} ${family}`);
  await housing.click("button:has-text('Search')");
  await housing.click(`[data-testid=people-found] tr:has-text("${tenant.name}") button:has-text('Consents')`);
  await housing.waitForSelector(`[data-testid=consent-person]:has-text("${tenant.name}")`);
  await checkScreen(housing, "screens-06-consents");
  await housing.selectOption("#consent-recipientAgencyId", "council");
  await housing.check("#consent-purposes-TENANCY_SUSTAINMENT, #consent-purposes");
  await housing.waitForSelector("#consent-categories");
  // Only the agreement's categories are offered; arrears is marked as shared only with consent.
  const categories = await housing.textContent("[data-field=consent-categories]");
  expect(categories).toContain("Financial (arrears)");
  expect(categories).toContain("Shared only with consent");
  await housing.check("input[name=consent-categories][value=FINANCIAL]");
  // Evidence is required: the graph says so next to the field.
  await housing.click("button:has-text('Record the consent')");
  await housing.waitForSelector("#consent-evidenceRef-error");
  await housing.fill("#consent-evidenceRef", "HSG-CONSENT-2026-0001");
  await housing.click("button:has-text('Record the consent')");
  await housing.waitForSelector("[data-testid=done]:has-text('Consent recorded')");
  expect(await housing.textContent("[data-testid=consents]")).toContain("HSG-CONSENT-2026-0001");
  await checkScreen(housing, "screens-07-consent-recorded");

  await tenancies(officer);
  await officer.waitForSelector(`tr[data-record="${tenant.tenancyId}"]`);
  expect(await officer.$(`tr[data-record="${tenant.tenancyId}"] [data-withheld]`)).toBeNull();
  await checkScreen(officer, "screens-08-person-with-consent");

  await housing.click(
    `[data-testid=consents] tr:has-text("HSG-CONSENT-2026-0001") button:has-text('Withdraw')`,
  );
  await housing.waitForSelector("[data-testid=done]:has-text('Consent withdrawn')");
  await tenancies(officer);
  expect(await withheld()).toBe("CONSENT_WITHDRAWN");
  expect(await officer.textContent(`tr[data-record="${tenant.tenancyId}"]`)).toContain("Consent withdrawn");
}, 180_000);

test("a break-glass access appears in the owner's review queue and is reviewed", async () => {
  // A council officer opens the tenant's record in an emergency, here as an API client (the person
  // page offers the same, tested below): under safeguarding no agreement covers housing's data for
  // the council.
  const manifest = buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d)));
  const person360 = manifest.operations.find((o) => o.name === "Person360")!;
  const token = await tokenFor({ agency: "council", role: Role.PRACTITIONER, user: "asb.duty" });
  const justification = "Welfare check: neighbours report the tenant has not been seen for a week";
  const response = await fetch(fed.gatewayUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-purpose": "SAFEGUARDING",
      "x-break-glass": justification,
    },
    body: JSON.stringify({
      operationName: "Person360",
      variables: { id: tenant.personId },
      extensions: { persistedQuery: { version: 1, sha256Hash: person360.id } },
    }),
  });
  const body = (await response.json()) as {
    data?: { person?: { tenancies?: { edges: { node: { id: string } }[] } } };
  };
  expect(body.data?.person?.tenancies?.edges.map((e) => e.node.id)).toContain(tenant.tenancyId);

  const housing = await as(HOUSING_DSO);
  await go(housing, "/break-glass", "Break-glass review");
  const card = await housing.waitForSelector(`.govuk-summary-card:has-text("${justification}")`);
  const text = (await card.textContent()) ?? "";
  expect(text).toContain("asb.duty");
  expect(text).toContain(tenant.name);
  expect(text).toContain(tenant.tenancyId);
  await checkScreen(housing, "screens-09-break-glass-queue");
  // Both answers are required before anything is sent.
  const id = await card.getAttribute("data-break-glass");
  await card.$eval("button:has-text('Record the review')", (b) => (b as HTMLButtonElement).click());
  await housing.waitForSelector(`#review-${id}-note-error`);
  await housing.check(`input[name="review-${id}-outcome"][value=JUSTIFIED]`);
  await housing.fill(
    `#review-${id}-note`,
    "Confirmed with the council duty manager: a genuine welfare concern",
  );
  await housing.click(`[data-break-glass="${id}"] button:has-text('Record the review')`);
  await housing.waitForSelector("[data-testid=done]:has-text('Review recorded: justified')");
  // Gone from the queue once the page has read it again (the banner shows as soon as the review is in).
  await housing.waitForSelector(`[data-break-glass="${id}"]`, { state: "detached" });
  await housing.click("button:has-text('Reviewed')");
  const reviewed = await housing.waitForSelector(`[data-break-glass="${id}"]`);
  expect(await reviewed.textContent()).toContain("Confirmed with the council duty manager");

  // The disclosures register names it for that person, and its CSV holds the same rows.
  await go(housing, `/disclosures?person=${tenant.personId}`, "Disclosures register");
  await housing.waitForSelector("[data-testid=disclosures]");
  expect(await housing.textContent("[data-testid=disclosures]")).toContain("Break-glass");
  await checkScreen(housing, "screens-10-disclosures");
  const [download] = await Promise.all([
    housing.waitForEvent("download"),
    housing.click("button:has-text('Download these as CSV')"),
  ]);
  const csv = readFileSync((await download.path())!, "utf8")
    .trim()
    .split(/\r\n/);
  expect(csv[0]).toBe(
    "when,user,role,agency,purpose,operation,categories,records,decision,basis,agreement,consent,break_glass",
  );
  const shown = await housing.$$eval("[data-testid=disclosures] tbody tr", (rows) => rows.length);
  expect(csv.length - 1).toBe(shown);
  expect(csv.some((line) => line.includes("asb.duty") && line.endsWith(",yes"))).toBe(true);
}, 180_000);

test("every other DSO and practitioner screen passes axe: why-not, audit status, cases, case board", async () => {
  const dso = await as(COUNCIL_DSO);
  await go(dso, "/explain", "Why can't they see it?");
  // Why the council's own practitioners cannot see housing's tenancies when preventing crime:
  // housing shares them with the council for tenancy sustainment and ASB case management only.
  await dso.selectOption("#explain-role", "PRACTITIONER");
  await dso.selectOption("#explain-purpose", "CRIME_PREVENTION");
  await dso.fill("#explain-personId", tenant.personId);
  await dso.selectOption("#explain-ownerAgencyId", "housing");
  await dso.selectOption("#explain-category", "TENANCY");
  await dso.click("button:has-text('Explain')");
  const explained = await dso.waitForSelector("[data-testid=explanation]");
  expect(await explained.textContent()).toMatch(/They cannot see it[\s\S]*Denied: Purpose not covered/);
  expect(await dso.$$eval("[data-testid=explanation] ol li", (items) => items.length)).toBeGreaterThan(1);
  expect(await explained.textContent()).toContain("council PRACTITIONER asks for TENANCY");
  await checkScreen(dso, "screens-11-explain");
  await go(dso, "/audit", "Audit chain");
  await dso.waitForSelector("[data-testid=audit-status]");
  expect(await dso.textContent("[data-testid=audit-status]")).toContain("never been verified");
  await checkScreen(dso, "screens-12-audit-status");

  const officer = await as(COUNCIL_OFFICER);
  await purpose(officer, "Managing an anti-social behaviour case");
  await go(officer, "/cases", "Cases");
  await officer.waitForSelector("[data-testid=my-cases]");
  await checkScreen(officer, "screens-13-cases");
  await officer.click("a:has-text('Open a case')");
  await officer.waitForSelector("h1:has-text('Open a case')");
  await checkScreen(officer, "screens-14-open-case");
  await officer.fill("#case-title", "Nuisance at the parade of shops");
  await officer.fill("#case-problemType", "Youth nuisance");
  await officer.fill("#case-neighbourhoodCodes", "E01032739");
  await officer.check("input[name=case-partnerAgencyIds][value=police]");
  await officer.click("button:has-text('Open the case')");
  await officer.waitForSelector("h1:has-text('Nuisance at the parade of shops')");
  await officer.fill("#action-description", "Visit the shop keepers");
  await officer.selectOption("#action-assignedAgencyId", "council");
  await officer.click("button:has-text('Add the action')");
  await officer.waitForSelector("[data-testid=case-actions]:has-text('Visit the shop keepers')");
  await officer.click("button:has-text('Mark done')");
  await officer.waitForSelector("[data-testid=done]:has-text('Action marked done')");
  await officer.fill("#stage-note", "Enough is known to analyse the problem");
  await officer.click("button:has-text('Move the case')");
  await officer.waitForSelector("[data-testid=case-stage]:has-text('Analysis')");
  await checkScreen(officer, "screens-15-case-board");

  // A demo case the council works with police incidents linked: under safeguarding police share
  // nothing with the council, but the council shares with police for it, so the board says the
  // incidents are held but restricted and whom to ask; for ASB case management they are shown.
  const demoCase = await fed.stores.partnership.sql.one<{ id: string; title: string; n: string }>(
    `SELECT c.id, c.title, (SELECT count(*) FROM case_records r WHERE r.case_id = c.id AND r.kind = 'INCIDENT') AS n
       FROM problem_cases c
      WHERE (c.lead_agency_id = 'council' OR EXISTS (SELECT 1 FROM case_partners p WHERE p.case_id = c.id AND p.agency_id = 'council'))
        AND EXISTS (SELECT 1 FROM case_records r WHERE r.case_id = c.id AND r.kind = 'INCIDENT')
      ORDER BY c.id LIMIT 1`,
  );
  await purpose(officer, "Safeguarding");
  await go(officer, "/", "What do you want to do?");
  await go(officer, `/case?id=${demoCase!.id}`, demoCase!.title);
  const restricted = await officer.waitForSelector("[data-board=linked] [data-testid=restricted]");
  const said = (await restricted.textContent()) ?? "";
  expect(said).toContain("Held but restricted");
  expect(said).toMatch(
    new RegExp(`holds ${demoCase!.n} records? of records linked to this case \\(incident summaries\\)`),
  );
  expect(await officer.textContent("[data-board=linked]")).not.toContain("Police incident ");
  await checkScreen(officer, "screens-17-case-board-restricted");
  await purpose(officer, "Managing an anti-social behaviour case");
  await go(officer, "/", "What do you want to do?");
  await go(officer, `/case?id=${demoCase!.id}`, demoCase!.title);
  await officer.waitForSelector("[data-board=linked] li:has-text('Police incident')");
  expect(await officer.textContent("[data-board=linked]")).not.toContain("(incident summaries)");

  // Finding a person: by date of birth (the people search's new filter), then their page.
  await go(officer, "/person", "People");
  const born = await fed.stores.partnership.sql.one<{ dob: string }>(
    `SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS dob FROM people WHERE id = $1`,
    [tenant.personId],
  );
  await officer.fill("#find-dob", born!.dob);
  await officer.click("button:has-text('Search')");
  await officer.waitForSelector(`[data-testid=people-found] tr:has-text("${tenant.name}")`);
  await checkScreen(officer, "screens-16-people-search");
  await officer.click(`[data-testid=people-found] tr:has-text("${tenant.name}") a:has-text('Open')`);
  await officer.waitForSelector(`main h1:has-text("${tenant.name}")`);
}, 180_000);

/** The demo agencies' names, as the console shows them. */
const NAME = Object.fromEntries(DEMO_AGENCIES.map((a) => [a.id, a.name])) as Record<string, string>;

/** A day counted from today (London), YYYY-MM-DD. */
function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toLocaleDateString("en-CA", {
    timeZone: "Europe/London",
  });
}

/** Sends one trusted operation by its id, as a partner's client would (the gateway runs only those). */
async function trusted<T>(
  name: string,
  variables: Record<string, unknown>,
  who: { agency: string; role: "PRACTITIONER" | "DATA_SHARING_OFFICER"; user: string },
  purposeSent: string,
): Promise<T> {
  const operation = buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d))).operations.find(
    (o) => o.name === name,
  )!;
  const token = await tokenFor({ agency: who.agency, role: Role[who.role], user: who.user });
  const response = await fetch(fed.gatewayUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-purpose": purposeSent,
    },
    body: JSON.stringify({
      operationName: name,
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: operation.id } },
    }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

/** The notifications page, opened from the header's link until `selector` is on it (the relay hands notices on). */
async function notified(page: Page, selector: string): Promise<ElementHandle> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await go(page, "/", "What do you want to do?");
    await page.click("[data-testid=notifications-link]");
    await page.waitForSelector("main h1:has-text('Notifications')");
    await page.waitForSelector("[data-testid=notifications-summary]");
    const found = await page.$(selector);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no notification ${selector}`);
    await page.waitForTimeout(500);
  }
}

/** The header's count of unread notifications (none shown: 0). */
async function unread(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.querySelector("[data-testid=unread-count]")?.textContent ?? 0));
}

test("case work: the lead adds a person, a note and a risk assessment; the partner sees its action and is told of it; the lead closes the case with an outcome", async () => {
  const officer = await as(COUNCIL_OFFICER);
  await purpose(officer, "Managing an anti-social behaviour case");
  await go(officer, "/cases/open", "Open a case");
  await officer.fill("#case-title", "Threats at Elm Court");
  await officer.fill("#case-problemType", "Neighbour dispute");
  await officer.fill("#case-neighbourhoodCodes", "E01032739");
  await officer.check("input[name=case-partnerAgencyIds][value=police]");
  await officer.click("button:has-text('Open the case')");
  await officer.waitForSelector("h1:has-text('Threats at Elm Court')");
  const caseId = new URL(officer.url()).searchParams.get("id")!;

  // The lead adds the tenant to the case, with a note, found through the people search.
  await officer.click("[data-testid=people-form] summary");
  await officer.fill("#find-name", tenant.name);
  await officer.click("[data-testid=people-form] button:has-text('Search')");
  await officer.click(
    `[data-testid=people-found] tr:has-text("${tenant.name}") button:has-text('to the list')`,
  );
  await officer.selectOption("#people-0-role", "VICTIM");
  await officer.click("button:has-text('Save the people')");
  expect(await officer.textContent("#people-note-error")).toContain("Enter why the people change");
  await officer.fill("#people-note", "The tenant reported the threats to the council");
  await officer.click("button:has-text('Save the people')");
  await officer.waitForSelector("[data-testid=done]:has-text('people are changed')");
  await officer.waitForSelector(`[data-board=people] li[data-person="${tenant.personId}"]`);
  expect(await officer.textContent("[data-testid=case-changes]")).toContain(
    "The tenant reported the threats to the council",
  );

  // An action for police, already past its due date; a note; one of the council's ASB cases linked, then unlinked.
  const yesterday = day(-1);
  await officer.fill("#action-description", "Check the incident history at Elm Court");
  await officer.selectOption("#action-assignedAgencyId", "police");
  await officer.fill("#action-dueOn", yesterday);
  await officer.click("button:has-text('Add the action')");
  await officer.waitForSelector("[data-testid=case-actions]:has-text('Check the incident history')");
  await officer.fill("#note-text", "Spoke to the tenant: the threats continue at night.");
  await officer.click("button:has-text('Add the note')");
  const note = await officer.waitForSelector(
    "[data-testid=case-notes] li:has-text('threats continue at night')",
  );
  expect(await note.textContent()).toContain(`asb.officer, ${NAME.council}, `);
  const asbCase = await fed.stores.council.sql.one<{ id: string }>(
    `SELECT id FROM asb_cases ORDER BY id LIMIT 1`,
  );
  await officer.selectOption("#link-kind", "ASB_CASE");
  await officer.fill("#link-id", asbCase!.id);
  await officer.click("button:has-text('Link the record')");
  const linked = await officer.waitForSelector(`[data-linked="${asbCase!.id}"]`);
  await (await linked.$("summary"))!.click();
  await officer.click(`[data-unlink="${asbCase!.id}"] button:has-text('Unlink the record')`);
  expect(await officer.textContent(`[data-unlink="${asbCase!.id}"] .govuk-error-message`)).toContain(
    "Enter why it is unlinked",
  );
  await officer.fill(`[data-unlink="${asbCase!.id}"] textarea`, "Linked to the wrong case");
  await officer.click(`[data-unlink="${asbCase!.id}"] button:has-text('Unlink the record')`);
  await officer.waitForSelector("[data-testid=done]:has-text('Record unlinked')");
  await officer.waitForSelector(`[data-linked="${asbCase!.id}"]`, { state: "detached" });
  await checkScreen(officer, "screens-18-case-board-lead");

  // The victim risk assessment: every question answered; the graph scores it.
  await officer.click(`[data-person="${tenant.personId}"] a:has-text('Assess victim risk')`);
  await officer.waitForSelector(`h1:has-text("Victim risk: ${tenant.name}")`);
  expect(await officer.textContent("[data-testid=case-risk-level]")).toBe("Standard");
  await officer.click("button:has-text('Record the assessment')");
  await officer.waitForSelector("[data-testid=error-summary]");
  const questions = await officer.$$eval("[data-question]", (els) =>
    els.map((e) => e.getAttribute("data-question")!),
  );
  expect(questions.length).toBeGreaterThan(10);
  const yes = new Set(["TARGETED", "VIOLENCE", "VULNERABLE", "HEALTH", "FEAR", "RETALIATION"]);
  for (const code of questions) await officer.check(yes.has(code) ? `#risk-${code}` : `#risk-${code}-no`);
  await checkScreen(officer, "screens-19-victim-risk-form");
  await officer.click("button:has-text('Record the assessment')");
  // 2 + 3 + 3 + 2 + 2 + 2: high from 15.
  await officer.waitForSelector("[data-testid=done]:has-text('a score of 14, medium risk')");
  await officer.waitForSelector("[data-testid=case-risk-level]:text-is('Medium')");
  expect(await officer.textContent("[data-testid=risk-history]")).toContain(`asb.officer (${NAME.council})`);
  await checkScreen(officer, "screens-20-victim-risk-assessed");

  // Police, the partner: told of the action, and it is in their agency's actions, overdue.
  const police = await as(POLICE_OFFICER);
  const told = await notified(
    police,
    `[data-testid=notifications] li[data-kind=ACTION_ASSIGNED]:has-text("due ${yesterday}")`,
  );
  expect(await told.textContent()).toContain("Action assigned");
  expect(await (await told.$("a"))!.textContent()).toContain("Your agency's actions");
  const before = await unread(police);
  expect(before).toBeGreaterThanOrEqual(1);
  await checkScreen(police, "screens-21-notifications");
  await (await told.$("button:has-text('Mark read')"))!.click();
  await police.waitForSelector("[data-testid=done]:has-text('Marked read')");
  await police.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=unread-count]")?.textContent ?? 0) === n - 1,
    before,
  );
  expect(
    await police.$(`[data-testid=notifications] li[data-kind=ACTION_ASSIGNED]:has-text("due ${yesterday}")`),
  ).toBeNull();
  await police.click('nav a:has-text("My agency\'s actions")');
  await police.waitForSelector('main h1:has-text("My agency\'s actions")');
  const row = await police.waitForSelector(
    "[data-testid=agency-actions] tr:has-text('Check the incident history')",
  );
  expect(await row.textContent()).toContain("Overdue");
  await police.selectOption("#actions-status", "OVERDUE");
  await police.waitForSelector("[data-testid=actions-count]:has-text('overdue')");
  expect(await police.textContent("[data-testid=agency-actions]")).toContain("Check the incident history");
  expect(
    await police.$$eval("[data-testid=agency-actions] tbody tr", (rows) => rows.map((r) => r.textContent)),
  ).toEqual(expect.arrayContaining([expect.stringContaining("Overdue")]));
  await checkScreen(police, "screens-22-my-agency-actions");

  // On the board the partner is offered no closing and no change of people or partners, and sees the note.
  await police.click(`[data-testid=agency-actions] tr:has-text('Check the incident history') a`);
  await police.waitForSelector("h1:has-text('Threats at Elm Court')");
  expect(await police.textContent("[data-testid=lead-only]")).toContain(
    `Only the lead agency, ${NAME.council}`,
  );
  expect(await police.$("[data-board=closing]")).toBeNull();
  expect(await police.$("[data-testid=people-form]")).toBeNull();
  expect(await police.textContent("[data-testid=case-notes]")).toContain("threats continue at night");
  // Police hand the action back to the council, saying why.
  await police.click("[data-action-controls] summary");
  await police.selectOption("[data-action-controls] select", "council");
  await police.fill("[data-action-controls] textarea[id$='-note']", "The council holds the tenancy contact");
  await police.click("button:has-text('Hand it on')");
  await police.waitForSelector(`[data-testid=done]:has-text("Action handed to ${NAME.council}")`);
  await checkScreen(police, "screens-23-case-board-partner");

  // The lead closes the case with an outcome; its open action ends with it.
  await go(officer, "/", "What do you want to do?");
  await go(officer, `/case?id=${caseId}`, "Threats at Elm Court");
  await officer.click("button:has-text('Close the case')");
  expect(await officer.textContent("[data-field=close-outcome]")).toContain("Choose how the case ended");
  await officer.check("#close-outcome-REDUCED");
  await officer.fill("#close-note", "Threats stopped after the joint visit; monitoring continues");
  await officer.click("button:has-text('Close the case')");
  await officer.waitForSelector("[data-testid=case-stage]:has-text('Closed')");
  expect(await officer.textContent("[data-testid=case-outcome]")).toContain("Reduced");
  expect(await officer.textContent("[data-testid=case-actions]")).toContain("The case was closed (REDUCED)");
  expect(await officer.textContent("[data-testid=case-changes]")).toContain(
    "Threats stopped after the joint visit",
  );
  // A closed case takes notes only.
  expect(await officer.$("#action-description")).toBeNull();
  expect(await officer.$("[data-board=closing]")).toBeNull();
  await officer.fill("#note-text", "Closing letter sent to the tenant.");
  await officer.click("button:has-text('Add the note')");
  await officer.waitForSelector("[data-testid=case-notes] li:has-text('Closing letter sent')");
  await checkScreen(officer, "screens-24-case-board-closed");
}, 240_000);

test("break-glass on the person page: safeguarding only, a justification required, marked as audited, and the owner's DSO is told", async () => {
  const officer = await as(COUNCIL_OFFICER);
  await go(officer, `/person?id=${tenant.personId}`, tenant.name);
  await officer.waitForSelector("[data-testid=break-glass]");
  expect(await officer.$$("[data-testid=break-glass]")).toHaveLength(1);
  // Under another purpose the form is not offered: break-glass is for safeguarding only.
  expect(await officer.$("#break-glass-justification")).toBeNull();
  await officer.click("[data-testid=break-glass] button:has-text('Work for Safeguarding')");
  await officer.waitForSelector("[data-testid=current-purpose]:has-text('Safeguarding')");
  await officer.waitForSelector("section[data-records=tenancies] p, section[data-records=tenancies] table");
  // Under safeguarding, housing shares nothing with the council: the tenancy is not shown.
  expect(await officer.$(`tr[data-record="${tenant.tenancyId}"]`)).toBeNull();
  await officer.fill("#break-glass-justification", "Worried");
  await officer.click("button:has-text('Use emergency access')");
  expect(await officer.textContent("#break-glass-justification-error")).toContain("at least 20 characters");
  await checkScreen(officer, "screens-25-person-break-glass-form");
  // In any language: the header carries it as UTF-8, and the owner's DSO reads it as typed.
  const justification = "Tenant not seen for ten days; family fear for her safety (tŷ ar glo)";
  await officer.fill("#break-glass-justification", justification);
  await officer.click("button:has-text('Use emergency access')");
  await officer.waitForSelector("[data-testid=break-glass-on]");
  await officer.waitForSelector(`tr[data-record="${tenant.tenancyId}"]`);
  expect(await officer.textContent("[data-testid=break-glass-on]")).toContain(
    "recorded in the audit as break-glass",
  );
  await checkScreen(officer, "screens-26-person-break-glass-on");
  await officer.click("button:has-text('End emergency access')");
  await officer.waitForSelector("[data-testid=break-glass]");
  expect(await officer.$(`tr[data-record="${tenant.tenancyId}"]`)).toBeNull();

  // Housing's DSO is told at once, and the access waits in their review queue.
  const housing = await as(HOUSING_DSO);
  await notified(housing, "[data-testid=notifications] li[data-kind=BREAK_GLASS_ON_OUR_DATA]");
  expect(await unread(housing)).toBeGreaterThanOrEqual(1);
  await checkScreen(housing, "screens-27-notifications-dso");
  await go(housing, "/break-glass", "Break-glass review");
  const card = await housing.waitForSelector(`.govuk-summary-card:has-text("${justification}")`);
  expect(await card.textContent()).toContain("asb.officer");
}, 180_000);

/** Presses Tab until the focused element matches (a selector, and text it contains), as a keyboard user does. */
async function tabTo(page: Page, selector: string, text = ""): Promise<void> {
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press("Tab");
    const here = await page.evaluate(
      ([sel, txt]) => {
        const el = document.activeElement;
        return Boolean(el && el.matches(sel) && (el.textContent ?? "").includes(txt));
      },
      [selector, text] as const,
    );
    if (here) return;
  }
  throw new Error(`Tab never reached ${selector} ${text}`);
}

test("keyboard only: a practitioner opens the case board from the menu, adds a note and completes an action", async () => {
  // A case youth services lead, with an action for them (set up as a partner's client would).
  const opened = await trusted<{ openCase: { id: string; reference: string } }>(
    "OpenCase",
    {
      input: {
        title: "Graffiti at the skate park",
        problemType: "Criminal damage",
        neighbourhoodCodes: ["E01032739"],
        partnerAgencyIds: [],
        people: [],
      },
    },
    YOUTH_WORKER,
    "YOUTH_DIVERSION",
  );
  await trusted(
    "AddCaseAction",
    {
      caseId: opened.openCase.id,
      input: { assignedAgencyId: "youth", description: "Run a mural session", dueOn: day(14) },
    },
    YOUTH_WORKER,
    "YOUTH_DIVERSION",
  );
  const worker = await as(YOUTH_WORKER);
  const keys = worker.keyboard;
  // From the menu to the cases, then the case: Tab and Enter only.
  await tabTo(worker, "nav a", "Cases");
  await keys.press("Enter");
  await worker.waitForSelector("[data-testid=my-cases]");
  await tabTo(worker, "[data-testid=my-cases] a", opened.openCase.reference);
  await keys.press("Enter");
  await worker.waitForSelector("h1:has-text('Graffiti at the skate park')");
  // A note, typed and sent by keyboard.
  await tabTo(worker, "#note-text");
  await keys.type("Met the skaters; they will help paint the mural.");
  await tabTo(worker, "button", "Add the note");
  await keys.press("Enter");
  await worker.waitForSelector("[data-testid=case-notes] li:has-text('help paint the mural')");
  // The action marked done with the space bar.
  await tabTo(worker, "button", "Mark done");
  await keys.press("Space");
  await worker.waitForSelector("[data-testid=done]:has-text('Action marked done')");
  await worker.waitForSelector("[data-testid=case-actions] td:text-is('Done')");
  // Where focus is, the page shows it (GOV.UK's yellow focus state), so the person sees where they are.
  await tabTo(worker, "button", "Add the note");
  expect(await worker.evaluate(() => getComputedStyle(document.activeElement!).backgroundColor)).toBe(
    "rgb(255, 221, 0)",
  );
  await checkScreen(worker, "screens-28-keyboard-case-board");
}, 180_000);
