import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { importPoliceUkFiles } from "../../subgraphs/police/importer";
import { seedPolice } from "../../subgraphs/police/seed";
import { police } from "../../subgraphs/police/server";
import { openStore, type Sql } from "../../subgraphs/shared/database";
import type { AgencySeedResult } from "../../subgraphs/shared/demo/seed";
import {
  CASE_NEIGHBOURHOODS,
  FEATURED,
  FEATURED_YOUNG,
  REPEAT_REPORTERS,
  ageOn,
  demoPeople,
} from "../../subgraphs/shared/demo/world";
import { sealAssessment } from "../../subgraphs/shared/sealed-assessment";
import { keysByCell, releasedFor } from "../support/cell-key";
import { uniqueDatabaseUrl } from "../support/database";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const DATA = join(__dirname, "..", "..", "data", "police-uk");
const PEOPLE = demoPeople(7, "small");
const AS: As = { agency: "police", purpose: "CRIME_PREVENTION" };
const CITY = "E01032739";

let subgraph: TestSubgraph;
let seeded: AgencySeedResult;

async function seedInto(sql: Sql): Promise<AgencySeedResult> {
  await importPoliceUkFiles(sql, [DATA]);
  return (await seedPolice(sql, { seed: 7, scale: "small", people: PEOPLE })) as AgencySeedResult;
}

beforeAll(async () => {
  subgraph = await startTestSubgraph(police, async (sql) => {
    seeded = await seedInto(sql);
  });
});
afterAll(() => subgraph.stop());

interface IncidentNode {
  id: string;
  month: string;
  category: string;
  location: { lsoaCode: string | null; latitude: number | null; longitude: number | null };
  involvements?: { role: string; person: { id: string } }[];
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: IncidentNode }[];
}

const INCIDENTS = `query($filter: IncidentFilter!, $first: Int, $after: String) {
  incidents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id month category location { lsoaCode latitude longitude } } }
  }
}`;

async function incidents(filter: Record<string, unknown>, first?: number, after?: string | null) {
  const res = await subgraph.query<{ incidents: Page }>(INCIDENTS, { filter, first, after }, AS);
  expect(res.errors).toBeUndefined();
  return res.data!.incidents;
}

