import { seedPartnership } from "../../subgraphs/partnership/seed";
import { partnership } from "../../subgraphs/partnership/server";
import { police as policeDefinition } from "../../subgraphs/police/server";
import { today } from "../../subgraphs/partnership/calendar";
import type { DemoReport } from "../../subgraphs/shared/demo/seed";
import { demoPeople, type DemoPerson } from "../../subgraphs/shared/demo/world";
import { CaseRecordKind, Role } from "../../subgraphs/shared/enums";
import { openAssessment, sealAssessment } from "../../subgraphs/shared/sealed-assessment";
import type { As } from "../support/graphql";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/** A date `years` years and `days` days before today (London), YYYY-MM-DD. */
function bornAgo(years: number, days = 0): string {
  const [y, m, d] = today().split("-").map(Number);
  return new Date(Date.UTC(y - years, m - 1, d - days)).toISOString().slice(0, 10);
}

// People on either side of each age band boundary: "tomorrow" is one day short of the birthday.
const AGE_PEOPLE: [string, string, string][] = [
  ["age-under13", bornAgo(13, -1), "UNDER_13"],
  ["age-13", bornAgo(13), "AGE_13_TO_15"],
  ["age-15", bornAgo(16, -1), "AGE_13_TO_15"],
  ["age-16", bornAgo(16), "AGE_16_TO_17"],
  ["age-17", bornAgo(18, -1), "AGE_16_TO_17"],
  ["age-18", bornAgo(18), "AGE_18_TO_24"],
  ["age-24", bornAgo(25, -1), "AGE_18_TO_24"],
  ["age-25", bornAgo(25), "AGE_25_TO_64"],
  ["age-64", bornAgo(65, -1), "AGE_25_TO_64"],
  ["age-65", bornAgo(65), "AGE_65_PLUS"],
];

const people: DemoPerson[] = [
  ...demoPeople(7, "small"),
  ...AGE_PEOPLE.map(([id, dateOfBirth]) => ({
    id,
    givenName: "Boundary",
    familyName: id,
    dateOfBirth,
    homeLsoa: "E01000001",
  })),
];

function report(personId: string, agencyId: string, recordId: string, reportedAt: string): DemoReport {
  return {
    personId,
    agencyId,
    recordKind: agencyId === "police" ? CaseRecordKind.INCIDENT : CaseRecordKind.ASB_CASE,
    recordId,
    reportedAt,
  };
}

// Reports people made to agencies: who holds records about them, for their agency references.
// (The case review threshold over each agency's own reports is tested in case-review.test.ts.)
const REPORTS: DemoReport[] = [
  // Two within six months: just below.
  report("per-000101", "police", "r101-1", "2019-01-10"),
  report("per-000101", "council", "r101-2", "2019-02-10"),
  // Three within six months, across three agencies: at the threshold.
  report("per-000102", "police", "r102-1", "2019-01-10"),
  report("per-000102", "council", "r102-2", "2019-03-05"),
  {
    personId: "per-000102",
    agencyId: "housing",
    recordKind: "HOUSING_REPORT",
    recordId: "r102-3",
    reportedAt: "2019-07-09",
  },
  // Four within six months (and one much later): above.
  report("per-000103", "council", "r103-1", "2019-02-01"),
  report("per-000103", "council", "r103-2", "2019-02-15"),
  report("per-000103", "police", "r103-3", "2019-03-01"),
  report("per-000103", "council", "r103-4", "2019-05-20"),
  report("per-000103", "police", "r103-5", "2020-05-20"),
  // Three, but the third falls exactly six months after the first: a span longer than the window.
  report("per-000104", "police", "r104-1", "2019-01-10"),
  report("per-000104", "police", "r104-2", "2019-04-01"),
  report("per-000104", "police", "r104-3", "2019-07-10"),
  // Three rows but one is the same report fed twice: two separate reports.
  report("per-000105", "council", "r105-1", "2019-01-10"),
  report("per-000105", "council", "r105-1", "2019-01-10"),
  report("per-000105", "police", "r105-2", "2019-01-20"),
];

const LINKABLE = {
  INCIDENT: ["inc-1", "inc-2"],
  ASB_CASE: ["asb-1"],
  TENANCY: ["ten-1"],
  REFERRAL: ["ref-1"],
};

const council: As = { agency: "council", purpose: "ASB_CASE_MANAGEMENT" };
const police: As = { agency: "police", purpose: "ASB_CASE_MANAGEMENT" };
const youth: As = { agency: "youth", purpose: "ASB_CASE_MANAGEMENT" };

let subgraph: TestSubgraph;
/** Police, which partnership asks whether it holds an incident before linking it. */
let policeSubgraph: TestSubgraph;
beforeAll(async () => {
  policeSubgraph = await startTestSubgraph(policeDefinition, (sql) =>
    sql.exec(
      `INSERT INTO incidents (id, source_key, reference, month, category, source)
       VALUES ('inc-77', 'test:inc-77', 'T77', '2019-03', 'ANTI_SOCIAL_BEHAVIOUR', 'test')`,
    ),
  );
  subgraph = await startTestSubgraph(
    partnership,
    (sql) => seedPartnership(sql, { seed: 7, scale: "small", people, linkable: LINKABLE, reports: REPORTS }),
    // The demo agreements decide which linked records a partner sees.
    {
      policy: (sql) => seedGovernance(sql, { seed: 7, scale: "small", people }),
      // Housing does not run here: a port nothing listens on (see "a holder that cannot answer").
      peerUrls: { police: policeSubgraph.url, housing: "http://127.0.0.1:9/graphql" },
    },
  );
});
afterAll(async () => {
  await subgraph.stop();
  await policeSubgraph.stop();
});

