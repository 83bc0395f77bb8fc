import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { council as councilDefinition } from "../../subgraphs/council/server";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { housing as housingDefinition } from "../../subgraphs/housing/server";
import { seedPartnership } from "../../subgraphs/partnership/seed";
import { partnership } from "../../subgraphs/partnership/server";
import { police as policeDefinition } from "../../subgraphs/police/server";
import type { Sql } from "../../subgraphs/shared/database";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { importJWK, SignJWT } from "jose";
import { sweepCaseNotices } from "../../subgraphs/partnership/notices";
import { countFromOwners } from "../../subgraphs/partnership/threshold";
import { createTokenVerifier, loadDevKeys } from "../../subgraphs/shared/auth";
import {
  CASE_REVIEW_COUNT,
  CASE_REVIEW_COUNT_USER,
  issueServiceToken,
} from "../../subgraphs/shared/service-identity";
import { auditPeople } from "../support/audit";
import { testConfig, type As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * The community trigger (ASB case review) counted from the owners (issue 17): partnership asks
 * police, council and housing, as the caller, for the reports they hold; nothing is copied into the
 * partnership store. Every subgraph here decides and audits against one governance store, as deployed.
 */

const people = demoPeople(7, "small");

type Owner = "police" | "council" | "housing";
/** A person's part in an owner's record: only victims, reporters and complainants made a report. */
type Part = "VICTIM" | "REPORTER" | "SUSPECT" | "COMPLAINANT" | "PERPETRATOR" | "WITNESS";
type Row = [personId: string, owner: Owner, recordId: string, at: string, part: Part];

// Hand-built report histories for the case review threshold (3 in 6 months by default), held by
// each owner in its own tables. Times are midday UTC.
const ROWS: Row[] = [
  // Two within six months: just below (a part as perpetrator is no report).
  ["per-000101", "police", "r101-1", "2019-01-10", "VICTIM"],
  ["per-000101", "council", "r101-2", "2019-02-10", "COMPLAINANT"],
  ["per-000101", "council", "r101-x", "2019-03-01", "PERPETRATOR"],
  // Three within six months, across three agencies: at the threshold.
  ["per-000102", "police", "r102-1", "2019-01-10", "REPORTER"],
  ["per-000102", "council", "r102-2", "2019-03-05", "VICTIM"],
  ["per-000102", "housing", "r102-3", "2019-07-09", "REPORTER"],
  // Four within six months (and one much later): above.
  ["per-000103", "council", "r103-1", "2019-02-01", "VICTIM"],
  ["per-000103", "council", "r103-2", "2019-02-15", "COMPLAINANT"],
  ["per-000103", "police", "r103-3", "2019-03-01", "VICTIM"],
  ["per-000103", "council", "r103-4", "2019-05-20", "VICTIM"],
  ["per-000103", "police", "r103-5", "2020-05-20", "REPORTER"],
  // Three, but the third falls exactly six months after the first: a span longer than the window
  // (being a suspect in between is no report).
  ["per-000104", "police", "r104-1", "2019-01-10", "VICTIM"],
  ["per-000104", "police", "r104-x", "2019-02-01", "SUSPECT"],
  ["per-000104", "police", "r104-2", "2019-04-01", "VICTIM"],
  ["per-000104", "police", "r104-3", "2019-07-10", "VICTIM"],
  // Victim and complainant in the same case, then a police report: two separate reports.
  ["per-000105", "council", "r105-1", "2019-01-10", "VICTIM"],
  ["per-000105", "council", "r105-1", "2019-01-10", "COMPLAINANT"],
  ["per-000105", "police", "r105-2", "2019-01-20", "REPORTER"],
];

const at = (day: string) => `${day}T12:00:00Z`;

async function addPoliceRows(sql: Sql, rows: readonly Row[]): Promise<void> {
  for (const [personId, , id, day, part] of rows) {
    await sql.exec(
      `INSERT INTO incidents (id, source_key, reference, month, occurred_at, category, source)
       VALUES ($1, 'test:' || $1, $1, $2, $3, 'ANTI_SOCIAL_BEHAVIOUR', 'test') ON CONFLICT (id) DO NOTHING`,
      [id, day.slice(0, 7), at(day)],
    );
    await sql.exec(`INSERT INTO involvements (incident_id, person_id, role) VALUES ($1, $2, $3)`, [
      id,
      personId,
      part,
    ]);
  }
}

async function addCouncilRows(sql: Sql, rows: readonly Row[]): Promise<void> {
  for (const [personId, , id, day, part] of rows) {
    await sql.exec(
      `INSERT INTO asb_cases (id, reference, status, category, opened_at)
       VALUES ($1, $1, 'OPEN', 'NOISE', $2) ON CONFLICT (id) DO NOTHING`,
      [id, at(day)],
    );
    await sql.exec(`INSERT INTO asb_parties (case_id, person_id, role) VALUES ($1, $2, $3)`, [
      id,
      personId,
      part,
    ]);
  }
}

async function addHousingRows(sql: Sql, rows: readonly Row[]): Promise<void> {
  await sql.exec(
    `INSERT INTO properties (id, uprn, address) VALUES ('prop-t1', '100000000001', '1 Test Street')
     ON CONFLICT (id) DO NOTHING`,
  );
  for (const [personId, , id, day] of rows) {
    await sql.exec(
      `INSERT INTO housing_reports (id, person_id, property_id, reported_at, description)
       VALUES ($1, $2, 'prop-t1', $3, 'Noise from the flat above')`,
      [id, personId, at(day)],
    );
  }
}

const rowsOf = (owner: Owner) => ROWS.filter((r) => r[1] === owner);

/**
 * A front for an owner that counts the requests partnership sends it, passing each on: how many
 * round trips the case review costs each owner.
 */
interface CountingFront {
  url: string;
  calls: number;
  close(): Promise<void>;
}

async function countingFront(target: () => string): Promise<CountingFront> {
  const front = { url: "", calls: 0, close: async () => undefined } as CountingFront;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      front.calls += 1;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (typeof value === "string" && name !== "host" && name !== "content-length") headers[name] = value;
      fetch(target(), { method: "POST", headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(await answer.text());
        })
        .catch(() => {
          res.writeHead(502);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  front.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return front;
}

const council: As = { agency: "council", purpose: "ASB_CASE_MANAGEMENT" };

let police: TestSubgraph;
let councilOwner: TestSubgraph;
let housing: TestSubgraph;
let subgraph: TestSubgraph;
const fronts: Record<Owner, CountingFront> = {} as Record<Owner, CountingFront>;

beforeAll(async () => {
  police = await startTestSubgraph(policeDefinition, (sql) => addPoliceRows(sql, rowsOf("police")), {
    policy: (sql) => seedGovernance(sql, { seed: 7, scale: "small", people }),
  });
  const shared = { policyUrl: police.policyUrl };
  councilOwner = await startTestSubgraph(
    councilDefinition,
    (sql) => addCouncilRows(sql, rowsOf("council")),
    shared,
  );
  housing = await startTestSubgraph(
    housingDefinition,
    (sql) => addHousingRows(sql, rowsOf("housing")),
    shared,
  );
  fronts.police = await countingFront(() => police.url);
  fronts.council = await countingFront(() => councilOwner.url);
  fronts.housing = await countingFront(() => housing.url);
  subgraph = await startTestSubgraph(
    partnership,
    (sql) => seedPartnership(sql, { seed: 7, scale: "small", people }),
    {
      ...shared,
      peerUrls: { police: fronts.police.url, council: fronts.council.url, housing: fronts.housing.url },
    },
  );
});
afterAll(async () => {
  for (const front of Object.values(fronts)) await front?.close();
  for (const s of [subgraph, housing, councilOwner, police]) await s?.stop();
});

const Q = `query($w: Int, $t: Int) { caseReviewCandidates(windowMonths: $w, threshold: $t) {
  person { id displayName } reports agencies { id } firstReportAt lastReportAt } }`;
type Candidate = {
  person: { id: string };
  reports: number;
  agencies: { id: string }[];
  firstReportAt: string;
  lastReportAt: string;
};
const BY_AGENCY = `query($w: Int, $t: Int) { caseReviewCandidates(windowMonths: $w, threshold: $t) {
  person { id } reports agencies { id } firstReportAt reportsByAgency { agency { id } category counted reports } } }`;
type Entry = { agency: { id: string }; category: string; counted: boolean; reports: number | null };
type ByAgency = Candidate & { reportsByAgency: Entry[] };

test("the partnership store keeps no report index", async () => {
  const table = await subgraph.adminSql.one<{ t: string | null }>(`SELECT to_regclass('report_index') AS t`);
  expect(table!.t).toBeNull();
});

test("people at or above the threshold within the window, across agencies", async () => {
  const res = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(Q, {}, council);
  expect(res.errors).toBeUndefined();
  const found = res.data!.caseReviewCandidates;
  expect(found.map((c) => [c.person.id, c.reports])).toEqual([
    ["per-000103", 4],
    ["per-000102", 3],
  ]);
  expect(found[1]).toMatchObject({
    agencies: [{ id: "council" }, { id: "housing" }, { id: "police" }],
    firstReportAt: "2019-01-10T12:00:00.000Z",
    lastReportAt: "2019-07-09T12:00:00.000Z",
  });
  expect(found[0].agencies).toEqual([{ id: "council" }, { id: "police" }]);
  expect(found[0].lastReportAt).toBe("2019-05-20T12:00:00.000Z");
});

test("a lower threshold or a longer window brings in the others; parts that are no report do not count", async () => {
  const two = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(Q, { t: 2 }, council);
  expect(two.data!.caseReviewCandidates.map((c) => c.person.id).sort()).toEqual([
    "per-000101",
    "per-000102",
    "per-000103",
    "per-000104",
    "per-000105",
  ]);
  const byId = new Map(two.data!.caseReviewCandidates.map((c) => [c.person.id, c.reports]));
  // Victim and complainant in one case is one report; a perpetrator's or suspect's part is none.
  expect(byId.get("per-000105")).toBe(2);
  expect(byId.get("per-000101")).toBe(2);
  expect(byId.get("per-000104")).toBe(2);

  const seven = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(Q, { w: 7 }, council);
  expect(seven.data!.caseReviewCandidates.map((c) => c.person.id).sort()).toEqual([
    "per-000102",
    "per-000103",
    "per-000104",
  ]);
});

test("the figures equal those counted straight from each owner's rows", async () => {
  const res = await subgraph.query<{ caseReviewCandidates: ByAgency[] }>(BY_AGENCY, { t: 2 }, council);
  expect(res.errors).toBeUndefined();
  const found = res.data!.caseReviewCandidates;
  expect(found.length).toBe(5);
  // Each owner's own rows, read from its own store: the reports it holds per person, with when.
  const owned: Record<Owner, { person_id: string; at: Date }[]> = {
    police: await police.adminSql.many(
      `SELECT DISTINCT v.person_id, i.id, i.occurred_at AS at FROM involvements v
         JOIN incidents i ON i.id = v.incident_id WHERE v.role IN ('VICTIM', 'REPORTER')`,
    ),
    council: await councilOwner.adminSql.many(
      `SELECT DISTINCT p.person_id, c.id, c.opened_at AS at FROM asb_parties p
         JOIN asb_cases c ON c.id = p.case_id WHERE p.role IN ('VICTIM', 'COMPLAINANT')`,
    ),
    housing: await housing.adminSql.many(`SELECT person_id, reported_at AS at FROM housing_reports`),
  };
  for (const candidate of found) {
    // The window starts at the candidate's first report in it and runs six months.
    const from = new Date(candidate.firstReportAt);
    const to = new Date(from);
    to.setUTCMonth(to.getUTCMonth() + 6);
    for (const entry of candidate.reportsByAgency) {
      const counted = owned[entry.agency.id as Owner].filter(
        (r) => r.person_id === candidate.person.id && r.at >= from && r.at < to,
      ).length;
      expect([candidate.person.id, entry.agency.id, entry.reports]).toEqual([
        candidate.person.id,
        entry.agency.id,
        counted,
      ]);
    }
    expect(candidate.reportsByAgency.reduce((sum, e) => sum + e.reports!, 0)).toBe(candidate.reports);
    expect(candidate.reportsByAgency.filter((e) => e.reports! > 0).map((e) => e.agency)).toEqual(
      candidate.agencies,
    );
  }
  const per102 = found.find((c) => c.person.id === "per-000102")!;
  expect(per102.reportsByAgency).toEqual([
    { agency: { id: "council" }, category: "ASB_CASE", counted: true, reports: 1 },
    { agency: { id: "housing" }, category: "TENANCY", counted: true, reports: 1 },
    { agency: { id: "police" }, category: "INCIDENT_SUMMARY", counted: true, reports: 1 },
  ]);
});

test("a new report at an owner counts at once", async () => {
  const before = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(Q, {}, council);
  expect(before.data!.caseReviewCandidates.map((c) => c.person.id)).not.toContain("per-000101");
  // per-000101 reports again to housing, within six months of their first two reports.
  const added: Row = ["per-000101", "housing", "r101-new", "2019-04-02", "REPORTER"];
  await addHousingRows(housing.adminSql, [added]);
  try {
    const after = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(Q, {}, council);
    expect(after.errors).toBeUndefined();
    expect(after.data!.caseReviewCandidates.find((c) => c.person.id === "per-000101")).toMatchObject({
      reports: 3,
      agencies: [{ id: "council" }, { id: "housing" }, { id: "police" }],
      lastReportAt: "2019-04-02T12:00:00.000Z",
    });
  } finally {
    await housing.adminSql.exec(`DELETE FROM housing_reports WHERE id = 'r101-new'`);
  }
});

test("each owner is asked once per request, however many people have reported", async () => {
  const callsOf = () => ({
    police: fronts.police.calls,
    council: fronts.council.calls,
    housing: fronts.housing.calls,
  });
  const run = async () => {
    const start = callsOf();
    const res = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(Q, { t: 2 }, council);
    expect(res.errors).toBeUndefined();
    const end = callsOf();
    return {
      police: end.police - start.police,
      council: end.council - start.council,
      housing: end.housing - start.housing,
    };
  };
  const few = await run();
  // Forty more people report to police and the council, twice each.
  const more: Row[] = people.slice(20, 60).flatMap((p, i): Row[] => [
    [p.id, "police", `bulk-p-${i}`, "2019-06-01", "VICTIM"],
    [p.id, "council", `bulk-c-${i}`, "2019-06-15", "COMPLAINANT"],
  ]);
  await addPoliceRows(
    police.adminSql,
    more.filter((r) => r[1] === "police"),
  );
  await addCouncilRows(
    councilOwner.adminSql,
    more.filter((r) => r[1] === "council"),
  );
  try {
    const many = await run();
    expect(few).toEqual({ police: 1, council: 1, housing: 1 });
    expect(many).toEqual(few);
  } finally {
    await police.adminSql.exec(`DELETE FROM incidents WHERE id LIKE 'bulk-p-%'`);
    await councilOwner.adminSql.exec(`DELETE FROM asb_cases WHERE id LIKE 'bulk-c-%'`);
  }
});

test("only reports the caller may know of count, and an agency with no agreement is neither named nor asked", async () => {
  // Police and housing share with the council for ASB case management, not for safeguarding.
  const before = { police: fronts.police.calls, housing: fronts.housing.calls };
  const res = await subgraph.query<{ caseReviewCandidates: ByAgency[] }>(
    BY_AGENCY,
    { t: 2 },
    { ...council, purpose: "SAFEGUARDING" },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data!.caseReviewCandidates.map((c) => [c.person.id, c.reports, c.reportsByAgency])).toEqual([
    ["per-000103", 3, [{ agency: { id: "council" }, category: "ASB_CASE", counted: true, reports: 3 }]],
  ]);
  expect({ police: fronts.police.calls, housing: fronts.housing.calls }).toEqual(before);
});

test("only practitioners and DSOs, only for ASB case management or safeguarding; the owners ask the same", async () => {
  const analyst = await subgraph.query(
    Q,
    {},
    { agency: "council", role: Role.ANALYST, purpose: "ASB_CASE_MANAGEMENT" },
  );
  expect(analyst.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
  expect(analyst.data).toBeNull();

  const crime = await subgraph.query(Q, {}, { agency: "police", purpose: "CRIME_PREVENTION" });
  expect(crime.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "PURPOSE_NOT_COVERED" });

  // Asked directly, an owner answers its reports under the same rules: not to an analyst.
  const direct = `{ reportsMade { personId reportedAt } }`;
  const refused = await police.query(
    direct,
    {},
    { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" },
  );
  expect(refused.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
  expect(refused.data).toBeNull();

  const dso = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(
    Q,
    {},
    { agency: "police", role: Role.DATA_SHARING_OFFICER, purpose: "SAFEGUARDING" },
  );
  expect(dso.errors).toBeUndefined();
  expect(dso.data!.caseReviewCandidates).toHaveLength(2);
});

describe("where the agency's agreement asks for consent", () => {
  // Housing now shares tenancy information with the council only with the person's consent.
  beforeAll(() =>
    subgraph.policySql.exec(
      `UPDATE agreements SET consent_required_for = consent_required_for || '{TENANCY}'
        WHERE provider_agency_id = 'housing' AND recipient_agency_id = 'council'`,
    ),
  );
  afterAll(async () => {
    await subgraph.policySql.exec(`DELETE FROM consents WHERE evidence_ref = 'case-review-test'`);
    await subgraph.policySql.exec(
      `UPDATE agreements SET consent_required_for = array_remove(consent_required_for, 'TENANCY')
        WHERE provider_agency_id = 'housing' AND recipient_agency_id = 'council'`,
    );
  });

  test("the agency's reports do not count, and its count is refused with the reason, not left out", async () => {
    const res = await subgraph.query<{ caseReviewCandidates: ByAgency[] }>(BY_AGENCY, {}, council);
    // per-000102 reached three only with a housing report: no longer a candidate.
    expect(res.data!.caseReviewCandidates.map((c) => [c.person.id, c.reports])).toEqual([["per-000103", 4]]);
    expect(res.data!.caseReviewCandidates[0].reportsByAgency).toEqual([
      { agency: { id: "council" }, category: "ASB_CASE", counted: true, reports: 3 },
      { agency: { id: "housing" }, category: "TENANCY", counted: false, reports: null },
      { agency: { id: "police" }, category: "INCIDENT_SUMMARY", counted: true, reports: 1 },
    ]);
    expect(res.errors!.map((e) => [e.path, e.extensions?.code, e.extensions?.reason])).toEqual([
      [["caseReviewCandidates", 0, "reportsByAgency", 1, "reports"], "FORBIDDEN", "CONSENT_REQUIRED"],
    ]);
  });

  test("a person who consented has the agency's count shown, still outside the total", async () => {
    await subgraph.policySql.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by,
                             given_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-case-review', 'per-000102', 'council', 'housing', '{ASB_CASE_MANAGEMENT}', '{TENANCY}', 'SELF',
               now() - interval '1 hour', 'case-review-test', 'housing', 'housing.dso', now())`,
    );
    const res = await subgraph.query<{ caseReviewCandidates: ByAgency[] }>(BY_AGENCY, { t: 2 }, council);
    const per102 = res.data!.caseReviewCandidates.find((c) => c.person.id === "per-000102")!;
    expect(per102.reports).toBe(2);
    expect(per102.reportsByAgency.find((e) => e.agency.id === "housing")).toEqual({
      agency: { id: "housing" },
      category: "TENANCY",
      counted: false,
      reports: 1,
    });
    // Everyone else's housing count is refused for want of their consent.
    const refused = res.errors!.filter((e) => e.extensions?.reason === "CONSENT_REQUIRED");
    expect(refused).toHaveLength(res.data!.caseReviewCandidates.length - 1);
  });
});

test("the audit: partnership records what the caller is shown against the candidates; each owner, what it released", async () => {
  await subgraph.query(Q, {}, { ...council, requestId: "req-case-review-audit" });
  const rows = await subgraph.policySql.many<{
    owner_agency_id: string;
    operation_name: string | null;
    person_ids: string[];
    categories: string[];
  }>(
    `SELECT owner_agency_id, operation_name, person_ids, categories FROM audit_log
      WHERE request_id = 'req-case-review-audit' AND decision = 'PERMITTED' ORDER BY operation_name NULLS FIRST, owner_agency_id`,
  );
  // The audit names people by keyed pseudonym ("The audit after erasure"): read back by key.
  const people = await auditPeople(subgraph.policySql);
  // A request run again on fresh facts (the agreements changed above) asks the owners again, and
  // each release is recorded: the same record twice is one disclosure for this comparison.
  const audited = (released: boolean) => [
    ...new Map(
      rows
        .filter((r) => (r.operation_name === "CaseReviewReports") === released)
        .map((r) => [r.owner_agency_id, r.categories, people(r.person_ids).sort()])
        .map((r) => [JSON.stringify(r), r]),
    ).values(),
  ];
  // What the caller is shown: the candidates' reports, per agency, whatever is selected.
  expect(audited(false)).toEqual([
    ["housing", ["TENANCY"], ["per-000102"]],
    ["police", ["INCIDENT_SUMMARY"], ["per-000102", "per-000103"]],
  ]);
  // What left each owner for the count: every reporter's reports, recorded by the owner that
  // released them (a subgraph can be called directly, so it cannot leave that to partnership).
  expect(audited(true)).toEqual([
    ["housing", ["TENANCY"], ["per-000102"]],
    ["police", ["INCIDENT_SUMMARY"], ["per-000101", "per-000102", "per-000103", "per-000104", "per-000105"]],
  ]);
});

test("threshold 2 to 50 and windowMonths 1 to 24", async () => {
  for (const [vars, argument] of [
    [{ t: 1 }, "threshold"],
    [{ t: 51 }, "threshold"],
    [{ w: 0 }, "windowMonths"],
    [{ w: 25 }, "windowMonths"],
  ] as const) {
    const res = await subgraph.query(Q, vars, council);
    expect(res.errors?.[0]?.extensions?.argument).toBe(argument);
  }
});

describe("the case review threshold notice, counted by the owners for the case review count service", () => {
  const config = testConfig();
  const owners = () => ({ police: police.url, council: councilOwner.url, housing: housing.url });
  const counter = () =>
    countFromOwners(config, (name) => owners()[name as Owner] ?? "http://127.0.0.1:1/none");
  // per-000101 has two reports in the six months to this day (police and council); a third crosses.
  const NOW = new Date("2019-03-20T12:00:00Z");
  const CASE = "case-threshold-test";
  const thresholdNotices = () =>
    subgraph.adminSql.many<{ subject_id: string; to_agency_id: string; dedupe_key: string }>(
      `SELECT subject_id, to_agency_id, dedupe_key FROM notification_outbox
        WHERE kind = 'CASE_REVIEW_THRESHOLD_MET' ORDER BY to_agency_id, subject_id`,
    );
  const COUNT = `query CaseReviewThresholdCount($p: [ID!]!, $from: DateTime!, $to: DateTime!) {
    reportCounts(personIds: $p, from: $from, to: $to) { personId reports } }`;
  const post = async (url: string, token: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "x-purpose": "ASB_CASE_MANAGEMENT",
        "content-type": "application/json",
      },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      ...((await response.json()) as {
        data?: Record<string, unknown> | null;
        errors?: { extensions?: Record<string, unknown> }[];
      }),
    };
  };

  beforeAll(async () => {
    // Only this test's case is open: the seeded cases' people have no reports here anyway.
    await subgraph.adminSql.exec(`UPDATE problem_cases SET stage = 'CLOSED'`);
    await subgraph.adminSql.exec(
      `INSERT INTO problem_cases (id, reference, title, problem_type, stage, opened_at, opened_by, lead_agency_id)
       VALUES ($1, 'PSC-TEST-THRESHOLD', 'Noise on Test Street', 'ASB', 'SCANNING', now(), 'council.officer', 'council')`,
      [CASE],
    );
    await subgraph.adminSql.exec(`INSERT INTO case_partners (case_id, agency_id) VALUES ($1, 'police')`, [
      CASE,
    ]);
    await subgraph.adminSql.exec(
      `INSERT INTO case_people (case_id, person_id, role, position) VALUES ($1, 'per-000101', 'VICTIM', 0)`,
      [CASE],
    );
  });

  test("a new report that crosses the threshold: one notice to each agency on the case that may know of the reports, never twice", async () => {
    await sweepCaseNotices(subgraph.sql, { now: NOW, countThreshold: counter() });
    expect(await thresholdNotices()).toEqual([]);

    // The third report: housing records it in its own store; nothing is copied to partnership.
    await addHousingRows(housing.adminSql, [["per-000101", "housing", "r101-3", "2019-03-01", "REPORTER"]]);
    await sweepCaseNotices(subgraph.sql, { now: NOW, countThreshold: counter() });
    // Run again, as the next tick or a second replica would: nothing is written twice.
    await sweepCaseNotices(subgraph.sql, { now: NOW, countThreshold: counter() });
    await sweepCaseNotices(subgraph.sql, {
      now: new Date(NOW.getTime() + 3600_000),
      countThreshold: counter(),
    });
    const notices = await thresholdNotices();
    // Each agency on the case is told exactly when the reports it may know of reach the threshold:
    // what caseReviewCandidates shows that agency's practitioners.
    const expected: string[] = [];
    for (const agency of ["council", "police"]) {
      const seen = await subgraph.query<{ caseReviewCandidates: Candidate[] }>(
        Q,
        {},
        { agency, purpose: "ASB_CASE_MANAGEMENT" },
      );
      if (seen.data?.caseReviewCandidates.some((c) => c.person.id === "per-000101")) expected.push(agency);
    }
    expect(expected).toContain("council");
    expect(notices.map((n) => [n.to_agency_id, n.subject_id])).toEqual(
      expected.map((a) => [a, "per-000101"]),
    );
    // Youth and housing are not on the case: told nothing.
    expect(notices.some((n) => n.to_agency_id === "youth" || n.to_agency_id === "housing")).toBe(false);
    expect(new Set(notices.map((n) => n.dedupe_key)).size).toBe(notices.length);
  });

  test("the owners audit each count as a disclosure to the agency, by the service's user id", async () => {
    const rows = await police.policySql.many<{ agency_id: string; person_ids: string[]; role: string }>(
      `SELECT agency_id, person_ids, role FROM audit_log
        WHERE user_id = $1 AND operation_name = 'CaseReviewThresholdCount' AND owner_agency_id = 'police' AND decision = 'PERMITTED'`,
      [CASE_REVIEW_COUNT_USER],
    );
    const names = await auditPeople(police.policySql);
    expect(rows.some((r) => r.agency_id === "council" && names(r.person_ids).includes("per-000101"))).toBe(
      true,
    );
  });

  test("the service identity gets counts and nothing else; no user gets the counts", async () => {
    const token = (await issueServiceToken(config, "council"))!;
    const variables = {
      p: ["per-000101", "per-000102"],
      from: "2018-12-01T00:00:00Z",
      to: "2019-06-01T00:00:00Z",
    };
    const counted = await post(police.url, token, COUNT, variables);
    expect(counted.errors).toBeUndefined();
    expect(counted.data).toEqual({
      reportCounts: expect.arrayContaining([
        { personId: "per-000101", reports: 1 },
        { personId: "per-000102", reports: 1 },
      ]),
    });
    // Anything else, on any owner: refused before it runs, nothing in the answer.
    for (const [url, query] of [
      [police.url, `{ reportsMade(personIds: null) { personId reportedAt } }`],
      [
        police.url,
        `{ reportCounts(personIds: ["per-000101"], from: "2018-12-01T00:00:00Z", to: "2019-06-01T00:00:00Z") { personId reports __typename } reportsMade { reportedAt } }`,
      ],
      [
        councilOwner.url,
        `{ _entities(representations: [{ __typename: "Person", id: "per-000101" }]) { ... on Person { id } } }`,
      ],
      [housing.url, `{ _service { sdl } }`],
      [councilOwner.url, `query { __schema { types { name } } }`],
      [subgraph.url, `{ caseReviewCandidates { reports } }`],
    ] as const) {
      const answer = await post(url, token, query);
      expect({ query, data: answer.data ?? null }).toEqual({ query, data: null });
      expect({ query, ...answer.errors?.[0]?.extensions }).toMatchObject({
        query,
        code: "FORBIDDEN",
        reason: "ROLE_NOT_PERMITTED",
      });
    }
    // No user token reaches the counts, not even the owner's own staff.
    for (const as of [council, { agency: "police", purpose: "ASB_CASE_MANAGEMENT" }]) {
      const res = await police.query(COUNT, variables, as);
      expect(res.data?.reportCounts ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    }
  });

  test("service tokens: the gateway's verifier refuses them, and a token the identity provider signed cannot claim to be one", async () => {
    const registry = async () => new Set(["council", "police"]);
    const token = (await issueServiceToken(config, "council"))!;
    await expect((await createTokenVerifier(config, registry))(token)).rejects.toThrow(
      /service tokens are not accepted/,
    );
    const subgraphVerifier = await createTokenVerifier(config, registry, { acceptServiceTokens: true });
    await expect(subgraphVerifier(token)).resolves.toMatchObject({
      service: CASE_REVIEW_COUNT,
      agencyId: "council",
    });
    // Signed with the users' key (as the identity provider would), claiming the service: refused.
    const keys = await loadDevKeys(config.DEV_KEYS_DIR);
    const forged = await new SignJWT({ agency: "council", role: "PRACTITIONER", service: CASE_REVIEW_COUNT })
      .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid })
      .setSubject(CASE_REVIEW_COUNT_USER)
      .setIssuer(config.JWT_ISSUER)
      .setAudience(config.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(await importJWK(keys.privateJwk, "ES256"));
    await expect(subgraphVerifier(forged)).rejects.toThrow(/invalid token/);
    // An agency that is not registered cannot be acted for.
    await expect(subgraphVerifier((await issueServiceToken(config, "nobody"))!)).rejects.toThrow(
      /not a registered/,
    );
  });
});
