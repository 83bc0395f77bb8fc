import { Role } from "../../subgraphs/shared/enums";
import type { Sql } from "../../subgraphs/shared/database";
import type { AgencySeedResult } from "../../subgraphs/shared/demo/seed";
import { ageOn, DEMO_TODAY, demoPeople, personId } from "../../subgraphs/shared/demo/world";
import { ageOnDate, calendarDate } from "../../subgraphs/shared/facts";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { seedYouth } from "../../subgraphs/youth/seed";
import { youth } from "../../subgraphs/youth/server";
import { REFERRAL_TRANSITIONS, type ReferralStatus } from "../../subgraphs/youth/types";
import { keysByCell, releasedFor } from "../support/cell-key";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const PEOPLE = demoPeople(7, "small");
const FEATURED_YOUNG = Array.from({ length: 10 }, (_, i) => personId(i + 1));
const YOUTH_WORKER = { agency: "youth", purpose: "YOUTH_DIVERSION" };
const OFFICER = { agency: "police", purpose: "YOUTH_DIVERSION" };
const ANALYST = { agency: "youth", role: Role.ANALYST, purpose: "STATISTICS" };

/** A digest of every youth table, to compare two seeded stores. */
async function digest(sql: Sql): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ["schools", "programmes", "enrolments", "referrals", "referral_status_changes"]) {
    const row = await sql.one<{ d: string; n: string }>(
      // Record keys included: the demo fixes them by its seed.
      `SELECT md5(coalesce(string_agg(to_jsonb(t)::text, '|' ORDER BY t.id), '')) AS d, count(*) AS n FROM ${table} t`,
    );
    out[table] = `${row!.n}:${row!.d}`;
  }
  return out;
}

async function seeded(
  seed: number,
): Promise<{ subgraph: TestSubgraph; result: AgencySeedResult; digest: Record<string, string> }> {
  let result: AgencySeedResult | void = undefined;
  let snapshot: Record<string, string> = {};
  const people = demoPeople(seed, "small");
  const subgraph = await startTestSubgraph(
    youth,
    async (sql) => {
      result = await seedYouth(sql, { seed, scale: "small", people });
      snapshot = await digest(sql);
    },
    // The demo agreements: police and council read youth records under their terms.
    { policy: (sql) => seedGovernance(sql, { seed, scale: "small", people }) },
  );
  return { subgraph, result: result ?? {}, digest: snapshot };
}

async function count(sql: Sql, table: string): Promise<number> {
  return Number((await sql.one<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))!.n);
}

let subgraph: TestSubgraph;
let seedResult: AgencySeedResult;
let seedDigest: Record<string, string>;
beforeAll(async () => {
  ({ subgraph, result: seedResult, digest: seedDigest } = await seeded(7));
});
afterAll(() => subgraph.stop());

const PERSON_360 = `query ($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Person {
      id
      referrals(first: 10) {
        totalCount
        edges { node { id status reason referredAt programme { id name kind provider } } }
        restricted { agency { id } category count contact }
      }
      enrolments(first: 5) {
        totalCount
        edges { node { id yearGroup attendanceRate suspensions school { urn name } } }
        restricted { agency { id } category count contact }
      }
    }
  }
}`;

interface PersonView {
  id: string;
  referrals: {
    totalCount: number;
    edges: {
      node: { id: string; status: string; referredAt: string; programme: { name: string; kind: string } };
    }[];
  };
  enrolments: {
    totalCount: number;
    edges: {
      node: { id: string; yearGroup: number; attendanceRate: number | null; school: { urn: string } };
    }[];
  };
}

const people = (ids: string[]) => ids.map((id) => ({ __typename: "Person", id }));