type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;
const argumentOf = (errors: Errors) => errors?.[0]?.extensions?.argument;
const codeOf = (errors: Errors) => errors?.[0]?.extensions?.code;

describe("people index", () => {
  test("a person has a display name, date of birth and each agency's reference", async () => {
    const res = await subgraph.query<{ person: Record<string, unknown> }>(
      `query($id: ID!) { person(id: $id) { id displayName givenName familyName dateOfBirth references { agency { id } reference } } }`,
      { id: "per-000001" },
      council,
    );
    expect(res.errors).toBeUndefined();
    const first = people[0];
    expect(res.data!.person).toMatchObject({
      id: "per-000001",
      displayName: `${first.givenName} ${first.familyName}`,
      dateOfBirth: first.dateOfBirth,
    });
    const refs = res.data!.person.references as { agency: { id: string }; reference: string }[];
    // Issue 9: an agency's reference is its data, shown where it shares with the caller for the
    // purpose; youth services share with the council only for youth diversion and safeguarding.
    expect(refs.map((r) => r.agency.id)).toEqual(["council", "housing", "police"]);
    expect(refs.find((r) => r.agency.id === "police")!.reference).toMatch(/^PNC-\d{2}\/\d{6}[A-Z]$/);
  });

  test("an unknown person is null", async () => {
    const res = await subgraph.query(`{ person(id: "per-999999") { id } }`, {}, council);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ person: null });
  });

  test("search matches the start of a given, family or full name, whatever the case", async () => {
    const target = people[0];
    const prefix = target.familyName.slice(0, 3).toUpperCase();
    const res = await subgraph.query<{
      people: {
        totalCount: number;
        edges: { node: { id: string; givenName: string; familyName: string } }[];
      };
    }>(
      `query($s: String) { people(search: $s, first: 500) { totalCount edges { node { id givenName familyName } } } }`,
      { s: prefix },
      council,
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.people.edges.map((e) => e.node);
    expect(nodes.map((n) => n.id)).toContain(target.id);
    const expected = people.filter((p) =>
      [p.givenName, p.familyName, `${p.givenName} ${p.familyName}`].some((n) =>
        n.toLowerCase().startsWith(prefix.toLowerCase()),
      ),
    );
    expect(res.data!.people.totalCount).toBe(expected.length);

    const full = `${target.givenName} ${target.familyName}`.toLowerCase();
    const byFull = await subgraph.query<{ people: { edges: { node: { id: string } }[] } }>(
      `query($s: String) { people(search: $s) { edges { node { id } } } }`,
      { s: full },
      council,
    );
    expect(byFull.data!.people.edges.map((e) => e.node.id)).toContain(target.id);

    const none = await subgraph.query<{ people: { totalCount: number } }>(
      `{ people(search: "%") { totalCount } }`,
      {},
      council,
    );
    expect(none.data!.people.totalCount).toBe(0);
  });

  test("search finds people by date of birth and by the caller's own reference, never another agency's", async () => {
    type Found = { people: { totalCount: number; edges: { node: { id: string } }[] } };
    const q = `query($s: String, $dob: Date, $ref: String) {
      people(search: $s, dateOfBirth: $dob, reference: $ref, first: 500) { totalCount edges { node { id } } } }`;
    const target = people[0];
    const byDob = await subgraph.query<Found>(q, { dob: target.dateOfBirth }, council);
    expect(byDob.errors).toBeUndefined();
    const bornThen = people.filter((p) => p.dateOfBirth === target.dateOfBirth).map((p) => p.id);
    expect(byDob.data!.people.edges.map((e) => e.node.id).sort()).toEqual(bornThen.sort());
    expect(byDob.data!.people.totalCount).toBe(bornThen.length);

    // Every filter given must match: the right date with another person's name finds no one.
    const other = people.find(
      (p) => p.familyName !== target.familyName && p.dateOfBirth !== target.dateOfBirth,
    )!;
    const mismatch = await subgraph.query<Found>(
      q,
      { dob: target.dateOfBirth, s: other.familyName },
      council,
    );
    expect(mismatch.data!.people.edges.filter((e) => e.node.id === target.id)).toEqual([]);

    const refs = await subgraph.query<{
      person: { references: { agency: { id: string }; reference: string }[] };
    }>(`{ person(id: "${target.id}") { references { agency { id } reference } } }`, {}, police);
    const policeRef = refs.data!.person.references.find((r) => r.agency.id === "police")!.reference;
    const byOwnRef = await subgraph.query<Found>(q, { ref: policeRef }, police);
    expect(byOwnRef.errors).toBeUndefined();
    expect(byOwnRef.data!.people.edges.map((e) => e.node.id)).toEqual([target.id]);

    // The council may not learn whom police know by that nominal: the search finds no one for it.
    const byOthersRef = await subgraph.query<Found>(q, { ref: policeRef }, council);
    expect(byOthersRef.errors).toBeUndefined();
    expect(byOthersRef.data!.people).toEqual({ totalCount: 0, edges: [] });

    const badDate = await subgraph.query(q, { dob: "2001-02-30" }, council);
    expect(codeOf(badDate.errors)).toBe("BAD_USER_INPUT");
  });

  test("pages follow on from each other and `first` over 500 is refused naming `first`", async () => {
    const q = `query($after: String) { people(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;
    type Page = {
      people: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string } }[];
      };
    };
    const one = await subgraph.query<Page>(q, {}, council);
    const two = await subgraph.query<Page>(q, { after: one.data!.people.pageInfo.endCursor }, council);
    expect(one.data!.people.totalCount).toBe(people.length);
    expect(one.data!.people.pageInfo.hasNextPage).toBe(true);
    const ids = [...one.data!.people.edges, ...two.data!.people.edges].map((e) => e.node.id);
    expect(new Set(ids).size).toBe(4);

    const all = await subgraph.query<Page>(
      `{ people(first: 4) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
      {},
      council,
    );
    expect(all.data!.people.edges.map((e) => e.node.id)).toEqual(ids);

    const tooMany = await subgraph.query(`{ people(first: 501) { totalCount } }`, {}, council);
    expect(codeOf(tooMany.errors)).toBe("BAD_USER_INPUT");
    expect(argumentOf(tooMany.errors)).toBe("first");
  });

  test("age band is worked out from the date of birth and today, at each boundary", async () => {
    const res = await subgraph.query<{ _entities: { id: string; ageBand: string }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id ageBand } } }`,
      { r: AGE_PEOPLE.map(([id]) => ({ __typename: "Person", id })) },
      council,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((p) => [p.id, p.ageBand])).toEqual(
      AGE_PEOPLE.map(([id, , band]) => [id, band]),
    );
  });

  test("resolving 5 or 50 people costs the same number of SQL statements", async () => {
    const q = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { displayName ageBand references { agency { id } reference } } } }`;
    const cost = async (n: number) => {
      const reps = people.slice(0, n).map((p) => ({ __typename: "Person", id: p.id }));
      const before = subgraph.sql.statements;
      const res = await subgraph.query<{ _entities: unknown[] }>(q, { r: reps }, council);
      expect(res.errors).toBeUndefined();
      expect(res.data!._entities).toHaveLength(n);
      return subgraph.sql.statements - before;
    };
    const five = await cost(5);
    const fifty = await cost(50);
    expect(fifty).toBe(five);
    expect(five).toBeLessThanOrEqual(2);
  });
});

