import { runAuditVerify } from "../../subgraphs/governance/repositories/audit";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { startPoliceSubgraph } from "../support/police-subgraph";
import type { TestSubgraph } from "../support/subgraph";

/**
 * Concurrent requests share audit appends (group commit): every request's disclosure is still
 * written before its response, and the chain stays whole.
 */
const PEOPLE = demoPeople(42, "small");
let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startPoliceSubgraph(PEOPLE);
});
afterAll(() => subgraph.stop());

test("30 concurrent cross-agency requests each have their audit rows, in one unforked chain", async () => {
  const query = `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-03", toMonth: "2019-03" }, first: 5) { edges { node { id summary } } } }`;
  const ids = Array.from({ length: 30 }, (_, i) => `group-commit-${i}`);
  const responses = await Promise.all(
    ids.map((requestId) =>
      subgraph.query<{ incidents: { edges: unknown[] } }>(
        query,
        {},
        {
          agency: "council",
          purpose: "ASB_CASE_MANAGEMENT",
          requestId,
        },
      ),
    ),
  );
  for (const response of responses) {
    expect(response.errors).toBeUndefined();
    expect(response.data!.incidents.edges).toHaveLength(5);
  }
  const rows = await subgraph.policySql.many<{ request_id: string; decision: string; basis: string }>(
    `SELECT request_id, decision, basis FROM audit_log WHERE request_id LIKE 'group-commit-%' ORDER BY request_id`,
  );
  expect(new Set(rows.map((r) => r.request_id))).toEqual(new Set(ids));
  expect(rows.every((r) => r.decision === "PERMITTED" && r.basis === "AGREEMENT")).toBe(true);
  expect(await runAuditVerify(subgraph.policySql)).toMatchObject({ ok: true });
});
