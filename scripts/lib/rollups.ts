import { asbCaseRollup } from "../../subgraphs/council/rollup";
import { tenancyActionRollup } from "../../subgraphs/housing/rollup";
import { incidentRollup } from "../../subgraphs/police/rollup";
import type { Sql } from "../../subgraphs/shared/database";
import { rebuildRollup, rollupDifferences, type RollupSource } from "../../subgraphs/shared/rollups";
import { referralRollup } from "../../subgraphs/youth/rollup";

/** Every owner's rollup: the records each agency's statistics count. */
export const ROLLUPS = {
  police: incidentRollup,
  council: asbCaseRollup,
  youth: referralRollup,
  housing: tenancyActionRollup,
} as const satisfies Record<string, RollupSource>;

export type RollupOwner = keyof typeof ROLLUPS;
export const ROLLUP_OWNERS = Object.keys(ROLLUPS) as RollupOwner[];

/** At most this many differing cells are named per owner; the count says how many there are. */
const NAMED = 20;

/** Compares each owner's rollup with its raw rows; returns the number of differing cells. */
export async function checkRollups(
  stores: Record<RollupOwner, { sql: Sql }>,
  log: (message: string) => void,
): Promise<number> {
  let differing = 0;
  for (const owner of ROLLUP_OWNERS) {
    const source = ROLLUPS[owner];
    const differences = await rollupDifferences(stores[owner].sql, source);
    differing += differences.length;
    if (!differences.length) {
      log(`${owner}: monthly_counts match ${source.table}`);
      continue;
    }
    log(`${owner}: ${differences.length} cell(s) of monthly_counts differ from ${source.table}:`);
    for (const d of differences.slice(0, NAMED))
      log(
        `  ${d.lsoaCode} ${d.month} ${d.kind}: rollup ${d.rollup.records} records (key units ${d.rollup.keyUnits}), ` +
          `rows ${d.raw.records} records (key units ${d.raw.keyUnits})`,
      );
    if (differences.length > NAMED) log(`  ... and ${differences.length - NAMED} more`);
  }
  return differing;
}

/** Rebuilds each owner's rollup from its raw rows, one transaction per owner. */
export async function rebuildRollups(
  stores: Record<RollupOwner, { sql: Sql }>,
  log: (message: string) => void,
): Promise<void> {
  for (const owner of ROLLUP_OWNERS) {
    const started = Date.now();
    const cells = await rebuildRollup(stores[owner].sql, ROLLUPS[owner]);
    log(
      `${owner}: monthly_counts rebuilt from ${ROLLUPS[owner].table}, ${cells} cells (${Date.now() - started} ms)`,
    );
  }
}