describe("neighbourhoods", () => {
  test("come back in the order asked, with names and local authority", async () => {
    const res = await subgraph.query<{ neighbourhoods: Record<string, unknown>[] }>(
      `{ neighbourhoods(codes: ["E01032739", "E01000005"]) { code name localAuthority localAuthorityCode latitude longitude } }`,
      {},
      { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.neighbourhoods).toEqual([
      {
        code: "E01032739",
        name: "City of London 001F",
        localAuthority: "City of London",
        localAuthorityCode: "E09000001",
        latitude: 51.513775,
        longitude: -0.088023,
      },
      {
        code: "E01000005",
        name: "City of London 001E",
        localAuthority: "City of London",
        localAuthorityCode: "E09000001",
        latitude: 51.513548,
        longitude: -0.075814,
      },
    ]);
  });

  test("an unknown code is named in the error, and more than 100 codes are refused", async () => {
    const res = await subgraph.query(
      `{ neighbourhoods(codes: ["E01032739", "E09999999"]) { code } }`,
      {},
      council,
    );
    expect(argumentOf(res.errors)).toBe("codes");
    expect(res.errors![0].message).toContain("E09999999");
    expect(res.errors![0].message).not.toContain("E01032739");

    const codes = Array.from({ length: 101 }, (_, i) => `E0${String(i).padStart(7, "0")}`);
    const tooMany = await subgraph.query(
      `query($c: [String!]!) { neighbourhoods(codes: $c) { code } }`,
      { c: codes },
      council,
    );
    expect(argumentOf(tooMany.errors)).toBe("codes");

    const one = await subgraph.query(`{ neighbourhood(code: "E09999999") { code } }`, {}, council);
    expect(one.data).toEqual({ neighbourhood: null });
  });

  test("the list a dashboard picks from: by name, found by part of a name, code or local authority, capped", async () => {
    const analyst = { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" };
    type List = { neighbourhoodList: { code: string; name: string }[] };
    const all = await subgraph.query<List>(`{ neighbourhoodList { code name } }`, {}, analyst);
    expect(all.errors).toBeUndefined();
    const names = all.data!.neighbourhoodList.map((n) => n.name);
    expect(names.length).toBeGreaterThan(100);
    expect(names).toEqual([...names].sort());
    const byCode = await subgraph.query<List>(
      `{ neighbourhoodList(search: "e01032739") { code } }`,
      {},
      analyst,
    );
    expect(byCode.data!.neighbourhoodList).toEqual([{ code: "E01032739" }]);
    const byName = await subgraph.query<List>(
      `{ neighbourhoodList(search: "london 001") { name } }`,
      {},
      council,
    );
    expect(byName.data!.neighbourhoodList.length).toBeGreaterThan(1);
    expect(byName.data!.neighbourhoodList.every((n) => n.name.startsWith("City of London 001"))).toBe(true);
    // A pattern character is only a character.
    const wild = await subgraph.query<List>(`{ neighbourhoodList(search: "%") { code } }`, {}, analyst);
    expect(wild.data!.neighbourhoodList).toEqual([]);
    const three = await subgraph.query<List>(`{ neighbourhoodList(first: 3) { code } }`, {}, analyst);
    expect(three.data!.neighbourhoodList).toHaveLength(3);
    const tooMany = await subgraph.query(`{ neighbourhoodList(first: 501) { code } }`, {}, analyst);
    expect(argumentOf(tooMany.errors)).toBe("first");
  });
});

describe("problem-solving case lifecycle", () => {
  const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { id reference stage lead { id } partners { id } neighbourhoods { code } people { role person { id } } } }`;
  const ADD = `mutation($caseId: ID!, $input: CaseActionInput!) { addCaseAction(caseId: $caseId, input: $input) { id description status dueOn assignedAgency { id } completedBy } }`;
  const COMPLETE = `mutation($caseId: ID!, $actionId: ID!) { completeCaseAction(caseId: $caseId, actionId: $actionId) { id status completedAt completedBy } }`;
  const ADVANCE = `mutation($caseId: ID!, $stage: CaseStage!, $note: String!) { advanceCase(caseId: $caseId, stage: $stage, note: $note) { id stage } }`;
  const input = {
    title: "Motorbikes on the estate paths",
    problemType: "Vehicle nuisance",
    neighbourhoodCodes: ["E01032739"],
    partnerAgencyIds: ["police"],
    people: [
      { personId: "per-000101", role: "COMPLAINANT" },
      { personId: "per-000102", role: "PERPETRATOR" },
    ],
  };
  let caseId: string;

  const count = async (table: string) =>
    Number((await subgraph.sql.one<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))!.n);

  test("refuses bad input naming the argument, writing nothing", async () => {
    const before = [await count("problem_cases"), await count("case_events")];
    const cases: [Record<string, unknown>, string, string][] = [
      [{ neighbourhoodCodes: ["E01032739", "E09999999"] }, "input.neighbourhoodCodes", "E09999999"],
      [{ people: [{ personId: "per-000101", role: "BYSTANDER" }] }, "input.people[0].role", "BYSTANDER"],
      [{ people: [{ personId: "per-999999", role: "VICTIM" }] }, "input.people", "per-999999"],
      [{ partnerAgencyIds: ["police", "fire"] }, "input.partnerAgencyIds", "fire"],
      [{ title: "  " }, "input.title", ""],
    ];
    for (const [change, argument, named] of cases) {
      const res = await subgraph.query(OPEN, { input: { ...input, ...change } }, council);
      expect(argumentOf(res.errors)).toBe(argument);
      expect(res.errors![0].message).toContain(named);
    }
    expect([await count("problem_cases"), await count("case_events")]).toEqual(before);
  });

  test("council opens a case with police as partner, at SCANNING", async () => {
    const res = await subgraph.query<{ openCase: { id: string; reference: string } }>(
      OPEN,
      { input },
      { ...council, requestId: "req-open" },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.openCase).toMatchObject({
      stage: "SCANNING",
      lead: { id: "council" },
      partners: [{ id: "police" }],
      neighbourhoods: [{ code: "E01032739" }],
      people: [
        { role: "COMPLAINANT", person: { id: "per-000101" } },
        { role: "PERPETRATOR", person: { id: "per-000102" } },
      ],
    });
    expect(res.data!.openCase.reference).toMatch(new RegExp(`^PSC-${today().slice(0, 4)}-001$`));
    caseId = res.data!.openCase.id;
  });

  test("lead or partner adds actions; the assignee must be the lead or a partner", async () => {
    const overdue = await subgraph.query<{ addCaseAction: { id: string } }>(
      ADD,
      {
        caseId,
        input: { assignedAgencyId: "police", description: "Patrol the paths at dusk", dueOn: "2000-01-31" },
      },
      { ...council, requestId: "req-add-1" },
    );
    expect(overdue.errors).toBeUndefined();
    expect(overdue.data!.addCaseAction).toMatchObject({
      status: "OVERDUE",
      dueOn: "2000-01-31",
      assignedAgency: { id: "police" },
      completedBy: null,
    });

    const open = await subgraph.query<{ addCaseAction: { status: string } }>(
      ADD,
      {
        caseId,
        input: { assignedAgencyId: "council", description: "Install barriers", dueOn: "2999-12-31" },
      },
      { ...police, requestId: "req-add-2" },
    );
    expect(open.data!.addCaseAction.status).toBe("OPEN");

    const notPartner = await subgraph.query(
      ADD,
      { caseId, input: { assignedAgencyId: "youth", description: "Outreach", dueOn: "2999-01-01" } },
      council,
    );
    expect(argumentOf(notPartner.errors)).toBe("input.assignedAgencyId");

    const outsider = await subgraph.query(
      ADD,
      { caseId, input: { assignedAgencyId: "youth", description: "Outreach", dueOn: "2999-01-01" } },
      youth,
    );
    // Issue 9: a case the caller is not a party to is answered as a missing one.
    expect(codeOf(outsider.errors)).toBe("NOT_FOUND");
  });

  test("only the assigned agency completes an action", async () => {
    const actions = await subgraph.query<{
      problemCase: { actions: { id: string; assignedAgency: { id: string } }[] };
    }>(
      `query($id: ID!) { problemCase(id: $id) { actions { id assignedAgency { id } } } }`,
      { id: caseId },
      council,
    );
    const policeAction = actions.data!.problemCase.actions.find((a) => a.assignedAgency.id === "police")!;

    // Issue 9: the declared actor rule of CaseAction; a partner that sees the action may not act on it.
    const byCouncil = await subgraph.query(COMPLETE, { caseId, actionId: policeAction.id }, council);
    expect(codeOf(byCouncil.errors)).toBe("FORBIDDEN");
    expect(byCouncil.errors![0]!.extensions!.reason).toBe("ROLE_NOT_PERMITTED");
    expect(byCouncil.data?.completeCaseAction ?? null).toBeNull();

    const byPolice = await subgraph.query<{ completeCaseAction: Record<string, unknown> }>(
      COMPLETE,
      { caseId, actionId: policeAction.id },
      { ...police, user: "pc.hughes", requestId: "req-complete" },
    );
    expect(byPolice.errors).toBeUndefined();
    expect(byPolice.data!.completeCaseAction).toMatchObject({
      id: policeAction.id,
      status: "DONE",
      completedBy: "pc.hughes",
    });
    expect(byPolice.data!.completeCaseAction.completedAt).toEqual(expect.any(String));
  });

  test("moves forward one stage at a time, back only with a real note, and not at all once closed", async () => {
    const move = (stage: string, note: string, as: As = council, requestId?: string) =>
      subgraph.query<{ advanceCase: { stage: string } }>(
        ADVANCE,
        { caseId, stage, note },
        { ...as, requestId },
      );

    const forward = await move("ANALYSIS", "Reports and patrol logs gathered", police, "req-analysis");
    expect(forward.errors).toBeUndefined();
    expect(forward.data!.advanceCase.stage).toBe("ANALYSIS");

    const skip = await move("ASSESSMENT", "Straight to assessment");
    expect(argumentOf(skip.errors)).toBe("stage");
    const same = await move("ANALYSIS", "Still analysing");
    expect(argumentOf(same.errors)).toBe("stage");
    const noNote = await move("RESPONSE", "   ");
    expect(argumentOf(noNote.errors)).toBe("note");

    expect(
      (await move("RESPONSE", "Barriers and patrols agreed", council, "req-response")).data!.advanceCase
        .stage,
    ).toBe("RESPONSE");

    const shortBack = await move("ANALYSIS", "redo");
    expect(argumentOf(shortBack.errors)).toBe("note");
    const back = await move("ANALYSIS", "New reports point to a second group of riders", council, "req-back");
    expect(back.data!.advanceCase.stage).toBe("ANALYSIS");

    for (const [stage, requestId] of [
      ["RESPONSE", "req-r2"],
      ["ASSESSMENT", "req-assess"],
    ]) {
      const res = await move(stage, `Moving on to ${stage.toLowerCase()}`, council, requestId);
      expect(res.errors).toBeUndefined();
      expect(res.data!.advanceCase.stage).toBe(stage);
    }
    // Closing is not a stage move: it needs the lead and an outcome (closeCase).
    const noOutcome = await move("CLOSED", "Nothing more to do here", council);
    expect(argumentOf(noOutcome.errors)).toBe("stage");
    const closedByLead = await subgraph.query<{ closeCase: { stage: string } }>(
      `mutation($caseId: ID!) { closeCase(caseId: $caseId, outcome: RESOLVED, note: "Moving on to closed") { stage } }`,
      { caseId },
      { ...council, requestId: "req-close" },
    );
    expect(closedByLead.errors).toBeUndefined();
    expect(closedByLead.data!.closeCase.stage).toBe("CLOSED");
    for (const stage of ["ASSESSMENT", "SCANNING"]) {
      const closed = await move(stage, "Reopening the case after new reports came in");
      expect(argumentOf(closed.errors)).toBe("caseId");
    }

    const history = await subgraph.query<{
      problemCase: { stage: string; stageHistory: Record<string, unknown>[] };
    }>(
      `query($id: ID!) { problemCase(id: $id) { stage stageHistory { from to note by agency { id } } } }`,
      { id: caseId },
      police,
    );
    expect(history.data!.problemCase.stage).toBe("CLOSED");
    expect(history.data!.problemCase.stageHistory.map((h) => [h.from, h.to])).toEqual([
      [null, "SCANNING"],
      ["SCANNING", "ANALYSIS"],
      ["ANALYSIS", "RESPONSE"],
      ["RESPONSE", "ANALYSIS"],
      ["ANALYSIS", "RESPONSE"],
      ["RESPONSE", "ASSESSMENT"],
      ["ASSESSMENT", "CLOSED"],
    ]);
    expect(history.data!.problemCase.stageHistory[3]).toMatchObject({
      note: "New reports point to a second group of riders",
      by: "council.practitioner",
      agency: { id: "council" },
    });
  });

  test("every change is in case_events with who, which agency and the request id; refusals left none", async () => {
    const rows = await subgraph.sql.many<{
      event: string;
      user_id: string;
      agency_id: string;
      request_id: string;
    }>(`SELECT event, user_id, agency_id, request_id FROM case_events WHERE case_id = $1 ORDER BY id`, [
      caseId,
    ]);
    expect(rows.map((r) => [r.event, r.agency_id, r.request_id])).toEqual([
      ["CASE_OPENED", "council", "req-open"],
      ["ACTION_ADDED", "council", "req-add-1"],
      ["ACTION_ADDED", "police", "req-add-2"],
      ["ACTION_COMPLETED", "police", "req-complete"],
      ["STAGE_CHANGED", "police", "req-analysis"],
      ["STAGE_CHANGED", "council", "req-response"],
      ["STAGE_CHANGED", "council", "req-back"],
      ["STAGE_CHANGED", "council", "req-r2"],
      ["STAGE_CHANGED", "council", "req-assess"],
      ["CLOSED", "council", "req-close"],
    ]);
    expect(rows[3].user_id).toBe("pc.hughes");
    // Refused to the service (no DELETE granted), and to the table's owner by its trigger.
    await expect(subgraph.sql.exec(`DELETE FROM case_events WHERE case_id = $1`, [caseId])).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      subgraph.adminSql.exec(`DELETE FROM case_events WHERE case_id = $1`, [caseId]),
    ).rejects.toThrow(/append-only/);
  });

  test("a youth practitioner neither sees nor changes a council case with police", async () => {
    const one = await subgraph.query(
      `query($id: ID!) { problemCase(id: $id) { id } }`,
      { id: caseId },
      youth,
    );
    expect(one.errors).toBeUndefined();
    expect(one.data).toEqual({ problemCase: null });

    const list = await subgraph.query<{ problemCases: { edges: { node: { id: string } }[] } }>(
      `{ problemCases(first: 100) { edges { node { id } } } }`,
      {},
      youth,
    );
    const ids = list.data!.problemCases.edges.map((e) => e.node.id);
    expect(ids).not.toContain(caseId);
    expect(ids).not.toContain("psc-2019-002"); // police-led with housing and council
    expect(ids).toContain("psc-2019-001"); // youth is a partner

    const entity = await subgraph.query<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on ProblemCase { id } } }`,
      { r: [{ __typename: "ProblemCase", id: caseId }] },
      youth,
    );
    expect(entity.data!._entities).toEqual([null]);

    const link = await subgraph.query(
      `mutation($id: ID!) { linkCaseRecord(caseId: $id, record: { kind: INCIDENT, id: "inc-9" }) { id } }`,
      { id: caseId },
      youth,
    );
    expect(codeOf(link.errors)).toBe("NOT_FOUND");
    const missing = await subgraph.query(
      `mutation { linkCaseRecord(caseId: "psc-no-such-case", record: { kind: INCIDENT, id: "inc-9" }) { id } }`,
      {},
      youth,
    );
    expect(missing.errors?.[0]?.extensions).toEqual(link.errors?.[0]?.extensions);
  });

  test("problemCases filters by stage", async () => {
    const res = await subgraph.query<{
      problemCases: { totalCount: number; edges: { node: { id: string; stage: string } }[] };
    }>(`{ problemCases(stage: CLOSED) { totalCount edges { node { id stage } } } }`, {}, council);
    expect(res.data!.problemCases.edges.map((e) => e.node.id).sort()).toEqual(
      [caseId, "psc-2019-005"].sort(),
    );
  });
});

