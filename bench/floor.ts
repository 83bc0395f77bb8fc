import { Pool } from "pg";
import { SUBGRAPH_NAMES, type SubgraphName } from "../subgraphs/shared/config";
import { encodeCursor } from "../subgraphs/shared/connection";
import { release } from "../subgraphs/shared/statistics";
import { ageBandOn, today } from "../subgraphs/partnership/calendar";
import { LATEST_OUTCOME } from "../subgraphs/police/outcome";
import { countCells, STATISTICS_DATABASE, type StatisticsKind } from "./floor-statistics";

/**
 * Setup (e) of `npm run bench`, the floor: each read operation's answer made by the SQL it needs
 * and nothing else (no GraphQL, no access rules, no audit, no subgraph hops), read from the same
 * per-subgraph databases, shaped as the graph's `data` for a caller who may see everything.
 * test/e2e/bench-floor.test.ts checks it against the graph. What (a) costs over this is what the
 * graph's machinery costs.
 */
export type FloorPools = Record<SubgraphName, Pool>;

export function openFloorPools(urlOf: (name: SubgraphName) => string, size = 8): FloorPools {
  return Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, new Pool({ connectionString: urlOf(name), max: size })]),
  ) as FloorPools;
}

export async function closeFloorPools(pools: FloorPools): Promise<void> {
  await Promise.all(Object.values(pools).map((p) => p.end()));
}

type Row = Record<string, unknown>;
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : (d as string | null));
const num = (n: unknown) => (n === null || n === undefined ? null : Number(n));

/** A connection with what Person360 selects of it (only its incidents ask for cursors and pageInfo). */
function connection<T>(rows: T[], total: number, first: number, paged = false) {
  const nodes = rows.slice(0, first);
  if (!paged) return { totalCount: total, edges: nodes.map((node) => ({ node })), restricted: [] };
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor(i), node }));
  return {
    totalCount: total,
    pageInfo: {
      hasNextPage: edges.length < total,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
    edges,
    restricted: [],
  };
}

/** Rows of a windowed page query grouped by parent, with each parent's total. */
function byParent(rows: Row[], key = "parent_id"): Map<string, { rows: Row[]; total: number }> {
  const map = new Map<string, { rows: Row[]; total: number }>();
  for (const row of rows) {
    const id = row[key] as string;
    let entry = map.get(id);
    if (!entry) map.set(id, (entry = { rows: [], total: Number(row.total) }));
    entry.rows.push(row);
  }
  return map;
}

const ranked = (columns: string, parent: string, order: string, from: string) => `
  SELECT * FROM (
    SELECT ${columns}, ${parent} AS parent_id, row_number() OVER (PARTITION BY ${parent} ORDER BY ${order}) AS position,
           count(*) OVER (PARTITION BY ${parent}) AS total
      FROM ${from}) ranked
   WHERE position <= $2 + 1 ORDER BY parent_id, position`;

// The outcome as the graph gives it: the latest of its outcome history, else the street file's.
const INCIDENT_COLUMNS = `i.id, i.reference, i.month, i.occurred_at, i.category, ${LATEST_OUTCOME} AS outcome, i.street, i.lsoa_code,
  i.latitude, i.longitude, i.summary, i.narrative`;

async function involvementsOf(pools: FloorPools, incidentIds: string[]): Promise<Map<string, Row[]>> {
  const { rows } = await pools.police.query(
    `SELECT incident_id, person_id, role FROM involvements WHERE incident_id = ANY($1) ORDER BY incident_id, id`,
    [incidentIds],
  );
  const map = new Map<string, Row[]>();
  for (const r of rows) map.set(r.incident_id, [...(map.get(r.incident_id) ?? []), r]);
  return map;
}

async function tenanciesOf(pools: FloorPools, personIds: string[], first: number) {
  const { rows } = await pools.housing.query(
    ranked(
      `t.id, t.status, t.tenure, t.start_date::text AS start_date, t.arrears_band,
       p.uprn, p.address, p.lsoa_code`,
      "o.person_id",
      "t.status = 'ENDED', t.start_date DESC, t.id",
      `(SELECT DISTINCT person_id, tenancy_id FROM tenancy_occupants WHERE person_id = ANY($1)) o
        JOIN tenancies t ON t.id = o.tenancy_id JOIN properties p ON p.id = t.property_id`,
    ),
    [personIds, first],
  );
  return byParent(rows);
}