describe("a person's enrolments and referrals", () => {
  test("every featured young person has a school enrolment and a referral, as Person360 asks for them", async () => {
    const res = await subgraph.query<{ _entities: PersonView[] }>(
      PERSON_360,
      { reps: people(FEATURED_YOUNG) },
      YOUTH_WORKER,
    );
    expect(res.errors).toBeUndefined();
    const found = res.data!._entities;
    expect(found.map((p) => p.id)).toEqual(FEATURED_YOUNG);
    for (const person of found) {
      expect(person.enrolments.totalCount).toBeGreaterThanOrEqual(1);
      expect(person.referrals.totalCount).toBeGreaterThanOrEqual(1);
      for (const { node } of person.enrolments.edges) {
        expect(node.school.urn).toMatch(/^\d{6}$/);
        expect(node.yearGroup).toBeGreaterThanOrEqual(0);
      }
      // Newest referral first.
      const times = person.referrals.edges.map((e) => e.node.referredAt);
      expect([...times].sort().reverse()).toEqual(times);
    }
    // The seed offers exactly these referrals for problem-solving cases to link.
    const referralIds = found.flatMap((p) => p.referrals.edges.map((e) => e.node.id)).sort();
    expect([...(seedResult.linkable?.REFERRAL ?? [])].sort()).toEqual(referralIds);
  });

  test("totals match the store, and a person with no youth records gets empty lists", async () => {
    const adult = personId(30);
    const res = await subgraph.query<{ _entities: PersonView[] }>(
      PERSON_360,
      { reps: people(["per-000002", adult]) },
      OFFICER,
    );
    expect(res.errors).toBeUndefined();
    const [young, grown] = res.data!._entities;
    const referrals = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM referrals WHERE person_id = 'per-000002'`,
    );
    const enrolments = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM enrolments WHERE person_id = 'per-000002'`,
    );
    expect(young.referrals.totalCount).toBe(Number(referrals!.n));
    expect(young.enrolments.totalCount).toBe(Number(enrolments!.n));
    expect(grown).toEqual({
      id: adult,
      referrals: { totalCount: 0, edges: [], restricted: [] },
      enrolments: { totalCount: 0, edges: [], restricted: [] },
    });
  });

  test("the IncidentsInArea subset of a person's referrals resolves", async () => {
    const res = await subgraph.query<{
      _entities: {
        referrals: { edges: { node: { id: string; status: string; programme: { name: string } } }[] };
      }[];
    }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person {
         referrals(first: 3) { edges { node { id status programme { name } } } } } } }`,
      { reps: people(["per-000001"]) },
      OFFICER,
    );
    expect(res.errors).toBeUndefined();
    const edges = res.data!._entities[0].referrals.edges;
    expect(edges.length).toBeGreaterThanOrEqual(1);
    expect(edges.length).toBeLessThanOrEqual(3);
    expect(edges[0].node.programme.name).toEqual(expect.any(String));
  });

  test("pages through enrolments with first and after, and refuses a page over 500 naming first", async () => {
    const row = await subgraph.sql.one<{ person_id: string }>(
      `SELECT person_id FROM enrolments GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 1`,
    );
    const who = row!.person_id;
    const expected = await subgraph.sql.many<{ id: string }>(
      `SELECT id FROM enrolments WHERE person_id = $1 ORDER BY started_on DESC, id`,
      [who],
    );
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res: Awaited<ReturnType<typeof subgraph.query>> = await subgraph.query(
        `query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Person {
           enrolments(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`,
        { reps: people([who]), after },
        YOUTH_WORKER,
      );
      expect(res.errors).toBeUndefined();
      const page = (
        res.data as {
          _entities: {
            enrolments: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string };
              edges: { node: { id: string } }[];
            };
          }[];
        }
      )._entities[0].enrolments;
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((e) => e.id));
    // Past the end: no edges, and the total still stands.
    const beyond = await subgraph.query<{
      _entities: { enrolments: { totalCount: number; edges: unknown[] } }[];
    }>(
      `query ($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Person {
         enrolments(first: 1, after: $after) { totalCount edges { cursor } } } } }`,
      { reps: people([who]), after: Buffer.from(`o:${expected.length + 3}`).toString("base64url") },
      YOUTH_WORKER,
    );
    expect(beyond.data!._entities[0].enrolments).toEqual({ totalCount: expected.length, edges: [] });

    const tooMany = await subgraph.query(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person { referrals(first: 501) { totalCount } } } }`,
      { reps: people([who]) },
      YOUTH_WORKER,
    );
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "first" });
  });
});

