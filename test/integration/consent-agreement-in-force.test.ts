import { demoPeople } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { governance } from "../../subgraphs/governance/server";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * Issue 15, finding 2: a consent is recorded only under an agreement in force (ACTIVE today) from
 * its provider to its recipient that shares each of its categories for each of its purposes. The
 * demo partnership has one agreement of each other status: police → housing SUSPENDED, council →
 * housing expired (2024-03-31), housing → police for CRIME_PREVENTION a DRAFT (housing → police
 * for SAFEGUARDING is ACTIVE). A refused consent writes nothing, not even an audit record.
 */
const RECORD = `mutation RecordConsent($input: RecordConsentInput!) { recordConsent(input: $input) { id status } }`;
const PROPOSE = `mutation ProposeAgreement($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id status } }`;
const APPROVE = `mutation ApproveAgreement($id: ID!) { approveAgreement(id: $id) { id status } }`;

const dso = (agency: string, purpose = "SAFEGUARDING"): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  purpose,
});

let sub: TestSubgraph;
beforeAll(async () => {
  sub = await startTestSubgraph(governance, (sql) =>
    seedGovernance(sql, { seed: 42, scale: "small", people: demoPeople(42, "small") }),
  );
});
afterAll(() => sub.stop());

/** An adult in the people index (per-000011), so the under-13 rule does not interfere. */
const consent = (over: Record<string, unknown>) => ({
  input: {
    personId: "per-000011",
    givenBy: "SELF",
    givenAt: new Date(Date.now() - 3_600_000).toISOString(),
    evidenceRef: "IN-FORCE-TEST",
    ...over,
  },
});

/** Consents and consent changes recorded by this file's tests. */
async function written(): Promise<{ consents: number; audit: number }> {
  const row = await sub.sql.one<{ consents: string; audit: string }>(
    `SELECT (SELECT count(*) FROM consents WHERE evidence_ref = 'IN-FORCE-TEST') AS consents,
            (SELECT count(*) FROM audit_log WHERE kind = 'CONSENT_CHANGE') AS audit`,
  );
  return { consents: Number(row!.consents), audit: Number(row!.audit) };
}

async function refused(input: Record<string, unknown>, as: As) {
  const before = await written();
  const res = await sub.query<{ recordConsent: unknown }>(RECORD, consent(input), as);
  expect(res.data?.recordConsent ?? null).toBeNull();
  expect(await written()).toEqual(before);
  return res.errors?.[0];
}

test.each([
  [
    "SUSPENDED",
    "police",
    { recipientAgencyId: "housing", purposes: ["TENANCY_SUSTAINMENT"], categories: ["INCIDENT_SUMMARY"] },
    /agreement in force.*police → housing\) is suspended/,
  ],
  [
    "expired",
    "council",
    { recipientAgencyId: "housing", purposes: ["ASB_CASE_MANAGEMENT"], categories: ["ASB_CASE"] },
    /agreement in force.*council → housing\) is expired on 2024-03-31/,
  ],
])(
  "a consent under an agreement %s is refused, naming why, and nothing is written",
  async (_status, provider, input, message) => {
    const error = await refused(input, dso(provider));
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.categories" });
    expect(error?.message).toMatch(message);
  },
);

test("a consent for a purpose only a DRAFT agreement covers is refused naming input.purposes", async () => {
  // housing → police shares TENANCY for SAFEGUARDING (ACTIVE); for CRIME_PREVENTION only in a DRAFT.
  const error = await refused(
    { recipientAgencyId: "police", purposes: ["CRIME_PREVENTION"], categories: ["TENANCY"] },
    dso("housing"),
  );
  expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.purposes" });
  expect(error?.message).toMatch(/none has housing share TENANCY with police for CRIME_PREVENTION/);

  const inForce = await sub.query<{ recordConsent: { status: string } }>(
    RECORD,
    consent({ recipientAgencyId: "police", purposes: ["SAFEGUARDING"], categories: ["TENANCY"] }),
    dso("housing"),
  );
  expect(inForce.errors).toBeUndefined();
  expect(inForce.data!.recordConsent.status).toBe("ACTIVE");
});

test("the attack: housing proposes housing → youth and records a consent under the DRAFT: refused until youth approves", async () => {
  const proposed = await sub.query<{ proposeAgreement: { id: string; status: string } }>(
    PROPOSE,
    {
      input: {
        title: "Tenancy information for youth diversion",
        providerAgencyId: "housing",
        recipientAgencyId: "youth",
        purposes: ["YOUTH_DIVERSION"],
        categories: ["TENANCY"],
        consentRequiredFor: [],
        lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
        validFrom: "2025-01-01",
        validTo: "2029-12-31",
        reviewDate: "2027-01-31",
      },
    },
    dso("housing", "YOUTH_DIVERSION"),
  );
  expect(proposed.errors).toBeUndefined();
  expect(proposed.data!.proposeAgreement.status).toBe("DRAFT");
  const referralConsent = {
    personId: "per-000005",
    recipientAgencyId: "youth",
    purposes: ["YOUTH_DIVERSION"],
    categories: ["TENANCY"],
    givenBy: "PARENT_OR_GUARDIAN",
  };
  const approve = (agency: string) =>
    sub.query<{ approveAgreement: { status: string } }>(
      APPROVE,
      { id: proposed.data!.proposeAgreement.id },
      dso(agency, "YOUTH_DIVERSION"),
    );
  const draft = await refused(referralConsent, dso("housing", "YOUTH_DIVERSION"));
  expect(draft?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.categories" });
  expect(draft?.message).toMatch(
    /agreement in force.*housing → youth\) is awaiting approval by provider housing and recipient youth/,
  );
  // Housing's own approval does not put it in force.
  expect((await approve("housing")).data!.approveAgreement.status).toBe("DRAFT");
  const halfApproved = await refused(referralConsent, dso("housing", "YOUTH_DIVERSION"));
  expect(halfApproved?.message).toMatch(/housing → youth\) is awaiting approval by recipient youth/);

  // Once youth services approve, it is in force, and the consent can be recorded under it.
  expect((await approve("youth")).data!.approveAgreement.status).toBe("ACTIVE");
  const recorded = await sub.query<{ recordConsent: { status: string } }>(
    RECORD,
    consent(referralConsent),
    dso("housing", "YOUTH_DIVERSION"),
  );
  expect(recorded.errors).toBeUndefined();
  expect(recorded.data!.recordConsent.status).toBe("ACTIVE");
});