describe("changing a case one is not a party to (issue 15: the case's declared party rule, enforced by the shared code)", () => {
  // psc-2019-002 is police-led with housing and the council: youth services are not a party to it.
  const CASE = "psc-2019-002";
  const MUTATIONS: [string, string][] = [
    [
      "addCaseAction",
      `mutation($caseId: ID!) { addCaseAction(caseId: $caseId, input: { assignedAgencyId: "youth", description: "Outreach", dueOn: "2999-01-01" }) { id } }`,
    ],
    [
      "advanceCase",
      `mutation($caseId: ID!) { advanceCase(caseId: $caseId, stage: CLOSED, note: "Closing a case we cannot see") { id } }`,
    ],
    [
      "linkCaseRecord",
      `mutation($caseId: ID!) { linkCaseRecord(caseId: $caseId, record: { kind: INCIDENT, id: "inc-77" }) { id } }`,
    ],
    [
      "completeCaseAction",
      `mutation($caseId: ID!, $actionId: ID!) { completeCaseAction(caseId: $caseId, actionId: $actionId) { id } }`,
    ],
  ];
  const state = () =>
    subgraph.sql.one<{ events: string; stage: string; actions: string; done: string; links: string }>(
      `SELECT (SELECT count(*) FROM case_events WHERE case_id = $1) AS events,
              (SELECT stage FROM problem_cases WHERE id = $1) AS stage,
              (SELECT count(*) FROM case_actions WHERE case_id = $1) AS actions,
              (SELECT count(*) FROM case_actions WHERE case_id = $1 AND completed_at IS NOT NULL) AS done,
              (SELECT count(*) FROM case_records WHERE case_id = $1) AS links`,
      [CASE],
    );

  test.each(MUTATIONS)(
    "%s by a non-party: NOT_FOUND, as for an unknown case, and nothing written",
    async (_, m) => {
      const action = await subgraph.sql.one<{ id: string }>(
        `SELECT id FROM case_actions WHERE case_id = $1 LIMIT 1`,
        [CASE],
      );
      const actionId = action?.id ?? "act-none";
      const before = await state();
      const refused = await subgraph.query(m, { caseId: CASE, actionId }, youth);
      const unknown = await subgraph.query(m, { caseId: "psc-no-such-case", actionId }, youth);
      expect(refused.errors?.[0]?.extensions).toEqual({ code: "NOT_FOUND" });
      expect(refused.errors?.[0]?.message).toBe(`problem case ${CASE} not found`);
      expect(unknown.errors?.[0]?.extensions).toEqual(refused.errors?.[0]?.extensions);
      expect(refused.data).toBeNull();
      expect(await state()).toEqual(before);
    },
  );
});

