import { demoRecordKey } from "../../subgraphs/shared/demo/random";
import { addMonths } from "../../subgraphs/shared/months";
import { Role } from "../../subgraphs/shared/enums";
import { graphql, type As } from "../support/graphql";
import { DEMO_SEED } from "../support/demo-databases";
import { startTestFederation, type TestFederation } from "../support/federation";

/**
 * Tries, through the gateway and against the subgraphs directly, what got suppressed counts
 * out before (issue 9, "Suppressed counts recoverable"): totals minus the cells shown,
 * differences of overlapping month windows and of neighbourhood sets, and case assessments
 * over every window length minus dashboard totals. The true counts come from the seeded rows;
 * every attack is scored against them. What must hold: no count from 1 to 4 is ever released,
 * the same cell always gets the same number (so repeating averages nothing away), no
 * differencing recovers a small count, and no differencing recovers counts reliably at all.
 */

let fed: TestFederation;
/**
 * Months the seeded cases' longer windows reach (up to 24 months either side of spring 2019)
 * hold no demo records; here they get 1 or 2 incidents and ASB cases a month in each case
 * neighbourhood, so that assessments of every window length meet many true counts of 1 to 4.
 */
const SPARSE_HOODS = ["E01032739", "E01032740", "E01000005"];
function sparseMonths(): { code: string; month: string; n: number }[] {
  const rows: { code: string; month: string; n: number }[] = [];
  const months: string[] = [];
  for (let m = "2017-03"; m <= "2018-06"; m = addMonths(m, 1)) months.push(m);
  for (let m = "2019-10"; m <= "2020-12"; m = addMonths(m, 1)) months.push(m);
  months.forEach((month, i) =>
    SPARSE_HOODS.forEach((code, j) => rows.push({ code, month, n: 1 + ((i + j) % 2) })),
  );
  return rows;
}

beforeAll(async () => {
  // Databases of its own: the test adds records the shared demo databases must not have.
  fed = await startTestFederation({ fresh: true });
  const records = sparseMonths().flatMap(({ code, month, n }) =>
    Array.from({ length: n }, (_, k) => ({ id: `sparse-${code}-${month}-${k}`, code, month })),
  );
  // Keys fixed as the demo's are, so that every run attacks the same cells and scores the same.
  const columns = [
    records.map((r) => r.id),
    records.map((r) => r.code),
    records.map((r) => r.month),
    records.map((r) => demoRecordKey(DEMO_SEED, r.id)),
  ];
  await fed.stores.police.sql.exec(
    `INSERT INTO incidents (id, source_key, reference, month, category, lsoa_code, source, record_key)
     SELECT id, id, id, month, 'BURGLARY', code, 'test', key
       FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) AS r(id, code, month, key)`,
    columns,
  );
  await fed.stores.council.sql.exec(
    `INSERT INTO asb_cases (id, reference, status, category, opened_at, lsoa_code, record_key)
     SELECT id, id, 'OPEN', 'NOISE', (month || '-15T12:00:00Z')::timestamptz, code, key
       FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) AS r(id, code, month, key)`,
    columns,
  );
}, 300_000);
afterAll(() => fed?.stop());

const analyst: As = { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" };

/** A fixed pseudo-random sequence, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(20261130);
const pick = <T>(items: readonly T[], n: number) => [...items].sort(() => rand() - 0.5).slice(0, n);

interface Family {
  owner: "police" | "council" | "housing" | "youth";
  stats: string;
  kind: string;
  totals: string;
  /** True rows: neighbourhood, month and kind of every record. */
  truth: string;
}
const FAMILIES: Family[] = [
  {
    owner: "police",
    stats: "incidentStats",
    kind: "category",
    totals: "incidentMonthTotals",
    truth: `SELECT lsoa_code AS code, month::text AS month, category AS kind FROM incidents WHERE lsoa_code = ANY($1)`,
  },
  {
    owner: "council",
    stats: "asbCaseStats",
    kind: "category",
    totals: "asbCaseMonthTotals",
    truth: `SELECT lsoa_code AS code, to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, category AS kind
              FROM asb_cases WHERE lsoa_code = ANY($1)`,
  },
  {
    owner: "housing",
    stats: "tenancyActionStats",
    kind: "type",
    totals: "tenancyActionMonthTotals",
    truth: `SELECT p.lsoa_code AS code, to_char(a.taken_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, a.type AS kind
              FROM tenancy_actions a JOIN tenancies t ON t.id = a.tenancy_id JOIN properties p ON p.id = t.property_id
             WHERE p.lsoa_code = ANY($1)`,
  },
  {
    owner: "youth",
    stats: "referralStats",
    kind: "kind",
    totals: "referralMonthTotals",
    truth: `SELECT r.lsoa_code AS code, to_char(r.referred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, p.kind
              FROM referrals r JOIN programmes p ON p.id = r.programme_id WHERE r.lsoa_code = ANY($1)`,
  },
];

