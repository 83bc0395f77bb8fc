import type DataLoader from "dataloader";
import { monthRange } from "./months";

/** Counts from 1 to this minus one are suppressed: small numbers can identify people. */
export const SUPPRESS_BELOW = 5;

export interface SuppressedCount {
  count: number | null;
  suppressed: boolean;
}

const small = (count: number) => count > 0 && count < SUPPRESS_BELOW;

export function suppress(count: number): SuppressedCount {
  return small(count) ? { count: null, suppressed: true } : { count, suppressed: false };
}

export interface SuppressedTable<T> {
  /** Every cell, with its count withheld where primary or secondary suppression applies. */
  cells: (T & SuppressedCount)[];
  /** One total per row (e.g. per month), consistent with the cells shown. */
  rowTotals: ({ row: string } & SuppressedCount)[];
}

/**
 * Suppresses a table of counts whose row totals are also shown (a neighbourhood's months by
 * category). Primary: cells of 1 to 4. Secondary: a row whose total is shown must not have
 * exactly one withheld cell, or it could be recovered by subtraction; the smallest other
 * non-zero cell is withheld too, or, when there is none, the total itself.
 */
export function suppressTable<T>(
  cells: readonly T[],
  rowOf: (cell: T) => string,
  countOf: (cell: T) => number,
): SuppressedTable<T> {
  const withheld = cells.map((c) => small(countOf(c)));
  const rows = new Map<string, number[]>();
  cells.forEach((c, i) => {
    const members = rows.get(rowOf(c));
    if (members) members.push(i);
    else rows.set(rowOf(c), [i]);
  });
  const rowTotals: ({ row: string } & SuppressedCount)[] = [];
  for (const [row, members] of rows) {
    const total = members.reduce((sum, i) => sum + countOf(cells[i]), 0);
    let totalWithheld = small(total);
    const hidden = members.filter((i) => withheld[i]);
    if (!totalWithheld && hidden.length === 1) {
      const candidates = members.filter((i) => !withheld[i] && countOf(cells[i]) > 0);
      if (candidates.length) {
        const smallest = candidates.reduce((a, b) => (countOf(cells[b]) < countOf(cells[a]) ? b : a));
        withheld[smallest] = true;
      } else {
        totalWithheld = true;
      }
    }
    rowTotals.push({ row, count: totalWithheld ? null : total, suppressed: totalWithheld });
  }
  return {
    cells: cells.map((c, i) => ({ ...c, count: withheld[i] ? null : countOf(c), suppressed: withheld[i] })),
    rowTotals,
  };
}

/** A row total of a table by month, as the shared MonthlyCount type shows it. */
export function monthlyCount(total: { row: string } & SuppressedCount): { month: string } & SuppressedCount {
  return { month: total.row, count: total.count, suppressed: total.suppressed };
}

/** Which neighbourhood and months a statistics loader is asked for. */
export interface MonthlyCountsKey {
  lsoaCode: string;
  fromMonth: string;
  toMonth: string;
}

/**
 * One neighbourhood's monthly counts by kind, from a subgraph's statistics loader, validated
 * and suppressed as one table, so a stats field and its totals field always agree.
 */
export async function neighbourhoodTable<T extends { month: string; count: number }>(
  loader: DataLoader<MonthlyCountsKey, T[], string>,
  lsoaCode: string,
  fromMonth: string,
  toMonth: string,
): Promise<SuppressedTable<T>> {
  monthRange("fromMonth", fromMonth, "toMonth", toMonth);
  const counts = await loader.load({ lsoaCode, fromMonth, toMonth });
  return suppressTable(
    counts,
    (c) => c.month,
    (c) => c.count,
  );
}