describe("schools and programmes", () => {
  test("lists schools with DfE URNs, and programmes of every kind, filtered by kind", async () => {
    const res = await subgraph.query<{
      schools: { urn: string; phase: string }[];
      all: { kind: string }[];
      sport: { kind: string; id: string }[];
    }>(
      `{ schools { urn name phase lsoaCode } all: programmes { kind } sport: programmes(kind: SPORT) { id kind provider minimumAge maximumAge } }`,
      {},
      YOUTH_WORKER,
    );
    expect(res.errors).toBeUndefined();
    const { schools, all, sport } = res.data!;
    expect(schools.length).toBeGreaterThanOrEqual(10);
    expect(new Set(schools.map((s) => s.urn)).size).toBe(schools.length);
    schools.forEach((s) => expect(s.urn).toMatch(/^\d{6}$/));
    expect(new Set(schools.map((s) => s.phase))).toEqual(
      new Set(["PRIMARY", "SECONDARY", "ALL_THROUGH", "PUPIL_REFERRAL_UNIT"]),
    );
    expect(new Set(all.map((p) => p.kind))).toEqual(
      new Set(["DIVERSION", "SPORT", "MENTORING", "ARTS", "DETACHED_YOUTH_WORK"]),
    );
    expect(sport.length).toBeGreaterThan(0);
    sport.forEach((p) => expect(p.kind).toBe("SPORT"));
  });
});

const REFER = `mutation ($input: ReferralInput!) {
  referToProgramme(input: $input) {
    id status reason referredByAgency { id } programme { id } person { id } statusHistory { status at note }
  }
}`;
const UPDATE = `mutation ($id: ID!, $status: ReferralStatus!, $note: String) {
  updateReferralStatus(id: $id, status: $status, note: $note) { id status statusHistory { status note } }
}`;

interface Written {
  id: string;
  status: string;
  statusHistory: { status: string; at?: string; note: string | null }[];
}

describe("referring a young person to a programme", () => {
  test("records a REFERRED referral from the caller's agency, with its first history step", async () => {
    const res = await subgraph.query<{ referToProgramme: Written & Record<string, unknown> }>(
      REFER,
      {
        input: {
          personId: "per-000002",
          programmeId: "prg-03",
          reason: "  Part of a group causing nuisance at the station ",
        },
      },
      OFFICER,
    );
    expect(res.errors).toBeUndefined();
    const referral = res.data!.referToProgramme;
    expect(referral).toMatchObject({
      status: "REFERRED",
      reason: "Part of a group causing nuisance at the station",
      referredByAgency: { id: "police" },
      programme: { id: "prg-03" },
      person: { id: "per-000002" },
      statusHistory: [{ status: "REFERRED", note: null }],
    });
    const row = await subgraph.sql.one<{ lsoa_code: string | null; status: string }>(
      `SELECT lsoa_code, status FROM referrals WHERE id = $1`,
      [referral.id],
    );
    expect(row).toEqual({ lsoa_code: null, status: "REFERRED" });
    // The person's referrals now include it.
    const mine = await subgraph.query<{ referral: { id: string } }>(
      `query ($id: ID!) { referral(id: $id) { id } }`,
      { id: referral.id },
      YOUTH_WORKER,
    );
    expect(mine.data!.referral).toEqual({ id: referral.id });
  });

  test("rejects an unknown programme or an empty reason, naming the argument and writing nothing", async () => {
    const before = [
      await count(subgraph.sql, "referrals"),
      await count(subgraph.sql, "referral_status_changes"),
    ];
    const unknown = await subgraph.query(
      REFER,
      { input: { personId: "per-000002", programmeId: "prg-nope", reason: "Needs support" } },
      OFFICER,
    );
    expect(unknown.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.programmeId",
    });
    const empty = await subgraph.query(
      REFER,
      { input: { personId: "per-000002", programmeId: "prg-03", reason: "   " } },
      OFFICER,
    );
    expect(empty.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.reason" });
    const after = [
      await count(subgraph.sql, "referrals"),
      await count(subgraph.sql, "referral_status_changes"),
    ];
    expect(after).toEqual(before);
  });
});

