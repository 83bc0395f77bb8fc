import type DataLoader from "dataloader";
import { Arg, type ClassType, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "./context";
import { monthRange } from "./months";
import { Aggregate } from "./policy";
import type { CountedCell, MonthlyCountsKey, RollupCell } from "./rollups";
import { release } from "./statistics";
import { MonthlyCount } from "./types";

/** A count as released: perturbed, never from 1 to 4, never null. */
export interface ReleasedCount {
  count: number;
}

export interface ReleasedTable<T> {
  /** The cells released as more than 0 (a cell released as 0 is left out, like a cell with no records). */
  cells: (T & ReleasedCount)[];
  /** Each month's total, its own perturbed cell; left out when released as 0. */
  rowTotals: ({ row: string } & ReleasedCount)[];
}

/**
 * Releases a table of counts whose month totals are also shown. Totals are not sums of the
 * released cells: each is the cell of all the month's records, perturbed by its own key, so
 * additivity is given up on purpose (a total minus the shown cells is noise, not a hidden count).
 * One pass and one copy per cell (a dashboard releases thousands); the counted cells themselves
 * are the loader's, cached for the request, so they are never changed.
 */
export function releaseTable<T extends CountedCell>(counts: readonly T[]): ReleasedTable<T> {
  const cells: (T & ReleasedCount)[] = [];
  const rowTotals: ({ row: string } & ReleasedCount)[] = [];
  for (const cell of counts) {
    const count = release(cell.count, cell.cellKey);
    if (count <= 0) continue;
    if (cell.total) rowTotals.push({ row: cell.month, count });
    else cells.push({ ...cell, count });
  }
  return { cells, rowTotals };
}

/**
 * One neighbourhood's monthly counts by kind and its month totals, from a subgraph's statistics
 * loader, validated and released as one table.
 */
export async function neighbourhoodTable<T extends CountedCell>(
  loader: DataLoader<MonthlyCountsKey, T[], string>,
  lsoaCode: string,
  fromMonth: string,
  toMonth: string,
): Promise<ReleasedTable<T>> {
  monthRange("fromMonth", fromMonth, "toMonth", toMonth);
  return releaseTable(await loader.load({ lsoaCode, fromMonth, toMonth }));
}

/** What an owner counts per neighbourhood, and how its statistic is named and described. */
export interface NeighbourhoodStatistic<Loaders, F extends string> {
  /** The owner's `Neighbourhood` entity. */
  neighbourhood: ClassType<{ code: string }>;
  /** The statistic's cell type (month, kind, count), e.g. `IncidentStat`. */
  stat: ClassType;
  /** The cells' field on `Neighbourhood`, e.g. `incidentStats`. */
  cellsField: string;
  /** The month totals' field on `Neighbourhood`, e.g. `incidentMonthTotals`. */
  totalsField: string;
  /** The name of the kind on the cell type (`category`, `type`, `kind`), as the loader gives it. */
  kindField: F;
  /** The owner's statistics loader (monthlyCountsLoader over its rollup). */
  loader: (loaders: Loaders) => DataLoader<MonthlyCountsKey, RollupCell<F>[], string>;
  /** The cells field's description. */
  description: string;
  /** What is counted, for the totals' description: "incidents", "ASB cases opened". */
  counted: string;
}

/**
 * The resolver of one owner's neighbourhood statistic: its monthly cells by kind, and its month
 * totals, each released by the cell-key method from the owner's rollup. Every owner's statistic
 * is this one resolver; only what is counted differs. The cells take their policy from the cell
 * type (`@Aggregate()` on it); the totals are declared here.
 */
export function neighbourhoodStatisticResolver<Loaders, F extends string>(
  statistic: NeighbourhoodStatistic<Loaders, F>,
): ClassType {
  const { stat, kindField, cellsField, totalsField } = statistic;
  const table = (code: string, fromMonth: string, toMonth: string, ctx: RequestContext<Loaders>) =>
    neighbourhoodTable(statistic.loader(ctx.loaders), code, fromMonth, toMonth);

  @Resolver(() => statistic.neighbourhood)
  class NeighbourhoodStatisticResolver {
    @FieldResolver(() => [stat], { name: cellsField, nullable: true, description: statistic.description })
    async cells(
      @Root() neighbourhood: { code: string },
      @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
      @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
      @Ctx() ctx: RequestContext<Loaders>,
    ): Promise<object[]> {
      const { cells } = await table(neighbourhood.code, fromMonth, toMonth, ctx);
      return cells.map((c) =>
        Object.assign(new stat(), { month: c.month, [kindField]: c[kindField], count: c.count }),
      );
    }

    @Aggregate()
    @FieldResolver(() => [MonthlyCount], {
      name: totalsField,
      nullable: true,
      description:
        `Monthly totals of ${statistic.counted} across all kinds, each a cell of its own (all the month's records, with their own cell key), perturbed ` +
        `like \`${cellsField}\` and not the sum of its released cells: a total minus the cells shown is noise, not a hidden count.`,
    })
    async totals(
      @Root() neighbourhood: { code: string },
      @Arg("fromMonth", () => String, { description: "Inclusive, YYYY-MM." }) fromMonth: string,
      @Arg("toMonth", () => String, { description: "Inclusive, YYYY-MM." }) toMonth: string,
      @Ctx() ctx: RequestContext<Loaders>,
    ): Promise<MonthlyCount[]> {
      const { rowTotals } = await table(neighbourhood.code, fromMonth, toMonth, ctx);
      return rowTotals.map((total) =>
        Object.assign(new MonthlyCount(), { month: total.row, count: total.count }),
      );
    }
  }
  return NeighbourhoodStatisticResolver;
}
