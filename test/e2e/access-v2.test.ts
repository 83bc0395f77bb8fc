import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql, type As, type GraphQLResponse } from "../support/graphql";

/**
 * Regression tests for the examples of issue 9 ("Access rules v2"), classes "Person-level data
 * outside the rules", "Consent checked against the path", "Governance entities unguarded" and
 * "Existence leaks": each example now gets the safe answer.
 */

let fed: TestFederation;

beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

const DSO = Role.DATA_SHARING_OFFICER;
const direct = <T>(subgraph: string, query: string, variables: Record<string, unknown>, as: As) =>
  graphql<T>(fed.federation.subgraphs[subgraph as "police"].url, query, variables, as);

const reasons = (r: GraphQLResponse<unknown>) => (r.errors ?? []).map((e) => e.extensions?.reason);
const codes = (r: GraphQLResponse<unknown>) => (r.errors ?? []).map((e) => e.extensions?.code);
const errorAt = (r: GraphQLResponse<unknown>, path: (string | number)[]) =>
  (r.errors ?? []).find((e) => JSON.stringify(e.path) === JSON.stringify(path));

const RECORD_CONSENT = `mutation Record($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`;

async function recordConsent(personId: string, category: string, purpose: string): Promise<string> {
  const recorded = await fed.query<{ recordConsent: { id: string } }>(
    RECORD_CONSENT,
    {
      input: {
        personId,
        recipientAgencyId: "council",
        purposes: [purpose],
        categories: [category],
        givenBy: "PARENT_OR_GUARDIAN",
        givenAt: new Date(Date.now() - 60_000).toISOString(),
        evidenceRef: `v2-${personId}`,
      },
    },
    { agency: "housing", role: DSO, purpose },
  );
  expect(recorded.errors).toBeUndefined();
  return recorded.data!.recordConsent.id;
}

