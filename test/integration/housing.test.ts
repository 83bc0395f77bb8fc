import type { AgencySeedResult } from "../../subgraphs/shared/demo/seed";
import {
  CASE_NEIGHBOURHOODS,
  FEATURED,
  FEATURED_YOUNG,
  REPEAT_REPORTERS,
  demoPeople,
  personId,
} from "../../subgraphs/shared/demo/world";
import { housing } from "../../subgraphs/housing/server";
import { seedHousing } from "../../subgraphs/housing/seed";
import type { Sql } from "../../subgraphs/shared/database";
import { Role } from "../../subgraphs/shared/enums";
import { release } from "../../subgraphs/shared/statistics";
import { releasedFor } from "../support/cell-key";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const people = demoPeople(7, "small");
const asHousing = { agency: "housing", purpose: "TENANCY_SUSTAINMENT" };

let subgraph: TestSubgraph;
let seeded: AgencySeedResult;

beforeAll(async () => {
  subgraph = await startTestSubgraph(housing, async (sql) => {
    seeded = (await seedHousing(sql, { seed: 7, scale: "small", people })) ?? {};
  });
});
afterAll(() => subgraph.stop());

const PERSON_TENANCIES = `
  query ($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on Person {
        id
        tenancies(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges {
            cursor
            node {
              id
              status
              tenure
              startDate
              endDate
              arrearsBand
              property { uprn address lsoaCode }
              actions { type takenAt }
            }
          }
          restricted { agency { id } category count contact }
        }
      }
    }
  }`;

interface TenancyNode {
  id: string;
  status: string;
  tenure: string;
  startDate: string;
  endDate: string | null;
  arrearsBand: string | null;
  property: { uprn: string; address: string; lsoaCode: string };
  actions: { type: string; takenAt: string }[];
}
interface TenancyPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: TenancyNode }[];
  restricted: unknown[];
}

function personTenancies(ids: string[], first?: number, after?: string) {
  return subgraph.query<{ _entities: { id: string; tenancies: TenancyPage }[] }>(
    PERSON_TENANCIES,
    { representations: ids.map((id) => ({ __typename: "Person", id })), first, after },
    asHousing,
  );
}

