import type { RollupSource } from "../shared/rollups";

/** Youth statistics count referrals by neighbourhood, month referred (UTC) and programme kind. */
export const referralRollup: RollupSource = {
  owner: "youth",
  table: "referrals",
  cells: (rows) =>
    `SELECT r.lsoa_code, to_char(r.referred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, p.kind, r.record_key
       FROM ${rows} r JOIN programmes p ON p.id = r.programme_id
      WHERE r.lsoa_code IS NOT NULL`,
  // A programme's kind places its referrals.
  joined: [
    {
      table: "programmes",
      columns: ["kind"],
      deletes: false,
      rowsOf: (ref) => `(SELECT r.* FROM referrals r WHERE r.programme_id = ${ref}.id)`,
    },
  ],
};
