import { seedGovernance } from "../../subgraphs/governance/seed";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { seedYouth } from "../../subgraphs/youth/seed";
import { youth } from "../../subgraphs/youth/server";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * A partner's referral of someone under 16 to a youth programme shares the young person's
 * details with youth services: it needs an active consent recorded by the referring agency (the
 * provider) for youth services (the recipient), covering the category the referral discloses
 * (the council's ASB_CASE, police's INCIDENT_SUMMARY) for the purpose; otherwise a clear error and
 * nothing written. A referral by youth services itself shares nothing and needs no such consent.
 * The demo's featured young people (ages as of this year): per-000001 is 12 with a parent's
 * consent, per-000002 is 15 with their own, per-000003 withdrew theirs, per-000004's expired,
 * per-000005 never gave one; per-000011 is an adult.
 */
const PEOPLE = demoPeople(42, "small");
let subgraph: TestSubgraph;
beforeAll(async () => {
  subgraph = await startTestSubgraph(
    youth,
    (sql) => seedYouth(sql, { seed: 42, scale: "small", people: PEOPLE }),
    {
      policy: (sql) => seedGovernance(sql, { seed: 42, scale: "small", people: PEOPLE }),
    },
  );
});
afterAll(() => subgraph.stop());

const REFER = `mutation ReferToProgramme($input: ReferralInput!) {
  referToProgramme(input: $input) { id status programme { id } }
}`;
const council: As = { agency: "council", role: Role.PRACTITIONER, purpose: "YOUTH_DIVERSION" };

async function referralsOf(personId: string): Promise<number> {
  const row = await subgraph.sql.one<{ n: string }>(
    `SELECT count(*) AS n FROM referrals WHERE person_id = $1`,
    [personId],
  );
  return Number(row!.n);
}

async function refer(personId: string, as: As = council) {
  const before = await referralsOf(personId);
  const res = await subgraph.query<{ referToProgramme: { id: string; status: string } }>(
    REFER,
    { input: { personId, programmeId: "prg-08", reason: "Repeated youth nuisance near the estate" } },
    as,
  );
  return { res, written: (await referralsOf(personId)) - before };
}

test("a 12-year-old with a parent's consent is referred", async () => {
  const { res, written } = await refer("per-000001");
  expect(res.errors).toBeUndefined();
  expect(res.data!.referToProgramme).toMatchObject({ status: "REFERRED", programme: { id: "prg-08" } });
  expect(written).toBe(1);
});

test("a 15-year-old with their own consent is referred", async () => {
  const { res, written } = await refer("per-000002");
  expect(res.errors).toBeUndefined();
  expect(written).toBe(1);
});

test.each([
  ["per-000005", "CONSENT_REQUIRED", "never consented"],
  ["per-000004", "CONSENT_REQUIRED", "consent expired"],
  ["per-000003", "CONSENT_WITHDRAWN", "consent withdrawn"],
])("%s (%s: %s) is refused and nothing is written", async (personId, reason) => {
  const { res, written } = await refer(personId);
  expect(res.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason });
  expect(res.errors?.[0].message).toMatch(/under 16 needs an active consent/);
  expect(res.data).toBeNull();
  expect(written).toBe(0);
});

test("a consent for another purpose does not cover the referral", async () => {
  // per-000002's consent covers YOUTH_DIVERSION and SAFEGUARDING, not crime prevention.
  const { res, written } = await refer("per-000002", { ...council, purpose: "CRIME_PREVENTION" });
  expect(res.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CONSENT_REQUIRED" });
  expect(written).toBe(0);
});

test("an adult needs no consent", async () => {
  const { res, written } = await refer("per-000011");
  expect(res.errors).toBeUndefined();
  expect(written).toBe(1);
});

test("someone not in the people index is refused naming input.personId", async () => {
  const { res, written } = await refer("per-999999");
  expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.personId" });
  expect(written).toBe(0);
});

describe("the consent that counts is the referrer's, for what it discloses", () => {
  const police: As = { ...council, agency: "police" };
  const youthPractitioner: As = { ...council, agency: "youth" };

  /** A consent of per-000005 to youth services, recorded by `provider`, covering `category`. */
  async function consentOf5(id: string, provider: string, recipient: string, category: string) {
    await subgraph.policySql.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by,
                             given_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ($1, 'per-000005', $2, $3, '{YOUTH_DIVERSION}', $4, 'PARENT_OR_GUARDIAN', now() - interval '1 hour',
               'test', $3, $3 || '.dso', now())`,
      [id, recipient, provider, [category]],
    );
  }
  afterEach(() => subgraph.policySql.exec(`DELETE FROM consents WHERE evidence_ref = 'test'`));

  test("police refer with police's consent to share incident summaries with youth services", async () => {
    const { res, written } = await refer("per-000001", police);
    expect(res.errors).toBeUndefined();
    expect(written).toBe(1);
  });

  test("a consent recorded by another agency does not cover the referrer's disclosure", async () => {
    await consentOf5("con-test-police", "police", "youth", "INCIDENT_SUMMARY");
    const byCouncil = await refer("per-000005");
    expect(byCouncil.res.errors?.[0].extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "CONSENT_REQUIRED",
    });
    expect(byCouncil.res.errors?.[0].message).toMatch(
      /recorded by a data-sharing officer of council.*ASB_CASE/,
    );
    expect(byCouncil.written).toBe(0);
    const byPolice = await refer("per-000005", police);
    expect(byPolice.res.errors).toBeUndefined();
    expect(byPolice.written).toBe(1);
  });

  test("a consent of the referrer's covering another category does not count", async () => {
    await consentOf5("con-test-council-other", "council", "youth", "RISK");
    const { res, written } = await refer("per-000005");
    expect(res.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CONSENT_REQUIRED" });
    expect(written).toBe(0);
  });

  test("a consent youth services recorded to themselves shares nothing and does not count", async () => {
    await consentOf5("con-test-youth-youth", "youth", "youth", "YOUTH_PROGRAMME");
    const { res, written } = await refer("per-000005");
    expect(res.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CONSENT_REQUIRED" });
    expect(written).toBe(0);
  });

  test("housing, which shares nothing with youth services, cannot refer an under-16", async () => {
    const { res, written } = await refer("per-000002", { ...council, agency: "housing" });
    expect(res.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CONSENT_REQUIRED" });
    expect(written).toBe(0);
  });

  test("youth services' own referral shares nothing with another agency and needs no such consent", async () => {
    const { res, written } = await refer("per-000005", youthPractitioner);
    expect(res.errors).toBeUndefined();
    expect(written).toBe(1);
  });
});
