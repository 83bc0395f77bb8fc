import type { Pool } from "pg";

/**
 * The floor's counting SQL for the neighbourhood dashboard: per neighbourhood, month and kind, the
 * true count and the cell key, exactly as the subgraphs give them, read from the same rollups (the
 * dashboard shows no month totals, so the floor counts none). Perturbation is applied by the
 * caller with shared/statistics.ts `release`.
 */
export interface FloorCell {
  lsoa_code: string;
  month: string;
  kind: string;
  count: string;
  cell_key: string;
}

export type StatisticsKind = "incident" | "asbCase" | "tenancyAction" | "referral";

/** Which subgraph's database each statistic is counted in. */
export const STATISTICS_DATABASE: Record<StatisticsKind, "police" | "council" | "housing" | "youth"> = {
  incident: "police",
  asbCase: "council",
  tenancyAction: "housing",
  referral: "youth",
};

/**
 * Every owner's monthly rollup (`monthly_counts`, one row per neighbourhood, month and kind, kept
 * exact by triggers: shared/rollups.ts) read as it is: the least SQL the dashboard's cells need.
 * Key sums are whole nano-units; their remainder over 10^9, divided in numeric, is the cell key
 * exactly.
 */
const ROLLUP_SQL = `SELECT lsoa_code, month, kind, records AS count,
          (key_units % 1000000000) / 1000000000.0 AS cell_key
     FROM monthly_counts
    WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3 AND records > 0
    ORDER BY lsoa_code, month, kind`;

export async function countCells(
  pool: Pool,
  lsoaCodes: readonly string[],
  fromMonth: string,
  toMonth: string,
): Promise<FloorCell[]> {
  // Each kind is counted in its own owner's database: the pool given is that one's.
  const { rows } = await pool.query<FloorCell>(ROLLUP_SQL, [lsoaCodes, fromMonth, toMonth]);
  return rows;
}
