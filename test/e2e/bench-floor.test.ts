import { closeFloorPools, floorData, openFloorPools, type FloorPools } from "../../bench/floor";
import { CASE_NEIGHBOURHOODS, FEATURED, personId } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { contractOperations } from "../support/contract";
import { demoDatabaseEnv } from "../support/demo-databases";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * The bench's floor (setup (e), bench/floor.ts) answers with the same data as the graph, for a
 * caller who may see everything: the graph with its access rules off (the switch the bench's
 * setup (b) uses), and, for the dashboard, an analyst of the graph as it runs (rules on), whose
 * perturbed counts must be equal cell for cell since the same records give the same cell keys.
 */
let rulesOff: TestFederation;
let rulesOn: TestFederation;
let pools: FloorPools;
beforeAll(async () => {
  [rulesOff, rulesOn] = await Promise.all([
    startTestFederation({ env: { ACCESS_RULES: "off" } }),
    startTestFederation(),
  ]);
  const databases = demoDatabaseEnv();
  pools = openFloorPools((name) => databases[`${name.toUpperCase()}_DATABASE_URL`], 2);
}, 240_000);
afterAll(async () => {
  await closeFloorPools(pools);
  await Promise.all([rulesOff?.stop(), rulesOn?.stop()]);
});

const source = (name: string) => contractOperations().find((o) => o.name === name)!.source;

async function graphAnswer(
  fed: TestFederation,
  operationName: string,
  variables: Record<string, unknown>,
  as: As,
) {
  const response = await fed.query(source(operationName), variables, { ...as, operationName });
  expect(response.errors).toBeUndefined();
  return response.data;
}

const practitioner: As = { agency: "police", purpose: "SAFEGUARDING" };

test.each([1, 2, 5, FEATURED, FEATURED + 7])(
  "Person360 of per-%i: the floor gives the graph's data",
  async (n) => {
    const variables = { id: personId(n) };
    const graph = await graphAnswer(rulesOff, "Person360", variables, practitioner);
    const floor = await floorData(pools, "Person360", variables);
    expect(floor).toEqual(graph);
  },
);

test("Person360 of someone not in the index is null on both", async () => {
  const variables = { id: "per-999999" };
  expect(await floorData(pools, "Person360", variables)).toEqual(
    await graphAnswer(rulesOff, "Person360", variables, practitioner),
  );
});

test.each([5, 50, 500])("IncidentsInArea, first %i: the floor gives the graph's data", async (first) => {
  const variables = { lsoaCodes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06", first };
  const graph = (await graphAnswer(rulesOff, "IncidentsInArea", variables, {
    agency: "police",
    purpose: "CRIME_PREVENTION",
  })) as { incidents: { edges: { node: { involvements: unknown[] } }[] } };
  // The comparison means something only if the page reaches people and their records.
  expect(graph.incidents.edges.some((e) => e.node.involvements.length > 0)).toBe(true);
  expect(await floorData(pools, "IncidentsInArea", variables)).toEqual(graph);
});

test("NeighbourhoodDashboard: the floor's perturbed counts are the graph's, rules on and off", async () => {
  const variables = { codes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06" };
  const analyst: As = { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" };
  const floor = (await floorData(pools, "NeighbourhoodDashboard", variables)) as {
    neighbourhoods: Record<string, unknown[]>[];
  };
  expect(floor.neighbourhoods.flatMap((n) => n.incidentStats).length).toBeGreaterThan(0);
  expect(floor).toEqual(await graphAnswer(rulesOn, "NeighbourhoodDashboard", variables, analyst));
  expect(floor).toEqual(await graphAnswer(rulesOff, "NeighbourhoodDashboard", variables, analyst));
});
