import { SUBGRAPHS } from "../../subgraphs";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import type { RunningService } from "../../subgraphs/shared/http";
import { governanceAdapter } from "../../subgraphs/shared/access/governance-adapter";
import { startSubgraph } from "../../subgraphs/shared/run";
import { contractOperations } from "../support/contract";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql, testConfig, type As, type GraphQLResponse } from "../support/graphql";
import {
  allowConnections,
  cutConnections,
  databaseOf,
  refuseConnections,
  restartSubgraph,
  stopSubgraph,
  urlOf,
} from "../support/outage";

/**
 * Real outages, on databases of this file's own (fresh), each undone before the next test:
 * a subgraph stopped, the governance store unreachable, the audit refusing appends.
 */
let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
}, 180_000);
afterAll(() => fed?.stop());

const operations = new Map(contractOperations().map((o) => [o.name, o.source]));
const area = { lsoaCodes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06", first: 30 };
const FEATURED = "per-000002";

const policeOfficer: As = { agency: "police", purpose: "CRIME_PREVENTION" };
const policeSafeguarding: As = { agency: "police", purpose: "SAFEGUARDING" };
const councilOfficer: As = { agency: "council", purpose: "ASB_CASE_MANAGEMENT" };

type Person = {
  id: string;
  displayName?: string;
  tenancies?: { edges: unknown[] };
  referrals?: { edges: unknown[] };
};
type Area = { incidents: { edges: { node: { id: string; involvements: { person: Person }[] } }[] } } | null;

function incidentsInArea(as: As) {
  return fed.query<Area>(operations.get("IncidentsInArea")!, area, {
    ...as,
    operationName: "IncidentsInArea",
  });
}

function person360(as: As) {
  return fed.query<{ person: Record<string, { totalCount: number; edges: unknown[] } | string> | null }>(
    operations.get("Person360")!,
    { id: FEATURED },
    { ...as, operationName: "Person360" },
  );
}

const codes = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((e) => e.extensions?.code);
const people = (data: Area) =>
  (data?.incidents.edges ?? []).flatMap((e) => e.node.involvements.map((i) => i.person));

/** Police's own incidents with the people involved: needs neither agreements nor the audit. */
const OWN_INCIDENTS = `query OwnIncidents($lsoaCodes: [String!]!) {
  incidents(filter: { lsoaCodes: $lsoaCodes, fromMonth: "2019-01", toMonth: "2019-06" }, first: 30) {
    totalCount
    edges { node { id category involvements { role person { id displayName } } } }
  }
}`;

/** Police's incidents shown to the council under an agreement: a disclosure, decided and audited. */
const SHARED_INCIDENTS = `query SharedIncidents($lsoaCodes: [String!]!) {
  incidents(filter: { lsoaCodes: $lsoaCodes, fromMonth: "2019-01", toMonth: "2019-06" }, first: 30) {
    totalCount
    edges { node { id reference category } }
  }
}`;

describe("a subgraph that is down", () => {
  it("before anything breaks, IncidentsInArea brings every agency's part", async () => {
    const response = await incidentsInArea(councilOfficer);
    expect(response.errors).toBeUndefined();
    expect(people(response.data!).some((p) => (p.tenancies?.edges.length ?? 0) > 0)).toBe(true);
  });

  describe("partnership stopped", () => {
    beforeAll(() => stopSubgraph(fed, "partnership"));
    afterAll(() => restartSubgraph(fed, "partnership"));

    it("police's incidents still arrive; the person, and the lists under people, error naming partnership", async () => {
      const response = await fed.query<{
        incidents: { edges: { node: { involvements: { person: Person }[] } }[] };
        person: unknown;
      }>(
        `query ($lsoaCodes: [String!]!, $id: ID!) {
          incidents(filter: { lsoaCodes: $lsoaCodes, fromMonth: "2019-01", toMonth: "2019-06" }, first: 30) {
            edges { node { id category involvements { person { id tenancies(first: 3) { edges { node { id } } } } } } }
          }
          person(id: $id) { id displayName }
        }`,
        { lsoaCodes: CASE_NEIGHBOURHOODS, id: FEATURED },
        councilOfficer,
      );
      expect(response.status).toBe(200);
      const involved = response.data!.incidents.edges.flatMap((e) =>
        e.node.involvements.map((i) => i.person),
      );
      expect(involved.length).toBeGreaterThan(0);
      // Whose records a person has (itself and those merged into it, issue 20) comes from the people
      // index (Person.personIds, @requires): with it down, an agency's list under a person is not
      // answered at all rather than guessed.
      expect(involved.every((p) => p.tenancies === null)).toBe(true);
      expect(response.data!.person).toBeNull();
      expect(response.errors!.length).toBeGreaterThan(0);
      for (const error of response.errors!)
        expect(error).toEqual(
          expect.objectContaining({
            message: "the partnership service is unavailable: it could not be reached",
            extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", serviceName: "partnership" }),
          }),
        );
    });
  });

  describe("housing stopped", () => {
    beforeAll(() => stopSubgraph(fed, "housing"));
    afterAll(() => restartSubgraph(fed, "housing"));

    it("the error names housing and no tenancy is invented", async () => {
      const response = await incidentsInArea(councilOfficer);
      expect(response.errors?.length).toBeGreaterThan(0);
      for (const error of response.errors!) {
        expect(error.extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE", serviceName: "housing" });
      }
      expect(people(response.data ?? null).every((p) => !p.tenancies?.edges.length)).toBe(true);
    });

    // The fields agencies add to Person are nullable, so a missing subgraph costs only its own
    // fields; were they non-null, the null would climb to the root and lose everyone's data.
    test("IncidentsInArea still arrives with police, partnership and youth data", async () => {
      const response = await incidentsInArea(councilOfficer);
      expect(response.data?.incidents.edges.length).toBeGreaterThan(0);
      expect(people(response.data!).every((p) => typeof p.displayName === "string")).toBe(true);
    });

    test("Person360 still arrives with police, council and youth data", async () => {
      const response = await person360(policeSafeguarding);
      const person = response.data?.person;
      expect(person?.displayName).toBeTruthy();
      expect((person?.incidents as { totalCount: number }).totalCount).toBeGreaterThan(0);
      expect((person?.asbCases as { totalCount: number }).totalCount).toBeGreaterThan(0);
    });
  });

  // Housing's circuit breaker opened while it was down; it lets a probe through after
  // BREAKER_RESET_MS (2 s) and closes on its success.
  it("restarted, the whole answer is back within a few seconds", async () => {
    let response = await incidentsInArea(councilOfficer);
    const until = Date.now() + 5_000;
    while (response.errors && Date.now() < until) {
      expect(codes(response).every((c) => c === "SUBGRAPH_UNAVAILABLE")).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await incidentsInArea(councilOfficer);
    }
    expect(response.errors).toBeUndefined();
    expect(people(response.data!).some((p) => (p.tenancies?.edges.length ?? 0) > 0)).toBe(true);
    expect(people(response.data!).every((p) => typeof p.displayName === "string")).toBe(true);
  });
});

describe("the governance service stopped (its database still up)", () => {
  type List = { totalCount: number; edges: unknown[]; restricted: { agency: unknown; count: number }[] };
  const LISTS = ["incidents", "asbCases", "tenancies", "referrals", "enrolments"];
  const CALLERS: As[] = [
    policeSafeguarding,
    councilOfficer,
    { agency: "youth", purpose: "SAFEGUARDING" },
    { agency: "housing", purpose: "ASB_CASE_MANAGEMENT" },
    { agency: "council", purpose: "SAFEGUARDING" },
  ];
  let caller: As;
  let before: Record<string, List | null>;
  beforeAll(async () => {
    // A caller to whom another agency signposts withheld records (restricted, with its agency).
    for (const as of CALLERS) {
      const person = (await person360(as)).data?.person as Record<string, List | null> | undefined;
      if (person && LISTS.some((l) => (person[l]?.restricted.length ?? 0) > 0)) {
        caller = as;
        before = person;
        break;
      }
    }
    await stopSubgraph(fed, "governance");
  });
  afterAll(() => restartSubgraph(fed, "governance"));

  it("every list another agency released is still there; only the agencies' names are lost", async () => {
    expect(caller).toBeDefined();
    const response = await person360(caller);
    expect(response.status).toBe(200);
    const person = response.data!.person as Record<string, List | null>;
    for (const list of LISTS) {
      const was = before[list];
      if (!was) continue;
      expect(person[list]).not.toBeNull();
      expect(person[list]!.totalCount).toBe(was.totalCount);
      expect(person[list]!.edges).toEqual(was.edges);
      expect(person[list]!.restricted.map((r) => r.count)).toEqual(was.restricted.map((r) => r.count));
      expect(person[list]!.restricted.every((r) => r.agency === null)).toBe(true);
    }
    expect(response.errors!.length).toBeGreaterThan(0);
    for (const error of response.errors!) {
      expect(error.extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE", serviceName: "governance" });
      expect(error.path?.slice(-2)).toEqual(["agency", "name"]);
    }
  });
});

describe("linking a record: asked of its owner", () => {
  const LINK = `mutation ($caseId: ID!, $id: ID!) {
    linkCaseRecord(caseId: $caseId, record: { kind: INCIDENT, id: $id }) { id linkedIncidents { id } }
  }`;
  const policeCase = async () =>
    (await fed.stores.partnership.sql.one<{ id: string }>(
      `SELECT id FROM problem_cases WHERE lead_agency_id = 'police' AND stage <> 'CLOSED' ORDER BY id LIMIT 1`,
    ))!.id;
  const policeCaseWorker: As = { agency: "police", purpose: "ASB_CASE_MANAGEMENT" };
  const linkedRows = async (caseId: string, id: string) =>
    (
      await fed.stores.partnership.sql.many(
        `SELECT 1 FROM case_records WHERE case_id = $1 AND record_id = $2`,
        [caseId, id],
      )
    ).length;

  it("an id police do not hold is refused, naming record.id; nothing is linked", async () => {
    const caseId = await policeCase();
    const response = await fed.query(LINK, { caseId, id: "inc-does-not-exist" }, policeCaseWorker);
    expect(response.data?.linkCaseRecord ?? null).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^record\.id: inc-does-not-exist: its owner holds no such incident/),
        extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument: "record.id" }),
      }),
    ]);
    expect(await linkedRows(caseId, "inc-does-not-exist")).toBe(0);
  });

  it("an incident police hold is linked", async () => {
    const caseId = await policeCase();
    // One not linked yet: a record already linked is refused (issue 17).
    const linked = (
      await fed.stores.partnership.sql.many<{ id: string }>(
        `SELECT record_id AS id FROM case_records WHERE case_id = $1 AND kind = 'INCIDENT'`,
        [caseId],
      )
    ).map((r) => r.id);
    const { id } = (await fed.stores.police.sql.one<{ id: string }>(
      `SELECT id FROM incidents WHERE NOT id = ANY($1) ORDER BY id LIMIT 1`,
      [linked],
    ))!;
    const response = await fed.query<{ linkCaseRecord: { linkedIncidents: { id: string }[] } }>(
      LINK,
      { caseId, id },
      policeCaseWorker,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.linkCaseRecord.linkedIncidents.map((i) => i.id)).toContain(id);
  });

  describe("with police down", () => {
    beforeAll(() => stopSubgraph(fed, "police"));
    afterAll(() => restartSubgraph(fed, "police"));

    it("the link is refused for now (retryable), nothing written", async () => {
      const caseId = await policeCase();
      const { id } = (await fed.stores.police.sql.one<{ id: string }>(
        `SELECT id FROM incidents ORDER BY id DESC LIMIT 1`,
      ))!;
      const response = await fed.query(LINK, { caseId, id }, policeCaseWorker);
      expect(response.errors).toEqual([
        // Partnership answered (serviceName); the message names the owner it could not ask.
        expect.objectContaining({
          message: expect.stringMatching(/^the police service could not be asked .*retry/),
          path: ["linkCaseRecord"],
          extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE", retryable: true }),
        }),
      ]);
      expect(await linkedRows(caseId, id)).toBe(0);
    });
  });
});

