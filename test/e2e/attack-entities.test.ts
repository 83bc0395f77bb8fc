import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { Purpose } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql } from "../support/graphql";

/**
 * Found by attacking each subgraph directly with a valid token (issue 9, "no raw errors"):
 * `_entities` representations that name no entity, or carry no key, were answered with the
 * libraries' own "internal" errors. They are bad input, named as such, like any argument.
 */

let fed: TestFederation;

beforeAll(async () => {
  fed = await startTestFederation();
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

const ENTITIES = `query Entities($r: [_Any!]!) { _entities(representations: $r) { __typename } }`;
const as = { agency: "council", purpose: Purpose.ASB_CASE_MANAGEMENT };

/** An entity type each subgraph resolves, keyed by id. */
const ENTITY: Record<SubgraphName, string> = {
  police: "Incident",
  council: "AsbCase",
  youth: "Referral",
  housing: "Tenancy",
  partnership: "ProblemCase",
  governance: "Consent",
};

describe.each(SUBGRAPH_NAMES)("_entities on the %s subgraph, called directly", (name) => {
  const ask = (representations: unknown[]) =>
    graphql(fed.federation.subgraphs[name].url, ENTITIES, { r: representations }, as);

  test.each([
    ["no key", { __typename: ENTITY[name] }, "representations[0]"],
    ["a key that is not text", { __typename: ENTITY[name], id: { not: "text" } }, "representations[0]"],
    ["an unknown type", { __typename: "NoSuchType", id: "x-1" }, "representations[0].__typename"],
    ["no type", { id: "x-1" }, "representations[0].__typename"],
  ])(
    "a representation with %s is BAD_USER_INPUT naming it, never an internal error",
    async (_, r, argument) => {
      const answered = await ask([r]);
      expect(answered.status).toBe(400);
      expect(answered.data ?? null).toBeNull();
      expect(answered.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument }),
        }),
      ]);
      expect(JSON.stringify(answered)).not.toMatch(/INTERNAL_SERVER_ERROR|loader\.load|_entities resolver/);
    },
  );

  test("a well-formed representation of an unknown id still answers null, as before", async () => {
    const answered = await ask([{ __typename: ENTITY[name], id: "zz-000000" }]);
    expect(answered.errors).toBeUndefined();
    expect(answered.data).toEqual({ _entities: [null] });
  });
});

describe("fields a representation carries for @requires (police's nearby incidents of a council ASB case)", () => {
  const NEARBY = `query Nearby($r: [_Any!]!) { _entities(representations: $r) {
    ... on AsbCase { id nearbyIncidents(radiusMetres: 500, monthsEitherSide: 3) { totalCount } }
  } }`;
  const ask = (representation: Record<string, unknown>) =>
    graphql(
      fed.federation.subgraphs.police.url,
      NEARBY,
      { r: [{ __typename: "AsbCase", id: "asb-000001", ...representation }] },
      as,
    );
  const place = { latitude: 51.5138, longitude: -0.0984 };

  test.each([
    [
      "a latitude that is not a number",
      { location: { ...place, latitude: "north" }, openedAt: "2019-03-01T00:00:00Z" },
      "representations[0].location.latitude",
    ],
    ["an opening date that is a number", { location: place, openedAt: 12 }, "representations[0].openedAt"],
    [
      "an opening date out of range",
      { location: place, openedAt: "0001-01-01T00:00:00Z" },
      "representations[0].openedAt",
    ],
    [
      "a location that is not an object",
      { location: "here", openedAt: "2019-03-01T00:00:00Z" },
      "representations[0].location",
    ],
  ])("%s is BAD_USER_INPUT naming it, never an internal error", async (_, representation, argument) => {
    const answered = await ask(representation);
    expect(answered.status).toBe(400);
    expect(answered.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument }) }),
    ]);
    expect(JSON.stringify(answered)).not.toMatch(/INTERNAL_SERVER_ERROR|internal error|toISOString/);
  });

  test("a well-formed one is answered as before", async () => {
    const answered = await ask({ location: place, openedAt: "2019-03-01T00:00:00Z" });
    expect(answered.errors).toBeUndefined();
    expect(answered.data).toEqual({
      _entities: [{ id: "asb-000001", nearbyIncidents: { totalCount: expect.any(Number) } }],
    });
  });
});