/** How often an attack's estimate equals the true count. */
class Score {
  tries = 0;
  hits = 0;
  private readonly seen = new Set<string>();
  /** `cells` names the cells the estimate is made of: the same cells again are no new try. */
  add(estimate: number, truth: number, cells?: string) {
    if (cells !== undefined) {
      if (this.seen.has(cells)) return;
      this.seen.add(cells);
    }
    this.tries += 1;
    if (estimate === truth) this.hits += 1;
  }
  get rate() {
    return this.tries ? this.hits / this.tries : 0;
  }
}

const count = <K>(map: Map<K, number>, key: K) => map.get(key) ?? 0;

test("every counted record of the demo seed has its own record key in [0, 1), fixed by the seed; a record stored later gets a random one", async () => {
  for (const [owner, table] of [
    ["police", "incidents"],
    ["council", "asb_cases"],
    ["housing", "tenancy_actions"],
    ["youth", "referrals"],
  ] as const) {
    const rows = await fed.stores[owner].sql.many<{ id: string; key: string }>(
      `SELECT id, record_key::text AS key FROM ${table}`,
    );
    expect(rows.length).toBeGreaterThan(20);
    // The same seed gives the same keys on every machine, so the demo's released numbers (and these tests) never vary.
    expect(rows.filter((r) => r.key !== demoRecordKey(DEMO_SEED, r.id))).toEqual([]);
    // Spread over a billion values: among these rows a repeat would be a default, not chance.
    expect(new Set(rows.map((r) => r.key)).size).toBeGreaterThan(rows.length * 0.99);
    expect(rows.every((r) => Number(r.key) >= 0 && Number(r.key) < 1)).toBe(true);
  }
  // A partnership's own records name no key: the column's random default gives it.
  const stored = await fed.stores.council.sql.many<{ key: string }>(
    `INSERT INTO asb_cases (id, reference, status, category, opened_at, lsoa_code)
     SELECT 'stored-' || n, 'stored-' || n, 'OPEN', 'NOISE', '2030-01-15T12:00:00Z', 'E01999999' FROM generate_series(1, 3) n
     RETURNING record_key::text AS key`,
  );
  expect(new Set(stored.map((r) => r.key)).size).toBe(3);
  expect(stored.every((r, i) => r.key !== demoRecordKey(DEMO_SEED, `stored-${i + 1}`))).toBe(true);
});

