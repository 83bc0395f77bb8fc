import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * Through the federation: the consent a partner's referral of an under-16 needs is one that
 * partner's DSO can record (an agreement has it share the category the referral discloses with
 * youth services), and once recorded the referral goes through; an agency that shares nothing with
 * youth services cannot record one, and youth services cannot record one to themselves.
 */

let fed: TestFederation;

beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

const PERSON = "per-000005"; // a featured young person under 16 who never consented to a referral
const RECORD = `mutation Record($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`;
const REFER = `mutation Refer($input: ReferralInput!) { referToProgramme(input: $input) { id status } }`;

const consentInput = (category: string) => ({
  personId: PERSON,
  recipientAgencyId: "youth",
  purposes: [Purpose.YOUTH_DIVERSION],
  categories: [category],
  givenBy: "PARENT_OR_GUARDIAN",
  givenAt: new Date(Date.now() - 60_000).toISOString(),
  evidenceRef: "e2e-referral-consent",
});
const dso = (agency: string): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  purpose: Purpose.YOUTH_DIVERSION,
});
const practitioner: As = { agency: "council", purpose: Purpose.YOUTH_DIVERSION };

test("a council DSO records the consent a council referral needs, and the referral goes through", async () => {
  const refer = () =>
    fed.query<{ referToProgramme: { status: string } }>(
      REFER,
      {
        input: { personId: PERSON, programmeId: "prg-08", reason: "Repeated youth nuisance near the estate" },
      },
      practitioner,
    );
  const refused = await refer();
  expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CONSENT_REQUIRED" });

  const recorded = await fed.query<{ recordConsent: { id: string } }>(
    RECORD,
    { input: consentInput("ASB_CASE") },
    dso("council"),
  );
  expect(recorded.errors).toBeUndefined();

  const referred = await refer();
  expect(referred.errors).toBeUndefined();
  expect(referred.data!.referToProgramme.status).toBe("REFERRED");
});

test("housing cannot record a referral consent (it shares nothing with youth services), nor youth one to itself", async () => {
  const byHousing = await fed.query(RECORD, { input: consentInput("TENANCY") }, dso("housing"));
  expect(byHousing.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.categories",
  });
  const byYouth = await fed.query(RECORD, { input: consentInput("YOUTH_PROGRAMME") }, dso("youth"));
  expect(byYouth.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.recipientAgencyId",
  });
});
