import { Purpose, Role } from "../../subgraphs/shared/enums";
import { CELL_KEY_SQL, cellKeyOf, release } from "../../subgraphs/shared/statistics";
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

/**
 * Found by attacking the gateway (issue 15, finding 3): a search's signposting put the owner's
 * exact total into `restricted.count` for any neighbourhood, month and crime type, so housing
 * (which only supplies police, for safeguarding) read cells of 1 to 4 incidents exactly that the
 * dashboards perturb. A count of withheld records over an area, a period or a category now passes
 * the cell-key engine with the key of exactly those records: the number the dashboards give.
 */
describe("a search's counts of withheld records go through disclosure control", () => {
  interface SmallCell {
    lsoa_code: string;
    month: string;
    category: string;
    count: string;
    cell_key: string;
  }
  const SEARCH = `query Cell($filter: IncidentFilter!, $first: Int) {
    incidents(filter: $filter, first: $first) { totalCount pageInfo { hasNextPage } edges { node { id } } restricted { agency { id } count } }
  }`;
  interface Search {
    incidents: Page & { edges: unknown[] };
  }

  test("housing learns no count from 1 to 4 of police incidents in a neighbourhood, month and crime type", async () => {
    const cells = await fed.stores.police.sql.many<SmallCell>(
      `SELECT lsoa_code, month, category, count(*) AS count, ${CELL_KEY_SQL("i")} AS cell_key
         FROM incidents i WHERE lsoa_code IS NOT NULL
        GROUP BY lsoa_code, month, category HAVING count(*) BETWEEN 1 AND 4
        ORDER BY lsoa_code, month, category LIMIT 24`,
    );
    expect(cells.length).toBeGreaterThanOrEqual(12);
    // Signposted: housing shares with police for safeguarding, police with housing not at all.
    const as = { agency: "housing", purpose: Purpose.SAFEGUARDING };
    const released: number[] = [];
    for (const cell of cells) {
      const filter = {
        lsoaCodes: [cell.lsoa_code],
        fromMonth: cell.month,
        toMonth: cell.month,
        categories: [cell.category],
      };
      // The police see the cell as it is.
      const own = await fed.query<Search>(
        SEARCH,
        { filter, first: 0 },
        {
          agency: "police",
          purpose: Purpose.SAFEGUARDING,
        },
      );
      expect(own.data!.incidents.totalCount).toBe(Number(cell.count));
      // Housing: a page of none (first: 0) and a page of the records say the same.
      const expected = release(Number(cell.count), cellKeyOf(cell.cell_key));
      for (const first of [0, 10]) {
        const asked = await fed.query<Search>(SEARCH, { filter, first }, as);
        expect(asked.errors).toBeUndefined();
        const page = asked.data!.incidents;
        expect(page.totalCount).toBe(0);
        expect(page.edges).toEqual([]);
        const counts = page.restricted.map((r) => r.count);
        released.push(...counts);
        // The cell as the dashboards release it: its records' own key, its own noise.
        expect({ cell, first, counts }).toEqual({ cell, first, counts: expected === 0 ? [] : [expected] });
      }
    }
    expect(released.filter((n) => n >= 1 && n <= 4)).toEqual([]);
  });

  test("a count about one named person stays exact (signposting about that person)", async () => {
    const held = await fed.stores.police.sql.one<{ person_id: string; n: string }>(
      `SELECT person_id, count(DISTINCT incident_id) AS n FROM involvements
        GROUP BY person_id HAVING count(DISTINCT incident_id) BETWEEN 1 AND 4 ORDER BY person_id LIMIT 1`,
    );
    // Signposted: the council shares with police for safeguarding, police with the council not for it.
    const asked = await fed.query<{ person: Pages }>(
      `query Pages($id: ID!) { person(id: $id) { incidents(first: 0) { ${PAGE} } } }`,
      { id: held!.person_id },
      { agency: "council", purpose: Purpose.SAFEGUARDING },
    );
    expect(asked.errors).toBeUndefined();
    expect(asked.data!.person.incidents.restricted).toEqual([
      { agency: { id: "police" }, count: Number(held!.n) },
    ]);
  });
});