describe("moving a referral on", () => {
  async function newReferral(): Promise<string> {
    const res = await subgraph.query<{ referToProgramme: Written }>(
      REFER,
      { input: { personId: "per-000002", programmeId: "prg-05", reason: "Persistent absence from school" } },
      YOUTH_WORKER,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.referToProgramme.id;
  }

  test("follows REFERRED, ACCEPTED, ACTIVE, COMPLETED and keeps every step in the history", async () => {
    const id = await newReferral();
    for (const [status, note] of [
      ["ACCEPTED", "Assessed"],
      ["ACTIVE", null],
      ["COMPLETED", "Finished all sessions"],
    ] as const) {
      const res = await subgraph.query<{ updateReferralStatus: Written }>(
        UPDATE,
        { id, status, note },
        YOUTH_WORKER,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.updateReferralStatus.status).toBe(status);
    }
    const res = await subgraph.query<{ referral: Written }>(
      `query ($id: ID!) { referral(id: $id) { id status statusHistory { status note } } }`,
      { id },
      YOUTH_WORKER,
    );
    expect(res.data!.referral.statusHistory).toEqual([
      { status: "REFERRED", note: null },
      { status: "ACCEPTED", note: "Assessed" },
      { status: "ACTIVE", note: null },
      { status: "COMPLETED", note: "Finished all sessions" },
    ]);
  });

  test("refuses moves the transitions do not allow, naming status, and changes nothing", async () => {
    const id = await newReferral();
    const skip = await subgraph.query(UPDATE, { id, status: "COMPLETED" }, YOUTH_WORKER);
    expect(skip.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "status" });
    expect(skip.errors?.[0].message).toMatch(/the referral is REFERRED, and can move only to [A-Z_, ]+$/);
    expect(
      (await subgraph.query(UPDATE, { id, status: "DECLINED", note: "Programme full" }, YOUTH_WORKER)).errors,
    ).toBeUndefined();
    const reopen = await subgraph.query(UPDATE, { id, status: "ACCEPTED" }, YOUTH_WORKER);
    expect(reopen.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "status" });
    expect(reopen.errors?.[0].message).toMatch(/the referral is DECLINED, which is final: it cannot change$/);
    const history = await subgraph.sql.many<{ status: string }>(
      `SELECT status FROM referral_status_changes WHERE referral_id = $1 ORDER BY at, id`,
      [id],
    );
    expect(history.map((h) => h.status)).toEqual(["REFERRED", "DECLINED"]);
  });

  test("only youth services move a referral on; an unknown referral is named by id", async () => {
    const id = await newReferral();
    const police = await subgraph.query(UPDATE, { id, status: "ACCEPTED" }, OFFICER);
    // Issue 9: Referral's declared actor rule, answered with one of the brief's reasons.
    expect(police.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    // Any id, known or not, gets the same answer: nothing learnt about which referrals exist.
    const policeUnknown = await subgraph.query(UPDATE, { id: "ref-missing", status: "ACCEPTED" }, OFFICER);
    expect(policeUnknown.errors?.[0].extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const row = await subgraph.sql.one<{ status: string }>(`SELECT status FROM referrals WHERE id = $1`, [
      id,
    ]);
    expect(row!.status).toBe("REFERRED");
    const unknown = await subgraph.query(UPDATE, { id: "ref-missing", status: "ACCEPTED" }, YOUTH_WORKER);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
  });
});

describe("referral statistics per neighbourhood", () => {
  const HERE = "E01999901";
  const THERE = "E01999902";
  beforeAll(async () => {
    // Hand-built: 2 diversion referrals in March (a true count of 1 to 4), 6 sport referrals in April,
    // and rows just outside; the record keys are the database's own random ones.
    const rows: [string, string, string][] = [
      ...Array.from(
        { length: 2 },
        (_, i) => [HERE, "prg-01", `2019-03-0${i + 1}T10:00:00Z`] as [string, string, string],
      ),
      ...Array.from(
        { length: 5 },
        (_, i) => [HERE, "prg-03", `2019-04-1${i}T10:00:00Z`] as [string, string, string],
      ),
      [HERE, "prg-04", "2019-04-30T23:30:00Z"],
      [HERE, "prg-03", "2019-05-01T00:00:00Z"],
      [HERE, "prg-03", "2019-02-28T23:59:00Z"],
      [THERE, "prg-09", "2019-03-15T12:00:00Z"],
    ];
    await subgraph.sql.exec(
      `INSERT INTO referrals (id, person_id, programme_id, status, reason, referred_at, referred_by_agency_id, lsoa_code)
       SELECT 'stat-' || n, 'per-stat-' || n, programme, 'REFERRED', 'Test', at::timestamptz, 'police', lsoa
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(lsoa, programme, at, n)`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
  });

  test("releases referrals by month referred and programme kind through the engine, in one statement for many neighbourhoods", async () => {
    const codes = [HERE, THERE, "E01999903"];
    const before = subgraph.sql.statements;
    const res = await subgraph.query<{ _entities: { code: string; referralStats: unknown[] }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Neighbourhood {
         code referralStats(fromMonth: "2019-03", toMonth: "2019-04") { month kind count suppressed } } } }`,
      { reps: codes.map((code) => ({ __typename: "Neighbourhood", code })) },
      ANALYST,
    );
    expect(res.errors).toBeUndefined();
    expect(subgraph.sql.statements - before).toBe(1);
    const rows = await subgraph.sql.many<{ lsoa_code: string; month: string; kind: string; key: string }>(
      `SELECT r.lsoa_code, to_char(r.referred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, p.kind, r.record_key::text AS key
         FROM referrals r JOIN programmes p ON p.id = r.programme_id
        WHERE r.lsoa_code = ANY($1) AND r.referred_at >= '2019-03-01T00:00:00Z' AND r.referred_at < '2019-05-01T00:00:00Z'
        ORDER BY 2, 3`,
      [codes],
    );
    // The hand-built March diversion cell holds a true count of 1 to 4, April's sport cell 6.
    expect(rows.filter((r) => r.lsoa_code === HERE && r.month === "2019-03")).toHaveLength(2);
    expect(res.data!._entities).toEqual(
      codes.map((code) => ({
        code,
        referralStats: [
          ...keysByCell(
            rows.filter((r) => r.lsoa_code === code),
            (r) => `${r.month}|${r.kind}`,
          ),
        ]
          .map(([cell, keys]) => {
            const [month, kind] = cell.split("|");
            return { month, kind, count: releasedFor(keys), suppressed: false };
          })
          .filter((c) => c.count > 0),
      })),
    );
    for (const e of res.data!._entities as { referralStats: { count: number }[] }[])
      for (const c of e.referralStats) expect(c.count).toBeGreaterThanOrEqual(5);
  });

  test("rejects a month range that ends before it starts, naming toMonth", async () => {
    const res = await subgraph.query(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Neighbourhood {
         referralStats(fromMonth: "2019-04", toMonth: "2019-03") { count } } } }`,
      { reps: [{ __typename: "Neighbourhood", code: HERE }] },
      ANALYST,
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "toMonth" });
  });
});

