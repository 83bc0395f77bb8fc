import { matchPeople, type MatchOutcome } from "../../subgraphs/partnership/matching";
import { partnership } from "../../subgraphs/partnership/server";
import { Role } from "../../subgraphs/shared/enums";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * The review queue over GraphQL: a data-sharing officer of the agency whose record it is lists its
 * queued matches and confirms or rejects them with a note; nobody else sees or decides anything.
 */
const dso = (agency: string): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  user: `${agency}.dso`,
  purpose: "SAFEGUARDING",
});

const LIST = `query Queue($status: PersonMatchStatus, $first: Int) {
  personMatchReviews(status: $status, first: $first) {
    totalCount
    edges { node { id reference score status note decidedBy agreements { field level }
      candidate { id displayName } provisionalPerson { id } } }
  }
}`;
const CONFIRM = `mutation Confirm($id: ID!, $note: String!) {
  confirmPersonMatch(id: $id, note: $note) { id status note decidedBy decidedAt }
}`;
const REJECT = `mutation Reject($id: ID!, $note: String!) {
  rejectPersonMatch(id: $id, note: $note) { id status note decidedBy }
}`;

let subgraph: TestSubgraph;
const queued: Record<string, MatchOutcome> = {};

beforeAll(async () => {
  subgraph = await startTestSubgraph(partnership, async (sql) => {
    await matchPeople(sql, "housing", [
      {
        reference: "HOU-1",
        givenName: "Margaret",
        familyName: "Smith-Jones",
        dateOfBirth: "1961-04-09",
        postcode: "E2 7QA",
      },
      {
        reference: "HOU-2",
        givenName: "Kwame",
        familyName: "Mensah",
        dateOfBirth: "1975-06-20",
        postcode: "N16 5TT",
      },
    ]);
    // Initials, a part of the family name and no date of birth: each between the thresholds.
    const youth = await matchPeople(sql, "youth", [
      { reference: "UPN-1", givenName: "M", familyName: "Smith", dateOfBirth: null, postcode: "E2 7QA" },
      { reference: "UPN-2", givenName: "K", familyName: "Mensah", dateOfBirth: null, postcode: "N16 5TT" },
    ]);
    queued["UPN-1"] = youth.get("UPN-1")!;
    queued["UPN-2"] = youth.get("UPN-2")!;
  });
});
afterAll(() => subgraph?.stop());

const reviewOf = async (reference: string) =>
  (await subgraph.adminSql.one<{ id: string }>(`SELECT id FROM person_match_reviews WHERE reference = $1`, [
    reference,
  ]))!.id;
const personOf = async (agency: string, reference: string) =>
  (
    await subgraph.adminSql.one<{ person_id: string }>(
      `SELECT person_id FROM person_references WHERE agency_id = $1 AND reference = $2`,
      [agency, reference],
    )
  )?.person_id;

it("the matcher queued both youth records", () => {
  expect(queued["UPN-1"].outcome).toBe("review");
  expect(queued["UPN-2"].outcome).toBe("review");
});

it("lists the pending reviews of its own agency to a DSO of it, with the candidate from the people index", async () => {
  const res = await subgraph.query<{
    personMatchReviews: { totalCount: number; edges: { node: Record<string, unknown> }[] };
  }>(LIST, { first: 1 }, dso("youth"));
  expect(res.errors).toBeUndefined();
  expect(res.data!.personMatchReviews.totalCount).toBe(2);
  expect(res.data!.personMatchReviews.edges).toHaveLength(1);
  const node = res.data!.personMatchReviews.edges[0].node;
  expect(node).toMatchObject({ status: "PENDING", note: null, decidedBy: null });
  expect(node.candidate).toEqual(expect.objectContaining({ id: expect.stringMatching(/^per-/) }));
  expect(node.agreements).toEqual(
    expect.arrayContaining([{ field: "familyName", level: expect.any(String) }]),
  );
});