describe("a linked record its owner no longer holds", () => {
  it("is one null in the case's list, not a case board that fails as a whole", async () => {
    const partnership = fed.stores.partnership.sql;
    const open = (await partnership.one<{ id: string; lead: string }>(
      `SELECT id, lead_agency_id AS lead FROM problem_cases WHERE lead_agency_id = 'police' ORDER BY id LIMIT 1`,
    ))!;
    // As if police had deleted the record after it was linked.
    await partnership.exec(
      `INSERT INTO case_records (case_id, kind, record_id, linked_by, agency_id)
       VALUES ($1, 'INCIDENT', 'inc-no-longer-held', 'test', 'police')`,
      [open.id],
    );
    const response = await fed.query<{
      problemCase: { id: string; title: string; linkedIncidents: ({ id: string } | null)[] } | null;
    }>(
      `query ($id: ID!) { problemCase(id: $id) { id title linkedIncidents { id month category } } }`,
      { id: open.id },
      { agency: "police", purpose: "ASB_CASE_MANAGEMENT" },
    );
    expect(response.data?.problemCase?.id).toBe(open.id);
    expect(response.data!.problemCase!.title).toBeTruthy();
    expect(response.data!.problemCase!.linkedIncidents).toContain(null);
    // The owner answers that it holds no such record (a null entity), which is not an error.
    const held = response.data!.problemCase!.linkedIncidents.filter(Boolean);
    expect(held.every((i) => typeof i!.id === "string")).toBe(true);
    expect(response.errors ?? []).toEqual([]);
  });
});