async function referralsOf(pools: FloorPools, personIds: string[], first: number) {
  const { rows } = await pools.youth.query(
    ranked(
      `r.id, r.status, r.reason, r.referred_at, p.id AS programme_id, p.name, p.kind, p.provider`,
      "r.person_id",
      "r.referred_at DESC, r.id",
      `referrals r JOIN programmes p ON p.id = r.programme_id WHERE r.person_id = ANY($1)`,
    ),
    [personIds, first],
  );
  return byParent(rows);
}

const empty = { rows: [] as Row[], total: 0 };

async function person360(pools: FloorPools, variables: { id: string }) {
  const id = variables.id;
  const [people, incidents, cases, tenancies, referrals, enrolments] = await Promise.all([
    pools.partnership.query(
      `SELECT id, given_name, family_name, to_char(date_of_birth, 'YYYY-MM-DD') AS date_of_birth FROM people WHERE id = $1`,
      [id],
    ),
    pools.police.query(
      ranked(
        INCIDENT_COLUMNS,
        "p.person_id",
        "i.month DESC, i.id",
        `(SELECT DISTINCT person_id, incident_id FROM involvements WHERE person_id = ANY($1)) p
          JOIN incidents i ON i.id = p.incident_id`,
      ),
      [[id], 20],
    ),
    pools.council.query(
      ranked(
        `c.id, c.reference, c.status, c.category, c.opened_at, c.risk_level, c.description`,
        "p.person_id",
        "c.opened_at DESC, c.id",
        `(SELECT DISTINCT person_id, case_id FROM asb_parties WHERE person_id = ANY($1)) p
          JOIN asb_cases c ON c.id = p.case_id`,
      ),
      [[id], 20],
    ),
    tenanciesOf(pools, [id], 10),
    referralsOf(pools, [id], 10),
    pools.youth.query(
      ranked(
        `e.id, e.year_group, e.attendance_rate, e.suspensions, s.urn, s.name`,
        "e.person_id",
        "e.started_on DESC, e.id",
        `enrolments e JOIN schools s ON s.id = e.school_id WHERE e.person_id = ANY($1)`,
      ),
      [[id], 5],
    ),
  ]);
  const person = people.rows[0];
  if (!person) return { person: null };
  const incidentPage = byParent(incidents.rows).get(id) ?? empty;
  const casePage = byParent(cases.rows).get(id) ?? empty;
  const tenancyPage = tenancies.get(id) ?? empty;
  const incidentIds = incidentPage.rows.slice(0, 20).map((r) => r.id as string);
  const caseIds = casePage.rows.slice(0, 20).map((r) => r.id as string);
  const tenancyIds = tenancyPage.rows.slice(0, 10).map((r) => r.id as string);
  const [involvements, interventions, actions] = await Promise.all([
    involvementsOf(pools, incidentIds),
    pools.council.query(
      `SELECT case_id, type, issued_at, status FROM asb_interventions WHERE case_id = ANY($1) ORDER BY case_id, issued_at, id`,
      [caseIds],
    ),
    pools.housing.query(
      `SELECT tenancy_id, type, taken_at FROM tenancy_actions WHERE tenancy_id = ANY($1) ORDER BY tenancy_id, taken_at, id`,
      [tenancyIds],
    ),
  ]);
  const grouped = (rows: Row[], key: string) => {
    const map = new Map<string, Row[]>();
    for (const r of rows) map.set(r[key] as string, [...(map.get(r[key] as string) ?? []), r]);
    return map;
  };
  const interventionsBy = grouped(interventions.rows, "case_id");
  const actionsBy = grouped(actions.rows, "tenancy_id");
  return {
    person: {
      id: person.id,
      displayName: `${person.given_name} ${person.family_name}`,
      dateOfBirth: person.date_of_birth,
      ageBand: person.date_of_birth ? ageBandOn(person.date_of_birth, today()) : null,
      incidents: connection(
        incidentPage.rows.map((r) => ({
          id: r.id,
          reference: r.reference,
          month: r.month,
          occurredAt: iso(r.occurred_at),
          category: r.category,
          outcome: r.outcome,
          summary: r.summary,
          narrative: r.narrative,
          location: { street: r.street, lsoaCode: r.lsoa_code, latitude: r.latitude, longitude: r.longitude },
          involvements: (involvements.get(r.id as string) ?? []).map((v) => ({
            role: v.role,
            person: { id: v.person_id },
          })),
        })),
        incidentPage.total,
        20,
        true,
      ),
      asbCases: connection(
        casePage.rows.map((r) => ({
          id: r.id,
          reference: r.reference,
          status: r.status,
          category: r.category,
          openedAt: iso(r.opened_at),
          riskLevel: r.risk_level,
          description: r.description,
          interventions: (interventionsBy.get(r.id as string) ?? []).map((n) => ({
            type: n.type,
            issuedAt: iso(n.issued_at),
            status: n.status,
          })),
        })),
        casePage.total,
        20,
      ),
      tenancies: connection(
        tenancyPage.rows.map((r) => ({
          id: r.id,
          status: r.status,
          tenure: r.tenure,
          startDate: r.start_date,
          arrearsBand: r.arrears_band,
          property: { uprn: r.uprn, address: r.address, lsoaCode: r.lsoa_code },
          actions: (actionsBy.get(r.id as string) ?? []).map((a) => ({
            type: a.type,
            takenAt: iso(a.taken_at),
          })),
        })),
        tenancyPage.total,
        10,
      ),
      referrals: connection(
        (referrals.get(id) ?? empty).rows.map(referralNode),
        (referrals.get(id) ?? empty).total,
        10,
      ),
      enrolments: connection(
        (byParent(enrolments.rows).get(id) ?? empty).rows.map((r) => ({
          id: r.id,
          yearGroup: r.year_group,
          attendanceRate: num(r.attendance_rate),
          suspensions: r.suspensions,
          school: { urn: r.urn, name: r.name },
        })),
        (byParent(enrolments.rows).get(id) ?? empty).total,
        5,
      ),
    },
  };
}

