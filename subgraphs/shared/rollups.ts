import type DataLoader from "dataloader";
import { Column, Entity, PrimaryColumn, type QueryRunner } from "typeorm";
import type { Sql } from "./database";
import type { AssessmentWindows } from "./sealed-assessment";
import { loaderGroupedBy } from "./loaders";
import { KEY_UNITS } from "./record-key";

/**
 * Monthly rollups: what every released statistic is counted from. Each owner keeps one table,
 * `monthly_counts`, of (neighbourhood, month, kind) cells with the number of records and the sum
 * of their record keys in whole nano-units (record keys have nine decimals, so the bigint sum is
 * exact in any order: its remainder modulo 10^9 is the cell key the raw rows give, bit for bit).
 * Month totals are the sum of a month's kinds, so they come from the same rows.
 *
 * The rollup is kept by statement-level triggers on the counted table (transition tables: one
 * grouped upsert per statement, COPY included), in the writing transaction, so seeds, imports,
 * live writes, erasure and retention all keep it exact. `npm run rollups -- --check` compares it
 * with the raw rows; `--rebuild` makes it again.
 */

/** A rollup cell as TypeORM sees it (its SQL is here; the drift test compares the two). */
@Entity({ name: "monthly_counts" })
export class MonthlyCountRecord {
  @PrimaryColumn({ type: "text", name: "lsoa_code" })
  lsoaCode!: string;

  @PrimaryColumn({ type: "text" })
  month!: string;

  @PrimaryColumn({ type: "text" })
  kind!: string;

  @Column({ type: "bigint" })
  records!: string;

  @Column({ type: "bigint", name: "key_units" })
  keyUnits!: string;
}

/** A true count and its cell key, as a rollup's rows give it. */
export interface CountedCell {
  month: string;
  count: number;
  cellKey: number;
  /** True for a month's total across every kind (its own cell, with its own records' keys). */
  total: boolean;
}

/** Which neighbourhood and months a statistics loader is asked for: the one loader key. */
export interface MonthlyCountsKey {
  lsoaCode: string;
  fromMonth: string;
  toMonth: string;
}

/** How an owner's counted records become rollup cells. */
export interface RollupSource {
  /** The owner (subgraph) whose database holds the rollup. */
  owner: string;
  /** The counted table: one record per row, each with its record key. */
  table: string;
  /**
   * A SELECT of `lsoa_code, month, kind, record_key` (month 'YYYY-MM' as text, kind as text) for
   * the counted rows in `rows`: the table itself, a trigger's transition table or a subquery.
   * Rows with no neighbourhood are left out (no statistic counts them).
   */
  cells: (rows: string) => string;
  /**
   * Tables the cells are joined to, whose changes move counted rows between cells: for each, the
   * counted rows a changed row stands for (`ref` is OLD or NEW of a row trigger), and the columns
   * whose change matters. A deleted row of such a table takes its counted rows out of the rollup
   * before it goes (a cascade would otherwise delete them where they can no longer be placed).
   */
  joined?: { table: string; rowsOf: (ref: "OLD" | "NEW") => string; columns: string[]; deletes: boolean }[];
}

const units = (alias: string) => `(${alias}.record_key * ${KEY_UNITS})::bigint`;

/**
 * One statement adding the cells of `plus` and taking out those of `minus` (each a relation of
 * counted rows). Cells that do not change are not written; rows are locked in key order, so two
 * writers never deadlock on the rollup.
 */
function applySql(source: RollupSource, plus: string | null, minus: string | null): string {
  const parts: string[] = [];
  if (plus)
    parts.push(
      `SELECT c.lsoa_code, c.month, c.kind, 1 AS sign, ${units("c")} AS units FROM (${source.cells(plus)}) c`,
    );
  if (minus)
    parts.push(
      `SELECT c.lsoa_code, c.month, c.kind, -1 AS sign, -${units("c")} AS units FROM (${source.cells(minus)}) c`,
    );
  return `INSERT INTO monthly_counts AS m (lsoa_code, month, kind, records, key_units)
    SELECT d.lsoa_code, d.month, d.kind, sum(d.sign), sum(d.units)
      FROM (${parts.join(" UNION ALL ")}) d
     GROUP BY d.lsoa_code, d.month, d.kind
    HAVING sum(d.sign) <> 0 OR sum(d.units) <> 0
     ORDER BY d.lsoa_code, d.month, d.kind
    ON CONFLICT (lsoa_code, month, kind) DO UPDATE
       SET records = m.records + EXCLUDED.records, key_units = m.key_units + EXCLUDED.key_units`;
}

