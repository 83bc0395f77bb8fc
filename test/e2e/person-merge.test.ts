import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * A merge of two people through the whole federation (issue 20): the survivor's Person360 lists both
 * people's records at every agency, each still decided by its owner's agreement and the consents of
 * its own data subject (the record's own person id), never the survivor's; restricted summaries count
 * what is withheld of either; no agency record is rewritten, so a split restores exactly; and the
 * statements an operation costs do not change with a merge.
 */

let fed: TestFederation;

beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

const DSO = Role.DATA_SHARING_OFFICER;
const youthDso: As = { agency: "youth", role: DSO, user: "youth.dso", purpose: Purpose.YOUTH_DIVERSION };
/** The council under youth's agreement: programmes freely, education only with the pupil's consent. */
const council: As = { agency: "council", role: Role.PRACTITIONER, purpose: Purpose.YOUTH_DIVERSION };

const PERSON = `query Person360($id: ID!) {
  person(id: $id) {
    id displayName personIds mergedInto { id }
    enrolments(first: 100) { totalCount edges { node { id person { id } } } restricted { agency { id } category count } }
    referrals(first: 100) { totalCount edges { node { id person { id } } } restricted { agency { id } category count } }
  }
}`;
interface Node {
  id: string;
  person: { id: string };
}
interface List {
  totalCount: number;
  edges: { node: Node }[];
  restricted: { agency: { id: string }; category: string; count: number }[];
}
interface PersonView {
  id: string;
  personIds: string[] | null;
  mergedInto: { id: string } | null;
  enrolments: List;
  referrals: List;
}
const MERGE = `mutation Merge($survivorId: ID!, $mergedId: ID!, $note: String!) {
  mergePeople(survivorId: $survivorId, mergedId: $mergedId, note: $note) { id }
}`;
const SPLIT = `mutation Split($id: ID!, $note: String!) { splitPerson(id: $id, note: $note) { id splitAt } }`;
const RECORD_CONSENT = `mutation Record($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`;

/** Young people with enrolments and referrals, and no consent to the council. */
let pupils: string[];
/** Each pupil's own records at youth, as its store has them. */
const records: Record<string, { enrolments: string[]; referrals: string[] }> = {};

beforeAll(async () => {
  const { partnership, youth, governance } = fed.stores;
  const consented = new Set(
    (
      await governance.sql.many<{ person_id: string }>(
        `SELECT DISTINCT person_id FROM consents WHERE recipient_agency_id = 'council'`,
      )
    ).map((r) => r.person_id),
  );
  const enrolled = await youth.sql.many<{ person_id: string }>(
    `SELECT DISTINCT e.person_id FROM enrolments e
      WHERE EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = e.person_id) ORDER BY e.person_id`,
  );
  pupils = enrolled.map((r) => r.person_id).filter((p) => !consented.has(p));
  expect(pupils.length).toBeGreaterThanOrEqual(4);
  pupils = pupils.slice(0, 4);
  // Youth services hold a reference of each (its DSO merges them), as an import of its pupils gives.
  await partnership.sql.exec(
    `INSERT INTO person_references (person_id, agency_id, reference)
     SELECT p, 'youth', 'UPN-M-' || p FROM unnest($1::text[]) AS p ON CONFLICT DO NOTHING`,
    [pupils],
  );
  for (const id of pupils) {
    const ids = async (table: string) =>
      (
        await youth.sql.many<{ id: string }>(`SELECT id FROM ${table} WHERE person_id = $1 ORDER BY id`, [id])
      ).map((r) => r.id);
    records[id] = { enrolments: await ids("enrolments"), referrals: await ids("referrals") };
  }
}, 60_000);

async function view(id: string): Promise<PersonView> {
  const res = await fed.query<{ person: PersonView }>(PERSON, { id }, council);
  // A withheld enrolment is left out and counted; nothing is refused by field.
  expect(res.errors).toBeUndefined();
  return res.data!.person;
}
const ids = (list: List) => list.edges.map((e) => e.node.id).sort();
const sorted = (...lists: string[][]) => lists.flat().sort();

async function consentFor(personId: string): Promise<void> {
  const res = await fed.query(
    RECORD_CONSENT,
    {
      input: {
        personId,
        recipientAgencyId: "council",
        purposes: ["YOUTH_DIVERSION"],
        categories: ["EDUCATION"],
        givenBy: "PARENT_OR_GUARDIAN",
        givenAt: new Date(Date.now() - 60_000).toISOString(),
        evidenceRef: `merge-${personId}`,
      },
    },
    youthDso,
  );
  expect(res.errors).toBeUndefined();
}

async function merge(survivorId: string, mergedId: string): Promise<string> {
  const res = await fed.query<{ mergePeople: { id: string } }>(
    MERGE,
    { survivorId, mergedId, note: "The school and the youth service know one pupil by two records" },
    youthDso,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.mergePeople.id;
}

/** Every youth record of these people, as its store has them (who each is about included). */
const youthRows = async (people: string[]) =>
  fed.stores.youth.sql.many(
    `SELECT 'enrolment' AS kind, id, person_id FROM enrolments WHERE person_id = ANY ($1)
     UNION ALL SELECT 'referral', id, person_id FROM referrals WHERE person_id = ANY ($1) ORDER BY 1, 2`,
    [people],
  );

describe("a consent recorded for the survivor releases none of the merged person's records", () => {
  let survivor: string;
  let merged: string;
  let mergeId: string;
  let youthBefore: unknown[];
  let statementsBefore: Record<string, number>;

  beforeAll(async () => {
    [survivor, merged] = pupils;
    await consentFor(survivor);
  });

  it("before the merge, each person lists only their own records", async () => {
    const s = await view(survivor);
    expect(s.personIds).toEqual([survivor]);
    expect(ids(s.enrolments)).toEqual(records[survivor].enrolments);
    expect(s.enrolments.restricted).toEqual([]);
    const m = await view(merged);
    expect(m.enrolments.edges).toEqual([]);
    expect(m.enrolments.restricted).toEqual([
      { agency: { id: "youth" }, category: "EDUCATION", count: records[merged].enrolments.length },
    ]);
    youthBefore = await youthRows([survivor, merged]);
    const counted = fed.statements();
    await view(survivor);
    const after = fed.statements();
    statementsBefore = Object.fromEntries(
      Object.entries(after).map(([k, n]) => [k, n - counted[k as never]]),
    );
  });

  it("after the merge, the survivor's Person360 lists both people's records the caller may see, each under its own subject", async () => {
    mergeId = await merge(survivor, merged);
    const counted = fed.statements();
    const s = await view(survivor);
    const after = fed.statements();
    // The same statements per subgraph as before the merge: the list of ids rides on the person's own.
    expect(Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - counted[k as never]]))).toEqual(
      statementsBefore,
    );
    expect(s.personIds).toEqual([survivor, merged]);
    // Programmes need no consent: both people's referrals, each still about its own person.
    expect(ids(s.referrals)).toEqual(sorted(records[survivor].referrals, records[merged].referrals));
    for (const { node } of s.referrals.edges)
      expect(node.person.id).toBe(records[survivor].referrals.includes(node.id) ? survivor : merged);
    // Education needs the pupil's consent: the survivor's consent releases the survivor's enrolments only,
    // and the merged person's are withheld and counted.
    expect(ids(s.enrolments)).toEqual(records[survivor].enrolments);
    expect(s.enrolments.edges.every((e) => e.node.person.id === survivor)).toBe(true);
    expect(s.enrolments.restricted).toEqual([
      { agency: { id: "youth" }, category: "EDUCATION", count: records[merged].enrolments.length },
    ]);
  });

  it("the merged person resolves with a pointer to the survivor, and lists its records there only", async () => {
    const m = await view(merged);
    expect(m).toMatchObject({ id: merged, personIds: [], mergedInto: { id: survivor } });
    expect(m.enrolments).toMatchObject({ totalCount: 0, edges: [], restricted: [] });
    expect(m.referrals).toMatchObject({ totalCount: 0, edges: [] });
  });

  it("no agency record was rewritten, and a split restores each person's own list exactly", async () => {
    expect(await youthRows([survivor, merged])).toEqual(youthBefore);
    const res = await fed.query(SPLIT, { id: mergeId, note: "Two pupils after all" }, youthDso);
    expect(res.errors).toBeUndefined();
    const s = await view(survivor);
    expect(s.personIds).toEqual([survivor]);
    expect(ids(s.referrals)).toEqual(records[survivor].referrals);
    expect(ids(s.enrolments)).toEqual(records[survivor].enrolments);
    expect(s.enrolments.restricted).toEqual([]);
    const m = await view(merged);
    expect(m.mergedInto).toBeNull();
    expect(ids(m.referrals)).toEqual(records[merged].referrals);
    expect(m.enrolments.restricted).toEqual([
      { agency: { id: "youth" }, category: "EDUCATION", count: records[merged].enrolments.length },
    ]);
    expect(await youthRows([survivor, merged])).toEqual(youthBefore);
  });

  it("both are audited, by the youth DSO, about the people index", async () => {
    const audit = await fed.stores.governance.sql.many<{
      kind: string;
      agency_id: string;
      record_ids: string[];
    }>(
      `SELECT kind, agency_id, user_id, owner_agency_id, record_ids FROM audit_log
        WHERE kind IN ('PERSON_MERGE', 'PERSON_SPLIT') ORDER BY sequence`,
    );
    expect(audit).toEqual([
      {
        kind: "PERSON_MERGE",
        agency_id: "youth",
        user_id: "youth.dso",
        owner_agency_id: "partnership",
        record_ids: [mergeId],
      },
      {
        kind: "PERSON_SPLIT",
        agency_id: "youth",
        user_id: "youth.dso",
        owner_agency_id: "partnership",
        record_ids: [mergeId],
      },
    ]);
  });
});

