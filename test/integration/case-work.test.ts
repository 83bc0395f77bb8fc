import { seedGovernance } from "../../subgraphs/governance/seed";
import { VICTIM_RISK_QUESTIONS } from "../../subgraphs/partnership/risk";
import { seedPartnership } from "../../subgraphs/partnership/seed";
import { partnership } from "../../subgraphs/partnership/server";
import { police as policeDefinition } from "../../subgraphs/police/server";
import { roleName } from "../../subgraphs/shared/database-roles";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * Case work beyond the SARA stages (issue 17): notes, victim risk, the lead changing people and
 * partners, unlinking, closing with an outcome, and each agency's own actions. Each rule is
 * tried by the caller it is for and by one it must refuse.
 */
const people = demoPeople(7, "small");
const council: As = { agency: "council", purpose: "ASB_CASE_MANAGEMENT" };
const police: As = { agency: "police", purpose: "ASB_CASE_MANAGEMENT" };
const youth: As = { agency: "youth", purpose: "ASB_CASE_MANAGEMENT" };
const housing: As = { agency: "housing", purpose: "ASB_CASE_MANAGEMENT" };

let subgraph: TestSubgraph;
let policeSubgraph: TestSubgraph;
beforeAll(async () => {
  policeSubgraph = await startTestSubgraph(policeDefinition, (sql) =>
    sql.exec(
      `INSERT INTO incidents (id, source_key, reference, month, category, source)
       VALUES ('inc-88', 'test:inc-88', 'T88', '2019-03', 'ANTI_SOCIAL_BEHAVIOUR', 'test')`,
    ),
  );
  subgraph = await startTestSubgraph(
    partnership,
    (sql) => seedPartnership(sql, { seed: 7, scale: "small", people }),
    {
      policy: (sql) => seedGovernance(sql, { seed: 7, scale: "small", people }),
      peerUrls: { police: policeSubgraph.url },
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
const reasonOf = (errors: Errors) => errors?.[0]?.extensions?.reason;

const VICTIM = "per-000101";
const PERPETRATOR = "per-000102";
const WITNESS = "per-000103";

async function openCase(partnerAgencyIds = ["police", "youth"]): Promise<string> {
  const res = await subgraph.query<{ openCase: { id: string } }>(
    `mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }`,
    {
      input: {
        title: "Harassment on Rowan Close",
        problemType: "Targeted harassment",
        neighbourhoodCodes: ["E01032739"],
        partnerAgencyIds,
        people: [
          { personId: VICTIM, role: "VICTIM" },
          { personId: PERPETRATOR, role: "PERPETRATOR" },
        ],
      },
    },
    council,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.openCase.id;
}

const allAnswers = (yes: (code: string) => boolean) =>
  VICTIM_RISK_QUESTIONS.map((q) => ({ question: q.code, answer: yes(q.code) }));

const ADD_NOTE = `mutation($caseId: ID!, $text: String!) { addCaseNote(caseId: $caseId, text: $text) { id at text author { userId agency { id } } } }`;
const NOTES = `query($caseId: ID!, $first: Int, $after: String) { problemCase(id: $caseId) { id notes(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id text author { userId agency { id } } } } } } }`;
const ASSESS = `mutation($caseId: ID!, $personId: ID!, $answers: [RiskAnswerInput!]!) { assessVictimRisk(caseId: $caseId, personId: $personId, answers: $answers) { id score level person { id } assessedBy { userId agency { id } } answers { question answer } } }`;
const SET_PEOPLE = `mutation($caseId: ID!, $people: [CasePersonInput!]!, $note: String!) { setCasePeople(caseId: $caseId, people: $people, note: $note) { id riskLevel people { role person { id } } } }`;
const SET_PARTNERS = `mutation($caseId: ID!, $ids: [ID!]!, $note: String!) { setCasePartners(caseId: $caseId, partnerAgencyIds: $ids, note: $note) { id partners { id } } }`;
const CHANGES = `query($caseId: ID!) { problemCase(id: $caseId) { changes { kind note before after by { userId agency { id } } } } }`;
const ADD_ACTION = `mutation($caseId: ID!, $input: CaseActionInput!) { addCaseAction(caseId: $caseId, input: $input) { id } }`;
const REASSIGN = `mutation($actionId: ID!, $to: ID!, $note: String!) { reassignCaseAction(actionId: $actionId, assignedAgencyId: $to, note: $note) { id status assignedAgency { id } } }`;
const CANCEL = `mutation($actionId: ID!, $reason: String!) { cancelCaseAction(actionId: $actionId, reason: $reason) { id status cancelReason } }`;
const MINE = `query($status: CaseActionStatus, $first: Int) { myAgencyActions(status: $status, first: $first) { totalCount edges { node { id status dueOn assignedAgency { id } case { id } } } } }`;
const LINK = `mutation($caseId: ID!) { linkCaseRecord(caseId: $caseId, record: { kind: INCIDENT, id: "inc-88" }) { id } }`;
const UNLINK = `mutation($caseId: ID!, $reason: String!) { unlinkCaseRecord(caseId: $caseId, record: { kind: INCIDENT, id: "inc-88" }, reason: $reason) { id } }`;
const CLOSE = `mutation($caseId: ID!, $outcome: CaseOutcome!, $note: String!) { closeCase(caseId: $caseId, outcome: $outcome, note: $note) { id stage outcome closedAt } }`;

describe("case notes", () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await openCase();
  });

  test("partners add notes with author, agency and time; read back newest first, paged", async () => {
    for (const [as, text] of [
      [{ ...police, user: "pc.hughes" }, "Spoke to the victim at home"],
      [{ ...council, user: "asb.officer" }, "Warning letter drafted"],
      [{ ...youth, user: "youth.worker" }, "Two of the group known to outreach"],
    ] as const) {
      const res = await subgraph.query<{ addCaseNote: Record<string, unknown> }>(
        ADD_NOTE,
        { caseId, text },
        as,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.addCaseNote).toMatchObject({
        text,
        author: { userId: as.user, agency: { id: as.agency } },
      });
      expect(res.data!.addCaseNote.at).toEqual(expect.any(String));
    }
    type Notes = {
      problemCase: {
        notes: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { text: string; author: { agency: { id: string } } } }[];
        };
      };
    };
    const first = await subgraph.query<Notes>(NOTES, { caseId, first: 2 }, council);
    expect(first.errors).toBeUndefined();
    const page1 = first.data!.problemCase.notes;
    expect(page1.totalCount).toBe(3);
    expect(page1.edges.map((e) => e.node.text)).toEqual([
      "Two of the group known to outreach",
      "Warning letter drafted",
    ]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await subgraph.query<Notes>(
      NOTES,
      { caseId, first: 2, after: page1.pageInfo.endCursor },
      police,
    );
    expect(second.data!.problemCase.notes.edges.map((e) => e.node.text)).toEqual([
      "Spoke to the victim at home",
    ]);
    expect(second.data!.problemCase.notes.pageInfo.hasNextPage).toBe(false);
  });

  test("a non-party neither reads nor adds notes: the case answers as unknown, and nothing is written", async () => {
    const before = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM case_notes WHERE case_id = $1`,
      [caseId],
    );
    const read = await subgraph.query<{ problemCase: unknown }>(NOTES, { caseId }, housing);
    expect(read.data?.problemCase ?? null).toBeNull();
    const add = await subgraph.query(ADD_NOTE, { caseId, text: "Not ours to say" }, housing);
    expect(codeOf(add.errors)).toBe("NOT_FOUND");
    const after = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM case_notes WHERE case_id = $1`,
      [caseId],
    );
    expect(after).toEqual(before);
  });

  test("an empty note is refused naming `text`; notes cannot be edited: the service may only add them", async () => {
    const empty = await subgraph.query(ADD_NOTE, { caseId, text: "   " }, police);
    expect(argumentOf(empty.errors)).toBe("text");
    const database = (await subgraph.sql.one<{ name: string }>(`SELECT current_database() AS name`))!.name;
    const rights = await subgraph.sql.one<{ insert: boolean; update: boolean; delete: boolean }>(
      `SELECT has_table_privilege($1, 'case_notes', 'INSERT') AS insert,
              has_table_privilege($1, 'case_notes', 'UPDATE') AS update,
              has_table_privilege($1, 'case_notes', 'DELETE') AS delete`,
      [roleName(database, "service")],
    );
    expect(rights).toEqual({ insert: true, update: false, delete: false });
  });
});