/** The rollup's cells as the raw rows give them now. */
const rawCellsSql = (source: RollupSource) =>
  `SELECT c.lsoa_code, c.month, c.kind, count(*) AS records, sum(${units("c")}) AS key_units
     FROM (${source.cells(source.table)}) c GROUP BY c.lsoa_code, c.month, c.kind`;

// A BEFORE row trigger must return its row, or the write is skipped.
const fn = (
  name: string,
  body: string,
  before = false,
) => `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  BEGIN
    ${body}
    ${before ? "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;" : "RETURN NULL;"}
  END $$`;

/**
 * Migration step: the owner's rollup table, the triggers that keep it, and its cells from the
 * rows already stored. The trigger functions run as the migrator (SECURITY DEFINER), so the
 * service role writes the rollup only through its writes to the counted rows, never directly.
 */
export async function createRollup(q: QueryRunner, source: RollupSource): Promise<void> {
  await q.query(`CREATE TABLE monthly_counts (
    lsoa_code text NOT NULL,
    month text NOT NULL,
    kind text NOT NULL,
    -- No CHECK (records >= 0): an upsert checks the row it would insert, a negative delta.
    records bigint NOT NULL,
    key_units bigint NOT NULL,
    PRIMARY KEY (lsoa_code, month, kind)
  )`);
  const t = source.table;
  await q.query(
    fn(
      `${t}_rollup`,
      `IF TG_OP = 'INSERT' THEN ${applySql(source, "new_rows", null)};
    ELSIF TG_OP = 'UPDATE' THEN ${applySql(source, "new_rows", "old_rows")};
    ELSIF TG_OP = 'DELETE' THEN ${applySql(source, null, "old_rows")};
    ELSE DELETE FROM monthly_counts;
    END IF;`,
    ),
  );
  await q.query(`CREATE TRIGGER ${t}_rollup_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${t}_rollup()`);
  await q.query(`CREATE TRIGGER ${t}_rollup_update AFTER UPDATE ON ${t} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${t}_rollup()`);
  await q.query(`CREATE TRIGGER ${t}_rollup_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${t}_rollup()`);
  await q.query(`CREATE TRIGGER ${t}_rollup_truncate AFTER TRUNCATE ON ${t}
    FOR EACH STATEMENT EXECUTE FUNCTION ${t}_rollup()`);
  for (const joined of source.joined ?? []) {
    const j = joined.table;
    // Before the change (or deletion) the rows are placed where they were: take them out;
    // after it, where they are now: put them back.
    await q.query(fn(`${j}_rollup_before`, `${applySql(source, null, joined.rowsOf("OLD"))};`, true));
    await q.query(fn(`${j}_rollup_after`, `${applySql(source, joined.rowsOf("NEW"), null)};`));
    const columns = joined.columns.join(", ");
    await q.query(`CREATE TRIGGER ${j}_rollup_before BEFORE UPDATE OF ${columns}${joined.deletes ? " OR DELETE" : ""} ON ${j}
      FOR EACH ROW EXECUTE FUNCTION ${j}_rollup_before()`);
    await q.query(`CREATE TRIGGER ${j}_rollup_after AFTER UPDATE OF ${columns} ON ${j}
      FOR EACH ROW EXECUTE FUNCTION ${j}_rollup_after()`);
  }
  await q.query(
    `INSERT INTO monthly_counts (lsoa_code, month, kind, records, key_units) ${rawCellsSql(source)}`,
  );
}

/** Migration step undone. */
export async function dropRollup(q: QueryRunner, source: RollupSource): Promise<void> {
  for (const joined of source.joined ?? []) {
    await q.query(`DROP TRIGGER ${joined.table}_rollup_before ON ${joined.table}`);
    await q.query(`DROP TRIGGER ${joined.table}_rollup_after ON ${joined.table}`);
    await q.query(`DROP FUNCTION ${joined.table}_rollup_before()`);
    await q.query(`DROP FUNCTION ${joined.table}_rollup_after()`);
  }
  for (const op of ["insert", "update", "delete", "truncate"])
    await q.query(`DROP TRIGGER ${source.table}_rollup_${op} ON ${source.table}`);
  await q.query(`DROP FUNCTION ${source.table}_rollup()`);
  await q.query(`DROP TABLE monthly_counts`);
}

/** A rollup cell that differs from what the raw rows give. */
export interface RollupDifference {
  lsoaCode: string;
  month: string;
  kind: string;
  rollup: { records: number; keyUnits: string };
  raw: { records: number; keyUnits: string };
}