async function entities<T>(selection: string, representations: Record<string, unknown>[], as = AS) {
  return subgraph.query<{ _entities: T[] }>(
    `query($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
    { representations },
    as,
  );
}

function count(sql: Sql, where: string, values: unknown[]): Promise<number> {
  return sql
    .one<{ n: string }>(`SELECT count(*) AS n FROM incidents WHERE ${where}`, values)
    .then((r) => Number(r!.n));
}

describe("incidents", () => {
  test("filters by neighbourhood, months and crime type, as the police.uk files record them", async () => {
    // Counted from the published CSVs themselves (these months have no repeated Crime IDs).
    const rows = ["2019-02", "2019-03"].flatMap(
      (m) =>
        parse(readFileSync(join(DATA, `${m}-city-of-london-street.csv`), "utf8"), {
          columns: true,
        }) as Record<string, string>[],
    );
    const wanted = rows.filter(
      (r) => r["LSOA code"] === CITY && ["Burglary", "Anti-social behaviour"].includes(r["Crime type"]),
    );
    expect(wanted.length).toBeGreaterThan(20);

    const page = await incidents(
      {
        lsoaCodes: [CITY],
        fromMonth: "2019-02",
        toMonth: "2019-03",
        categories: ["BURGLARY", "ANTI_SOCIAL_BEHAVIOUR"],
      },
      500,
    );
    expect(page.totalCount).toBe(wanted.length);
    expect(page.edges).toHaveLength(wanted.length);
    for (const { node } of page.edges) {
      expect(node.location.lsoaCode).toBe(CITY);
      expect(["2019-02", "2019-03"]).toContain(node.month);
      expect(["BURGLARY", "ANTI_SOCIAL_BEHAVIOUR"]).toContain(node.category);
    }
    const months = page.edges.map((e) => e.node.month);
    expect(months).toEqual([...months].sort().reverse());
  });

  test("pages through every match with cursors, without repeats or gaps", async () => {
    const filter = { lsoaCodes: ["E01032740", "E01000005"], fromMonth: "2019-04", toMonth: "2019-05" };
    const all = await incidents(filter, 500);
    expect(all.totalCount).toBeGreaterThan(100);
    expect(all.pageInfo.hasNextPage).toBe(false);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page = await incidents(filter, 37, after);
      expect(page.totalCount).toBe(all.totalCount);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
    expect(new Set(seen).size).toBe(all.totalCount);
    // Both neighbourhoods merged newest first, as the rows order them; one named twice counts once.
    const ordered = await subgraph.sql.many<{ id: string }>(
      `SELECT id FROM incidents WHERE lsoa_code = ANY($1) AND month BETWEEN '2019-04' AND '2019-05'
        ORDER BY month DESC, id DESC`,
      [filter.lsoaCodes],
    );
    expect(seen).toEqual(ordered.map((r) => r.id));
    const twice = await incidents({ ...filter, lsoaCodes: [...filter.lsoaCodes, filter.lsoaCodes[0]] }, 500);
    expect(twice.edges.map((e) => e.node.id)).toEqual(seen);
    expect(twice.totalCount).toBe(all.totalCount);
    expect(all.totalCount).toBe(
      await count(subgraph.sql, `lsoa_code = ANY($1) AND month BETWEEN '2019-04' AND '2019-05'`, [
        filter.lsoaCodes,
      ]),
    );
  });

  test("a page continues after the incident its cursor names, even when newer incidents arrive in between", async () => {
    const filter = { lsoaCodes: ["E01032740"], fromMonth: "2019-04", toMonth: "2019-05" };
    const first: Page = await incidents(filter, 10);
    const rest: Page = await incidents(filter, 500, first.pageInfo.endCursor);
    // A newer incident in the same window: with offsets the next page would repeat the tenth.
    await subgraph.adminSql.exec(
      `INSERT INTO incidents (id, source_key, reference, month, category, street, lsoa_code, source)
       VALUES ('inc-zz-keyset', 'inc-zz-keyset', 'KEYSET', '2019-05', 'burglary', 'On or near Test Street', 'E01032740', 'demo')`,
    );
    try {
      const later: Page = await incidents(filter, 500, first.pageInfo.endCursor);
      expect(later.edges.map((e) => e.node.id)).toEqual(rest.edges.map((e) => e.node.id));
      expect(later.totalCount).toBe(first.totalCount + 1);
    } finally {
      await subgraph.adminSql.exec(`DELETE FROM incidents WHERE id = 'inc-zz-keyset'`);
    }
  });

  test("a month that is not YYYY-MM is refused, naming the argument", async () => {
    const bad = await subgraph.query(INCIDENTS, { filter: { fromMonth: "2019-13" } }, AS);
    expect(bad.errors?.[0].message).toContain("filter.fromMonth");
    expect(bad.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    const reversed = await subgraph.query(
      INCIDENTS,
      { filter: { fromMonth: "2019-05", toMonth: "2019-02" } },
      AS,
    );
    expect(reversed.errors?.[0].message).toMatch(/filter\.toMonth: must not be before filter\.fromMonth/);
  });

  test("lists of any length cost the same number of SQL statements", async () => {
    const query = `query($first: Int) { incidents(filter: { fromMonth: "2019-01", toMonth: "2019-06" }, first: $first) {
      edges { node { id summary involvements { role person { id } } } } } }`;
    const statementsFor = async (first: number) => {
      const before = subgraph.sql.statements;
      const res = await subgraph.query<{ incidents: { edges: unknown[] } }>(query, { first }, AS);
      expect(res.errors).toBeUndefined();
      expect(res.data!.incidents.edges).toHaveLength(first);
      return subgraph.sql.statements - before;
    };
    const ten = await statementsFor(10);
    expect(await statementsFor(200)).toBe(ten);
    // The page, its total, and the involvements of every incident on it.
    expect(ten).toBe(3);
  });

  test("refuses a call without a token", async () => {
    const res = await subgraph.query(`{ incidents(filter: {}) { totalCount } }`);
    expect(res.status).toBe(401);
  });
});

describe("Person.incidents", () => {
  test("lists each person's incidents with their part in them", async () => {
    const ids = ["per-000001", "per-000011", "per-000020", "per-000300", "per-999999"];
    const res = await entities<{ id: string; incidents: Page }>(
      `... on Person { id incidents(first: 20) { totalCount edges { node { id month involvements { role person { id } } } } } }`,
      ids.map((id) => ({ __typename: "Person", id })),
    );
    expect(res.errors).toBeUndefined();
    for (const [index, person] of res.data!._entities.entries()) {
      expect(person.id).toBe(ids[index]);
      const expected = await subgraph.sql.one<{ n: string }>(
        `SELECT count(DISTINCT incident_id) AS n FROM involvements WHERE person_id = $1`,
        [person.id],
      );
      expect(person.incidents.totalCount).toBe(Number(expected!.n));
      for (const { node } of person.incidents.edges) {
        expect(node.involvements!.map((i) => i.person.id)).toContain(person.id);
      }
    }
    expect(res.data!._entities[4].incidents.totalCount).toBe(0);
  });

  test("a page past the end is empty but still tells the total", async () => {
    const first = await entities<{ incidents: Page & { pageInfo: { endCursor: string } } }>(
      `... on Person { incidents(first: 50) { totalCount pageInfo { endCursor } } }`,
      [{ __typename: "Person", id: "per-000011" }],
    );
    const { totalCount, pageInfo } = first.data!._entities[0].incidents;
    expect(totalCount).toBeGreaterThan(0);
    const past = await entities<{ incidents: Page }>(
      `... on Person { incidents(first: 5, after: "${pageInfo.endCursor}") { totalCount edges { node { id } } } }`,
      [{ __typename: "Person", id: "per-000011" }],
    );
    expect(past.errors).toBeUndefined();
    expect(past.data!._entities[0].incidents).toEqual({ totalCount, edges: [] });
  });
});

describe("AsbCase.nearbyIncidents", () => {
  const R = 6371000;
  const rad = (d: number) => (d * Math.PI) / 180;
  const metres = (a: [number, number], b: [number, number]) =>
    2 *
    R *
    Math.asin(
      Math.sqrt(
        Math.sin(rad(b[0] - a[0]) / 2) ** 2 +
          Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(rad(b[1] - a[1]) / 2) ** 2,
      ),
    );

  test("finds the incidents within the radius and months either side of the case's opening, and no others", async () => {
    const centre: [number, number] = [51.5155, -0.0925];
    const radius = 300;
    const all = await subgraph.sql.many<{ id: string; month: string; latitude: number; longitude: number }>(
      `SELECT id, month, latitude, longitude FROM incidents WHERE latitude IS NOT NULL`,
    );
    const inWindow = (m: string) => m >= "2019-02" && m <= "2019-04";
    const distance = new Map(all.map((i) => [i.id, metres(centre, [i.latitude, i.longitude])]));
    const expected = all.filter((i) => inWindow(i.month) && distance.get(i.id)! <= radius).map((i) => i.id);
    // The test means something only if the radius and the window each leave incidents out.
    expect(all.some((i) => inWindow(i.month) && distance.get(i.id)! > radius)).toBe(true);
    expect(all.some((i) => !inWindow(i.month) && distance.get(i.id)! <= radius)).toBe(true);
    expect(expected.length).toBeGreaterThan(5);

    const res = await entities<{ id: string; nearbyIncidents: Page }>(
      `... on AsbCase { id nearbyIncidents(radiusMetres: ${radius}, monthsEitherSide: 1, first: 500) { totalCount edges { node { id month } } } }`,
      [
        {
          __typename: "AsbCase",
          id: "asb-1",
          location: { latitude: centre[0], longitude: centre[1] },
          openedAt: "2019-03-14T10:00:00.000Z",
        },
        { __typename: "AsbCase", id: "asb-2", location: null, openedAt: "2019-03-14T10:00:00.000Z" },
      ],
    );
    expect(res.errors).toBeUndefined();
    const [near, nowhere] = res.data!._entities;
    const found = near.nearbyIncidents.edges.map((e) => e.node.id);
    // Points a hair from the edge could go either way in floating point; none should exist.
    const borderline = all.filter((i) => Math.abs(distance.get(i.id)! - radius) < 0.01).map((i) => i.id);
    expect(found.filter((id) => !borderline.includes(id)).sort()).toEqual(
      expected.filter((id) => !borderline.includes(id)).sort(),
    );
    expect(near.nearbyIncidents.totalCount).toBe(found.length);
    expect(nowhere.nearbyIncidents.totalCount).toBe(0);
  });

  test("refuses a radius out of range", async () => {
    const res = await entities(
      `... on AsbCase { nearbyIncidents(radiusMetres: 0, monthsEitherSide: 1) { totalCount } }`,
      [
        {
          __typename: "AsbCase",
          id: "asb-1",
          location: { latitude: 51.5, longitude: -0.1 },
          openedAt: "2019-03-14T10:00:00.000Z",
        },
      ],
    );
    expect(res.errors?.[0].message).toContain("radiusMetres");
  });
});

describe("Neighbourhood.incidentStats", () => {
  test("releases each cell and each month total as engine(true count, cell key), recomputed from the rows' record keys", async () => {
    type Cell = { month: string; category: string; count: number | null; suppressed: boolean };
    type Total = { month: string; count: number | null; suppressed: boolean };
    const query = () =>
      entities<{ incidentStats: Cell[]; incidentMonthTotals: Total[] }>(
        `... on Neighbourhood {
        incidentStats(fromMonth: "2019-01", toMonth: "2019-06") { month category count suppressed }
        incidentMonthTotals(fromMonth: "2019-01", toMonth: "2019-06") { month count suppressed }
      }`,
        [{ __typename: "Neighbourhood", code: CITY }],
        { ...AS, purpose: "STATISTICS" },
      );
    const res = await query();
    expect(res.errors).toBeUndefined();
    const { incidentStats: stats, incidentMonthTotals: totals } = res.data!._entities[0];
    const rows = await subgraph.sql.many<{ month: string; category: string; key: string }>(
      `SELECT month, category, record_key::text AS key FROM incidents
        WHERE lsoa_code = $1 AND month BETWEEN '2019-01' AND '2019-06' ORDER BY month, category`,
      [CITY],
    );
    const cells = keysByCell(rows, (r) => `${r.month}|${r.category}`);
    const months = keysByCell(rows, (r) => r.month);
    const expectedCells = [...cells]
      .map(([cell, keys]) => {
        const [month, category] = cell.split("|");
        return { month, category, count: releasedFor(keys), suppressed: false };
      })
      .filter((c) => c.count > 0);
    const expectedTotals = [...months]
      .map(([month, keys]) => ({ month, count: releasedFor(keys), suppressed: false }))
      .filter((c) => c.count > 0);
    expect(stats).toEqual(expectedCells);
    expect(totals).toEqual(expectedTotals);
    // The window holds true counts of 1 to 4, and none is shown as such.
    expect([...cells.values()].some((keys) => keys.length >= 1 && keys.length <= 4)).toBe(true);
    for (const c of [...stats, ...totals]) expect(c.count === 0 || c.count! >= 5).toBe(true);
    // The same cells again give the same numbers, and a narrower window the same cells.
    expect((await query()).data).toEqual(res.data);
    const narrow = await entities<{ incidentStats: Cell[] }>(
      `... on Neighbourhood { incidentStats(fromMonth: "2019-03", toMonth: "2019-03") { month category count suppressed } }`,
      [{ __typename: "Neighbourhood", code: CITY }],
      { ...AS, purpose: "STATISTICS" },
    );
    expect(narrow.data!._entities[0].incidentStats).toEqual(stats.filter((s) => s.month === "2019-03"));
  });
});

describe("CaseAssessment", () => {
  const sealed = (codes: string[], windows: string[], agencyId = "police", caseId = "case-test") => {
    const [baselineFrom, baselineTo, followUpFrom, followUpTo] = windows;
    return sealAssessment({
      caseId,
      agencyId,
      lsoaCodes: codes,
      baselineFrom,
      baselineTo,
      followUpFrom,
      followUpTo,
    }).id;
  };
  const released = async (codes: string[], from: string, to: string) => {
    const rows = await subgraph.sql.many<{ key: string }>(
      `SELECT record_key::text AS key FROM incidents WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3`,
      [codes, from, to],
    );
    return releasedFor(rows.map((r) => r.key));
  };

  test("releases incidents in a sealed assessment's neighbourhoods before and after through the engine, in one statement", async () => {
    const small = await subgraph.sql.one<{ lsoa_code: string }>(
      `SELECT lsoa_code FROM incidents WHERE month = '2019-01' AND lsoa_code IS NOT NULL
        GROUP BY lsoa_code HAVING count(*) BETWEEN 1 AND 4 ORDER BY lsoa_code LIMIT 1`,
    );
    const windows = [
      [CASE_NEIGHBOURHOODS, ["2018-10", "2019-03", "2019-04", "2019-09"]],
      [[CITY], ["2019-04", "2019-04", "2019-05", "2019-05"]],
      [[small!.lsoa_code], ["2018-12", "2019-01", "2019-02", "2019-03"]],
    ] as const;
    const assessments = windows.map(([codes, w]) => sealed([...codes], [...w]));
    const before = subgraph.sql.statements;
    const res = await entities<{ id: string; incidentsBefore: number | null; incidentsAfter: number | null }>(
      `... on CaseAssessment { id incidentsBefore incidentsAfter }`,
      assessments.map((id) => ({ __typename: "CaseAssessment", id })),
    );
    expect(subgraph.sql.statements - before).toBe(1);
    expect(res.errors).toBeUndefined();
    const expected = [];
    for (const [i, [codes, w]] of windows.entries()) {
      expected.push({
        id: assessments[i],
        incidentsBefore: await released([...codes], w[0], w[1]),
        incidentsAfter: await released([...codes], w[2], w[3]),
      });
    }
    expect(res.data!._entities).toEqual(expected);
    expect(res.data!._entities[0].incidentsBefore).toBeGreaterThan(100);
    for (const a of res.data!._entities) {
      for (const n of [a.incidentsBefore!, a.incidentsAfter!]) expect(n === 0 || n >= 5).toBe(true);
    }
  });

  test("counts nothing for an id the partnership did not seal for the caller: composite, tampered or another agency's", async () => {
    const good = sealed([CITY], ["2019-01", "2019-03", "2019-04", "2019-06"]);
    const [payload, mac] = [good.slice(0, good.lastIndexOf("|")), good.slice(good.lastIndexOf("|") + 1)];
    const ids = [
      `${CITY}|2019-01|2019-03|2019-04|2019-06`,
      `${payload.replace("2019-01", "2018-12")}|${mac}`,
      sealed([CITY], ["2019-01", "2019-03", "2019-04", "2019-06"], "council"),
      `${CITY}|2019-01|2019-13|2019-04|2019-06`,
    ];
    const res = await entities<{ incidentsBefore: number | null } | null>(
      `... on CaseAssessment { incidentsBefore }`,
      ids.map((id) => ({ __typename: "CaseAssessment", id })),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([null, null, null, null]);
  });
});

describe("the demo seed", () => {
  const q = (text: string, values: unknown[] = []) => subgraph.sql.many<Record<string, string>>(text, values);

  test("involves every featured person in at least two incidents; the young in anti-social behaviour", async () => {
    const rows = await q(
      `SELECT v.person_id, count(DISTINCT v.incident_id) AS n,
              bool_and(i.category = 'ANTI_SOCIAL_BEHAVIOUR' AND v.role IN ('VICTIM', 'WITNESS', 'SUSPECT')) AS asb_only
         FROM involvements v JOIN incidents i ON i.id = v.incident_id
        WHERE v.person_id = ANY($1) GROUP BY v.person_id`,
      [PEOPLE.slice(0, FEATURED).map((p) => p.id)],
    );
    expect(rows).toHaveLength(FEATURED);
    for (const row of rows) expect(Number(row.n)).toBeGreaterThanOrEqual(2);
    const young = PEOPLE.slice(0, FEATURED_YOUNG);
    expect(young.every((p) => ageOn(p.dateOfBirth, "2019-03-01") < 18)).toBe(true);
    for (const person of young) expect(rows.find((r) => r.person_id === person.id)!.asb_only).toBe(true);
    const everyone = await q(`SELECT count(DISTINCT person_id) AS n FROM involvements`);
    expect(Number(everyone[0].n)).toBe(PEOPLE.length);
  });

  test("each repeat reporter reported two incidents in 2019-02..05, and appears in the reports", async () => {
    for (const personId of REPEAT_REPORTERS) {
      const rows = await q(
        `SELECT v.incident_id, i.month FROM involvements v JOIN incidents i ON i.id = v.incident_id
          WHERE v.person_id = $1 AND v.role IN ('VICTIM', 'REPORTER')`,
        [personId],
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row.month >= "2019-02" && row.month <= "2019-05").toBe(true);
      const reported = seeded.reports!.filter((r) => r.personId === personId);
      expect(reported.map((r) => r.recordId).sort()).toEqual(rows.map((r) => r.incident_id).sort());
      for (const r of reported) expect(r).toMatchObject({ agencyId: "police", recordKind: "INCIDENT" });
    }
  });

  test("reports are exactly the victim and reporter involvements, dated within the incident's month", async () => {
    const rows = await q(
      `SELECT DISTINCT v.person_id, v.incident_id, i.month FROM involvements v JOIN incidents i ON i.id = v.incident_id
        WHERE v.role IN ('VICTIM', 'REPORTER')`,
    );
    expect(seeded.reports!.map((r) => `${r.personId}|${r.recordId}`).sort()).toEqual(
      rows.map((r) => `${r.person_id}|${r.incident_id}`).sort(),
    );
    const month = new Map(rows.map((r) => [r.incident_id, r.month]));
    for (const r of seeded.reports!) expect(r.reportedAt.slice(0, 7)).toBe(month.get(r.recordId));
  });

  test("links incidents in the case neighbourhoods in 2019-02..05 that featured people are in", async () => {
    const linkable = seeded.linkable!.INCIDENT!;
    expect(linkable.length).toBeGreaterThan(40);
    const rows = await q(
      `SELECT DISTINCT i.id FROM incidents i JOIN involvements v ON v.incident_id = i.id
        WHERE i.lsoa_code = ANY($1) AND i.month BETWEEN '2019-02' AND '2019-05' AND v.person_id = ANY($2) ORDER BY i.id`,
      [CASE_NEIGHBOURHOODS, PEOPLE.slice(0, FEATURED).map((p) => p.id)],
    );
    expect(linkable).toEqual(rows.map((r) => r.id));
  });

  test("writes up every incident people are involved in", async () => {
    const rows = await q(
      `SELECT count(*) FILTER (WHERE narrative IS NULL OR occurred_at IS NULL) AS missing,
              count(*) FILTER (WHERE to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') <> month) AS wrong_month
         FROM incidents WHERE id IN (SELECT incident_id FROM involvements)`,
    );
    expect(rows[0]).toEqual({ missing: "0", wrong_month: "0" });
  });

  test("is deterministic, record keys included, and re-importing the police.uk files afterwards keeps the write-ups and the record keys", async () => {
    // The demo fixes its record keys by the seed (imported incidents too), so two seeds are equal throughout.
    const fingerprint = (sql: Sql) =>
      sql.one<{ incidents: string; involvements: string }>(
        `SELECT (SELECT md5(string_agg(to_jsonb(t)::text, '|' ORDER BY t.id)) FROM incidents t) AS incidents,
                (SELECT md5(string_agg(incident_id || person_id || role, '|' ORDER BY incident_id, person_id, role)) FROM involvements) AS involvements`,
      );
    const other = await openStore(police, uniqueDatabaseUrl("police_seed"), { poolSize: 2 });
    try {
      const again = await seedInto(other.sql);
      expect(await fingerprint(other.sql)).toEqual(await fingerprint(subgraph.sql));
      expect(again).toEqual(seeded);

      const keys = () =>
        other.sql.one<{ keys: string; distinct: string; total: string }>(
          `SELECT md5(string_agg(id || record_key::text, '|' ORDER BY id)) AS keys,
                  count(DISTINCT record_key) AS distinct, count(*) AS total FROM incidents`,
        );
      const keysBefore = await keys();
      // Every incident has its own key (a few equal keys among thousands would be chance, not a default).
      expect(Number(keysBefore!.distinct)).toBeGreaterThan(Number(keysBefore!.total) * 0.99);
      const reimport = await importPoliceUkFiles(other.sql, [DATA]);
      expect(reimport.totals.inserted + reimport.totals.updated).toBe(0);
      expect(await fingerprint(other.sql)).toEqual(await fingerprint(subgraph.sql));
      expect(await keys()).toEqual(keysBefore);
    } finally {
      await other.close();
    }
  });
});