const referralNode = (r: Row) => ({
  id: r.id,
  status: r.status,
  reason: r.reason,
  referredAt: iso(r.referred_at),
  programme: { id: r.programme_id, name: r.name, kind: r.kind, provider: r.provider },
});

interface IncidentsVariables {
  lsoaCodes: string[];
  fromMonth: string;
  toMonth: string;
  categories?: string[] | null;
  first?: number;
}

async function incidentsInArea(pools: FloorPools, v: IncidentsVariables) {
  const first = v.first ?? 50;
  const params = [v.lsoaCodes, v.fromMonth, v.toMonth, v.categories ?? null];
  const [page, count] = await Promise.all([
    // Each neighbourhood's newest along (lsoa_code, month, id), then merged, as the graph pages.
    pools.police.query(
      `SELECT ${INCIDENT_COLUMNS}
         FROM unnest($1::text[]) AS n(lsoa_code)
         CROSS JOIN LATERAL (
           SELECT * FROM incidents i
            WHERE i.lsoa_code = n.lsoa_code AND i.month >= $2 AND i.month <= $3
              AND ($4::text[] IS NULL OR i.category = ANY($4))
            ORDER BY i.month DESC, i.id DESC LIMIT $5) i
        ORDER BY i.month DESC, i.id DESC LIMIT $5`,
      [[...new Set(v.lsoaCodes)], v.fromMonth, v.toMonth, v.categories ?? null, first + 1],
    ),
    // The total from the monthly rollup (kept exact with the rows), as the graph takes it.
    pools.police.query<{ total: string }>(
      `SELECT coalesce(sum(records), 0) AS total FROM monthly_counts
        WHERE lsoa_code = ANY($1) AND month >= $2 AND month <= $3 AND ($4::text[] IS NULL OR kind = ANY($4))`,
      params,
    ),
  ]);
  const rows = page.rows.slice(0, first);
  const involvements = await involvementsOf(
    pools,
    rows.map((r) => r.id),
  );
  const personIds = [...new Set([...involvements.values()].flat().map((v) => v.person_id as string))];
  const [people, tenancies, referrals] = await Promise.all([
    pools.partnership.query(`SELECT id, given_name, family_name FROM people WHERE id = ANY($1)`, [personIds]),
    tenanciesOf(pools, personIds, 3),
    referralsOf(pools, personIds, 3),
  ]);
  const names = new Map(people.rows.map((p) => [p.id as string, `${p.given_name} ${p.family_name}`]));
  const personOf = (id: string) => {
    const t = tenancies.get(id) ?? empty;
    const r = referrals.get(id) ?? empty;
    return {
      id,
      displayName: names.get(id) ?? null,
      tenancies: {
        edges: t.rows
          .slice(0, 3)
          .map((x) => ({ node: { id: x.id, status: x.status, property: { uprn: x.uprn } } })),
      },
      referrals: {
        edges: r.rows
          .slice(0, 3)
          .map((x) => ({ node: { id: x.id, status: x.status, programme: { name: x.name } } })),
      },
    };
  };
  const total = Number(count.rows[0].total);
  const edges = rows.map((r, i) => ({
    cursor: encodeCursor(i, { month: r.month as string, id: r.id as string }),
    node: {
      id: r.id,
      reference: r.reference,
      month: r.month,
      category: r.category,
      outcome: r.outcome,
      location: { street: r.street, lsoaCode: r.lsoa_code },
      involvements: (involvements.get(r.id) ?? []).map((x) => ({
        role: x.role,
        person: personOf(x.person_id as string),
      })),
    },
  }));
  return {
    incidents: {
      totalCount: total,
      pageInfo: { hasNextPage: edges.length < total, endCursor: edges.at(-1)?.cursor ?? null },
      edges: edges.map(({ node }) => ({ node })),
    },
  };
}