/** Every cell where the rollup and the raw rows differ (none when the rollup is exact). */
export async function rollupDifferences(sql: Sql, source: RollupSource): Promise<RollupDifference[]> {
  const rows = await sql.many<{
    lsoa_code: string;
    month: string;
    kind: string;
    rollup_records: string;
    rollup_units: string;
    raw_records: string;
    raw_units: string;
  }>(
    `SELECT coalesce(m.lsoa_code, r.lsoa_code) AS lsoa_code, coalesce(m.month, r.month) AS month,
            coalesce(m.kind, r.kind) AS kind,
            coalesce(m.records, 0) AS rollup_records, coalesce(m.key_units, 0) AS rollup_units,
            coalesce(r.records, 0) AS raw_records, coalesce(r.key_units, 0) AS raw_units
       FROM (SELECT * FROM monthly_counts WHERE records <> 0 OR key_units <> 0) m
       FULL JOIN (${rawCellsSql(source)}) r
         ON r.lsoa_code = m.lsoa_code AND r.month = m.month AND r.kind = m.kind
      WHERE m.records IS DISTINCT FROM r.records OR m.key_units IS DISTINCT FROM r.key_units
      ORDER BY 1, 2, 3`,
  );
  return rows.map((r) => ({
    lsoaCode: r.lsoa_code,
    month: r.month,
    kind: r.kind,
    rollup: { records: Number(r.rollup_records), keyUnits: String(r.rollup_units) },
    raw: { records: Number(r.raw_records), keyUnits: String(r.raw_units) },
  }));
}

/**
 * Makes the rollup again from the raw rows, in one transaction; writes to the counted table wait
 * for it (SHARE lock), so nothing is counted twice or missed.
 */
export async function rebuildRollup(sql: Sql, source: RollupSource): Promise<number> {
  return sql.transaction(async (tx) => {
    await tx.exec(`LOCK TABLE ${source.table} IN SHARE MODE`);
    await tx.exec(`DELETE FROM monthly_counts`);
    return tx.exec(
      `INSERT INTO monthly_counts (lsoa_code, month, kind, records, key_units) ${rawCellsSql(source)}`,
    );
  });
}

/**
 * A rollup cell as counted: its records and its cell key, and its kind under the name its
 * statistic gives it (a crime's `category`, a tenancy action's `type`); null on a month's total.
 */
export type RollupCell<F extends string = "kind", K extends string = string> = CountedCell & {
  lsoaCode: string;
} & { [field in F]: K | null };

/** A cell key from the remainder of a nano-unit sum: the same number `cellKeyOf` reads from SQL. */
const cellKeyOfUnits = (remainder: string | number | null): number =>
  remainder === null ? 0 : Number(remainder) / KEY_UNITS;

/**
 * Monthly cells per neighbourhood and kind, and each month's total (kind null) as a cell of its
 * own, before its kinds, from the rollup: the one counting query every neighbourhood statistic
 * uses. The rollup holds one row per neighbourhood, month and kind, so the rows are read as they
 * are and each month's total is summed here: records and nano-unit key remainders are whole
 * numbers, so the total and its cell key are exactly what summing in SQL gives (GROUPING SETS
 * and its sort were most of the dashboard's PostgreSQL time). Each cell is made once, its kind
 * under `kindField` (a dashboard reads thousands: a copy per cell to rename it was a twelfth of a
 * subgraph's time).
 */
export async function monthlyCells<F extends string, K extends string = string>(
  sql: Sql,
  lsoaCodes: readonly string[],
  fromMonth: string,
  toMonth: string,
  kindField: F,
): Promise<RollupCell<F, K>[]> {
  const rows = await sql.many<{
    lsoa_code: string;
    month: string;
    kind: K;
    records: string;
    remainder: string;
  }>(
    `SELECT lsoa_code, month, kind, records, key_units % ${KEY_UNITS} AS remainder
       FROM monthly_counts
      WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3 AND records > 0
      ORDER BY lsoa_code, month, kind`,
    [lsoaCodes, fromMonth, toMonth],
  );
  const cell = (lsoaCode: string, month: string, kind: K | null, count: number, units: number) =>
    ({
      lsoaCode,
      month,
      [kindField]: kind,
      count,
      cellKey: cellKeyOfUnits(units % KEY_UNITS),
      total: kind === null,
    }) as RollupCell<F, K>;
  const cells: RollupCell<F, K>[] = [];
  for (let first = 0; first < rows.length;) {
    const { lsoa_code: lsoaCode, month } = rows[first];
    let end = first;
    let records = 0;
    let units = 0;
    for (; end < rows.length && rows[end].month === month && rows[end].lsoa_code === lsoaCode; end++) {
      records += Number(rows[end].records);
      units += Number(rows[end].remainder);
    }
    cells.push(cell(lsoaCode, month, null, records, units));
    for (; first < end; first++) {
      const row = rows[first];
      cells.push(cell(lsoaCode, month, row.kind, Number(row.records), Number(row.remainder)));
    }
  }
  return cells;
}

