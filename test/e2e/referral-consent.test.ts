import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * Through the federation: the consent a partner's referral of an under-16 needs is one that
 * partner's DSO can record (an agreement in force has it share the category the referral discloses
 * with youth services), and once recorded the referral goes through; an agency that shares nothing
 * with youth services cannot record one, not even under an agreement it proposed itself that youth
 * services never approved, and youth services cannot record one to themselves.
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
  // The demo has the council's own referral of them to this programme open; closed here, since a
  // second open referral would be refused as a duplicate (youth.test.ts), and this is about consent.
  await fed.stores.youth.sql.exec(
    `UPDATE referrals SET status = 'WITHDRAWN'
      WHERE person_id = $1 AND programme_id = 'prg-08' AND status IN ('REFERRED', 'ACCEPTED', 'ACTIVE')`,
    [PERSON],
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

test("issue 15: housing proposes housing → youth, cannot record a consent under the DRAFT, and its referral is not written", async () => {
  // A young person closest to 13 today, as in the finding.
  const young = (await fed.stores.governance.sql.one<{ person_id: string }>(
    `SELECT person_id FROM person_dates_of_birth
      WHERE person_id BETWEEN 'per-000001' AND 'per-000010'
      ORDER BY abs(extract(year FROM age(current_date, date_of_birth)) - 13), person_id LIMIT 1`,
  ))!.person_id;
  const referrals = async () =>
    Number(
      (await fed.stores.youth.sql.one<{ n: string }>(
        `SELECT count(*) AS n FROM referrals WHERE person_id = $1`,
        [young],
      ))!.n,
    );
  const proposed = await fed.query<{ proposeAgreement: { id: string; status: string } }>(
    `mutation Propose($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id status } }`,
    {
      input: {
        title: "Tenancy information for youth diversion",
        providerAgencyId: "housing",
        recipientAgencyId: "youth",
        purposes: [Purpose.YOUTH_DIVERSION],
        categories: ["TENANCY"],
        consentRequiredFor: [],
        lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
        validFrom: "2025-01-01",
        validTo: "2029-12-31",
        reviewDate: "2027-01-31",
      },
    },
    dso("housing"),
  );
  expect(proposed.data!.proposeAgreement.status).toBe("DRAFT");
  const consentsBefore = await fed.stores.governance.sql.one<{ n: string }>(
    `SELECT count(*) AS n FROM consents`,
  );

  const consent = await fed.query(
    RECORD,
    { input: { ...consentInput("TENANCY"), personId: young } },
    dso("housing"),
  );
  expect(consent.errors?.[0].extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.categories",
  });
  expect(consent.errors?.[0].message).toMatch(/agreement in force.*housing → youth\) is awaiting approval/);
  expect(await fed.stores.governance.sql.one(`SELECT count(*) AS n FROM consents`)).toEqual(consentsBefore);

  const before = await referrals();
  const referred = await fed.query(
    REFER,
    {
      input: {
        personId: young,
        programmeId: "prg-08",
        reason: "Nuisance reported by neighbours on the estate",
      },
    },
    { agency: "housing", purpose: Purpose.YOUTH_DIVERSION },
  );
  expect(referred.errors).toHaveLength(1);
  expect(referred.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "NO_AGREEMENT" });
  expect(referred.data?.referToProgramme ?? null).toBeNull();
  // Youth services hold no new referral: nothing was written.
  expect(await referrals()).toBe(before);
});
