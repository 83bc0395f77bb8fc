import { release } from "../../subgraphs/shared/statistics";

/**
 * What the engine must release for a set of records, recomputed here from the records' own
 * keys (read as text, summed exactly in whole billionths), independently of the SQL the
 * subgraphs run.
 */
export function cellKeyOf(recordKeys: readonly string[]): number {
  const billionths = recordKeys.reduce(
    (sum, key) => sum + BigInt(key.replace(".", "").replace(/^0+(?=\d)/, "")),
    0n,
  );
  return Number(billionths % 1_000_000_000n) / 1e9;
}

/** The released count of the cell made of these records. */
export function releasedFor(recordKeys: readonly string[]): number {
  return release(recordKeys.length, cellKeyOf(recordKeys));
}

/** Record keys grouped by a cell name. */
export function keysByCell<R extends { key: string }>(
  rows: readonly R[],
  cellOf: (row: R) => string,
): Map<string, string[]> {
  const cells = new Map<string, string[]>();
  for (const row of rows) {
    const cell = cellOf(row);
    cells.set(cell, [...(cells.get(cell) ?? []), row.key]);
  }
  return cells;
}
