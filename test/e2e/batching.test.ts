import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { contractOperations } from "../support/contract";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
}, 180_000);
afterAll(() => fed?.stop());

const incidentsInArea = contractOperations().find((o) => o.name === "IncidentsInArea")!.source;
const policeOfficer: As = { agency: "police", purpose: "CRIME_PREVENTION", operationName: "IncidentsInArea" };

/** SQL statements each subgraph ran for one IncidentsInArea page of `first` incidents. */
async function statementsFor(first: number, as: As = policeOfficer) {
  const before = fed.statements();
  const response = await fed.query<{ incidents: { edges: { node: { involvements: unknown[] } }[] } }>(
    incidentsInArea,
    { lsoaCodes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06", first },
    as,
  );
  expect(response.errors).toBeUndefined();
  const after = fed.statements();
  return {
    incidents: response.data!.incidents.edges.length,
    involvements: response.data!.incidents.edges.reduce((n, e) => n + e.node.involvements.length, 0),
    perSubgraph: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, after[n] - before[n]])),
  };
}

test("IncidentsInArea issues the same SQL statements per subgraph for 10 and for 200 incidents", async () => {
  const small = await statementsFor(10);
  const large = await statementsFor(200);
  expect(small.incidents).toBe(10);
  expect(large.incidents).toBe(200);
  // The larger page really fans out further, so equal counts mean batching, not an empty page.
  expect(large.involvements).toBeGreaterThan(small.involvements);
  expect(large.perSubgraph).toEqual(small.perSubgraph);
  expect(large.perSubgraph.police).toBeGreaterThan(0);
  // Youth services and housing share nothing with police for crime prevention, so every person's
  // referrals and tenancies are withheld whole, decided before anything is read (see the
  // existence-timing test): no SQL at all.
  expect(large.perSubgraph.youth).toBe(0);
  expect(large.perSubgraph.housing).toBe(0);
});

test("referrals and tenancies, read where they are shared, cost the same statements for 10 and 200 incidents", async () => {
  // Youth services and housing share with police for safeguarding.
  const safeguarding: As = { ...policeOfficer, purpose: "SAFEGUARDING" };
  const small = await statementsFor(10, safeguarding);
  const large = await statementsFor(200, safeguarding);
  expect(large.involvements).toBeGreaterThan(small.involvements);
  expect(large.perSubgraph).toEqual(small.perSubgraph);
  for (const name of ["police", "youth", "housing"]) expect(large.perSubgraph[name]).toBeGreaterThan(0);
});