describe("linking records", () => {
  test("linking the same record twice is refused the second time, naming `record`; it is linked once with one event", async () => {
    const link = `mutation($id: ID!) { linkCaseRecord(caseId: $id, record: { kind: INCIDENT, id: "inc-77" }) { id linkedIncidents { id } } }`;
    const first = await subgraph.query<{ linkCaseRecord: { linkedIncidents: { id: string }[] } }>(
      link,
      { id: "psc-2019-004" },
      police,
    );
    const second = await subgraph.query<{ linkCaseRecord: { linkedIncidents: { id: string }[] } }>(
      link,
      { id: "psc-2019-004" },
      council,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.linkCaseRecord.linkedIncidents.filter((i) => i.id === "inc-77")).toHaveLength(1);
    // Issue 17: a record already linked is refused.
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "record" });
    const events = await subgraph.sql.many(
      `SELECT 1 FROM case_events WHERE case_id = 'psc-2019-004' AND event = 'RECORD_LINKED' AND detail->>'recordId' = 'inc-77'`,
    );
    expect(events).toHaveLength(1);
  });
});

describe("the demo cases", () => {
  test("a case board shows partners, people, actions and links of every kind", async () => {
    type Board = {
      reference: string;
      partners: { id: string }[];
      neighbourhoods: { name: string }[];
      people: { person: { displayName: string } }[];
      actions: { status: string }[];
      linkedIncidents: { id: string }[];
      linkedAsbCases: { id: string }[];
      linkedTenancies: { id: string }[];
      linkedReferrals: { id: string }[];
    };
    const res = await subgraph.query<{ problemCase: Board }>(
      `query($id: ID!) { problemCase(id: $id) {
        id reference title problemType stage riskLevel openedAt lead { id } partners { id }
        neighbourhoods { code name } people { role person { id displayName } }
        actions { id description status dueOn assignedAgency { id } }
        linkedIncidents { id } linkedAsbCases { id } linkedTenancies { id } linkedReferrals { id } restricted { count }
      } }`,
      { id: "psc-2019-001" },
      council,
    );
    expect(res.errors).toBeUndefined();
    const c = res.data!.problemCase;
    expect(c).toMatchObject({
      reference: "PSC-2019-001",
      stage: "RESPONSE",
      lead: { id: "council" },
      restricted: [],
    });
    expect(c.partners.map((p) => p.id)).toEqual(["housing", "police", "youth"]);
    expect(c.neighbourhoods.map((n) => n.name)).toEqual(["City of London 001F", "City of London 001G"]);
    expect(c.people.length).toBeGreaterThan(0);
    expect(c.people[0].person.displayName).toMatch(/^\S+ \S+$/);
    const statuses = c.actions.map((a) => a.status);
    expect(statuses).toContain("DONE");
    expect(statuses).toContain("OVERDUE");
    expect(c.linkedIncidents.length).toBeGreaterThan(0);
    expect(c.linkedAsbCases).toEqual([{ id: "asb-1" }]);
    expect(c.linkedTenancies).toEqual([{ id: "ten-1" }]);
    // Youth shares referrals with the council for youth diversion and safeguarding, not for ASB.
    expect(c.linkedReferrals).toEqual([]);

    const stages = await subgraph.sql.many<{ stage: string }>(
      `SELECT DISTINCT stage FROM problem_cases WHERE reference LIKE 'PSC-2019-%'`,
    );
    expect(stages.map((s) => s.stage).sort()).toEqual([
      "ANALYSIS",
      "ASSESSMENT",
      "CLOSED",
      "RESPONSE",
      "SCANNING",
    ]);
  });
});

