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

test("AgreementLifecycle: review due and recorded, reinstated by both parties, amended as a new version", async () => {
  const dso = (agency: string): As => ({ agency, role: Role.DATA_SHARING_OFFICER, purpose: "SAFEGUARDING" });
  const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  // Youth services and housing share nothing in the demo: an agreement of their own, due for review.
  const proposed = await fed.query<{ proposeAgreement: { id: string } }>(
    `mutation ($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id } }`,
    {
      input: {
        title: "Youth programme records for tenancy sustainment",
        providerAgencyId: "youth",
        recipientAgencyId: "housing",
        purposes: ["TENANCY_SUSTAINMENT"],
        categories: ["YOUTH_PROGRAMME"],
        consentRequiredFor: [],
        lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
        validFrom: "2025-01-01",
        validTo: day(800),
        reviewDate: day(10),
      },
    },
    dso("youth"),
  );
  expect(proposed.errors).toBeUndefined();
  const id = proposed.data!.proposeAgreement.id;
  // Revoked at the end, both versions: the shared demo databases must not keep an agreement that
  // other test files rely on being absent (youth and housing share nothing).
  const created = [id];
  try {
    for (const agency of ["youth", "housing"])
      expect(
        (await fed.query(`mutation ($id: ID!) { approveAgreement(id: $id) { id } }`, { id }, dso(agency)))
          .errors,
      ).toBeUndefined();

    const due = await run("AgreementsDueForReview", {}, dso("housing"));
    expectNonEmpty(due, (d: { agreementsDueForReview: { id: string }[] }) =>
      d.agreementsDueForReview.filter((a) => a.id === id),
    );
    const reviewed = await run(
      "RecordAgreementReview",
      { id, nextReviewDate: day(365), note: "Still needed" },
      dso("youth"),
    );
    expectNonEmpty(
      reviewed,
      (d: { recordAgreementReview: { reviews: unknown[] } }) => d.recordAgreementReview.reviews,
    );

    await fed.query(
      `mutation ($id: ID!) { suspendAgreement(id: $id, reason: "Concern") { id } }`,
      { id },
      dso("housing"),
    );
    await run("ReinstateAgreement", { id, note: "Resolved" }, dso("youth"));
    const reinstated = await run("ReinstateAgreement", { id, note: "Resolved" }, dso("housing"));
    expectNonEmpty(
      reinstated,
      (d: { reinstateAgreement: { status: string } }) => d.reinstateAgreement.status === "ACTIVE",
    );

    const amended = await run(
      "AmendAgreement",
      { id, input: { categories: ["YOUTH_PROGRAMME", "EDUCATION"], note: "Attendance too" } },
      dso("housing"),
    );
    expectNonEmpty(
      amended,
      (d: { amendAgreement: { version: number; supersedes: { id: string } } }) =>
        d.amendAgreement.version === 2 && d.amendAgreement.supersedes.id === id,
    );
    const v2 = (amended.data as { amendAgreement?: { id?: string } } | undefined)?.amendAgreement?.id;
    if (v2) created.push(v2);
  } finally {
    for (const agreement of created.reverse())
      await fed.query(
        `mutation ($id: ID!) { revokeAgreement(id: $id, reason: "Contract test done") { id } }`,
        { id: agreement },
        dso("youth"),
      );
  }
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

test("SubjectAccessExport gives a police DSO the person's police records and their disclosures", async () => {
  const response = await run(
    "SubjectAccessExport",
    { personId: "per-000011" },
    { ...policeDso, purpose: "DATA_PROTECTION" },
  );
  expectNonEmpty(
    response,
    (d: { subjectAccessExport: { recordCount: number; disclosureCount: number } }) =>
      d.subjectAccessExport.recordCount > 0 && d.subjectAccessExport.disclosureCount > 0,
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

test("CaseWork: notes, a risk assessment, people and partners, actions handed on and cancelled, a record unlinked, each agency's actions, and closing, on a case housing opens", async () => {
  const policeCaseWorker: As = { ...policeOfficer, purpose: "ASB_CASE_MANAGEMENT" };
  const housingOfficer: As = { agency: "housing", role: Role.PRACTITIONER, purpose: "ASB_CASE_MANAGEMENT" };
  const ok = async <T>(name: string, variables: Record<string, unknown>, as: As): Promise<T> => {
    const response = await run(name, variables, as);
    expect({ name, errors: response.errors }).toEqual({ name, errors: undefined });
    return response.data as T;
  };
  // Added to the shared demo, not changed: a case of its own, which the council (whose newest
  // case CaseBoard reads) is not a party to.
  const { openCase } = await ok<{ openCase: { id: string } }>(
    "OpenCase",
    {
      input: {
        title: "Contract: harassment on the estate",
        problemType: "Targeted harassment",
        neighbourhoodCodes: [CASE_NEIGHBOURHOODS[0]],
        partnerAgencyIds: ["police"],
        people: [
          { personId: "per-000011", role: "VICTIM" },
          { personId: "per-000012", role: "PERPETRATOR" },
        ],
      },
    },
    housingOfficer,
  );
  const caseId = openCase.id;

  const note = await ok<{ addCaseNote: { author: { agency: { id: string } } } }>(
    "AddCaseNote",
    { caseId, text: "Visited the victim; diary sheets left" },
    policeCaseWorker,
  );
  expect(note.addCaseNote.author.agency.id).toBe("police");
  const notes = await ok<{ problemCase: { notes: { totalCount: number } } }>(
    "CaseNotes",
    { caseId },
    housingOfficer,
  );
  expect(notes.problemCase.notes.totalCount).toBe(1);

  const { victimRiskQuestions } = await ok<{ victimRiskQuestions: { code: string }[] }>(
    "RiskQuestions",
    {},
    housingOfficer,
  );
  expect(victimRiskQuestions.length).toBeGreaterThan(0);
  const assessed = await ok<{ assessVictimRisk: { level: string } }>(
    "AssessVictimRisk",
    {
      caseId,
      personId: "per-000011",
      answers: victimRiskQuestions.map((q) => ({ question: q.code, answer: q.code !== "SELF_HARM" })),
    },
    housingOfficer,
  );
  expect(assessed.assessVictimRisk.level).toBe("HIGH");

  const people = await ok<{ setCasePeople: { people: unknown[] } }>(
    "SetCasePeople",
    { caseId, people: [{ personId: "per-000011", role: "VICTIM" }], note: "The perpetrator has moved away" },
    housingOfficer,
  );
  expect(people.setCasePeople.people).toHaveLength(1);
  const partners = await ok<{ setCasePartners: { partners: { id: string }[] } }>(
    "SetCasePartners",
    { caseId, partnerAgencyIds: ["police", "youth"], note: "Youth outreach knows the group" },
    housingOfficer,
  );
  expect(partners.setCasePartners.partners.map((p) => p.id)).toEqual(["police", "youth"]);

  const addAction = (description: string) =>
    ok<{ addCaseAction: { id: string } }>(
      "AddCaseAction",
      { caseId, input: { assignedAgencyId: "police", description, dueOn: "2999-01-31" } },
      housingOfficer,
    );
  const patrol = (await addAction("Patrol the block at night")).addCaseAction.id;
  const visit = (await addAction("Visit the victim")).addCaseAction.id;
  const reassigned = await ok<{ reassignCaseAction: { assignedAgency: { id: string } } }>(
    "ReassignCaseAction",
    { actionId: visit, assignedAgencyId: "youth", note: "The outreach worker visits weekly" },
    policeCaseWorker,
  );
  expect(reassigned.reassignCaseAction.assignedAgency.id).toBe("youth");
  const cancelled = await ok<{ cancelCaseAction: { status: string } }>(
    "CancelCaseAction",
    { actionId: visit, reason: "The victim asked not to be visited" },
    { ...housingOfficer, agency: "youth" },
  );
  expect(cancelled.cancelCaseAction.status).toBe("CANCELLED");
  const mine = await ok<{ myAgencyActions: { edges: { node: { id: string; case: { id: string } } }[] } }>(
    "MyAgencyActions",
    { status: "OPEN", first: 500 },
    policeCaseWorker,
  );
  expect(mine.myAgencyActions.edges.map((e) => e.node.id)).toContain(patrol);

  const incident = await firstId(
    `{ incidents(filter: { lsoaCodes: ${JSON.stringify(CASE_NEIGHBOURHOODS)} }, first: 1) { edges { node { id } } } }`,
    (d: { incidents: { edges: { node: { id: string } }[] } }) => d.incidents.edges[0].node.id,
    policeCaseWorker,
  );
  await ok("LinkCaseRecord", { caseId, record: { kind: "INCIDENT", id: incident } }, policeCaseWorker);
  await ok(
    "UnlinkCaseRecord",
    { caseId, record: { kind: "INCIDENT", id: incident }, reason: "A different street" },
    housingOfficer,
  );

  const closed = await ok<{ closeCase: { stage: string; outcome: string; closedAt: string } }>(
    "CloseCase",
    { caseId, outcome: "REDUCED", note: "Reports down to one a month" },
    housingOfficer,
  );
  expect(closed.closeCase).toMatchObject({
    stage: "CLOSED",
    outcome: "REDUCED",
    closedAt: expect.any(String),
  });
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
