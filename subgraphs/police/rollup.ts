import type { RollupSource } from "../shared/rollups";

/** Police statistics count incidents by neighbourhood, month and crime type. */
export const incidentRollup: RollupSource = {
  owner: "police",
  table: "incidents",
  cells: (rows) =>
    `SELECT i.lsoa_code, i.month::text AS month, i.category AS kind, i.record_key
       FROM ${rows} i WHERE i.lsoa_code IS NOT NULL`,
};
