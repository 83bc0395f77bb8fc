import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import { type GraphQLResponse } from "../support/graphql";

/**
 * Found by attacking the running federation from outside (issue 9, "nothing revealed"): governance
 * records another agency may not know of answer exactly as unknown ids do, through the gateway.
 */

let fed: TestFederation;

beforeAll(async () => {
  fed = await startTestFederation();
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

const DSO = Role.DATA_SHARING_OFFICER;
const JUSTIFICATION = "Child reported missing tonight; school contacts needed now";

const REVIEW = `mutation Review($id: ID!) {
  reviewBreakGlass(id: $id, outcome: JUSTIFIED, note: "Reviewed by the attack test") { id reviewed }
}`;

/** An answer with the id asked for taken out, to compare a real id's answer with an unknown one's. */
function shape(response: GraphQLResponse<unknown>, id: string): string {
  const { status, ...body } = response;
  return `${status} ${JSON.stringify(body).split(id).join("<id>")}`;
}

describe("break-glass events of another agency", () => {
  test("reviewBreakGlass on another agency's event answers NOT_FOUND, as for an unknown id, and changes nothing", async () => {
    // Housing has no agreement with youth services: break-glass releases the pupil's enrolment.
    const glass = await fed.query(
      `{ person(id: "per-000001") { enrolments { edges { node { id } } } } }`,
      {},
      { agency: "housing", purpose: Purpose.SAFEGUARDING, breakGlass: JUSTIFICATION },
    );
    expect(glass.errors).toBeUndefined();
    const events = await fed.query<{ breakGlassEvents: { id: string; justification: string }[] }>(
      `{ breakGlassEvents(reviewed: false) { id justification } }`,
      {},
      { agency: "youth", role: DSO, purpose: Purpose.SAFEGUARDING },
    );
    const event = events.data!.breakGlassEvents.find((e) => e.justification === JUSTIFICATION);
    expect(event).toBeDefined();
    const unknown = String(Number(event!.id) + 1_000_000);

    for (const agency of ["police", "council", "housing"]) {
      const as = { agency, role: DSO, purpose: Purpose.SAFEGUARDING };
      const real = await fed.query(REVIEW, { id: event!.id }, as);
      const missing = await fed.query(REVIEW, { id: unknown }, as);
      expect(real.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      // Nothing tells the real event from a missing one: not the owner, not a reason.
      expect(shape(real, event!.id)).toBe(shape(missing, unknown));
      expect(JSON.stringify(real)).not.toContain("youth");
    }

    // Still unreviewed: the owner's DSO reviews it.
    const owner = await fed.query<{ reviewBreakGlass: { reviewed: boolean } }>(
      REVIEW,
      { id: event!.id },
      { agency: "youth", role: DSO, purpose: Purpose.SAFEGUARDING },
    );
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.reviewBreakGlass.reviewed).toBe(true);
  });
});
