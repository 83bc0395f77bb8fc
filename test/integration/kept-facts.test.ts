import { governancePolicyStore } from "../../subgraphs/shared/access/facts-store";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { startPoliceSubgraph } from "../support/police-subgraph";
import type { TestSubgraph } from "../support/subgraph";

/**
 * A subgraph keeps the agreements and consents it read between requests, and its audit append
 * checks they are still current: a change made after they were kept holds on the very next
 * request all the same, which is run again on fresh facts, and what it first decided is neither
 * released nor recorded.
 */
const PEOPLE = demoPeople(42, "small");
const QUERY = `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-03", toMonth: "2019-03" }, first: 5) {
  edges { node { id summary } } restricted { category count } } }`;

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startPoliceSubgraph(PEOPLE);
});
afterAll(() => subgraph.stop());

interface Page {
  incidents: { edges: { node: { id: string; summary: string | null } }[]; restricted: unknown[] };
}

/** One page as a council officer: its answer, its audit rows and its governance statements. */
async function asCouncil(requestId: string) {
  const before = subgraph.policyStatements();
  const response = await subgraph.query<Page>(
    QUERY,
    {},
    {
      agency: "council",
      purpose: "ASB_CASE_MANAGEMENT",
      requestId,
    },
  );
  const statements = subgraph.policyStatements() - before;
  const audit = await subgraph.policySql.many<{ decision: string; reason: string | null }>(
    `SELECT decision, reason FROM audit_log WHERE request_id = $1 ORDER BY sequence`,
    [requestId],
  );
  return { response, audit, statements };
}

const setAgreement = (status: "ACTIVE" | "SUSPENDED") =>
  subgraph.policySql.exec(
    `UPDATE agreements SET status = $1, suspended_at = CASE WHEN $1 = 'SUSPENDED' THEN now() END,
            suspended_reason = CASE WHEN $1 = 'SUSPENDED' THEN 'kept-facts test' END
      WHERE id = 'agr-police-council'`,
    [status],
  );

test("a request decided on kept facts costs one round trip, and one after a change is decided on the change", async () => {
  const first = await asCouncil("kept-facts-1");
  expect(first.response.errors).toBeUndefined();
  expect(first.response.data!.incidents.edges).toHaveLength(5);

  // The facts are kept: only the audit append, which checks them, reaches governance.
  const kept = await asCouncil("kept-facts-2");
  expect(kept.response.data!.incidents.edges).toHaveLength(5);
  expect(kept.statements).toBe(1);
  expect(kept.audit).toEqual([{ decision: "PERMITTED", reason: null }]);

  await setAgreement("SUSPENDED");
  try {
    const suspended = await asCouncil("kept-facts-3");
    expect(suspended.response.errors).toBeUndefined();
    expect(suspended.response.data!.incidents.edges).toEqual([]);
    // The council still has its own agreement with police for the purpose: the withheld
    // incidents are signposted.
    expect(suspended.response.data!.incidents.restricted).toEqual([
      { category: "INCIDENT_SUMMARY", count: expect.any(Number) },
    ]);
    // The append on the kept facts refused, then a fresh read, the contacts for the
    // signposting, and the append of the fresh decision.
    expect(suspended.statements).toBe(4);
    expect(suspended.audit).toEqual([{ decision: "DENIED", reason: "NO_AGREEMENT" }]);
  } finally {
    await setAgreement("ACTIVE");
  }

  const restored = await asCouncil("kept-facts-4");
  expect(restored.response.data!.incidents.edges).toHaveLength(5);
  expect(restored.audit).toEqual([{ decision: "PERMITTED", reason: null }]);
});

test("a fresh read (mutations, requests run again) does not use the kept facts", async () => {
  const store = governancePolicyStore(subgraph.policySql);
  const kept = await store.loadFacts("council", ["police"], [PEOPLE[0].id], { fresh: false });
  expect(kept.cached).toBe(false);
  expect((await store.loadFacts("council", ["police"], [PEOPLE[0].id], { fresh: false })).cached).toBe(true);
  const before = subgraph.policySql.statements;
  const fresh = await store.loadFacts("council", ["police"], [PEOPLE[0].id], { fresh: true });
  expect(fresh.cached).toBe(false);
  expect(subgraph.policySql.statements - before).toBe(1);
  expect(fresh.version).toBe(kept.version);
});
