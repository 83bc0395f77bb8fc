import { suppress, suppressTable } from "../../subgraphs/shared/statistics";

type Cell = { month: string; category: string; n: number };
const table = (cells: Cell[]) =>
  suppressTable(
    cells,
    (c) => c.month,
    (c) => c.n,
  );
const shown = (t: ReturnType<typeof table>) =>
  t.cells.map((c) => `${c.month}/${c.category}:${c.count ?? "x"}`);

describe("small-number suppression", () => {
  it("withholds counts from 1 to 4 and shows 0 and 5 upwards", () => {
    expect([0, 1, 4, 5, 12].map((n) => suppress(n))).toEqual([
      { count: 0, suppressed: false },
      { count: null, suppressed: true },
      { count: null, suppressed: true },
      { count: 5, suppressed: false },
      { count: 12, suppressed: false },
    ]);
  });

  it("withholds a second cell when a shown row total would give the first away", () => {
    const t = table([
      { month: "2019-01", category: "BURGLARY", n: 3 },
      { month: "2019-01", category: "ROBBERY", n: 9 },
      { month: "2019-01", category: "DRUGS", n: 7 },
    ]);
    // 3 alone hidden with a total of 19 shown would be 19 - 9 - 7; the smaller of the others goes too.
    expect(shown(t)).toEqual(["2019-01/BURGLARY:x", "2019-01/ROBBERY:9", "2019-01/DRUGS:x"]);
    expect(t.rowTotals).toEqual([{ row: "2019-01", count: 19, suppressed: false }]);
  });

  it("withholds the total when no other cell can hide the one withheld", () => {
    const t = table([
      { month: "2019-02", category: "BURGLARY", n: 2 },
      { month: "2019-02", category: "ROBBERY", n: 0 },
      { month: "2019-03", category: "BURGLARY", n: 1 },
      { month: "2019-03", category: "DRUGS", n: 4 },
    ]);
    expect(shown(t)).toEqual([
      "2019-02/BURGLARY:x",
      "2019-02/ROBBERY:0",
      "2019-03/BURGLARY:x",
      "2019-03/DRUGS:x",
    ]);
    // 2019-02's total would equal the hidden 2; 2019-03's (5) hides two withheld cells, so it shows.
    expect(t.rowTotals).toEqual([
      { row: "2019-02", count: null, suppressed: true },
      { row: "2019-03", count: 5, suppressed: false },
    ]);
  });

  it("never leaves exactly one withheld cell in a row whose total is shown", () => {
    // A brute check over many random tables: the property, not an example.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 12;
    for (let round = 0; round < 500; round++) {
      const cells = Array.from({ length: 2 + (round % 6) }, (_, i) => ({
        month: `2019-0${1 + (i % 3)}`,
        category: `C${i}`,
        n: next(),
      }));
      const t = table(cells);
      for (const total of t.rowTotals.filter((r) => !r.suppressed)) {
        const hidden = t.cells.filter((c) => c.month === total.row && c.suppressed);
        expect(hidden.length).not.toBe(1);
        // And what is shown adds up with what is hidden.
        const visible = t.cells
          .filter((c) => c.month === total.row && !c.suppressed)
          .reduce((s, c) => s + c.count!, 0);
        const hiddenSum = cells
          .filter((c, i) => c.month === total.row && t.cells[i].suppressed)
          .reduce((s, c) => s + c.n, 0);
        expect(visible + hiddenSum).toBe(total.count);
      }
    }
  });
});