/** A window to count: neighbourhoods, months (inclusive) and, optionally, kinds. */
export interface CountWindow {
  lsoaCodes: readonly string[];
  fromMonth: string;
  toMonth: string;
  kinds?: readonly string[] | null;
}

/** A true count and its cell key. */
export interface KeyedCount {
  count: number;
  cellKey: number;
}

/**
 * How many records each window holds, and its cell key, in one statement over the rollup (a
 * neighbourhood named twice in a window counts once): case assessments and list totals.
 */
export async function windowCounts(sql: Sql, windows: readonly CountWindow[]): Promise<KeyedCount[]> {
  const index: number[] = [];
  const codes: string[] = [];
  const froms: string[] = [];
  const tos: string[] = [];
  const kinds: (string | null)[] = [];
  windows.forEach((w, i) => {
    for (const code of new Set(w.lsoaCodes)) {
      index.push(i);
      codes.push(code);
      froms.push(w.fromMonth);
      tos.push(w.toMonth);
      // Kinds travel as one comma-joined text per row (unnest cannot take ragged arrays).
      kinds.push(w.kinds ? [...new Set(w.kinds)].join(",") : null);
    }
  });
  const counts: KeyedCount[] = windows.map(() => ({ count: 0, cellKey: 0 }));
  if (!index.length) return counts;
  const rows = await sql.many<{ window_index: number; count: string; remainder: string }>(
    `SELECT w.window_index, sum(m.records) AS count, sum(m.key_units) % ${KEY_UNITS} AS remainder
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) AS w(window_index, lsoa_code, from_month, to_month, kinds)
       JOIN monthly_counts m
         ON m.lsoa_code = w.lsoa_code AND m.month BETWEEN w.from_month AND w.to_month
        AND (w.kinds IS NULL OR m.kind = ANY(string_to_array(w.kinds, ',')))
      GROUP BY w.window_index`,
    [index, codes, froms, tos, kinds],
  );
  for (const row of rows)
    counts[row.window_index] = { count: Number(row.count), cellKey: cellKeyOfUnits(row.remainder) };
  return counts;
}

/** A case assessment's two cells, before release: the baseline window and the follow-up. */
export interface AssessmentCounts {
  before: KeyedCount;
  after: KeyedCount;
}

/** Every assessment's two windows counted in one statement over the rollup (police and the council alike). */
export async function assessmentCounts(
  sql: Sql,
  assessments: readonly AssessmentWindows[],
): Promise<AssessmentCounts[]> {
  const counts = await windowCounts(
    sql,
    assessments.flatMap((a) => [
      { lsoaCodes: a.lsoaCodes, fromMonth: a.baselineFrom, toMonth: a.baselineTo },
      { lsoaCodes: a.lsoaCodes, fromMonth: a.followUpFrom, toMonth: a.followUpTo },
    ]),
  );
  return assessments.map((_, i) => ({ before: counts[2 * i], after: counts[2 * i + 1] }));
}

/**
 * The one statistics loader: every neighbourhood asked for with the same months in one
 * `countsFor` call (one statement), its cells handed back per neighbourhood.
 */
export function monthlyCountsLoader<T extends { lsoaCode: string }>(
  countsFor: (lsoaCodes: string[], fromMonth: string, toMonth: string) => Promise<T[]>,
): DataLoader<MonthlyCountsKey, T[], string> {
  return loaderGroupedBy<MonthlyCountsKey, T[]>(
    (k) => `${k.fromMonth}:${k.toMonth}`,
    async (keys) => {
      const rows = await countsFor(
        keys.map((k) => k.lsoaCode),
        keys[0].fromMonth,
        keys[0].toMonth,
      );
      const byCode = new Map<string, T[]>();
      for (const row of rows) {
        const group = byCode.get(row.lsoaCode);
        if (group) group.push(row);
        else byCode.set(row.lsoaCode, [row]);
      }
      return keys.map((k) => byCode.get(k.lsoaCode) ?? []);
    },
    (k) => `${k.lsoaCode}:${k.fromMonth}:${k.toMonth}`,
  );
}