describe("linked records through the access rules", () => {
  const BOARD = `query($id: ID!) { problemCase(id: $id) {
    linkedIncidents { id } linkedReferrals { id }
    restricted { agency { id } category count contact }
  } }`;

  test("under safeguarding the council sees the youth referral, and police incidents are withheld but signposted", async () => {
    const res = await subgraph.query<{
      problemCase: {
        linkedIncidents: unknown[];
        linkedReferrals: unknown[];
        restricted: Record<string, unknown>[];
      };
    }>(BOARD, { id: "psc-2019-001" }, { ...council, purpose: "SAFEGUARDING" });
    expect(res.errors).toBeUndefined();
    const c = res.data!.problemCase;
    expect(c.linkedReferrals).toEqual([{ id: "ref-1" }]);
    expect(c.linkedIncidents).toEqual([]);
    const linked = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM case_records WHERE case_id = 'psc-2019-001' AND kind = 'INCIDENT'`,
    );
    expect(Number(linked!.n)).toBeGreaterThan(0);
    // Police share with the council only for ASB case management and crime prevention, but the
    // council shares with police for safeguarding: so the council is told whom to ask.
    expect(c.restricted).toEqual([
      {
        agency: { id: "police" },
        category: "INCIDENT_SUMMARY",
        count: Number(linked!.n),
        contact: expect.any(String),
      },
    ]);
  });

  test("a holder that cannot answer which linked records it releases releases none, and names none", async () => {
    // Housing shares tenancies with the council for safeguarding only with consent: only housing
    // can say whose, and it cannot be reached.
    const agreement = "agr-links-unreachable-holder";
    await subgraph.policySql.exec(
      `INSERT INTO agreements (id, reference, title, provider_agency_id, recipient_agency_id, status, purposes,
                               categories, consent_required_for, lawful_basis, valid_from, valid_to, review_date,
                               proposed_by, proposed_at)
       VALUES ($1, 'ISA-LINKS-UNREACHABLE', 'Unreachable holder', 'housing', 'council', 'ACTIVE', '{SAFEGUARDING}',
               '{TENANCY}', '{TENANCY}', 'UK GDPR Art 6(1)(e)', current_date - 30, current_date + 365,
               current_date + 180, 'test', now())`,
      [agreement],
    );
    await subgraph.policySql.exec(
      `INSERT INTO agreement_approvals (agreement_id, agency_id, approved_by, approved_at)
       SELECT $1, agency, 'test', now() FROM unnest('{housing,council}'::text[]) AS agency`,
      [agreement],
    );
    try {
      const res = await subgraph.query<{
        problemCase: { linkedTenancies: unknown[]; restricted: { agency: { id: string }; count: number }[] };
      }>(
        `query($id: ID!) { problemCase(id: $id) { linkedTenancies { id } restricted { agency { id } category count } } }`,
        { id: "psc-2019-001" },
        { ...council, purpose: "SAFEGUARDING" },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.problemCase.linkedTenancies).toEqual([]);
      expect(JSON.stringify(res.data)).not.toContain("ten-1");
      expect(res.data!.problemCase.restricted.filter((r) => r.agency.id === "housing")).toEqual([
        { agency: { id: "housing" }, category: "TENANCY", count: 1 },
      ]);
    } finally {
      await subgraph.policySql.exec(`DELETE FROM agreement_approvals WHERE agreement_id = $1`, [agreement]);
      await subgraph.policySql.exec(`DELETE FROM agreements WHERE id = $1`, [agreement]);
    }
  });

  test("withheld records are not signposted where no agreement for the purpose exists", async () => {
    const res = await subgraph.query<{ problemCase: { linkedReferrals: unknown[]; restricted: unknown[] } }>(
      BOARD,
      { id: "psc-2019-001" },
      council,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.problemCase.linkedReferrals).toEqual([]);
    expect(res.data!.problemCase.restricted).toEqual([]);
  });
});

describe("case assessment", () => {
  test("a case opened in April 2019 compares Oct 2018 to Mar 2019 with Apr to Sep 2019", async () => {
    const res = await subgraph.query<{ problemCase: { assessment: Record<string, string> } }>(
      `{ problemCase(id: "psc-2019-001") { openedAt assessment(windowMonths: 6) { id baselineFrom baselineTo followUpFrom followUpTo } } }`,
      {},
      council,
    );
    expect(res.errors).toBeUndefined();
    const id = res.data!.problemCase.assessment.id;
    // Sealed for the asking agency: case, neighbourhoods, windows and agency, then the seal.
    expect(id).toMatch(
      /^psc-2019-001\|E01032739,E01032740\|2018-10\|2019-03\|2019-04\|2019-09\|council\|[\w-]{43}$/,
    );
    expect(openAssessment(id, "council")).toMatchObject({
      caseId: "psc-2019-001",
      lsoaCodes: ["E01032739", "E01032740"],
    });
    expect(openAssessment(id, "police")).toBeUndefined();
    expect(res.data!.problemCase.assessment).toEqual({
      id,
      baselineFrom: "2018-10",
      baselineTo: "2019-03",
      followUpFrom: "2019-04",
      followUpTo: "2019-09",
    });
  });

  test("windowMonths outside 1 to 24 is refused", async () => {
    for (const w of [0, 25]) {
      const res = await subgraph.query(
        `query($w: Int!) { problemCase(id: "psc-2019-001") { assessment(windowMonths: $w) { id } } }`,
        { w },
        council,
      );
      expect(argumentOf(res.errors)).toBe("windowMonths");
    }
  });

  test("resolves only ids sealed for the caller: suppressed when any count police or the council gave is null", async () => {
    const id = sealAssessment({
      caseId: "psc-2019-001",
      agencyId: "council",
      lsoaCodes: ["E01032739", "E01032740"],
      baselineFrom: "2018-10",
      baselineTo: "2019-03",
      followUpFrom: "2019-04",
      followUpTo: "2019-09",
    }).id;
    const res = await subgraph.query<{ _entities: Record<string, unknown>[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on CaseAssessment { id baselineFrom followUpTo suppressed } } }`,
      {
        r: [
          {
            __typename: "CaseAssessment",
            id,
            incidentsBefore: 40,
            incidentsAfter: 25,
            asbCasesBefore: 12,
            asbCasesAfter: 9,
          },
          {
            __typename: "CaseAssessment",
            id,
            incidentsBefore: 40,
            incidentsAfter: 25,
            asbCasesBefore: null,
            asbCasesAfter: 9,
          },
          { __typename: "CaseAssessment", id: "not an assessment" },
          // The composite ids of before, made up by a caller, resolve to nothing.
          { __typename: "CaseAssessment", id: "E01032739,E01032740|2018-10|2019-03|2019-04|2019-09" },
        ],
      },
      { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      { id, baselineFrom: "2018-10", followUpTo: "2019-09", suppressed: false },
      { id, baselineFrom: "2018-10", followUpTo: "2019-09", suppressed: true },
      null,
      null,
    ]);
    // Another agency cannot use the council's id.
    const other = await subgraph.query<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on CaseAssessment { id } } }`,
      { r: [{ __typename: "CaseAssessment", id }] },
      { agency: "housing", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(other.data!._entities).toEqual([null]);
  });
});