describe("a consent recorded for the merged person releases none of the survivor's records", () => {
  it("lists the merged person's enrolments under the survivor, and withholds the survivor's own", async () => {
    const [, , survivor, merged] = pupils;
    await consentFor(merged);
    await merge(survivor, merged);
    const s = await view(survivor);
    expect(ids(s.enrolments)).toEqual(records[merged].enrolments);
    expect(s.enrolments.edges.every((e) => e.node.person.id === merged)).toBe(true);
    expect(s.enrolments.restricted).toEqual([
      { agency: { id: "youth" }, category: "EDUCATION", count: records[survivor].enrolments.length },
    ]);
  });
});

describe("who may merge", () => {
  it("refuses a DSO of an agency without a reference of both, a practitioner, and an analyst; nothing is merged", async () => {
    const [a, b] = pupils;
    const count = async () =>
      Number(
        (await fed.stores.partnership.sql.one<{ n: string }>(`SELECT count(*) AS n FROM person_merges`))!.n,
      );
    const before = await count();
    // An agency that holds no reference of one of them.
    const holders = await fed.stores.partnership.sql.many<{ agency_id: string }>(
      `SELECT agency_id FROM person_references WHERE person_id = ANY ($1)
        GROUP BY agency_id HAVING count(*) = 2`,
      [[a, b]],
    );
    const outsider = ["police", "council", "housing"].find((x) => !holders.some((h) => h.agency_id === x))!;
    expect(outsider).toBeDefined();
    for (const as of [
      { agency: outsider, role: DSO, purpose: Purpose.SAFEGUARDING },
      { agency: "youth", role: Role.PRACTITIONER, purpose: Purpose.YOUTH_DIVERSION },
      { agency: "youth", role: Role.ANALYST, purpose: Purpose.STATISTICS },
    ] as As[]) {
      const res = await fed.query(MERGE, { survivorId: a, mergedId: b, note: "same" }, as);
      expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    expect(await count()).toBe(before);
  });
});
