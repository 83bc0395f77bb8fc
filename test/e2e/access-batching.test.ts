import { auditPeople } from "../support/audit";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { Purpose } from "../../subgraphs/shared/enums";
import { contractOperations } from "../support/contract";
import { startTestFederation, type TestFederation } from "../support/federation";

/**
 * Access decisions and audit records for one request go to the governance store in a constant
 * number of round trips, never one per record: a page of 200 incidents, with the people involved
 * and what housing and youth services hold on them, costs each subgraph the same governance
 * statements as a page of 10. Behind our gateway (the counters are in its process).
 */

let fed: TestFederation;
beforeAll(async () => {
  // Fresh stores: the audit chain's checkpoint (one more statement every 1000 records) is not
  // crossed by other test files appending to a shared log between the two pages.
  fed = await startTestFederation({ fresh: true });
}, 180_000);
afterAll(() => fed?.stop());

const incidentsInArea = contractOperations().find((o) => o.name === "IncidentsInArea")!.source;

interface Area {
  incidents: {
    edges: {
      node: {
        id: string;
        involvements: {
          person: {
            id: string;
            tenancies: { edges: { node: { id: string } }[] };
            referrals: { edges: { node: { id: string } }[] };
          };
        }[];
      };
    }[];
  };
}

interface AuditRow {
  owner_agency_id: string;
  decision: string;
  reason: string | null;
  basis: string | null;
  agreement_id: string | null;
  categories: string[];
  person_ids: string[];
  record_ids: string[];
}

let requests = 0;

/** One IncidentsInArea page as a council ASB officer: police incidents, housing tenancies, youth referrals. */
async function page(first: number) {
  const requestId = `access-batching-${first}-${++requests}`;
  const before = fed.policyStatements();
  const response = await fed.query<Area>(
    incidentsInArea,
    { lsoaCodes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06", first },
    { agency: "council", purpose: Purpose.ASB_CASE_MANAGEMENT, requestId, operationName: "IncidentsInArea" },
  );
  const after = fed.policyStatements();
  expect(response.errors).toBeUndefined();
  const incidents = response.data!.incidents.edges.map((e) => e.node);
  const people = incidents.flatMap((i) => i.involvements.map((v) => v.person));
  const readPeople = await auditPeople(fed.stores.governance.sql);
  const audit = (
    await fed.stores.governance.sql.many<AuditRow>(
      `SELECT owner_agency_id, decision, reason, basis, agreement_id, categories, person_ids, record_ids
         FROM audit_log WHERE request_id = $1 ORDER BY sequence`,
      [requestId],
    )
  ).map((row) => ({ ...row, person_ids: readPeople(row.person_ids) }));
  return {
    incidents,
    people,
    audit,
    policyStatements: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, after[n] - before[n]])) as Record<
      SubgraphName,
      number
    >,
  };
}

const unique = (ids: string[]) => [...new Set(ids)].sort();

test("IncidentsInArea costs each subgraph at most two governance round trips, for 10 incidents and for 200", async () => {
  const small = await page(10);
  const large = await page(200);
  expect(small.incidents).toHaveLength(10);
  expect(large.incidents).toHaveLength(200);
  // The larger page really reaches more people and more of housing's records.
  expect(unique(large.people.map((p) => p.id)).length).toBeGreaterThan(
    unique(small.people.map((p) => p.id)).length,
  );
  expect(large.people.some((p) => p.tenancies.edges.length > 0)).toBe(true);

  // One facts load (none when the subgraph kept them from an earlier request) and one audit
  // append, however many records.
  for (const name of SUBGRAPH_NAMES) {
    expect(small.policyStatements[name]).toBeLessThanOrEqual(2);
    expect(large.policyStatements[name]).toBeLessThanOrEqual(2);
  }
  // Police, housing and youth services decide on other agencies' rules and record it; the
  // people index and the council's own data need no facts and no audit.
  for (const name of ["police", "housing", "youth"] as const)
    expect(large.policyStatements[name]).toBeGreaterThan(0);
  expect(large.policyStatements.partnership).toBe(0);
  expect(large.policyStatements.council).toBe(0);
});

test("the same page again costs each deciding subgraph one round trip: the append that checks its kept facts", async () => {
  await page(50);
  const again = await page(50);
  expect(again.policyStatements).toEqual({
    police: 1,
    council: 0,
    youth: 1,
    housing: 1,
    partnership: 0,
    governance: 0,
  });
});

test.each([10, 200])(
  "the audit of a page of %i incidents names every record disclosed and everyone involved",
  async (first) => {
    const { incidents, people, audit } = await page(first);
    const tenancies = unique(people.flatMap((p) => p.tenancies.edges.map((e) => e.node.id)));
    const tenants = unique(people.filter((p) => p.tenancies.edges.length).map((p) => p.id));
    const involved = unique(people.map((p) => p.id));
    // One record per owner and ground, whatever the number of records: a batch, not a row per record.
    expect(audit.map((r) => `${r.owner_agency_id}:${r.decision}:${r.basis ?? r.reason}`).sort()).toEqual([
      "housing:PERMITTED:AGREEMENT",
      "police:PERMITTED:AGREEMENT",
      "youth:DENIED:PURPOSE_NOT_COVERED",
    ]);
    const police = audit.find((r) => r.owner_agency_id === "police")!;
    expect(police).toMatchObject({ agreement_id: "agr-police-council", categories: ["INCIDENT_SUMMARY"] });
    expect(police.record_ids).toEqual(unique(incidents.map((i) => i.id)));
    // The involvements say who was involved in each incident: a disclosure about each of them.
    expect(police.person_ids).toEqual(involved);

    const housing = audit.find((r) => r.owner_agency_id === "housing")!;
    expect(housing).toMatchObject({ agreement_id: "agr-housing-council", categories: ["TENANCY"] });
    // Issue 9: a property's address is tenancy data too, so the properties shown are named as well.
    expect(housing.record_ids.filter((id: string) => !id.startsWith("prop-"))).toEqual(tenancies);
    // Issue 15: a tenancy is about its liable tenants (whose consent it needs), whoever it was
    // reached through, and its audit names everyone it names: household members as well.
    const occupants = await fed.stores.housing.sql.many<{ person_id: string }>(
      `SELECT DISTINCT person_id FROM tenancy_occupants WHERE tenancy_id = ANY ($1) ORDER BY person_id`,
      [tenancies],
    );
    expect(housing.person_ids).toEqual(occupants.map((r) => r.person_id));
    expect(tenants.length).toBeGreaterThan(0);
  },
);