/** A digest of every seeded row (the hand-built statistics rows, ids `t-...`, left out). */
async function seedDigest(sql: Sql): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const table of [
    "properties",
    "tenancies",
    "tenancy_occupants",
    "tenancy_actions",
    "housing_reports",
  ]) {
    // Record keys included: the demo fixes them by its seed.
    const rows =
      table === "tenancy_occupants"
        ? "SELECT tenancy_id, person_id, role FROM tenancy_occupants"
        : `SELECT to_jsonb(r) AS r FROM ${table} r WHERE id NOT LIKE 't-%'`;
    const row = await sql.one<{ digest: string; n: string }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest, count(*) AS n FROM (${rows}) t`,
    );
    digest[table] = `${row!.n}:${row!.digest}`;
  }
  return digest;
}

describe("a person's tenancies", () => {
  test("a featured tenant at risk shows their home and the 2019 actions, as Person360 asks", async () => {
    const atRisk = seeded.linkable?.TENANCY ?? [];
    expect(atRisk.length).toBeGreaterThanOrEqual(5);
    const tenant = await subgraph.sql.one<{ person_id: string }>(
      `SELECT person_id FROM tenancy_occupants WHERE tenancy_id = $1 AND role = 'TENANT'`,
      [atRisk[0]],
    );
    const res = await personTenancies([tenant!.person_id], 10);
    expect(res.errors).toBeUndefined();
    const [person] = res.data!._entities;
    expect(person.id).toBe(tenant!.person_id);
    const node = person.tenancies.edges.map((e) => e.node).find((t) => t.id === atRisk[0])!;
    expect(node).toMatchObject({ status: "AT_RISK", endDate: null });
    expect(["SECURE", "INTRODUCTORY", "ASSURED", "PRIVATE_RENTED"]).toContain(node.tenure);
    expect(node.startDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(node.property.uprn).toMatch(/^\d{12}$/);
    expect(CASE_NEIGHBOURHOODS).toContain(node.property.lsoaCode);
    expect(node.property.address).toMatch(/\S/);
    const types = node.actions.map((a) => a.type);
    expect(types).toEqual(expect.arrayContaining(["WARNING", "NOTICE_OF_SEEKING_POSSESSION"]));
    for (const action of node.actions)
      expect(action.takenAt.slice(0, 7) >= "2019-01" && action.takenAt.slice(0, 7) <= "2019-06").toBe(true);
    // Oldest first: the warning came before the notice.
    expect([...node.actions].sort((a, b) => a.takenAt.localeCompare(b.takenAt))).toEqual(node.actions);
    expect(person.tenancies.restricted).toEqual([]);
  });

  test("a person housing holds nothing on gets an empty page", async () => {
    const res = await personTenancies(["per-999999"]);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0].tenancies).toEqual({
      totalCount: 0,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
      restricted: [],
    });
  });

  test("pages follow on from the cursor, current tenancies first, and the total holds past the end", async () => {
    const mover = await subgraph.sql.one<{ person_id: string; n: string }>(
      `SELECT person_id, count(*) AS n FROM tenancy_occupants GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 1`,
    );
    expect(mover).toBeDefined();
    const total = Number(mover!.n);
    const first = await personTenancies([mover!.person_id], 1);
    expect(first.errors).toBeUndefined();
    const page1 = first.data!._entities[0].tenancies;
    expect(page1.totalCount).toBe(total);
    expect(page1.edges).toHaveLength(1);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.edges[0].node.status).not.toBe("ENDED");

    const second = await personTenancies([mover!.person_id], 50, page1.pageInfo.endCursor!);
    const page2 = second.data!._entities[0].tenancies;
    expect(page2.totalCount).toBe(total);
    expect(page2.edges).toHaveLength(total - 1);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.edges.map((e) => e.node.id)).not.toContain(page1.edges[0].node.id);

    const beyond = await personTenancies([mover!.person_id], 5, page2.pageInfo.endCursor!);
    expect(beyond.data!._entities[0].tenancies).toMatchObject({
      totalCount: total,
      edges: [],
      pageInfo: { hasNextPage: false },
    });
  });

  test("asking for more than 500 at once is refused, naming `first`", async () => {
    const res = await personTenancies(["per-000011"], 501);
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "first" });
    expect(res.errors?.[0].message).toMatch(/^first: /);
  });

  test("a person's housing reports, newest first, with the property reported from", async () => {
    const res = await subgraph.query<{
      _entities: { housingReports: { totalCount: number; edges: { node: Record<string, unknown> }[] } }[];
    }>(
      `query ($representations: [_Any!]!) {
         _entities(representations: $representations) {
           ... on Person { housingReports(first: 5) { totalCount edges { node { id reportedAt description person { id } property { uprn } } } } }
         }
       }`,
      { representations: [{ __typename: "Person", id: REPEAT_REPORTERS[0] }] },
      asHousing,
    );
    expect(res.errors).toBeUndefined();
    const reports = res.data!._entities[0].housingReports;
    expect(reports.totalCount).toBe(1);
    expect(reports.edges[0].node).toMatchObject({
      person: { id: REPEAT_REPORTERS[0] },
      property: { uprn: expect.stringMatching(/^\d{12}$/) },
    });
    expect(
      String(reports.edges[0].node.reportedAt) >= "2019-02-01" &&
        String(reports.edges[0].node.reportedAt) < "2019-06-01",
    ).toBe(true);
  });
});

describe("tenancies and properties by id", () => {
  test("a tenancy lists its occupants, tenants first, and resolves as an entity", async () => {
    const id = seeded.linkable!.TENANCY![0];
    const res = await subgraph.query<{
      tenancy: { id: string; occupants: { role: string; person: { id: string } }[] };
      _entities: { id: string; status: string }[];
    }>(
      `query ($id: ID!, $representations: [_Any!]!) {
         tenancy(id: $id) { id occupants { role person { id } } }
         _entities(representations: $representations) { ... on Tenancy { id status } }
       }`,
      { id, representations: [{ __typename: "Tenancy", id }] },
      asHousing,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.tenancy.occupants[0].role).toBe("TENANT");
    expect(res.data!._entities).toEqual([{ id, status: "AT_RISK" }]);
    const none = await subgraph.query(`{ tenancy(id: "ten-999999") { id } }`, {}, asHousing);
    expect(none.data).toEqual({ tenancy: null });
  });

  test("propertyByUprn finds the property, returns null for an unknown one and rejects a malformed UPRN", async () => {
    const known = await subgraph.sql.one<{ id: string; uprn: string; address: string }>(
      `SELECT id, uprn, address FROM properties ORDER BY id LIMIT 1`,
    );
    const found = await subgraph.query(
      `query ($uprn: String!) { propertyByUprn(uprn: $uprn) { id uprn address } }`,
      { uprn: known!.uprn },
      asHousing,
    );
    expect(found.errors).toBeUndefined();
    expect(found.data).toEqual({ propertyByUprn: known });

    const byId = await subgraph.query(
      `query ($id: ID!) { property(id: $id) { uprn } }`,
      { id: known!.id },
      asHousing,
    );
    expect(byId.data).toEqual({ property: { uprn: known!.uprn } });

    const unknown = await subgraph.query(`{ propertyByUprn(uprn: "999999999999") { id } }`, {}, asHousing);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ propertyByUprn: null });

    for (const bad of ["12345", "10002100012a", "1000210001234"]) {
      const res = await subgraph.query(
        `query ($uprn: String!) { propertyByUprn(uprn: $uprn) { id } }`,
        { uprn: bad },
        asHousing,
      );
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "uprn" });
    }
  });
});

describe("tenancy action statistics", () => {
  const HOOD = "E01999901";
  const OTHER = "E01999902";

  beforeAll(async () => {
    // Hand-built: 4 warnings and 9 notices in March 2018 in HOOD, 6 warnings in OTHER, and one
    // warning in April in HOOD (outside the asked months). Their record keys are set here, so the
    // cell keys are known: warnings 4 × 0.1 (0.4), notices 9 × 0.05 (0.45), OTHER's 6 × 0.15 (0.9).
    await subgraph.adminSql.transaction(async (tx) => {
      await tx.exec(`INSERT INTO properties (id, uprn, address, lsoa_code) VALUES
        ('t-p1', '999000000001', 'Flat 1, Test House', '${HOOD}'), ('t-p2', '999000000002', 'Flat 2, Test House', '${OTHER}')`);
      await tx.exec(`INSERT INTO tenancies (id, property_id, status, tenure, start_date) VALUES
        ('t-t1', 't-p1', 'AT_RISK', 'SECURE', '2010-01-01'), ('t-t2', 't-p2', 'ACTIVE', 'ASSURED', '2012-01-01')`);
      await tx.exec(`INSERT INTO tenancy_actions (id, tenancy_id, type, taken_at, record_key)
        SELECT 't-a' || n, 't-t1', CASE WHEN n <= 4 THEN 'WARNING' ELSE 'NOTICE_OF_SEEKING_POSSESSION' END,
               timestamptz '2018-03-01 10:00Z' + n * interval '1 day', CASE WHEN n <= 4 THEN 0.1 ELSE 0.05 END
          FROM generate_series(1, 13) n`);
      await tx.exec(`INSERT INTO tenancy_actions (id, tenancy_id, type, taken_at, record_key)
        SELECT 't-b' || n, 't-t2', 'WARNING', timestamptz '2018-03-31 23:00Z' - n * interval '1 hour', 0.15
          FROM generate_series(0, 5) n`);
      await tx.exec(
        `INSERT INTO tenancy_actions (id, tenancy_id, type, taken_at) VALUES ('t-c1', 't-t1', 'WARNING', '2018-04-01 00:00Z')`,
      );
    });
  });

  const STATS = `query ($representations: [_Any!]!, $from: String!, $to: String!) {
    _entities(representations: $representations) {
      ... on Neighbourhood { code tenancyActionStats(fromMonth: $from, toMonth: $to) { month type count suppressed } }
    }
  }`;

  test("releases counts by month and type through the engine, for several neighbourhoods in one statement", async () => {
    const before = subgraph.sql.statements;
    const res = await subgraph.query(
      STATS,
      {
        representations: [
          { __typename: "Neighbourhood", code: HOOD },
          { __typename: "Neighbourhood", code: OTHER },
        ],
        from: "2018-03",
        to: "2018-03",
      },
      { agency: "police", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(subgraph.sql.statements - before).toBe(1);
    expect(res.errors).toBeUndefined();
    // The p-table at these cell keys: 9 at 0.45 stays 9; 4 at 0.4 becomes 5; 6 at 0.9 becomes 9.
    expect([release(9, 0.45), release(4, 0.4), release(6, 0.9)]).toEqual([9, 5, 9]);
    expect(res.data).toEqual({
      _entities: [
        {
          code: HOOD,
          tenancyActionStats: [
            { month: "2018-03", type: "NOTICE_OF_SEEKING_POSSESSION", count: 9, suppressed: false },
            { month: "2018-03", type: "WARNING", count: 5, suppressed: false },
          ],
        },
        {
          code: OTHER,
          tenancyActionStats: [{ month: "2018-03", type: "WARNING", count: 9, suppressed: false }],
        },
      ],
    });
  });

  test("releases the month's total as a cell of its own, not the sum of the released cells", async () => {
    const res = await subgraph.query<{ _entities: { tenancyActionMonthTotals: unknown[] }[] }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Neighbourhood { tenancyActionMonthTotals(fromMonth: "2018-03", toMonth: "2018-04") { month count suppressed } }
      } }`,
      { representations: [{ __typename: "Neighbourhood", code: HOOD }] },
      { agency: "police", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(res.errors).toBeUndefined();
    // March: 13 actions with key 0.85 (4 × 0.1 + 9 × 0.05); April: one warning, its own random key.
    const april = await subgraph.sql.one<{ key: string }>(
      `SELECT record_key::text AS key FROM tenancy_actions WHERE id = 't-c1'`,
    );
    const expected = [
      { month: "2018-03", count: release(13, 0.85), suppressed: false },
      { month: "2018-04", count: releasedFor([april!.key]), suppressed: false },
    ].filter((m) => m.count > 0);
    expect(res.data!._entities[0].tenancyActionMonthTotals).toEqual(expected);
    expect(release(13, 0.85)).not.toBe(9 + 5);
  });

  test("rejects a month range that is malformed or backwards, naming the argument", async () => {
    const as = { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" };
    const reps = [{ __typename: "Neighbourhood", code: HOOD }];
    const malformed = await subgraph.query(
      STATS,
      { representations: reps, from: "2018-3", to: "2018-04" },
      as,
    );
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "fromMonth" });
    const backwards = await subgraph.query(
      STATS,
      { representations: reps, from: "2018-05", to: "2018-04" },
      as,
    );
    expect(backwards.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "toMonth" });
  });
});

