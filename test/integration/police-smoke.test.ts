import { police } from "../../subgraphs/police/server";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph(police, async (sql) => {
    await sql.exec(`INSERT INTO incidents (id, source_key, reference, month, category, street, lsoa_code, latitude, longitude, source)
      VALUES ('i1', 'k1', 'R1', '2019-01', 'BURGLARY', 'On or near X', 'E01000001', 51.5, -0.1, 'test')`);
    await sql.exec(`INSERT INTO involvements (incident_id, person_id, role) VALUES ('i1', 'per-000001', 'VICTIM')`);
  });
});
afterAll(() => subgraph.stop());

test("lists incidents with involvements", async () => {
  const res = await subgraph.query(
    `{ incidents(filter: { lsoaCodes: ["E01000001"] }) { totalCount edges { node { id category location { street } involvements { role person { id } } } } } }`,
    {},
    { agency: "police", purpose: "CRIME_PREVENTION" },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data).toEqual({
    incidents: { totalCount: 1, edges: [{ node: { id: "i1", category: "BURGLARY", location: { street: "On or near X" }, involvements: [{ role: "VICTIM", person: { id: "per-000001" } }] } }] },
  });
});

test("refuses a call without a token", async () => {
  const res = await subgraph.query(`{ incidents(filter: {}) { totalCount } }`);
  expect(res.status).toBe(401);
});
