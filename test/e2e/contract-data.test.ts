import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { contractOperations } from "../support/contract";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * Every query in the contract returns real, non-empty data from the demo partnership when
 * a caller from the owning agency runs it.
 */
let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
}, 180_000);
afterAll(() => fed?.stop());

const operations = new Map(contractOperations().map((o) => [o.name, o]));

async function run(name: string, variables: Record<string, unknown>, as: As) {
  const op = operations.get(name);
  if (!op) throw new Error(`no contract operation ${name}`);
  const response = await fed.query(op.source, variables, { ...as, operationName: name });
  return response;
}

async function firstId(query: string, path: (data: never) => string, as: As): Promise<string> {
  const response = await fed.query(query, {}, as);
  expect(response.errors).toBeUndefined();
  return path(response.data as never);
}

const policeOfficer: As = { agency: "police", role: Role.PRACTITIONER, purpose: "CRIME_PREVENTION" };
const councilOfficer: As = { agency: "council", role: Role.PRACTITIONER, purpose: "ASB_CASE_MANAGEMENT" };
const policeDso: As = { agency: "police", role: Role.DATA_SHARING_OFFICER, purpose: "SAFEGUARDING" };
const analyst: As = { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" };

/** Fails with the whole response when something is empty, so the cause is visible. */
function expectNonEmpty(
  response: { data?: unknown; errors?: unknown },
  pick: (data: never) => unknown[] | unknown,
) {
  expect(response.errors).toBeUndefined();
  const value = pick(response.data as never);
  if (Array.isArray(value)) expect(value.length).toBeGreaterThan(0);
  else expect(value).toBeTruthy();
}

type AreaPerson = {
  displayName: string | null;
  tenancies: { edges: unknown[] };
  referrals: { edges: unknown[] };
};
type Area = { incidents: { edges: { node: { involvements: { person: AreaPerson }[] } }[] } };
const peopleIn = (data: unknown) =>
  (data as Area).incidents.edges.flatMap((e) => e.node.involvements.map((i) => i.person));
const area = { lsoaCodes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06", first: 200 };

test("IncidentsInArea lists police's own incidents with the people involved", async () => {
  const response = await run("IncidentsInArea", area, policeOfficer);
  expectNonEmpty(response, (d: Area) => d.incidents.edges);
  const people = peopleIn(response.data);
  expect(people.length).toBeGreaterThan(0);
  expect(people.every((p) => typeof p.displayName === "string")).toBe(true);
});

test("IncidentsInArea for a council ASB officer adds tenancies (housing shares them) but not referrals (youth does not, for ASB)", async () => {
  const response = await run("IncidentsInArea", area, councilOfficer);
  expectNonEmpty(response, (d: Area) => d.incidents.edges);
  const people = peopleIn(response.data);
  expect(people.some((p) => p.tenancies.edges.length > 0)).toBe(true);
  expect(people.every((p) => p.referrals.edges.length === 0)).toBe(true);
});

test("Person360 shows a featured young person's records from every agency, under police safeguarding", async () => {
  const response = await run(
    "Person360",
    { id: "per-000002" },
    { ...policeOfficer, purpose: "SAFEGUARDING" },
  );
  const person = (
    response.data as { person: Record<string, { totalCount: number }> & { displayName: string } }
  ).person;
  expect(person.displayName).toBeTruthy();
  for (const list of ["incidents", "asbCases", "tenancies", "referrals", "enrolments"]) {
    expect({ list, totalCount: person[list].totalCount > 0 }).toEqual({ list, totalCount: true });
  }
  // Housing shares tenancies with police for safeguarding, but not arrears (FINANCIAL).
  const errors = (response.errors ?? []).map((e) => `${e.path?.slice(-1)}:${e.extensions?.reason}`);
  expect(new Set(errors)).toEqual(new Set(["arrearsBand:CATEGORY_NOT_COVERED"]));
});

test("AsbCaseDetail shows a case with parties, interventions and nearby police incidents", async () => {
  const id = await firstId(
    `{ asbCases(filter: { lsoaCodes: ${JSON.stringify(CASE_NEIGHBOURHOODS)} }, first: 1) { edges { node { id } } } }`,
    (d: { asbCases: { edges: { node: { id: string } }[] } }) => d.asbCases.edges[0].node.id,
    councilOfficer,
  );
  const response = await run("AsbCaseDetail", { id }, councilOfficer);
  expectNonEmpty(response, (d: { asbCase: { parties: unknown[] } }) => d.asbCase.parties);
  expect(
    (response.data as { asbCase: { nearbyIncidents: { totalCount: number } } }).asbCase.nearbyIncidents
      .totalCount,
  ).toBeGreaterThan(0);
});

// The demo's record keys are fixed by its seed (shared/demo/random.ts), so which of these few
// referrals' cells perturb to 0 is the same in every run: the lists are filled, or never.
test("NeighbourhoodDashboard gives monthly counts from every agency", async () => {
  const response = await run(
    "NeighbourhoodDashboard",
    { codes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06" },
    analyst,
  );
  expect(response.errors).toBeUndefined();
  const hoods = (response.data as { neighbourhoods: Record<string, unknown[]>[] }).neighbourhoods;
  expect(hoods).toHaveLength(CASE_NEIGHBOURHOODS.length);
  for (const stat of ["incidentStats", "asbCaseStats", "tenancyActionStats", "referralStats"]) {
    expect({ stat, cells: hoods.flatMap((h) => h[stat]).length > 0 }).toEqual({ stat, cells: true });
  }
});

test("ListAgreements lists the partnership's agreements", async () => {
  expectNonEmpty(await run("ListAgreements", {}, policeDso), (d: { agreements: unknown[] }) => d.agreements);
});

test("PersonConsents lists a young person's consents", async () => {
  expectNonEmpty(
    await run("PersonConsents", { personId: "per-000001" }, policeDso),
    (d: { person: { consents: unknown[] } }) => d.person.consents,
  );
});

test("Disclosures lists who saw a person's police data", async () => {
  expectNonEmpty(
    await run("Disclosures", { personId: "per-000011" }, policeDso),
    (d: { disclosures: { edges: unknown[] } }) => d.disclosures.edges,
  );
});

test("ExplainAccess explains a decision step by step", async () => {
  const response = await run(
    "ExplainAccess",
    { personId: "per-000011", ownerAgencyId: "police", category: "INCIDENT_SUMMARY" },
    councilOfficer,
  );
  expectNonEmpty(response, (d: { explainAccess: { steps: unknown[] } }) => d.explainAccess.steps);
});

test("BreakGlassToReview lists break-glass access to review", async () => {
  expectNonEmpty(
    await run("BreakGlassToReview", {}, policeDso),
    (d: { breakGlassEvents: unknown[] }) => d.breakGlassEvents,
  );
});

test("CaseBoard shows a problem-solving case with actions, linked records and assessment", async () => {
  const id = await firstId(
    `{ problemCases(first: 1) { edges { node { id } } } }`,
    (d: { problemCases: { edges: { node: { id: string } }[] } }) => d.problemCases.edges[0].node.id,
    councilOfficer,
  );
  const response = await run("CaseBoard", { id }, councilOfficer);
  expect(response.errors).toBeUndefined();
  const board = (
    response.data as { problemCase: Record<string, unknown[]> & { assessment: Record<string, unknown> } }
  ).problemCase;
  for (const list of [
    "actions",
    "people",
    "neighbourhoods",
    "linkedIncidents",
    "linkedAsbCases",
    "linkedTenancies",
  ]) {
    expect({ list, filled: board[list].length > 0 }).toEqual({ list, filled: true });
  }
  // Youth shares referrals for youth diversion and safeguarding, not for ASB case management.
  expect(board.linkedReferrals).toEqual([]);
  expect(board.assessment.baselineFrom).toMatch(/^\d{4}-\d{2}$/);
});

test("CaseReviewCandidates finds people over the community trigger threshold", async () => {
  expectNonEmpty(
    await run("CaseReviewCandidates", {}, councilOfficer),
    (d: { caseReviewCandidates: unknown[] }) => d.caseReviewCandidates,
  );
});

test("Notifications lists what needs a police DSO's attention, and MarkNotificationsRead marks it", async () => {
  type Page = { notifications: { unreadCount: number; edges: { node: { id: string; kind: string } }[] } };
  const response = await run("Notifications", {}, policeDso);
  expectNonEmpty(response, (d: Page) => d.notifications.edges);
  const page = (response.data as Page).notifications;
  // The demo's break-glass by the council into police data, and the draft awaiting police's approval.
  expect(page.edges.map((e) => e.node.kind).sort()).toEqual(
    expect.arrayContaining(["AGREEMENT_AWAITING_APPROVAL", "BREAK_GLASS_ON_OUR_DATA"]),
  );
  // Read by another police DSO, so that this test leaves the first one's inbox as it was.
  const reader = { ...policeDso, user: "police.dso.contract" };
  const marked = await run("MarkNotificationsRead", { ids: [page.edges[0].node.id] }, reader);
  expectNonEmpty(marked, (d: { markNotificationsRead: unknown[] }) => d.markNotificationsRead);
  expect(marked.data).toEqual({ markNotificationsRead: [{ id: page.edges[0].node.id, read: true }] });
  const after = (await run("Notifications", {}, reader)).data as Page;
  expect(after.notifications.unreadCount).toBe(page.unreadCount - 1);
});
