import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import { type As } from "../support/graphql";

/**
 * Found by attacking the gateway (issue 9, "nothing revealed without an agreement"): a page of
 * no records (`first: 0`) judged no record, so its `totalCount` and `hasNextPage` told an agency
 * with no agreement how many incidents, enrolments or tenancies another agency holds about a
 * person. An empty page now reveals exactly what a page of the records would.
 */

let fed: TestFederation;

beforeAll(async () => {
  fed = await startTestFederation();
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean };
  restricted: { agency: { id: string }; count: number }[];
}

const PAGE = `totalCount pageInfo { hasNextPage } restricted { agency { id } count }`;
const PERSON_PAGES = `query Pages($id: ID!, $first: Int) { person(id: $id) {
  incidents(first: $first) { ${PAGE} }
  enrolments(first: $first) { ${PAGE} }
  referrals(first: $first) { ${PAGE} }
  tenancies(first: $first) { ${PAGE} }
  asbCases(first: $first) { ${PAGE} }
} }`;

type Pages = Record<"incidents" | "enrolments" | "referrals" | "tenancies" | "asbCases", Page>;

async function pages(as: As, first: number | null): Promise<Pages> {
  const asked = await fed.query<{ person: Pages }>(PERSON_PAGES, { id: "per-000001", first }, as);
  expect(asked.errors).toBeUndefined();
  return asked.data!.person;
}

const NOTHING = { totalCount: 0, pageInfo: { hasNextPage: false }, restricted: [] };

describe("an empty page reveals no more than a page of records", () => {
  test("housing, with no agreement from youth services or police for tenancy sustainment, learns no counts from first: 0", async () => {
    const housing = { agency: "housing", purpose: Purpose.TENANCY_SUSTAINMENT };
    // The records exist: their holders see them.
    const youth = await pages({ agency: "youth", purpose: Purpose.YOUTH_DIVERSION }, null);
    expect(youth.enrolments.totalCount).toBeGreaterThan(0);
    const empty = await pages(housing, 0);
    expect(empty.incidents).toEqual(NOTHING);
    expect(empty.enrolments).toEqual(NOTHING);
    expect(empty.referrals).toEqual(NOTHING);
    // Of other agencies' records, first: 0 says what a full page says (council's ASB cases are
    // signposted: housing shares with the council for tenancy sustainment).
    const full = await pages(housing, null);
    for (const list of ["incidents", "enrolments", "referrals", "asbCases"] as const)
      expect({ list, page: empty[list] }).toEqual({ list, page: full[list] });
  });

  test("youth services learn nothing of housing's tenancies (no agreement either way) from first: 0", async () => {
    const as = { agency: "youth", purpose: Purpose.SAFEGUARDING };
    const housingSees = await pages({ agency: "housing", purpose: Purpose.TENANCY_SUSTAINMENT }, null);
    expect(housingSees.tenancies.totalCount).toBeGreaterThan(0);
    const empty = await pages(as, 0);
    expect(empty.tenancies).toEqual(NOTHING);
    expect((await pages(as, null)).tenancies).toEqual(NOTHING);
  });

  test("a count the caller may see is still given by first: 0 (own records, and shared ones)", async () => {
    const police = { agency: "police", purpose: Purpose.CRIME_PREVENTION };
    const council = { agency: "council", role: Role.PRACTITIONER, purpose: Purpose.ASB_CASE_MANAGEMENT };
    for (const as of [police, council]) {
      const empty = await pages(as, 0);
      const full = await pages(as, null);
      expect(empty.incidents.totalCount).toBe(full.incidents.totalCount);
      expect(empty.incidents.totalCount).toBeGreaterThan(0);
      expect(empty.incidents.pageInfo.hasNextPage).toBe(true);
    }
  });

  test("where the agreement asks for consent, an empty page withholds the count and signposts it as a withheld page does", async () => {
    // Youth services share education with the council only with consent; per-000003 withdrew it.
    const as = { agency: "council", purpose: Purpose.YOUTH_DIVERSION };
    const asked = await fed.query<{ person: Pages }>(
      `query { person(id: "per-000003") { enrolments(first: 0) { ${PAGE} } } }`,
      {},
      as,
    );
    expect(asked.errors).toBeUndefined();
    const page = asked.data!.person.enrolments;
    expect(page.totalCount).toBe(0);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.restricted).toEqual([{ agency: { id: "youth" }, count: 1 }]);
  });
});