it("shows a DSO of another agency nothing, and lets them decide nothing", async () => {
  const res = await subgraph.query<{ personMatchReviews: { totalCount: number } }>(LIST, {}, dso("police"));
  expect(res.data!.personMatchReviews.totalCount).toBe(0);
  const id = await reviewOf("UPN-1");
  for (const mutation of [CONFIRM, REJECT]) {
    const denied = await subgraph.query(mutation, { id, note: "looks right" }, dso("housing"));
    expect(denied.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  }
  expect(await personOf("youth", "UPN-1")).toBe(queued["UPN-1"].personId);
});

it.each([
  ["a practitioner", { agency: "youth", role: Role.PRACTITIONER, purpose: "SAFEGUARDING" }],
  ["an analyst", { agency: "youth", role: Role.ANALYST, purpose: "STATISTICS" }],
] as const)("refuses %s of the agency itself", async (_, as) => {
  const list = await subgraph.query(LIST, {}, as);
  expect(list.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  const id = await reviewOf("UPN-1");
  const decide = await subgraph.query(CONFIRM, { id, note: "x" }, as);
  expect(decide.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  expect(await personOf("youth", "UPN-1")).toBe(queued["UPN-1"].personId);
});

it("confirming links the reference to the candidate person, with the note, audited; it cannot be decided twice", async () => {
  const id = await reviewOf("UPN-1");
  const res = await subgraph.query<{ confirmPersonMatch: Record<string, unknown> }>(
    CONFIRM,
    { id, note: "Same pupil: school confirms the family's address" },
    dso("youth"),
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.confirmPersonMatch).toMatchObject({
    id,
    status: "CONFIRMED",
    note: "Same pupil: school confirms the family's address",
    decidedBy: "youth.dso",
  });
  expect(await personOf("youth", "UPN-1")).toBe(queued["UPN-1"].candidatePersonId);
  const matched = await subgraph.adminSql.one(
    `SELECT person_id, method FROM matched_references WHERE agency_id = 'youth' AND reference = 'UPN-1'`,
  );
  expect(matched).toEqual({ person_id: queued["UPN-1"].candidatePersonId, method: "REVIEW" });
  const audit = await subgraph.policySql.many(
    `SELECT kind, agency_id, user_id, role, owner_agency_id, record_ids, detail FROM audit_log WHERE kind = 'PERSON_MATCH_REVIEW'`,
  );
  expect(audit).toEqual([
    {
      kind: "PERSON_MATCH_REVIEW",
      agency_id: "youth",
      user_id: "youth.dso",
      role: "DATA_SHARING_OFFICER",
      owner_agency_id: "partnership",
      record_ids: [id],
      detail: `confirmed person match review ${id}`,
    },
  ]);
  const again = await subgraph.query(REJECT, { id, note: "changed my mind" }, dso("youth"));
  expect(again.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  expect(await personOf("youth", "UPN-1")).toBe(queued["UPN-1"].candidatePersonId);
});

it("rejecting leaves the reference with its own person, and needs a note", async () => {
  const id = await reviewOf("UPN-2");
  const empty = await subgraph.query(REJECT, { id, note: "  " }, dso("youth"));
  expect(empty.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  const res = await subgraph.query<{ rejectPersonMatch: Record<string, unknown> }>(
    REJECT,
    { id, note: "Different man: the pupil is 12" },
    dso("youth"),
  );
  expect(res.data!.rejectPersonMatch).toMatchObject({ status: "REJECTED", decidedBy: "youth.dso" });
  expect(await personOf("youth", "UPN-2")).toBe(queued["UPN-2"].personId);
  const pending = await subgraph.query<{ personMatchReviews: { totalCount: number } }>(
    LIST,
    {},
    dso("youth"),
  );
  expect(pending.data!.personMatchReviews.totalCount).toBe(0);
  const decided = await subgraph.query<{ personMatchReviews: { totalCount: number } }>(
    LIST,
    { status: "REJECTED" },
    dso("youth"),
  );
  expect(decided.data!.personMatchReviews.totalCount).toBe(1);
});

it("cannot confirm a candidate who has since got another reference of the agency (one per agency)", async () => {
  const later = await matchPeople(subgraph.adminSql, "housing", [
    {
      reference: "HOU-3",
      givenName: "Grace",
      familyName: "Lee",
      dateOfBirth: "1990-01-02",
      postcode: "E1 6AN",
    },
  ]);
  const youth = await matchPeople(subgraph.adminSql, "youth", [
    { reference: "UPN-3", givenName: "G", familyName: "Lee", dateOfBirth: null, postcode: "E1 6AN" },
  ]);
  expect(youth.get("UPN-3")).toMatchObject({
    outcome: "review",
    candidatePersonId: later.get("HOU-3")!.personId,
  });
  // Another youth record the index links to the same person meanwhile.
  await subgraph.adminSql.exec(
    `INSERT INTO person_references (person_id, agency_id, reference) VALUES ($1, 'youth', 'UPN-4')`,
    [later.get("HOU-3")!.personId],
  );
  const res = await subgraph.query(CONFIRM, { id: await reviewOf("UPN-3"), note: "same" }, dso("youth"));
  expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  expect(await personOf("youth", "UPN-3")).toBe(youth.get("UPN-3")!.personId);
});
