import {
  MAX_NOISE,
  P_TABLE,
  THRESHOLD,
  VARIANCE,
  buildPTable,
  cellKeyOf,
  cellKeyOfRecords,
  cellKeyWithout,
  noiseFor,
  release,
} from "../../subgraphs/shared/statistics";
import { releaseTable } from "../../subgraphs/shared/neighbourhood-statistics";

const mean = (r: (typeof P_TABLE)[number]) => r.noise.reduce((s, v, k) => s + v * r.p[k], 0);
const variance = (r: (typeof P_TABLE)[number]) =>
  r.noise.reduce((s, v, k) => s + v * v * r.p[k], 0) - mean(r) ** 2;

/** Cell keys spread evenly over [0, 1): released values weighted as the p-table says. */
const KEYS = Array.from({ length: 20_000 }, (_, i) => (i + 0.5) / 20_000);

describe("the p-table (cell-key method)", () => {
  test("has a row per true count up to threshold + D, each a probability distribution", () => {
    expect(P_TABLE.map((r) => r.count)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const row of P_TABLE) {
      expect(row.p.every((p) => p > 0 && p <= 1)).toBe(true);
      expect(row.p.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 9);
      expect(row.upper[row.upper.length - 1]).toBe(1);
      expect([...row.upper].sort((a, b) => a - b)).toEqual(row.upper);
    }
  });

  test("has zero mean in every row (within the six-decimal rounding)", () => {
    for (const row of P_TABLE) expect(Math.abs(mean(row))).toBeLessThan(1e-5);
  });

  test("has variance V wherever the threshold leaves room for it, and more below", () => {
    for (const row of P_TABLE.filter((r) => r.count >= THRESHOLD))
      expect(variance(row)).toBeCloseTo(VARIANCE, 4);
    // 1 to 4 can only move to 0 or to 5 and up: their variance is larger than V (more protection).
    for (const row of P_TABLE.filter((r) => r.count >= 1 && r.count < THRESHOLD))
      expect(variance(row)).toBeGreaterThan(VARIANCE);
  });

  test("never moves a count by more than D, never below zero, never to 1..4", () => {
    for (let count = 0; count <= 40; count++) {
      const released = new Set(KEYS.map((key) => release(count, key)));
      for (const r of released) {
        expect(Math.abs(r - count)).toBeLessThanOrEqual(MAX_NOISE);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r === 0 || r >= THRESHOLD).toBe(true);
      }
    }
    // Zero stays zero: an empty cell is never invented.
    expect(new Set(KEYS.map((key) => release(0, key)))).toEqual(new Set([0]));
  });

  test("gives every true count from 1 to 4 a real chance of 0 and of 5 or more", () => {
    for (let count = 1; count < THRESHOLD; count++) {
      const released = KEYS.map((key) => release(count, key));
      const zero = released.filter((r) => r === 0).length / KEYS.length;
      expect(zero).toBeGreaterThan(0.3);
      expect(zero).toBeLessThan(0.85);
      // The empirical mean over evenly spread keys is the true count: no bias.
      expect(released.reduce((s, r) => s + r, 0) / KEYS.length).toBeCloseTo(count, 3);
    }
  });

  test("is deterministic per cell key: the same key always gives the same noise", () => {
    for (const key of [0, 0.1, 0.25, 0.5, 0.999999999]) {
      for (const count of [1, 3, 7, 20, 1000])
        expect(new Set(Array.from({ length: 5 }, () => noiseFor(count, key))).size).toBe(1);
    }
    // Building the table again gives the same table (it is published, not drawn).
    expect(buildPTable(MAX_NOISE, VARIANCE, THRESHOLD)).toEqual(P_TABLE);
  });

  test("picks the noise by the interval the cell key falls in", () => {
    const row = P_TABLE[1]; // a single record: released as 0, 5 or 6
    expect(row.noise).toEqual([-1, 4, 5]);
    const [zero, five] = row.upper;
    expect(release(1, 0)).toBe(0);
    expect(release(1, zero - 1e-9)).toBe(0);
    expect(release(1, zero)).toBe(5);
    expect(release(1, five - 1e-9)).toBe(5);
    expect(release(1, five)).toBe(6);
    expect(release(1, 0.999999999)).toBe(6);
  });

  test("moves every count from 5 up: none is released as it is for sure", () => {
    for (const row of P_TABLE.filter((r) => r.count >= THRESHOLD)) {
      expect(row.noise.length).toBeGreaterThan(5);
      expect(Math.max(...row.p)).toBeLessThan(0.7);
    }
  });

  test("refuses keys outside [0, 1) and counts that are not whole", () => {
    expect(() => release(3, 1)).toThrow(RangeError);
    expect(() => release(3, -0.1)).toThrow(RangeError);
    expect(() => release(-1, 0.5)).toThrow(RangeError);
    expect(() => release(2.5, 0.5)).toThrow(RangeError);
    expect(() => cellKeyOf("1.000000000")).toThrow(RangeError);
    expect(cellKeyOf(null)).toBe(0);
    expect(cellKeyOf("0.123456789")).toBe(0.123456789);
  });
});

describe("releasing a table with month totals", () => {
  const cell = (month: string, category: string | null, count: number, cellKey: number) => ({
    month,
    category,
    count,
    cellKey,
    total: category === null,
  });

  test("perturbs totals as cells of their own, not as sums, and leaves out cells released as 0", () => {
    const t = releaseTable([
      cell("2019-01", null, 12, 0.42),
      cell("2019-01", "BURGLARY", 3, 0.1), // 3 with key 0.1: released 0
      cell("2019-01", "DRUGS", 9, 0.9),
      cell("2019-02", null, 2, 0.95), // 2 with key 0.95: released 7
      cell("2019-02", "DRUGS", 2, 0.95),
    ]);
    expect(t.cells).toEqual([
      expect.objectContaining({
        month: "2019-01",
        category: "DRUGS",
        count: release(9, 0.9),
      }),
      expect.objectContaining({ month: "2019-02", category: "DRUGS", count: 7 }),
    ]);
    expect(t.rowTotals).toEqual([
      { row: "2019-01", count: release(12, 0.42) },
      // The same records make the same cell: a month with one kind shows the same number twice.
      { row: "2019-02", count: 7 },
    ]);
    expect(release(3, 0.1)).toBe(0);
  });
});

describe("cell keys of withheld records (signposted counts)", () => {
  const keys = ["0.123456789", "0.987654321", "0.500000001", "0.999999999"];

  test("a set's key is the fractional part of its record keys' sum, exactly, in any order", () => {
    // 0.123456789 + 0.987654321 + 0.500000001 + 0.999999999 = 2.611111110
    expect(cellKeyOfRecords(keys)).toBe(0.61111111);
    expect(cellKeyOfRecords([...keys].reverse())).toBe(0.61111111);
    expect(cellKeyOfRecords([])).toBe(0);
    // A record without a key: no key, so no count is released.
    expect(cellKeyOfRecords([...keys, undefined])).toBeNull();
  });

  test("a cell without some of its records has the key of the rest", () => {
    const all = cellKeyOfRecords(keys)!;
    expect(cellKeyWithout(all, keys.slice(2))).toBe(cellKeyOfRecords(keys.slice(0, 2)));
    expect(cellKeyWithout(all, keys)).toBe(0);
    // Below zero wraps round: 0.1 less 0.3 is 0.8.
    expect(cellKeyWithout(0.1, ["0.3"])).toBe(0.8);
  });
});
