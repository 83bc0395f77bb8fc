import type { RollupSource } from "../shared/rollups";

/**
 * Housing statistics count tenancy actions by the neighbourhood of the tenancy's property, month
 * taken (UTC) and action type.
 */
export const tenancyActionRollup: RollupSource = {
  owner: "housing",
  table: "tenancy_actions",
  cells: (rows) =>
    `SELECT p.lsoa_code, to_char(a.taken_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, a.type AS kind, a.record_key
       FROM ${rows} a JOIN tenancies t ON t.id = a.tenancy_id JOIN properties p ON p.id = t.property_id
      WHERE p.lsoa_code IS NOT NULL`,
  // A tenancy's property and a property's neighbourhood place the actions; a deleted tenancy
  // (erasure, retention) takes its actions with it by cascade, after it can no longer place them.
  joined: [
    {
      table: "tenancies",
      columns: ["property_id"],
      deletes: true,
      rowsOf: (ref) => `(SELECT a.* FROM tenancy_actions a WHERE a.tenancy_id = ${ref}.id)`,
    },
    {
      table: "properties",
      columns: ["lsoa_code"],
      deletes: false,
      rowsOf: (ref) =>
        `(SELECT a.* FROM tenancy_actions a JOIN tenancies t ON t.id = a.tenancy_id WHERE t.property_id = ${ref}.id)`,
    },
  ],
};