const STAT_FIELDS: [StatisticsKind, string, string][] = [
  ["incident", "incidentStats", "category"],
  ["asbCase", "asbCaseStats", "category"],
  ["tenancyAction", "tenancyActionStats", "type"],
  ["referral", "referralStats", "kind"],
];

async function neighbourhoodDashboard(
  pools: FloorPools,
  v: { codes: string[]; fromMonth: string; toMonth: string },
) {
  const codes = [...new Set(v.codes)];
  const [hoods, ...counted] = await Promise.all([
    pools.partnership.query(`SELECT code, name, local_authority FROM neighbourhoods WHERE code = ANY($1)`, [
      codes,
    ]),
    ...STAT_FIELDS.map(([kind]) =>
      countCells(pools[STATISTICS_DATABASE[kind]], codes, v.fromMonth, v.toMonth),
    ),
  ]);
  const byCode = new Map(hoods.rows.map((h) => [h.code as string, h]));
  return {
    neighbourhoods: codes.map((code) => {
      const hood = byCode.get(code);
      if (!hood) throw new Error(`unknown neighbourhood code ${code}`);
      const stats = Object.fromEntries(
        STAT_FIELDS.map(([, field, kindName], k) => [
          field,
          counted[k]
            .filter((c) => c.lsoa_code === code)
            .map((c) => ({
              month: c.month,
              [kindName]: c.kind,
              count: release(Number(c.count), Number(c.cell_key)),
              suppressed: false,
            }))
            .filter((c) => c.count > 0),
        ]),
      );
      return { code, name: hood.name, localAuthority: hood.local_authority, ...stats };
    }),
  };
}

/** The floor's answer to a read operation, by its operation name; null for any other. */
export async function floorData(
  pools: FloorPools,
  operationName: string,
  variables: Record<string, unknown>,
): Promise<unknown | null> {
  switch (operationName) {
    case "Person360":
      return person360(pools, variables as { id: string });
    case "IncidentsInArea":
      return incidentsInArea(pools, variables as unknown as IncidentsVariables);
    case "NeighbourhoodDashboard":
      return neighbourhoodDashboard(
        pools,
        variables as { codes: string[]; fromMonth: string; toMonth: string },
      );
    default:
      return null;
  }
}