describe("Person-level data outside the rules", () => {
  test("a council ANALYST under STATISTICS reads no case people and no stage-history notes or authors", async () => {
    const asked = await fed.query<{ problemCase: unknown }>(
      `query { problemCase(id: "psc-2019-001") {
        id title people { role person { id } } stageHistory { note by }
      } }`,
      {},
      { agency: "council", role: Role.ANALYST, purpose: Purpose.STATISTICS },
    );
    const text = JSON.stringify(asked.data ?? null);
    expect(text).not.toMatch(/per-\d+/);
    expect(text).not.toMatch(/"note"|"by"/);
    expect(reasons(asked)).toContain("ROLE_NOT_PERMITTED");
  });

  test("people(search:) returns no ids to an analyst, nor to anyone without a purpose", async () => {
    const search = `query { people(search: "a", first: 5) { edges { node { id } } } }`;
    const analyst = await fed.query(
      search,
      {},
      { agency: "police", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(analyst.data?.people ?? null).toBeNull();
    expect(reasons(analyst)).toEqual(["ROLE_NOT_PERMITTED"]);
    const noPurpose = await fed.query(search, {}, { agency: "police" });
    expect(noPurpose.data?.people ?? null).toBeNull();
    expect(reasons(noPurpose)).toEqual(["PURPOSE_REQUIRED"]);
    const practitioner = await fed.query<{ people: { edges: unknown[] } }>(
      search,
      {},
      {
        agency: "police",
        purpose: Purpose.CRIME_PREVENTION,
      },
    );
    expect(practitioner.data!.people.edges.length).toBeGreaterThan(0);
  });

  test("openCase, problemCase and recordConsent need a purpose", async () => {
    const open = await fed.query(
      `mutation { openCase(input: { title: "t", problemType: "p", neighbourhoodCodes: ["E01000001"], partnerAgencyIds: [], people: [] }) { id } }`,
      {},
      { agency: "council" },
    );
    expect(reasons(open)).toEqual(["PURPOSE_REQUIRED"]);
    const read = await fed.query(
      `query { problemCase(id: "psc-2019-001") { id title } }`,
      {},
      { agency: "police" },
    );
    expect(read.data?.problemCase ?? null).toBeNull();
    expect(reasons(read)).toEqual(["PURPOSE_REQUIRED"]);
    const consent = await fed.query(
      RECORD_CONSENT,
      {
        input: {
          personId: "per-000001",
          recipientAgencyId: "council",
          purposes: ["ASB_CASE_MANAGEMENT"],
          categories: ["FINANCIAL"],
          givenBy: "PARENT_OR_GUARDIAN",
          givenAt: new Date().toISOString(),
          evidenceRef: "x",
        },
      },
      { agency: "housing", role: DSO },
    );
    expect(reasons(consent)).toEqual(["PURPOSE_REQUIRED"]);
  });

  test("Person.references shows housing no reference of an agency that does not share with it for the purpose", async () => {
    const refs = await fed.stores.partnership.sql.many<{ person_id: string }>(
      `SELECT person_id FROM person_references GROUP BY person_id
        HAVING bool_or(agency_id = 'police') AND bool_or(agency_id = 'youth') LIMIT 1`,
    );
    expect(refs.length).toBe(1);
    const asked = await fed.query<{ person: { references: { agency: { id: string } }[] } }>(
      `query($id: ID!) { person(id: $id) { id references { agency { id } reference } } }`,
      { id: refs[0].person_id },
      { agency: "housing", purpose: Purpose.TENANCY_SUSTAINMENT },
    );
    const agencies = asked.data!.person.references.map((r) => r.agency.id);
    // No agreement youth → housing; the police → housing agreement is suspended.
    expect(agencies).not.toContain("youth");
    expect(agencies).not.toContain("police");
  });

  test("a property's address answers no caller without a right to housing's tenancy data", async () => {
    const property = (await fed.stores.housing.sql.one<{ id: string }>(`SELECT id FROM properties LIMIT 1`))!
      .id;
    const query = `query($id: ID!) { property(id: $id) { id address } }`;
    const youth = await direct(
      "housing",
      query,
      { id: property },
      { agency: "youth", purpose: "YOUTH_DIVERSION" },
    );
    const unknown = await direct(
      "housing",
      query,
      { id: "prop-none" },
      { agency: "youth", purpose: "YOUTH_DIVERSION" },
    );
    expect(youth.data).toEqual({ property: null });
    expect({ data: youth.data, errors: youth.errors }).toEqual({
      data: unknown.data,
      errors: unknown.errors,
    });
    const analyst = await fed.query(
      query,
      { id: property },
      { agency: "housing", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(analyst.data?.property ?? null).toBeNull();
    expect(reasons(analyst)).toEqual(["ROLE_NOT_PERMITTED"]);
  });
});

describe("Consent checked against the person the record is about, whatever the path", () => {
  test("a tenancy's arrears need its liable tenant's consent, not a household member's", async () => {
    // The example: ten-000022, tenant per-000032, household member per-000002 (15); in
    // another seed, the first tenancy with one tenant and one household member stands in for it.
    const occupants = await fed.stores.housing.sql.many<{
      tenancy_id: string;
      person_id: string;
      role: string;
    }>(
      `SELECT tenancy_id, person_id, role FROM tenancy_occupants
        WHERE tenancy_id = (
          SELECT tenancy_id FROM tenancy_occupants GROUP BY tenancy_id
           HAVING count(*) FILTER (WHERE role = 'TENANT') = 1
              AND count(*) FILTER (WHERE role = 'JOINT_TENANT') = 0
              AND count(*) FILTER (WHERE role = 'HOUSEHOLD_MEMBER') >= 1
           ORDER BY (tenancy_id = 'ten-000022') DESC, tenancy_id LIMIT 1)`,
    );
    const tenancy = occupants[0].tenancy_id;
    const tenant = occupants.find((o) => o.role === "TENANT")!.person_id;
    const member = occupants.find((o) => o.role === "HOUSEHOLD_MEMBER")!.person_id;
    // Neither has a consent to the council yet.
    await fed.stores.governance.sql.exec(
      `DELETE FROM consents WHERE recipient_agency_id = 'council' AND person_id = ANY ($1)`,
      [[tenant, member]],
    );
    const as: As = { agency: "council", purpose: Purpose.TENANCY_SUSTAINMENT };
    const byId = () =>
      fed.query<{ tenancy: { id: string; arrearsBand: string | null } | null }>(
        `query($id: ID!) { tenancy(id: $id) { id arrearsBand } }`,
        { id: tenancy },
        as,
      );
    const viaPerson = (person: string) =>
      fed.query<{ person: { tenancies: { edges: { node: { id: string; arrearsBand: string | null } }[] } } }>(
        `query($id: ID!) { person(id: $id) { tenancies(first: 500) { edges { node { id arrearsBand } } } } }`,
        { id: person },
        as,
      );
    const viaEntities = () =>
      direct<{ _entities: ({ id: string; arrearsBand: string | null } | null)[] }>(
        "housing",
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Tenancy { id arrearsBand } } }`,
        { r: [{ __typename: "Tenancy", id: tenancy }] },
        as,
      );
    /** The arrears band, or the reason it was refused, by each path. */
    const outcomes = async () => {
      const id = await byId();
      const paths: Record<string, { band: string | null; reason: unknown }> = {
        byId: {
          band: id.data?.tenancy?.arrearsBand ?? null,
          reason: errorAt(id, ["tenancy", "arrearsBand"])?.extensions?.reason ?? null,
        },
      };
      for (const [name, person] of [
        ["tenant", tenant],
        ["member", member],
      ] as const) {
        const r = await viaPerson(person);
        const i = r.data!.person.tenancies.edges.findIndex((e) => e.node.id === tenancy);
        expect(i).toBeGreaterThanOrEqual(0);
        paths[name] = {
          band: r.data!.person.tenancies.edges[i].node.arrearsBand,
          reason:
            errorAt(r, ["person", "tenancies", "edges", i, "node", "arrearsBand"])?.extensions?.reason ??
            null,
        };
      }
      const e = await viaEntities();
      paths.entities = {
        band: e.data?._entities[0]?.arrearsBand ?? null,
        reason: errorAt(e, ["_entities", 0, "arrearsBand"])?.extensions?.reason ?? null,
      };
      return paths;
    };

    const refused = { band: null, reason: "CONSENT_REQUIRED" };
    // With only the household member's consent: refused by every path, the member's own included.
    await recordConsent(member, "FINANCIAL", Purpose.TENANCY_SUSTAINMENT);
    expect(await outcomes()).toEqual({ byId: refused, tenant: refused, member: refused, entities: refused });

    // With the tenant's consent: released by every path, the same band.
    await recordConsent(tenant, "FINANCIAL", Purpose.TENANCY_SUSTAINMENT);
    const band = (await fed.stores.housing.sql.one<{ arrears_band: string }>(
      `SELECT arrears_band FROM tenancies WHERE id = $1`,
      [tenancy],
    ))!.arrears_band;
    const released = { band, reason: null };
    expect(await outcomes()).toEqual({
      byId: released,
      tenant: released,
      member: released,
      entities: released,
    });
  });

  /** One record of each entity type, a field that discloses it, and how to reach it. */
  const ENTITIES = [
    {
      type: "Incident",
      subgraph: "police",
      byId: "incident",
      list: "incidents",
      field: "summary",
      table: `SELECT i.id, v.person_id FROM incidents i JOIN involvements v ON v.incident_id = i.id ORDER BY i.id LIMIT 1`,
    },
    {
      type: "AsbCase",
      subgraph: "council",
      byId: "asbCase",
      list: "asbCases",
      field: "riskLevel",
      table: `SELECT case_id AS id, person_id FROM asb_parties ORDER BY case_id LIMIT 1`,
    },
    {
      type: "Tenancy",
      subgraph: "housing",
      byId: "tenancy",
      list: "tenancies",
      field: "arrearsBand",
      table: `SELECT tenancy_id AS id, person_id FROM tenancy_occupants WHERE role = 'TENANT' ORDER BY tenancy_id LIMIT 1`,
    },
    {
      type: "HousingReport",
      subgraph: "housing",
      byId: null,
      list: "housingReports",
      field: "description",
      table: `SELECT id, person_id FROM housing_reports ORDER BY id LIMIT 1`,
    },
    {
      type: "Referral",
      subgraph: "youth",
      byId: "referral",
      list: "referrals",
      field: "reason",
      table: `SELECT id, person_id FROM referrals ORDER BY id LIMIT 1`,
    },
    {
      type: "Enrolment",
      subgraph: "youth",
      byId: null,
      list: "enrolments",
      field: "attendanceRate",
      table: `SELECT id, person_id FROM enrolments ORDER BY id LIMIT 1`,
    },
  ] as const;
  const CALLERS: As[] = [
    { agency: "council", purpose: Purpose.ASB_CASE_MANAGEMENT },
    { agency: "council", purpose: Purpose.TENANCY_SUSTAINMENT },
    { agency: "council", purpose: Purpose.YOUTH_DIVERSION },
    { agency: "housing", purpose: Purpose.TENANCY_SUSTAINMENT },
    { agency: "youth", purpose: Purpose.YOUTH_DIVERSION },
    { agency: "police", purpose: Purpose.CRIME_PREVENTION },
  ];

  test.each(ENTITIES)(
    "$type: the same record gets the same decision by id, through a person and by _entities",
    async (entity) => {
      const stores = fed.stores as unknown as Record<string, typeof fed.stores.police>;
      const row = (await stores[entity.subgraph].sql.one<{ id: string; person_id: string }>(entity.table))!;
      for (const as of CALLERS) {
        const seen: Record<string, unknown> = {};
        if (entity.byId) {
          const r = await fed.query<Record<string, Record<string, unknown> | null>>(
            `query($id: ID!) { record: ${entity.byId}(id: $id) { id ${entity.field} } }`,
            { id: row.id },
            as,
          );
          seen.byId =
            r.data?.record && !errorAt(r, ["record", entity.field])
              ? r.data.record[entity.field]
              : "withheld";
        }
        const p = await fed.query<{ person: Record<string, { edges: { node: Record<string, unknown> }[] }> }>(
          `query($id: ID!) { person(id: $id) { ${entity.list}(first: 500) { edges { node { id ${entity.field} } } } } }`,
          { id: row.person_id },
          as,
        );
        const edges = p.data!.person[entity.list].edges;
        const i = edges.findIndex((e) => e.node.id === row.id);
        seen.viaPerson =
          i >= 0 && !errorAt(p, ["person", entity.list, "edges", i, "node", entity.field])
            ? edges[i].node[entity.field]
            : "withheld";
        const e = await direct<{ _entities: (Record<string, unknown> | null)[] }>(
          entity.subgraph,
          `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${entity.type} { id ${entity.field} } } }`,
          { r: [{ __typename: entity.type, id: row.id }] },
          as,
        );
        seen.entities =
          e.data?._entities[0] && !errorAt(e, ["_entities", 0, entity.field])
            ? e.data._entities[0][entity.field]
            : "withheld";
        const first = Object.values(seen)[0];
        expect({ as, seen }).toEqual({
          as,
          seen: Object.fromEntries(Object.keys(seen).map((k) => [k, first])),
        });
      }
    },
  );
});

describe("Governance entities guarded", () => {
  test("a housing ANALYST gets nothing from _entities(Consent) on the governance subgraph, nor does a non-party", async () => {
    const consent = (await fed.stores.governance.sql.one<{
      id: string;
      recipient_agency_id: string;
      recorded_by_agency_id: string;
    }>(
      `SELECT id, recipient_agency_id, recorded_by_agency_id FROM consents
        WHERE recipient_agency_id <> 'housing' AND recorded_by_agency_id <> 'housing' ORDER BY id LIMIT 1`,
    ))!;
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Consent { id person { id } recipient { id } categories givenBy evidenceRef } } }`;
    const r = { r: [{ __typename: "Consent", id: consent.id }] };
    for (const as of [
      { agency: "housing", role: Role.ANALYST },
      { agency: "housing", role: Role.ANALYST, purpose: "STATISTICS" },
      { agency: "housing", purpose: "TENANCY_SUSTAINMENT" },
      { agency: "housing", role: DSO, purpose: "TENANCY_SUSTAINMENT" },
    ] as As[]) {
      const asked = await direct<{ _entities: unknown[] }>("governance", query, r, as);
      expect({ as, data: asked.data, errors: asked.errors }).toEqual({
        as,
        data: { _entities: [null] },
        errors: undefined,
      });
    }
    // A party to it (the recipient's DSO) does see it.
    const party = await direct<{ _entities: ({ id: string } | null)[] }>("governance", query, r, {
      agency: consent.recipient_agency_id,
      role: DSO,
      purpose: "SAFEGUARDING",
    });
    expect(party.data!._entities[0]?.id).toBe(consent.id);
  });
});

describe("Existence leaks closed", () => {
  test("a record asked for by id without an agreement answers exactly as an unknown id", async () => {
    const as: As = { agency: "housing", purpose: Purpose.TENANCY_SUSTAINMENT };
    const query = `query($id: ID!) { asbCase(id: $id) { id reference } }`;
    const real = await fed.query(query, { id: "asb-000011" }, as);
    const unknown = await fed.query(query, { id: "asb-999999" }, as);
    expect(real.data).toEqual({ asbCase: null });
    expect({ data: real.data, errors: real.errors }).toEqual({ data: unknown.data, errors: unknown.errors });
  });

  test("_entities with only an id does not echo the ids of records the caller may not know", async () => {
    const tenancies = await fed.stores.housing.sql.many<{ id: string }>(
      `SELECT id FROM tenancies ORDER BY id LIMIT 3`,
    );
    const asked = await direct<{ _entities: unknown[] }>(
      "housing",
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Tenancy { id } } }`,
      {
        r: [
          ...tenancies.map((t) => ({ __typename: "Tenancy", id: t.id })),
          { __typename: "Tenancy", id: "ten-none" },
        ],
      },
      { agency: "youth", purpose: Purpose.YOUTH_DIVERSION },
    );
    expect(asked.data).toEqual({ _entities: [null, null, null, null] });
    expect(asked.errors).toBeUndefined();
  });

  test("advanceCase on a case the caller is not a partner of answers as a missing case does", async () => {
    const advance = `mutation($id: ID!) { advanceCase(caseId: $id, stage: ANALYSIS, note: "Moving on with the work") { id } }`;
    // psc-2019-002 is police-led with housing and the council; youth services are no party to it.
    const as: As = { agency: "youth", purpose: Purpose.YOUTH_DIVERSION };
    const real = await fed.query(advance, { id: "psc-2019-002" }, as);
    const missing = await fed.query(advance, { id: "psc-none" }, as);
    expect(codes(real)).toEqual(["NOT_FOUND"]);
    expect(real.errors![0].extensions).toEqual(missing.errors![0].extensions);
    expect(real.data ?? null).toEqual(missing.data ?? null);
  });
});