describe("the demo seed", () => {
  test("is the same for the same seed and different for another", async () => {
    const again = await seeded(7);
    const other = await seeded(8);
    try {
      expect(again.digest).toEqual(seedDigest);
      expect(again.result).toEqual(seedResult);
      expect(other.digest.referrals).not.toEqual(seedDigest.referrals);
    } finally {
      await again.subgraph.stop();
      await other.subgraph.stop();
    }
  });

  test("enrols everyone aged 4 to 16, mostly with good attendance, and gives every referral a lawful history", async () => {
    const schoolAge = PEOPLE.filter((p) => {
      const age = ageOn(p.dateOfBirth, DEMO_TODAY);
      return age >= 4 && age <= 16;
    }).map((p) => p.id);
    const enrolled = new Set(
      (await subgraph.sql.many<{ person_id: string }>(`SELECT DISTINCT person_id FROM enrolments`)).map(
        (r) => r.person_id,
      ),
    );
    expect(schoolAge.filter((id) => !enrolled.has(id))).toEqual([]);
    const rates = await subgraph.sql.one<{ good: string; absent: string }>(
      `SELECT count(*) FILTER (WHERE attendance_rate >= 0.9) AS good, count(*) FILTER (WHERE attendance_rate < 0.9) AS absent FROM enrolments`,
    );
    expect(Number(rates!.good)).toBeGreaterThan(Number(rates!.absent) * 4);
    expect(Number(rates!.absent)).toBeGreaterThan(0);

    const histories = await subgraph.sql.many<{ id: string; status: string; steps: ReferralStatus[] }>(
      `SELECT r.id, r.status, array_agg(h.status ORDER BY h.at, h.id) AS steps
         FROM referrals r JOIN referral_status_changes h ON h.referral_id = r.id
        WHERE r.id LIKE 'ref-0%' GROUP BY r.id, r.status`,
    );
    expect(histories.length).toBeGreaterThan(20);
    for (const { status, steps } of histories) {
      expect(steps[0]).toBe("REFERRED");
      for (let i = 1; i < steps.length; i++) expect(REFERRAL_TRANSITIONS[steps[i - 1]]).toContain(steps[i]);
      expect(steps[steps.length - 1]).toBe(status);
    }
  });
});