describe("the demo seed", () => {
  test("every featured person lives in a tenancy, the young ones as household members", async () => {
    const featured = Array.from({ length: FEATURED }, (_, i) => personId(i + 1));
    const rows = await subgraph.sql.many<{ person_id: string; roles: string[] }>(
      `SELECT person_id, array_agg(DISTINCT role) AS roles FROM tenancy_occupants WHERE person_id = ANY($1) GROUP BY person_id`,
      [featured],
    );
    const roles = new Map(rows.map((r) => [r.person_id, r.roles]));
    for (const id of featured) expect(roles.get(id)).toBeDefined();
    for (let n = 1; n <= FEATURED_YOUNG; n++) expect(roles.get(personId(n))).toEqual(["HOUSEHOLD_MEMBER"]);
  });

  test("the linkable tenancies are at risk in the case neighbourhoods, with 2019 actions", async () => {
    const ids = seeded.linkable!.TENANCY!;
    const rows = await subgraph.sql.many<{ id: string; status: string; lsoa_code: string; actions: string }>(
      `SELECT t.id, t.status, p.lsoa_code,
              (SELECT count(*) FROM tenancy_actions a WHERE a.tenancy_id = t.id AND a.taken_at >= '2019-01-01Z' AND a.taken_at < '2019-07-01Z') AS actions
         FROM tenancies t JOIN properties p ON p.id = t.property_id WHERE t.id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) {
      expect(row.status).toBe("AT_RISK");
      expect(CASE_NEIGHBOURHOODS).toContain(row.lsoa_code);
      expect(Number(row.actions)).toBeGreaterThan(0);
    }
  });

  test("each repeat reporter made one housing report in 2019-02..05, and every report is returned", async () => {
    const reports = seeded.reports ?? [];
    const count = await subgraph.sql.one<{ n: string }>(`SELECT count(*) AS n FROM housing_reports`);
    expect(reports).toHaveLength(Number(count!.n));
    for (const reporter of REPEAT_REPORTERS) {
      const theirs = reports.filter((r) => r.personId === reporter);
      expect(theirs).toHaveLength(1);
      expect(theirs[0]).toMatchObject({ agencyId: "housing", recordKind: "HOUSING_REPORT" });
      expect(theirs[0].reportedAt >= "2019-02-01" && theirs[0].reportedAt <= "2019-05-31").toBe(true);
    }
  });

  test("has the shape of the small demo: properties in every neighbourhood, a tenancy for most adults", async () => {
    const counts = await subgraph.sql.one<{
      properties: string;
      hoods: string;
      tenancies: string;
      housed: string;
    }>(
      `SELECT (SELECT count(*) FROM properties WHERE id LIKE 'prop-%') AS properties,
              (SELECT count(DISTINCT lsoa_code) FROM properties WHERE id LIKE 'prop-%') AS hoods,
              (SELECT count(*) FROM tenancies WHERE id LIKE 'ten-%') AS tenancies,
              (SELECT count(DISTINCT person_id) FROM tenancy_occupants) AS housed`,
    );
    expect(Number(counts!.properties)).toBe(400);
    expect(Number(counts!.hoods)).toBe(151);
    const adults = people.filter((p) => p.dateOfBirth <= "2001-07-15").map((p) => p.id);
    const housedAdults = await subgraph.sql.one<{ n: string }>(
      `SELECT count(DISTINCT person_id) AS n FROM tenancy_occupants WHERE person_id = ANY($1)`,
      [adults],
    );
    expect(Number(housedAdults!.n) / adults.length).toBeGreaterThan(0.6);
    const uprns = await subgraph.sql.many<{ uprn: string }>(
      `SELECT uprn FROM properties WHERE uprn !~ '^[0-9]{12}$'`,
    );
    expect(uprns).toEqual([]);
  });

  test("is deterministic: the same seed builds the same records; another seed builds others", async () => {
    const again = await startTestSubgraph(housing, (sql) =>
      seedHousing(sql, { seed: 7, scale: "small", people }),
    );
    const other = await startTestSubgraph(housing, (sql) =>
      seedHousing(sql, { seed: 8, scale: "small", people }),
    );
    try {
      const original = await seedDigest(subgraph.sql);
      expect(await seedDigest(again.sql)).toEqual(original);
      expect(await seedDigest(other.sql)).not.toEqual(original);
    } finally {
      await again.stop();
      await other.stop();
    }
  });
});

describe("batching", () => {
  const DEEP = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Person { id tenancies(first: 3) { edges { node { id status property { uprn } actions { type } occupants { person { id } } } } } }
    }
  }`;

  test("5 and 50 people with tenancies, homes, actions and occupants cost the same statements", async () => {
    const ids = (
      await subgraph.sql.many<{ person_id: string }>(
        `SELECT DISTINCT person_id FROM tenancy_occupants ORDER BY person_id LIMIT 50`,
      )
    ).map((r) => r.person_id);
    expect(ids).toHaveLength(50);
    const cost = async (some: string[]) => {
      const before = subgraph.sql.statements;
      const res = await subgraph.query<{ _entities: { tenancies: { edges: unknown[] } }[] }>(
        DEEP,
        { representations: some.map((id) => ({ __typename: "Person", id })) },
        asHousing,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!._entities.every((e) => e.tenancies.edges.length > 0)).toBe(true);
      return subgraph.sql.statements - before;
    };
    const five = await cost(ids.slice(0, 5));
    const fifty = await cost(ids);
    expect(fifty).toBe(five);
    // Tenancies, properties, actions and occupants: one statement each.
    expect(five).toBe(4);
  });
});
