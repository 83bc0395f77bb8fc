import type { Pool } from "pg";

/**
 * The floor's counting SQL for the neighbourhood dashboard, kept apart so that it can be pointed
 * at the rollup tables (issue 19) when they land: each function returns, per neighbourhood, month
 * and kind, the true count and the cell key (`sum(record_key) % 1`), and each month's total as a
 * cell of its own (kind null), exactly as the subgraphs' `countsFor` give them today from the raw
 * rows. Perturbation is applied by the caller with shared/statistics.ts `release`.
 */
export interface FloorCell {
  lsoa_code: string;
  month: string;
  kind: string | null;
  count: string;
  cell_key: string | null;
  /** The month's total across every kind (its own cell). */
  total: boolean;
}

export type StatisticsKind = "incident" | "asbCase" | "tenancyAction" | "referral";

/** Which subgraph's database each statistic is counted in. */
export const STATISTICS_DATABASE: Record<StatisticsKind, "police" | "council" | "housing" | "youth"> = {
  incident: "police",
  asbCase: "council",
  tenancyAction: "housing",
  referral: "youth",
};

const GROUPED = `GROUP BY GROUPING SETS ((lsoa_code, month, kind), (lsoa_code, month))
  ORDER BY lsoa_code, month, kind NULLS FIRST`;

/** UTC month bounds as instants, as council and housing count them. */
const bounds = (fromMonth: string, toMonth: string): [string, string] => {
  const [y, m] = toMonth.split("-").map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return [`${fromMonth}-01T00:00:00Z`, `${next}-01T00:00:00Z`];
};

const SQL: Record<StatisticsKind, string> = {
  incident: `SELECT lsoa_code, month, category AS kind, count(*) AS count, sum(record_key) % 1 AS cell_key, GROUPING(category) = 1 AS total
       FROM (SELECT lsoa_code, month, category, record_key FROM incidents
              WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3) i
     GROUP BY GROUPING SETS ((lsoa_code, month, category), (lsoa_code, month))
     ORDER BY lsoa_code, month, category NULLS FIRST`,
  asbCase: `SELECT lsoa_code, month, kind, count(*) AS count, sum(record_key) % 1 AS cell_key, GROUPING(kind) = 1 AS total
       FROM (SELECT lsoa_code, to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, category AS kind, record_key
               FROM asb_cases WHERE lsoa_code = ANY($1) AND opened_at >= $2::timestamptz AND opened_at < $3::timestamptz) c
     ${GROUPED}`,
  tenancyAction: `SELECT lsoa_code, month, kind, count(*) AS count, sum(record_key) % 1 AS cell_key, GROUPING(kind) = 1 AS total
       FROM (SELECT p.lsoa_code, to_char(a.taken_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, a.type AS kind, a.record_key
               FROM properties p JOIN tenancies t ON t.property_id = p.id JOIN tenancy_actions a ON a.tenancy_id = t.id
              WHERE p.lsoa_code = ANY($1) AND a.taken_at >= $2::timestamptz AND a.taken_at < $3::timestamptz) a
     ${GROUPED}`,
  referral: `SELECT lsoa_code, month, kind, count(*) AS count, sum(record_key) % 1 AS cell_key, GROUPING(kind) = 1 AS total
       FROM (SELECT r.lsoa_code, to_char(r.referred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, p.kind, r.record_key
               FROM referrals r JOIN programmes p ON p.id = r.programme_id
              WHERE r.lsoa_code = ANY($1) AND r.referred_at >= $2::timestamptz AND r.referred_at < $3::timestamptz) r
     ${GROUPED}`,
};

export async function countCells(
  pool: Pool,
  kind: StatisticsKind,
  lsoaCodes: readonly string[],
  fromMonth: string,
  toMonth: string,
): Promise<FloorCell[]> {
  const [from, to] = bounds(fromMonth, toMonth);
  // Incidents are counted by their month; the others by the instants of UTC months, as their subgraphs do.
  const params = kind === "incident" ? [lsoaCodes, fromMonth, toMonth] : [lsoaCodes, from, to];
  const { rows } = await pool.query<FloorCell>(SQL[kind], params);
  return rows;
}
