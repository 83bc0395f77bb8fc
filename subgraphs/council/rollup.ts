import type { RollupSource } from "../shared/rollups";

/** Council statistics count ASB cases by neighbourhood, month opened (UTC) and category. */
export const asbCaseRollup: RollupSource = {
  owner: "council",
  table: "asb_cases",
  cells: (rows) =>
    `SELECT c.lsoa_code, to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, c.category AS kind, c.record_key
       FROM ${rows} c WHERE c.lsoa_code IS NOT NULL`,
};