describe("batching", () => {
  const QUERY = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Person {
    referrals(first: 3) { edges { node { id status programme { name } } } }
    enrolments(first: 3) { edges { node { school { urn } } } } } } }`;

  async function statementsFor(n: number): Promise<number> {
    const ids = Array.from({ length: n }, (_, i) => personId(i + 1));
    const before = subgraph.sql.statements;
    const res = await subgraph.query<{ _entities: PersonView[] }>(QUERY, { reps: people(ids) }, YOUTH_WORKER);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toHaveLength(n);
    expect(res.data!._entities.some((p) => p.referrals.edges.length > 0)).toBe(true);
    return subgraph.sql.statements - before;
  }

  test("5 and 50 people cost the same number of statements", async () => {
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(fifty).toBe(five);
    // Referral pages, enrolment pages, programmes, schools.
    expect(five).toBeLessThanOrEqual(4);
  });
});

describe("a referral the programme cannot take", () => {
  const today = calendarDate(new Date());
  const aged = (from: number, to: number) =>
    PEOPLE.filter((p) => {
      const age = ageOnDate(p.dateOfBirth, today);
      return age >= from && age <= to;
    }).map((p) => p.id);
  const written = async () => [
    await count(subgraph.sql, "referrals"),
    await count(subgraph.sql, "referral_status_changes"),
  ];

  test.each([
    ["older than prg-03's 19", () => aged(30, 120)[0]],
    ["younger than prg-03's 11", () => aged(0, 10)[0]],
  ])("refuses someone %s with BAD_USER_INPUT naming input.personId, writing nothing", async (_, who) => {
    const personId = who();
    expect(personId).toBeDefined();
    const before = await written();
    const res = await subgraph.query(
      REFER,
      { input: { personId, programmeId: "prg-03", reason: "Nuisance at the station" } },
      YOUTH_WORKER,
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.personId" });
    expect(res.errors?.[0].message).toMatch(/outside .*age range \(11-19\)/);
    expect(await written()).toEqual(before);
  });

  test("refuses a second open referral to the same programme naming input.programmeId; once closed, refers again", async () => {
    const personId = aged(16, 19)[0];
    const input = { personId, programmeId: "prg-04", reason: "Repeated nuisance near the shops" };
    const first = await subgraph.query<{ referToProgramme: Written }>(REFER, { input }, OFFICER);
    expect(first.errors).toBeUndefined();
    const before = await written();
    const again = await subgraph.query(REFER, { input }, OFFICER);
    expect(again.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.programmeId",
    });
    // Youth services hold the referral, so they too are told it is open.
    const byYouth = await subgraph.query(REFER, { input }, YOUTH_WORKER);
    expect(byYouth.errors?.[0].extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.programmeId",
    });
    expect(await written()).toEqual(before);
    // Another programme is another referral.
    const other = await subgraph.query(REFER, { input: { ...input, programmeId: "prg-06" } }, OFFICER);
    expect(other.errors).toBeUndefined();
    const declined = await subgraph.query(
      UPDATE,
      { id: first.data!.referToProgramme.id, status: "DECLINED", note: "Programme full" },
      YOUTH_WORKER,
    );
    expect(declined.errors).toBeUndefined();
    const afterClosing = await subgraph.query(REFER, { input }, OFFICER);
    expect(afterClosing.errors).toBeUndefined();
  });

  test("a partner is not told of another partner's open referral (the rules may hide it from them)", async () => {
    const personId = aged(16, 19)[1];
    const input = { personId, programmeId: "prg-07", reason: "Seen with a group causing damage" };
    expect((await subgraph.query(REFER, { input }, OFFICER)).errors).toBeUndefined();
    const council = await subgraph.query(REFER, { input }, { agency: "council", purpose: "YOUTH_DIVERSION" });
    expect(council.errors).toBeUndefined();
  });

  test("two identical referrals sent at once write one", async () => {
    const personId = aged(16, 19)[2];
    const input = { personId, programmeId: "prg-09", reason: "Truanting with older peers" };
    const results = await Promise.all([1, 2, 3].map(() => subgraph.query(REFER, { input }, OFFICER)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const refused of results.filter((r) => r.errors))
      expect(refused.errors?.[0].extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        argument: "input.programmeId",
      });
    const rows = await subgraph.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM referrals WHERE person_id = $1 AND programme_id = 'prg-09'`,
      [personId],
    );
    expect(Number(rows!.n)).toBe(1);
  });
});