describe("the governance store unreachable", () => {
  let governanceDb: string;
  beforeAll(async () => {
    governanceDb = await databaseOf(fed.stores.governance.sql);
    await refuseConnections(governanceDb);
  });
  afterAll(() => allowConnections(governanceDb));

  it("the caller's own agency's data is still released", async () => {
    const response = await fed.query<Area>(OWN_INCIDENTS, { lsoaCodes: CASE_NEIGHBOURHOODS }, policeOfficer);
    expect(response.errors).toBeUndefined();
    expect(response.data!.incidents.edges.length).toBeGreaterThan(0);
    expect(people(response.data!).every((p) => typeof p.displayName === "string")).toBe(true);
  });

  // A subgraph that kept the facts from an earlier request can decide, but cannot record the
  // disclosure (AUDIT_UNAVAILABLE); one that has none cannot decide (ACCESS_DECISION_UNAVAILABLE).
  // Either way nothing is released.
  const REFUSALS = ["ACCESS_DECISION_UNAVAILABLE", "AUDIT_UNAVAILABLE"];

  it("another agency's list is refused, no record released", async () => {
    const response = await fed.query(SHARED_INCIDENTS, { lsoaCodes: CASE_NEIGHBOURHOODS }, councilOfficer);
    expect(response.data ?? null).toBeNull();
    expect(codes(response)).toHaveLength(1);
    expect(REFUSALS).toContain(codes(response)[0]);
    expect(response.errors![0].message).toMatch(/access decision unavailable|audit unavailable/);
    expect(JSON.stringify(response)).not.toMatch(/"reference"|"category"/);
  });

  it("Person360 releases no other agency's records", async () => {
    const response = await person360(policeSafeguarding);
    const text = JSON.stringify(response.data ?? null);
    // Council's, housing's and youth's records all carry these; none may appear.
    expect(text).not.toMatch(/"(status|tenure|uprn|programme|yearGroup|attendanceRate)"/);
    expect(codes(response).length).toBeGreaterThan(0);
    expect(response.errors).toEqual(
      response.errors!.filter((e) => REFUSALS.includes(String(e.extensions?.code))),
    );
  });

  // The refused lists are nullable fields of Person, so they do not take the officer's own incidents with them.
  test("Person360 still shows the police officer's own incidents", async () => {
    const response = await person360(policeSafeguarding);
    expect((response.data?.person?.incidents as { totalCount: number }).totalCount).toBeGreaterThan(0);
  });

  it("once governance is back, the next request is decided again", async () => {
    await allowConnections(governanceDb);
    const response = await fed.query<{ incidents: { edges: unknown[] } }>(
      SHARED_INCIDENTS,
      { lsoaCodes: CASE_NEIGHBOURHOODS },
      councilOfficer,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.incidents.edges.length).toBeGreaterThan(0);
  });
});