describe("differencing the neighbourhood dashboards, as an analyst", () => {
  test.each(FAMILIES.map((f) => [f.stats, f]))(
    "%s: no small count recovered from totals, windows or neighbourhood sets",
    async (_, family) => {
      // Neighbourhoods the partnership knows, busiest first in this family's own records.
      const known = (
        await fed.stores.partnership.sql.many<{ code: string }>(`SELECT code FROM neighbourhoods`)
      ).map((r) => r.code);
      const rows = await fed.stores[family.owner].sql.many<{ code: string; month: string; kind: string }>(
        family.truth,
        [known],
      );
      const byCode = new Map<string, number>();
      for (const r of rows) byCode.set(r.code, count(byCode, r.code) + 1);
      const codes = [...byCode]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 10)
        .map(([c]) => c);
      expect(codes.length).toBeGreaterThanOrEqual(3);
      const months = [...new Set(rows.map((r) => r.month))].sort();
      const [first, last] = [addMonths(months[0], -1), addMonths(months[months.length - 1], 1)];

      // The truth, from the rows: cells (code|month|kind) and month totals (code|month).
      const trueCell = new Map<string, number>();
      const trueTotal = new Map<string, number>();
      for (const r of rows.filter((r) => codes.includes(r.code))) {
        trueCell.set(`${r.code}|${r.month}|${r.kind}`, count(trueCell, `${r.code}|${r.month}|${r.kind}`) + 1);
        trueTotal.set(`${r.code}|${r.month}`, count(trueTotal, `${r.code}|${r.month}`) + 1);
      }

      // Random windows and neighbourhood sets; each answer kept whole for the window attacks.
      type Answer = {
        codes: string[];
        from: string;
        to: string;
        hoods: {
          code: string;
          cells: { month: string; kind: string; count: number }[];
          totals: { month: string; count: number }[];
        }[];
      };
      const answers: Answer[] = [];
      const ask = async (set: string[], from: string, to: string) => {
        const res = await fed.query<{ neighbourhoods: Record<string, unknown>[] }>(
          `query($codes: [String!]!, $from: String!, $to: String!) { neighbourhoods(codes: $codes) {
            code
            ${family.stats}(fromMonth: $from, toMonth: $to) { month ${family.kind} count suppressed }
            ${family.totals}(fromMonth: $from, toMonth: $to) { month count suppressed }
          } }`,
          { codes: set, from, to },
          analyst,
        );
        expect(res.errors).toBeUndefined();
        const hoods = res.data!.neighbourhoods.map((h) => ({
          code: h.code as string,
          cells: (h[family.stats] as Record<string, string | number>[]).map((c) => ({
            month: c.month as string,
            kind: c[family.kind] as string,
            count: c.count as number,
          })),
          totals: h[family.totals] as { month: string; count: number }[],
        }));
        const answer = { codes: set, from, to, hoods };
        answers.push(answer);
        return { res, answer };
      };
      const span = (() => {
        const all: string[] = [];
        for (let m = first; m <= last; m = addMonths(m, 1)) all.push(m);
        return all;
      })();
      for (let i = 0; i < 12; i++) {
        const [a, b] = pick(span, 2).sort();
        await ask(pick(codes, 1 + Math.floor(rand() * 5)), a, b);
      }
      // Overlapping windows: each month m asked as [from, m] and [from, m - 1] for one set.
      const windowSet = pick(codes, 5);
      const byEnd = new Map<string, Answer>();
      for (const m of span) byEnd.set(m, (await ask(windowSet, first, m)).answer);
      // Neighbourhood sets: the same window for a set and the set without each member.
      const setWindow = [first, last] as const;
      const whole = await ask(codes.slice(0, 5), ...setWindow);
      const without = new Map<string, Answer>();
      for (const code of codes.slice(0, 5))
        without.set(
          code,
          (
            await ask(
              codes.slice(0, 5).filter((c) => c !== code),
              ...setWindow,
            )
          ).answer,
        );

      // 1. The same question twice gets the same answer, to the byte.
      const again = await ask(codes.slice(0, 5), ...setWindow);
      expect(again.res.data).toEqual(whole.res.data);

      // 2. One number per cell and per total, however it was asked; none from 1 to 4.
      const shownCell = new Map<string, Set<number>>();
      const shownTotal = new Map<string, Set<number>>();
      for (const answer of answers) {
        for (const h of answer.hoods) {
          for (const c of h.cells) {
            const key = `${h.code}|${c.month}|${c.kind}`;
            shownCell.set(key, (shownCell.get(key) ?? new Set()).add(c.count));
          }
          for (const t of h.totals) {
            const key = `${h.code}|${t.month}`;
            shownTotal.set(key, (shownTotal.get(key) ?? new Set()).add(t.count));
          }
        }
      }
      for (const values of [...shownCell.values(), ...shownTotal.values()]) {
        expect(values.size).toBe(1);
        for (const v of values) expect(v === 0 || v >= 5).toBe(true);
      }
      const released = (map: Map<string, Set<number>>, key: string) => [...(map.get(key) ?? [0])][0];

      // 3. Attacks on every true count from 1 to 4, scored against the truth.
      const small = [...trueCell].filter(([key, n]) => n >= 1 && n <= 4 && span.includes(key.split("|")[1]));
      const totalMinusCells = new Score();
      const windowDifference = new Score();
      const setDifference = new Score();
      const shownAsIs = new Score();
      for (const [key, truth] of small) {
        const [code, month, kind] = key.split("|");
        shownAsIs.add(released(shownCell, key), truth);
        // The month's total minus the other kinds shown that month.
        const others = [...trueCell.keys()]
          .filter((k) => k.startsWith(`${code}|${month}|`) && k !== key)
          .reduce((sum, k) => sum + released(shownCell, k), 0);
        totalMinusCells.add(released(shownTotal, `${code}|${month}`) - others, truth);
        // [first, month] minus [first, month - 1], summed over the kind's cells shown in each.
        if (windowSet.includes(code) && month > first) {
          const sumOf = (to: string) =>
            byEnd
              .get(to)!
              .hoods.find((h) => h.code === code)!
              .cells.filter((c) => c.kind === kind)
              .reduce((s, c) => s + c.count, 0);
          windowDifference.add(sumOf(month) - sumOf(addMonths(month, -1)), truth);
        }
      }
      // The whole set's month totals minus the set without one neighbourhood, against that
      // neighbourhood's true month total where it is 1 to 4.
      const setTotal = (answer: Answer, month: string) =>
        answer.hoods.reduce((s, h) => s + (h.totals.find((t) => t.month === month)?.count ?? 0), 0);
      for (const code of codes.slice(0, 5)) {
        for (const month of span) {
          const truth = count(trueTotal, `${code}|${month}`);
          if (truth >= 1 && truth <= 4)
            setDifference.add(setTotal(whole.answer, month) - setTotal(without.get(code)!, month), truth);
        }
      }

      // Nothing released is a small count as such, and no difference of released numbers is one:
      // the same records always make the same cell, so these differences give released cells back.
      expect(shownAsIs.hits).toBe(0);
      expect(windowDifference.hits).toBe(0);
      expect(setDifference.hits).toBe(0);
      // A total minus the shown cells is noise around the truth: right by chance at times, never reliably.
      if (totalMinusCells.tries >= 20) expect(totalMinusCells.rate).toBeLessThan(0.5);
      console.info(
        `${family.stats}: ${small.length} true counts of 1 to 4; exact recoveries: shown ${shownAsIs.hits}/${shownAsIs.tries}, ` +
          `total minus cells ${totalMinusCells.hits}/${totalMinusCells.tries}, windows ${windowDifference.hits}/${windowDifference.tries}, ` +
          `sets ${setDifference.hits}/${setDifference.tries}`,
      );
      expect(small.length).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe("differencing case assessments, as a case partner", () => {
  const BOARD = `query($id: ID!, $w: Int!) { problemCase(id: $id) {
    assessment(windowMonths: $w) { id baselineFrom baselineTo followUpFrom followUpTo
      incidentsBefore incidentsAfter asbCasesBefore asbCasesAfter suppressed } } }`;
  type Assessment = {
    id: string;
    baselineFrom: string;
    baselineTo: string;
    followUpFrom: string;
    followUpTo: string;
    incidentsBefore: number;
    incidentsAfter: number;
    asbCasesBefore: number;
    asbCasesAfter: number;
  };

  test("every window length, minus each other and minus dashboard totals, recovers no count reliably", async () => {
    const cases = await fed.stores.partnership.sql.many<{ id: string; codes: string[]; lead: string }>(
      `SELECT c.id, c.lead_agency_id AS lead, array_agg(n.lsoa_code ORDER BY n.lsoa_code) AS codes
         FROM problem_cases c JOIN case_neighbourhoods n ON n.case_id = c.id
        WHERE c.reference LIKE 'PSC-2019-%' GROUP BY c.id ORDER BY c.id`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(4);
    const scores = {
      incidents: {
        windows: new Score(),
        anyTwoWindows: new Score(),
        dashboard: new Score(),
        assessmentMinusDashboard: new Score(),
      },
      asbCases: {
        windows: new Score(),
        anyTwoWindows: new Score(),
        dashboard: new Score(),
        assessmentMinusDashboard: new Score(),
      },
    };
    const smallScores = {
      windows: new Score(),
      anyTwoWindows: new Score(),
      dashboard: new Score(),
      assessmentMinusDashboard: new Score(),
    };

    for (const c of cases) {
      const partner: As = { agency: c.lead, purpose: "ASB_CASE_MANAGEMENT" };
      const board: Assessment[] = [];
      for (let w = 1; w <= 24; w++) {
        const res = await fed.query<{ problemCase: { assessment: Assessment & { suppressed: boolean } } }>(
          BOARD,
          { id: c.id, w },
          partner,
        );
        expect(res.errors).toBeUndefined();
        const a = res.data!.problemCase.assessment;
        for (const n of [a.incidentsBefore, a.incidentsAfter, a.asbCasesBefore, a.asbCasesAfter])
          expect(n === 0 || n >= 5).toBe(true);
        board.push(a);
      }
      // Asking again gives the same numbers.
      const again = await fed.query<{ problemCase: { assessment: Assessment } }>(
        BOARD,
        { id: c.id, w: 6 },
        partner,
      );
      expect(again.data!.problemCase.assessment).toMatchObject(board[5]);

      // The dashboard's month totals for the case's neighbourhoods (released as an analyst sees them).
      const from = board[23].baselineFrom;
      const to = board[23].followUpTo;
      const dash = await fed.query<{
        neighbourhoods: {
          incidentMonthTotals: { month: string; count: number }[];
          asbCaseMonthTotals: { month: string; count: number }[];
        }[];
      }>(
        `query($codes: [String!]!, $from: String!, $to: String!) { neighbourhoods(codes: $codes) {
          incidentMonthTotals(fromMonth: $from, toMonth: $to) { month count }
          asbCaseMonthTotals(fromMonth: $from, toMonth: $to) { month count } } }`,
        { codes: c.codes, from, to },
        analyst,
      );
      expect(dash.errors).toBeUndefined();
      const dashboardMonth = (field: "incidentMonthTotals" | "asbCaseMonthTotals", month: string) =>
        dash.data!.neighbourhoods.reduce(
          (s, h) => s + (h[field].find((t) => t.month === month)?.count ?? 0),
          0,
        );

      // The truth per month over the case's neighbourhoods.
      const truthIncidents = new Map(
        (
          await fed.stores.police.sql.many<{ month: string; n: string }>(
            `SELECT month::text AS month, count(*) AS n FROM incidents WHERE lsoa_code = ANY($1) GROUP BY month`,
            [c.codes],
          )
        ).map((r) => [r.month, Number(r.n)]),
      );
      const truthAsb = new Map(
        (
          await fed.stores.council.sql.many<{ month: string; n: string }>(
            `SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*) AS n
               FROM asb_cases WHERE lsoa_code = ANY($1) GROUP BY 1`,
            [c.codes],
          )
        ).map((r) => [r.month, Number(r.n)]),
      );

      for (const [kind, field, before, after, truth] of [
        ["incidents", "incidentMonthTotals", "incidentsBefore", "incidentsAfter", truthIncidents],
        ["asbCases", "asbCaseMonthTotals", "asbCasesBefore", "asbCasesAfter", truthAsb],
      ] as const) {
        const months = (from: string, to: string) => {
          let n = 0;
          for (let m = from; m <= to; m = addMonths(m, 1)) n += count(truth, m);
          return n;
        };
        // Any two window lengths: the longer minus the shorter is the months between them. Windows
        // on one side are nested, so two with the same true count hold the same records: such a
        // pair of cells is tried once (window lengths reaching into months with no records would
        // otherwise repeat one pair of cells many times).
        for (let short = 0; short < 24; short++) {
          for (let long = short + 1; long < 24; long++) {
            const [s, l] = [board[short], board[long]];
            for (const [side, t, estimate, cells] of [
              [
                "before",
                months(l.baselineFrom, addMonths(s.baselineFrom, -1)),
                l[before] - s[before],
                `${months(s.baselineFrom, s.baselineTo)}|${months(l.baselineFrom, l.baselineTo)}`,
              ],
              [
                "after",
                months(addMonths(s.followUpTo, 1), l.followUpTo),
                l[after] - s[after],
                `${months(s.followUpFrom, s.followUpTo)}|${months(l.followUpFrom, l.followUpTo)}`,
              ],
            ] as const) {
              if (t === 0) continue;
              const id = `${c.id}|${kind}|${side}|${cells}`;
              scores[kind].anyTwoWindows.add(estimate, t, id);
              if (t <= 4) smallScores.anyTwoWindows.add(estimate, t, id);
            }
          }
        }
        for (let w = 1; w < 24; w++) {
          const [shorter, longer] = [board[w - 1], board[w]];
          // The longer baseline starts one month earlier, the longer follow-up ends one month later.
          for (const [month, estimate] of [
            [longer.baselineFrom, longer[before] - shorter[before]],
            [longer.followUpTo, longer[after] - shorter[after]],
          ] as const) {
            const t = count(truth, month);
            if (t === 0) continue;
            scores[kind].windows.add(estimate, t);
            scores[kind].dashboard.add(dashboardMonth(field, month), t);
            // The old attack: an assessment minus the dashboard's months around the one wanted.
            const windowMonths =
              month === longer.baselineFrom
                ? [shorter.baselineFrom, shorter.baselineTo]
                : [shorter.followUpFrom, shorter.followUpTo];
            let rest = 0;
            for (let m = windowMonths[0]; m <= windowMonths[1]; m = addMonths(m, 1))
              rest += dashboardMonth(field, m);
            const longerTotal = month === longer.baselineFrom ? longer[before] : longer[after];
            scores[kind].assessmentMinusDashboard.add(longerTotal - rest, t);
            if (t <= 4) {
              smallScores.windows.add(estimate, t);
              smallScores.dashboard.add(dashboardMonth(field, month), t);
              smallScores.assessmentMinusDashboard.add(longerTotal - rest, t);
            }
          }
        }
      }
    }
    const report = Object.entries({ ...scores, small: smallScores }).map(
      ([kind, s]) =>
        `${kind}: ${Object.entries(s)
          .map(([attack, score]) => `${attack} ${score.hits}/${score.tries}`)
          .join(", ")}`,
    );
    console.info(`case assessments, exact recoveries of a month's count: ${report.join("; ")}`);
    // Enough months were attacked for the rates to mean something.
    expect(scores.incidents.windows.tries + scores.asbCases.windows.tries).toBeGreaterThanOrEqual(40);
    // The sparse months give many true counts of 1 to 4 to attack.
    expect(smallScores.windows.tries).toBeGreaterThanOrEqual(40);
    // Rates are judged where there are enough tries to judge them (a released number itself is
    // right by chance as often as the p-table keeps a count as it is: about one time in four).
    for (const s of [scores.incidents, scores.asbCases, smallScores]) {
      for (const score of Object.values(s)) if (score.tries >= 40) expect(score.rate).toBeLessThan(0.5);
    }
  }, 180_000);
});

describe("case assessments by made-up ids, straight at the subgraphs", () => {
  test("police and the council count nothing for composite or forged ids, whoever asks", async () => {
    const forged = [
      "E01032739,E01032740|2018-10|2019-03|2019-04|2019-09",
      "E01032739|2019-01|2019-01|2019-02|2019-02",
      `psc-2019-001|E01032739,E01032740|2018-10|2019-03|2019-04|2019-09|council|${"A".repeat(43)}`,
    ];
    for (const owner of ["police", "council"] as const) {
      for (const as of [
        analyst,
        { agency: "council", purpose: "ASB_CASE_MANAGEMENT" },
        { agency: "police", purpose: "CRIME_PREVENTION" },
      ]) {
        const res = await graphql<{ _entities: unknown[] }>(
          fed.federation.subgraphs[owner].url,
          `
            query ($r: [_Any!]!) {
              _entities(representations: $r) {
                ... on CaseAssessment {
                  id
                }
              }
            }
          `,
          { r: forged.map((id) => ({ __typename: "CaseAssessment", id })) },
          as,
        );
        expect({ owner, agency: as.agency, entities: res.data?._entities }).toEqual({
          owner,
          agency: as.agency,
          entities: [null, null, null],
        });
      }
    }
  });

  test("an id sealed for one agency counts nothing for another", async () => {
    const c = await fed.stores.partnership.sql.one<{ id: string; lead: string }>(
      `SELECT id, lead_agency_id AS lead FROM problem_cases WHERE reference LIKE 'PSC-2019-%' ORDER BY id LIMIT 1`,
    );
    const res = await fed.query<{ problemCase: { assessment: { id: string; incidentsBefore: number } } }>(
      `query($id: ID!) { problemCase(id: $id) { assessment(windowMonths: 6) { id incidentsBefore } } }`,
      { id: c!.id },
      { agency: c!.lead, purpose: "ASB_CASE_MANAGEMENT" },
    );
    expect(res.errors).toBeUndefined();
    const { id, incidentsBefore } = res.data!.problemCase.assessment;
    const entity = (agency: string) =>
      graphql<{ _entities: ({ incidentsBefore: number } | null)[] }>(
        fed.federation.subgraphs.police.url,
        `
          query ($r: [_Any!]!) {
            _entities(representations: $r) {
              ... on CaseAssessment {
                incidentsBefore
              }
            }
          }
        `,
        { r: [{ __typename: "CaseAssessment", id }] },
        { agency, purpose: agency === "police" ? "CRIME_PREVENTION" : "ASB_CASE_MANAGEMENT" },
      );
    expect((await entity(c!.lead)).data!._entities).toEqual([{ incidentsBefore }]);
    const other = c!.lead === "housing" ? "youth" : "housing";
    expect((await entity(other)).data!._entities).toEqual([null]);
  });
});