describe("victim risk assessment", () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await openCase();
  });
  const riskLevel = async () =>
    (
      await subgraph.query<{ problemCase: { riskLevel: string } }>(
        `query($id: ID!) { problemCase(id: $id) { riskLevel } }`,
        { id: caseId },
        council,
      )
    ).data!.problemCase.riskLevel;

  test("victimRiskQuestions lists the published question set with weights", async () => {
    const res = await subgraph.query<{
      victimRiskQuestions: { code: string; text: string; weight: number }[];
    }>(`{ victimRiskQuestions { code text weight } }`, {}, police);
    expect(res.errors).toBeUndefined();
    expect(res.data!.victimRiskQuestions.map((q) => q.code)).toEqual(
      VICTIM_RISK_QUESTIONS.map((q) => q.code),
    );
    expect(res.data!.victimRiskQuestions.find((q) => q.code === "VIOLENCE")).toMatchObject({ weight: 3 });
  });

  test("an unknown question code, a missing answer, or someone not on the case is BAD_USER_INPUT naming the argument", async () => {
    const unknown = await subgraph.query(
      ASSESS,
      {
        caseId,
        personId: VICTIM,
        answers: [...allAnswers(() => false), { question: "NOT_A_QUESTION", answer: true }],
      },
      police,
    );
    expect(codeOf(unknown.errors)).toBe("BAD_USER_INPUT");
    expect(argumentOf(unknown.errors)).toBe("answers");
    expect(unknown.errors![0].message).toContain("NOT_A_QUESTION");

    const missing = await subgraph.query(
      ASSESS,
      { caseId, personId: VICTIM, answers: allAnswers(() => true).filter((a) => a.question !== "FEAR") },
      police,
    );
    expect(argumentOf(missing.errors)).toBe("answers");
    expect(missing.errors![0].message).toContain("FEAR");

    const notOnCase = await subgraph.query(
      ASSESS,
      { caseId, personId: WITNESS, answers: allAnswers(() => false) },
      police,
    );
    expect(argumentOf(notOnCase.errors)).toBe("personId");
    const written = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM victim_risk_assessments WHERE case_id = $1`,
      [caseId],
    );
    expect(written!.n).toBe("0");
  });

  test("score and level are computed; the case's riskLevel is the highest current level of its people; history is kept", async () => {
    type Assessed = { assessVictimRisk: { score: number; level: string; person: { id: string } } };
    const high = await subgraph.query<Assessed>(
      ASSESS,
      { caseId, personId: VICTIM, answers: allAnswers(() => true) },
      { ...police, user: "pc.hughes" },
    );
    expect(high.errors).toBeUndefined();
    expect(high.data!.assessVictimRisk).toMatchObject({
      score: 30,
      level: "HIGH",
      person: { id: VICTIM },
      assessedBy: { userId: "pc.hughes", agency: { id: "police" } },
    });
    expect(await riskLevel()).toBe("HIGH");

    // Vulnerable (3), health (2), isolated (2), repeat (1): 8, MEDIUM.
    const medium = await subgraph.query<Assessed>(
      ASSESS,
      {
        caseId,
        personId: PERPETRATOR,
        answers: allAnswers((c) => ["VULNERABLE", "HEALTH", "ISOLATED", "REPEAT"].includes(c)),
      },
      council,
    );
    expect(medium.data!.assessVictimRisk).toMatchObject({ score: 8, level: "MEDIUM" });
    expect(await riskLevel()).toBe("HIGH");

    // The victim's newest assessment is their current level: the case falls to the perpetrator's MEDIUM.
    const lower = await subgraph.query<Assessed>(
      ASSESS,
      { caseId, personId: VICTIM, answers: allAnswers((c) => c === "REPEAT") },
      council,
    );
    expect(lower.data!.assessVictimRisk).toMatchObject({ score: 1, level: "STANDARD" });
    expect(await riskLevel()).toBe("MEDIUM");

    const history = await subgraph.query<{ problemCase: { riskAssessments: { level: string }[] } }>(
      `query($id: ID!, $p: ID!) { problemCase(id: $id) { riskAssessments(personId: $p) { level score } } }`,
      { id: caseId, p: VICTIM },
      youth,
    );
    expect(history.data!.problemCase.riskAssessments.map((a) => a.level)).toEqual(["STANDARD", "HIGH"]);
  });

  test("a person taken off the case no longer counts towards its riskLevel", async () => {
    const res = await subgraph.query<{ setCasePeople: { riskLevel: string } }>(
      SET_PEOPLE,
      { caseId, people: [{ personId: VICTIM, role: "VICTIM" }], note: "Perpetrator moved out of the area" },
      council,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.setCasePeople.riskLevel).toBe("STANDARD");
  });

  test("an outsider cannot assess: the case answers as unknown", async () => {
    const res = await subgraph.query(
      ASSESS,
      { caseId, personId: VICTIM, answers: allAnswers(() => true) },
      housing,
    );
    expect(codeOf(res.errors)).toBe("NOT_FOUND");
  });
});

describe("people and partners: the lead's changes, with their history", () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await openCase();
  });

  test("a partner may not change the people or partners: ROLE_NOT_PERMITTED, nothing written", async () => {
    const people = await subgraph.query(
      SET_PEOPLE,
      { caseId, people: [{ personId: VICTIM, role: "VICTIM" }], note: "Trying" },
      police,
    );
    expect(codeOf(people.errors)).toBe("FORBIDDEN");
    expect(reasonOf(people.errors)).toBe("ROLE_NOT_PERMITTED");
    const partners = await subgraph.query(SET_PARTNERS, { caseId, ids: ["police"], note: "Trying" }, police);
    expect(reasonOf(partners.errors)).toBe("ROLE_NOT_PERMITTED");
    const changes = await subgraph.query<{ problemCase: { changes: unknown[] } }>(
      CHANGES,
      { caseId },
      council,
    );
    expect(changes.data!.problemCase.changes).toEqual([]);
  });

  test("the lead changes the people with a note; the change records who, when, before and after", async () => {
    const bad = await subgraph.query(
      SET_PEOPLE,
      { caseId, people: [{ personId: "per-999999", role: "VICTIM" }], note: "Typo" },
      council,
    );
    expect(argumentOf(bad.errors)).toBe("people");
    const noNote = await subgraph.query(SET_PEOPLE, { caseId, people: [], note: " " }, council);
    expect(argumentOf(noNote.errors)).toBe("note");

    const res = await subgraph.query<{
      setCasePeople: { people: { role: string; person: { id: string } }[] };
    }>(
      SET_PEOPLE,
      {
        caseId,
        people: [
          { personId: VICTIM, role: "VICTIM" },
          { personId: WITNESS, role: "WITNESS" },
        ],
        note: "Neighbour saw the last incident",
      },
      { ...council, user: "asb.lead" },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.setCasePeople.people).toEqual([
      { role: "VICTIM", person: { id: VICTIM } },
      { role: "WITNESS", person: { id: WITNESS } },
    ]);
    const changes = await subgraph.query<{ problemCase: { changes: Record<string, unknown>[] } }>(
      CHANGES,
      { caseId },
      police,
    );
    expect(changes.data!.problemCase.changes).toEqual([
      {
        kind: "PEOPLE",
        note: "Neighbour saw the last incident",
        before: [`${VICTIM}:VICTIM`, `${PERPETRATOR}:PERPETRATOR`],
        after: [`${VICTIM}:VICTIM`, `${WITNESS}:WITNESS`],
        by: { userId: "asb.lead", agency: { id: "council" } },
      },
    ]);
  });

  test("a partner with open actions is not removed; once its action is cancelled it is, and loses the case from its next request", async () => {
    const action = await subgraph.query<{ addCaseAction: { id: string } }>(
      ADD_ACTION,
      { caseId, input: { assignedAgencyId: "youth", description: "Outreach session", dueOn: "2999-01-01" } },
      council,
    );
    const actionId = action.data!.addCaseAction.id;
    const seen = await subgraph.query<{ problemCase: { id: string } | null }>(
      `query($id: ID!) { problemCase(id: $id) { id } }`,
      { id: caseId },
      youth,
    );
    expect(seen.data!.problemCase).toEqual({ id: caseId });

    const busy = await subgraph.query(
      SET_PARTNERS,
      { caseId, ids: ["police"], note: "Youth step back" },
      council,
    );
    expect(argumentOf(busy.errors)).toBe("partnerAgencyIds");
    expect(busy.errors![0].message).toContain("youth");
    const unknown = await subgraph.query(
      SET_PARTNERS,
      { caseId, ids: ["police", "fire"], note: "More help" },
      council,
    );
    expect(argumentOf(unknown.errors)).toBe("partnerAgencyIds");
    const lead = await subgraph.query(SET_PARTNERS, { caseId, ids: ["council"], note: "Myself" }, council);
    expect(argumentOf(lead.errors)).toBe("partnerAgencyIds");

    const cancelled = await subgraph.query(CANCEL, { actionId, reason: "No longer needed" }, youth);
    expect(cancelled.errors).toBeUndefined();
    const removed = await subgraph.query<{ setCasePartners: { partners: { id: string }[] } }>(
      SET_PARTNERS,
      { caseId, ids: ["police"], note: "Youth services step back: no young people involved" },
      council,
    );
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.setCasePartners.partners).toEqual([{ id: "police" }]);

    // The very next request: youth services are told the case does not exist.
    const gone = await subgraph.query<{ problemCase: unknown }>(
      `query($id: ID!) { problemCase(id: $id) { id } }`,
      { id: caseId },
      youth,
    );
    expect(gone.data?.problemCase ?? null).toBeNull();
    const note = await subgraph.query(ADD_NOTE, { caseId, text: "Still here?" }, youth);
    expect(codeOf(note.errors)).toBe("NOT_FOUND");
    const list = await subgraph.query<{ problemCases: { edges: { node: { id: string } }[] } }>(
      `{ problemCases(first: 500) { edges { node { id } } } }`,
      {},
      youth,
    );
    expect(list.data!.problemCases.edges.map((e) => e.node.id)).not.toContain(caseId);
    const mine = await subgraph.query<{ myAgencyActions: { edges: { node: { id: string } }[] } }>(
      MINE,
      {},
      youth,
    );
    expect(mine.data!.myAgencyActions.edges.map((e) => e.node.id)).not.toContain(actionId);

    const changes = await subgraph.query<{ problemCase: { changes: Record<string, unknown>[] } }>(
      CHANGES,
      { caseId },
      council,
    );
    expect(changes.data!.problemCase.changes[0]).toMatchObject({
      kind: "PARTNERS",
      before: ["police", "youth"],
      after: ["police"],
      by: { agency: { id: "council" } },
    });
  });
});

describe("linking and unlinking records", () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await openCase(["police"]);
  });

  test("a record already linked is refused, naming `record`; unlinking needs a reason and is recorded", async () => {
    const first = await subgraph.query(LINK, { caseId }, police);
    expect(first.errors).toBeUndefined();
    const again = await subgraph.query(LINK, { caseId }, council);
    expect(codeOf(again.errors)).toBe("BAD_USER_INPUT");
    expect(argumentOf(again.errors)).toBe("record");
    expect(again.errors![0].message).toContain("already linked");

    const noReason = await subgraph.query(UNLINK, { caseId, reason: "" }, council);
    expect(argumentOf(noReason.errors)).toBe("reason");
    const outsider = await subgraph.query(UNLINK, { caseId, reason: "Not ours" }, youth);
    expect(codeOf(outsider.errors)).toBe("NOT_FOUND");

    const unlinked = await subgraph.query(UNLINK, { caseId, reason: "Linked to the wrong case" }, council);
    expect(unlinked.errors).toBeUndefined();
    const links = await subgraph.sql.many(`SELECT 1 FROM case_records WHERE case_id = $1`, [caseId]);
    expect(links).toHaveLength(0);
    const event = await subgraph.sql.one<{ agency_id: string; detail: Record<string, string> }>(
      `SELECT agency_id, detail FROM case_events WHERE case_id = $1 AND event = 'RECORD_UNLINKED'`,
      [caseId],
    );
    expect(event).toEqual({
      agency_id: "council",
      detail: { kind: "INCIDENT", recordId: "inc-88", reason: "Linked to the wrong case" },
    });
    const notLinked = await subgraph.query(UNLINK, { caseId, reason: "Again" }, council);
    expect(argumentOf(notLinked.errors)).toBe("record");
    // Unlinked, it may be linked again.
    expect((await subgraph.query(LINK, { caseId }, police)).errors).toBeUndefined();
  });
});

describe("actions: reassign, cancel, and each agency's own list", () => {
  let caseId: string;
  const actions: Record<string, string> = {};
  beforeAll(async () => {
    caseId = await openCase(["police", "youth"]);
    for (const [key, assignedAgencyId, dueOn] of [
      ["overdue", "police", "2000-01-31"],
      ["open", "police", "2999-12-31"],
      ["other", "youth", "2999-06-30"],
    ] as const) {
      const res = await subgraph.query<{ addCaseAction: { id: string } }>(
        ADD_ACTION,
        { caseId, input: { assignedAgencyId, description: `Action ${key}`, dueOn } },
        council,
      );
      actions[key] = res.data!.addCaseAction.id;
    }
  });

  type Mine = {
    myAgencyActions: {
      totalCount: number;
      edges: { node: { id: string; status: string; case: { id: string } } }[];
    };
  };
  const mine = async (as: As, status?: string) =>
    (await subgraph.query<Mine>(MINE, { status, first: 500 }, as))
      .data!.myAgencyActions.edges.map((e) => e.node)
      .filter((n) => n.case.id === caseId);

  test("myAgencyActions lists the caller's agency's actions across its cases, filtered by status, overdue from the date", async () => {
    expect((await mine(police)).map((a) => [a.id, a.status])).toEqual([
      [actions.overdue, "OVERDUE"],
      [actions.open, "OPEN"],
    ]);
    expect((await mine(police, "OVERDUE")).map((a) => a.id)).toEqual([actions.overdue]);
    expect((await mine(police, "OPEN")).map((a) => a.id)).toEqual([actions.open]);
    expect((await mine(youth)).map((a) => a.id)).toEqual([actions.other]);
    expect(await mine(housing)).toEqual([]);
    // Across every case the agency is a party to: the demo's police actions are there too.
    const all = await subgraph.query<Mine>(MINE, { first: 500 }, police);
    expect(new Set(all.data!.myAgencyActions.edges.map((e) => e.node.case.id)).size).toBeGreaterThan(1);
    const analyst = await subgraph.query(MINE, {}, { ...police, role: "ANALYST" as never });
    expect(codeOf(analyst.errors)).toBe("FORBIDDEN");
  });

  test("only the assigned agency hands an action on, to the lead or a partner, with a note", async () => {
    const byLead = await subgraph.query(
      REASSIGN,
      { actionId: actions.open, to: "youth", note: "Youth better placed" },
      council,
    );
    expect(reasonOf(byLead.errors)).toBe("ROLE_NOT_PERMITTED");
    const outsider = await subgraph.query(
      REASSIGN,
      { actionId: actions.open, to: "youth", note: "x" },
      housing,
    );
    expect(codeOf(outsider.errors)).toBe("NOT_FOUND");
    const unknownAction = await subgraph.query(
      REASSIGN,
      { actionId: "act-none", to: "youth", note: "x" },
      housing,
    );
    expect(outsider.errors![0].extensions).toEqual(unknownAction.errors![0].extensions);
    const notParty = await subgraph.query(
      REASSIGN,
      { actionId: actions.open, to: "housing", note: "Housing?" },
      police,
    );
    expect(argumentOf(notParty.errors)).toBe("assignedAgencyId");

    const moved = await subgraph.query<{ reassignCaseAction: Record<string, unknown> }>(
      REASSIGN,
      { actionId: actions.open, to: "youth", note: "Outreach team knows the group" },
      police,
    );
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.reassignCaseAction).toEqual({
      id: actions.open,
      status: "OPEN",
      assignedAgency: { id: "youth" },
    });
    expect((await mine(police)).map((a) => a.id)).toEqual([actions.overdue]);
    expect((await mine(youth)).map((a) => a.id).sort()).toEqual([actions.open, actions.other].sort());
    const event = await subgraph.sql.one<{ detail: Record<string, string> }>(
      `SELECT detail FROM case_events WHERE case_id = $1 AND event = 'ACTION_REASSIGNED'`,
      [caseId],
    );
    expect(event!.detail).toMatchObject({ actionId: actions.open, before: "police", after: "youth" });
  });

  test("cancelling keeps the action as CANCELLED with the reason; a cancelled action takes no more changes", async () => {
    const noReason = await subgraph.query(CANCEL, { actionId: actions.overdue, reason: " " }, police);
    expect(argumentOf(noReason.errors)).toBe("reason");
    const byOther = await subgraph.query(CANCEL, { actionId: actions.overdue, reason: "Not needed" }, youth);
    expect(reasonOf(byOther.errors)).toBe("ROLE_NOT_PERMITTED");
    const res = await subgraph.query<{ cancelCaseAction: Record<string, unknown> }>(
      CANCEL,
      { actionId: actions.overdue, reason: "Patrols replaced by CCTV" },
      police,
    );
    expect(res.data!.cancelCaseAction).toEqual({
      id: actions.overdue,
      status: "CANCELLED",
      cancelReason: "Patrols replaced by CCTV",
    });
    expect((await mine(police, "CANCELLED")).map((a) => a.id)).toEqual([actions.overdue]);
    expect(await mine(police, "OVERDUE")).toEqual([]);
    const again = await subgraph.query(CANCEL, { actionId: actions.overdue, reason: "Again" }, police);
    expect(argumentOf(again.errors)).toBe("actionId");
    const complete = await subgraph.query(
      `mutation($c: ID!, $a: ID!) { completeCaseAction(caseId: $c, actionId: $a) { id } }`,
      { c: caseId, a: actions.overdue },
      police,
    );
    expect(argumentOf(complete.errors)).toBe("actionId");
  });
});

describe("closing a case", () => {
  let caseId: string;
  let actionId: string;
  beforeAll(async () => {
    caseId = await openCase(["police"]);
    const action = await subgraph.query<{ addCaseAction: { id: string } }>(
      ADD_ACTION,
      { caseId, input: { assignedAgencyId: "police", description: "Visit", dueOn: "2999-01-01" } },
      council,
    );
    actionId = action.data!.addCaseAction.id;
    expect((await subgraph.query(LINK, { caseId }, police)).errors).toBeUndefined();
  });

  test("only the lead closes, from any open stage, with an outcome; open actions end with it; the close is in its changes", async () => {
    const byPartner = await subgraph.query(CLOSE, { caseId, outcome: "RESOLVED", note: "Done" }, police);
    expect(codeOf(byPartner.errors)).toBe("FORBIDDEN");
    expect(reasonOf(byPartner.errors)).toBe("ROLE_NOT_PERMITTED");
    const byOutsider = await subgraph.query(CLOSE, { caseId, outcome: "RESOLVED", note: "Done" }, youth);
    expect(codeOf(byOutsider.errors)).toBe("NOT_FOUND");
    const noNote = await subgraph.query(CLOSE, { caseId, outcome: "RESOLVED", note: "" }, council);
    expect(argumentOf(noNote.errors)).toBe("note");

    // From SCANNING, straight to CLOSED.
    const closed = await subgraph.query<{ closeCase: Record<string, unknown> }>(
      CLOSE,
      { caseId, outcome: "DUPLICATE", note: "Same problem as PSC-2019-001" },
      council,
    );
    expect(closed.errors).toBeUndefined();
    expect(closed.data!.closeCase).toMatchObject({ id: caseId, stage: "CLOSED", outcome: "DUPLICATE" });
    expect(closed.data!.closeCase.closedAt).toEqual(expect.any(String));
    const actions = await subgraph.query<{ problemCase: { actions: Record<string, unknown>[] } }>(
      `query($id: ID!) { problemCase(id: $id) { actions { id status cancelReason } } }`,
      { id: caseId },
      police,
    );
    expect(actions.data!.problemCase.actions).toEqual([
      {
        id: actionId,
        status: "CANCELLED",
        cancelReason: "The case was closed (DUPLICATE): Same problem as PSC-2019-001",
      },
    ]);
    const changes = await subgraph.query<{ problemCase: { changes: Record<string, unknown>[] } }>(
      CHANGES,
      { caseId },
      police,
    );
    expect(changes.data!.problemCase.changes[0]).toMatchObject({
      kind: "CLOSED",
      before: ["SCANNING"],
      after: ["DUPLICATE"],
      note: "Same problem as PSC-2019-001",
    });
  });

  test("a closed case takes notes, and refuses every other change with a clear error naming caseId", async () => {
    const note = await subgraph.query(ADD_NOTE, { caseId, text: "Victim thanked the team" }, police);
    expect(note.errors).toBeUndefined();

    const refused: [string, Record<string, unknown>, As][] = [
      [CLOSE, { caseId, outcome: "RESOLVED", note: "Again" }, council],
      [LINK, { caseId }, police],
      [
        `mutation($caseId: ID!) { advanceCase(caseId: $caseId, stage: ANALYSIS, note: "Reopening it now") { id } }`,
        { caseId },
        council,
      ],
      [
        ADD_ACTION,
        { caseId, input: { assignedAgencyId: "police", description: "More", dueOn: "2999-01-01" } },
        council,
      ],
      [
        `mutation($c: ID!, $a: ID!) { completeCaseAction(caseId: $c, actionId: $a) { id } }`,
        { c: caseId, a: actionId },
        police,
      ],
      [REASSIGN, { actionId, to: "council", note: "Hand back" }, police],
      [CANCEL, { actionId, reason: "Closed" }, police],
      [UNLINK, { caseId, reason: "Tidy" }, council],
      [SET_PEOPLE, { caseId, people: [], note: "Tidy" }, council],
      [SET_PARTNERS, { caseId, ids: [], note: "Tidy" }, council],
      [ASSESS, { caseId, personId: VICTIM, answers: allAnswers(() => false) }, police],
    ];
    const events = async () =>
      (await subgraph.sql.one<{ n: string }>(`SELECT count(*) AS n FROM case_events WHERE case_id = $1`, [
        caseId,
      ]))!.n;
    const before = await events();
    for (const [query, variables, as] of refused) {
      const res = await subgraph.query(query, variables, as);
      expect({ query, code: codeOf(res.errors), argument: argumentOf(res.errors) }).toEqual({
        query,
        code: "BAD_USER_INPUT",
        argument: "caseId",
      });
      expect(res.errors![0].message).toContain("closed");
    }
    expect(await events()).toBe(before);
  });
});