describe("the audit refusing appends", () => {
  const governance = () => fed.stores.governance.sql;
  const auditRows = async () =>
    Number((await governance().one<{ n: string }>(`SELECT count(*) AS n FROM audit_log`))!.n);

  beforeAll(async () => {
    // As a full disk or a revoked grant would: every insert into the log fails.
    await governance().exec(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log: insert refused (test)'; END $$`);
    await governance().exec(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit()`);
  });
  afterAll(async () => {
    await governance().exec(`DROP TRIGGER IF EXISTS refuse_audit ON audit_log`);
    await governance().exec(`DROP FUNCTION IF EXISTS refuse_audit()`);
  });

  it("a disclosure that cannot be recorded is not made: no data, AUDIT_UNAVAILABLE", async () => {
    const before = await auditRows();
    const response = await fed.query(SHARED_INCIDENTS, { lsoaCodes: CASE_NEIGHBOURHOODS }, councilOfficer);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/audit unavailable: .* no data was released/),
        extensions: expect.objectContaining({ code: "AUDIT_UNAVAILABLE" }),
      }),
    ]);
    expect(JSON.stringify(response)).not.toMatch(/"reference"|"category"|"inc-/);
    expect(await auditRows()).toBe(before);
  });

  it("nor is one inside a wider answer (IncidentsInArea for the council)", async () => {
    const response = await incidentsInArea(councilOfficer);
    expect(response.data ?? null).toBeNull();
    expect(codes(response)).toContain("AUDIT_UNAVAILABLE");
  });

  it("the caller's own data, which is not a disclosure, is still released", async () => {
    const response = await fed.query<Area>(OWN_INCIDENTS, { lsoaCodes: CASE_NEIGHBOURHOODS }, policeOfficer);
    expect(response.errors).toBeUndefined();
    expect(response.data!.incidents.edges.length).toBeGreaterThan(0);
  });

  it("once the audit takes appends again, the disclosure is made and recorded", async () => {
    await governance().exec(`DROP TRIGGER refuse_audit ON audit_log`);
    const before = await auditRows();
    const response = await fed.query<{ incidents: { edges: unknown[] } }>(
      SHARED_INCIDENTS,
      { lsoaCodes: CASE_NEIGHBOURHOODS },
      councilOfficer,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.incidents.edges.length).toBeGreaterThan(0);
    expect(await auditRows()).toBeGreaterThan(before);
  });
});

describe("a subgraph run as its own process, when the governance database restarts", () => {
  let police: RunningService;
  let governanceDb: string;
  beforeAll(async () => {
    governanceDb = await databaseOf(fed.stores.governance.sql);
    // startSubgraph is what `node subgraphs/police/index.ts` runs: its own pool to governance.
    const config = testConfig({
      POLICE_DATABASE_URL: urlOf(fed.stores.police),
      GOVERNANCE_DATABASE_URL: urlOf(fed.stores.governance),
      DATABASE_POOL_SIZE: "2",
    });
    police = await startSubgraph(SUBGRAPHS.police, config, 0, governanceAdapter);
  });
  afterAll(() => police?.stop());

  const shared = () =>
    graphql<{ incidents: { totalCount: number } }>(
      police.url,
      `{ incidents(filter: { lsoaCodes: ${JSON.stringify(CASE_NEIGHBOURHOODS)} }, first: 1) { totalCount } }`,
      {},
      councilOfficer,
    );

  it("keeps serving: a dropped governance connection is not a crash", async () => {
    expect((await shared()).data?.incidents.totalCount).toBeGreaterThan(0);
    // The pool now holds an idle connection to governance; the server restarting cuts it.
    expect(await cutConnections(governanceDb)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await shared();
    expect(response.errors).toBeUndefined();
    expect(response.data?.incidents.totalCount).toBeGreaterThan(0);
  });
});
