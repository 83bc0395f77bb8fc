import { Role } from "../../subgraphs/shared/enums";
import { contractOperations } from "../support/contract";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * Issue 9, "Consent recorded by the wrong agency", through the gateway with the contract's own
 * operations: a consent is recorded by the agency that holds the data, covers only that data,
 * and is ended by it or, on the person's word, by the recipient.
 */
let fed: TestFederation;
beforeAll(async () => {
  // Its own databases: consents are recorded and withdrawn here.
  fed = await startTestFederation({ fresh: true });
}, 180_000);
afterAll(() => fed?.stop());

const operations = new Map(contractOperations().map((o) => [o.name, o]));
const run = (name: string, variables: Record<string, unknown>, as: As) =>
  fed.query(operations.get(name)!.source, variables, { ...as, operationName: name });

const PERSON = "per-000512";
const ENROLMENTS = `query Enrolments($id: ID!) {
  person(id: $id) { id enrolments(first: 50) { totalCount edges { node { id yearGroup attendanceRate } } } }
}`;
const dso = (agency: string): As => ({ agency, role: Role.DATA_SHARING_OFFICER, purpose: "SAFEGUARDING" });
const police: As = { agency: "police", role: Role.PRACTITIONER, purpose: "SAFEGUARDING" };

const consentTo = (recipientAgencyId: string, over: Record<string, unknown> = {}) => ({
  input: {
    personId: PERSON,
    recipientAgencyId,
    purposes: ["SAFEGUARDING"],
    categories: ["EDUCATION"],
    givenBy: "PARENT_OR_GUARDIAN",
    givenAt: new Date(Date.now() - 86_400_000).toISOString(),
    evidenceRef: "PROVENANCE-TEST",
    ...over,
  },
});

/** The enrolment ids youth services hold for the person (what police must not get unasked). */
let held: string[];
/** Every enrolment id anywhere in police's answer, data or errors. */
async function enrolmentIdsPoliceGets(): Promise<string[]> {
  const response = await fed.query(ENROLMENTS, { id: PERSON }, police);
  const text = JSON.stringify(response);
  return held.filter((id) => text.includes(`"${id}"`));
}

beforeAll(async () => {
  const own = await fed.query<{ person: { enrolments: { edges: { node: { id: string } }[] } } }>(
    ENROLMENTS,
    { id: PERSON },
    { agency: "youth", role: Role.PRACTITIONER, purpose: "SAFEGUARDING" },
  );
  expect(own.errors).toBeUndefined();
  held = own.data!.person.enrolments.edges.map((e) => e.node.id);
  expect(held.length).toBeGreaterThan(0);
});

test("without a consent, police do not read youth's enrolments", async () => {
  expect(await enrolmentIdsPoliceGets()).toEqual([]);
});

test("a housing DSO cannot record a consent for police to have EDUCATION; police still read nothing", async () => {
  const refused = await run("RecordConsent", consentTo("police"), dso("housing"));
  expect(refused.data?.recordConsent ?? null).toBeNull();
  expect(refused.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.categories",
  });
  expect(await enrolmentIdsPoliceGets()).toEqual([]);
});

test("the recipient cannot record a consent to itself", async () => {
  const refused = await run("RecordConsent", consentTo("police"), dso("police"));
  expect(refused.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.recipientAgencyId",
  });
  expect(await enrolmentIdsPoliceGets()).toEqual([]);
});

test("a consent for a person not in the people index is refused naming personId", async () => {
  const refused = await run("RecordConsent", consentTo("police", { personId: "per-999999" }), dso("youth"));
  expect(refused.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.personId",
  });
});

test("youth's DSO records it (contract operations): police read the enrolments; the recipient ends it on the person's word", async () => {
  const recorded = await run("RecordConsent", consentTo("police"), dso("youth"));
  expect(recorded.errors).toBeUndefined();
  const consent = (recorded.data as { recordConsent: Record<string, unknown> }).recordConsent;
  expect(consent).toMatchObject({
    status: "ACTIVE",
    person: { id: PERSON },
    recipient: { id: "police" },
    purposes: ["SAFEGUARDING"],
    categories: ["EDUCATION"],
    givenBy: "PARENT_OR_GUARDIAN",
    expiresAt: null,
  });
  expect((await enrolmentIdsPoliceGets()).sort()).toEqual([...held].sort());

  // Both parties list it; a third agency does not.
  const listed = async (agency: string) => {
    const r = await run("PersonConsents", { personId: PERSON }, dso(agency));
    expect(r.errors).toBeUndefined();
    return (r.data as { person: { consents: { id: string }[] } }).person.consents.map((c) => c.id);
  };
  expect(await listed("youth")).toContain(consent.id);
  expect(await listed("police")).toContain(consent.id);
  expect(await listed("housing")).not.toContain(consent.id);

  const byHousing = await run("WithdrawConsent", { id: consent.id }, dso("housing"));
  // Issue 9: housing is no party to the consent, which answers as a missing one.
  expect(byHousing.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND" });
  const withdrawn = await run("WithdrawConsent", { id: consent.id }, dso("police"));
  expect(withdrawn.errors).toBeUndefined();
  expect((withdrawn.data as { withdrawConsent: { status: string } }).withdrawConsent.status).toBe(
    "WITHDRAWN",
  );
  expect(await enrolmentIdsPoliceGets()).toEqual([]);
});
