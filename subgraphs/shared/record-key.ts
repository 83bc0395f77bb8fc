import type { ColumnOptions } from "typeorm";

/**
 * Migration step: gives every row of a counted table its record key (statistics.ts: the cell-key
 * method). A volatile default is evaluated per row, so existing rows each get their own key as
 * the column is added, and every row inserted later (seeds, imports, live writes) gets one
 * without naming the column; nothing updates it afterwards, so a re-import keeps the keys it finds.
 */
export const RECORD_KEY_COLUMN = `record_key numeric(10, 9) NOT NULL DEFAULT trunc(random()::numeric, 9)
  CHECK (record_key >= 0 AND record_key < 1)`;

/** Record keys have nine decimals: summed as whole nano-units they add exactly, in any order. */
export const KEY_UNITS = 1_000_000_000;

/** The same column as the entities declare it (the drift test compares the two). */
export const RECORD_KEY_ENTITY_COLUMN: ColumnOptions = {
  type: "numeric",
  precision: 10,
  scale: 9,
  name: "record_key",
  default: () => "trunc(random()::numeric, 9)",
};
