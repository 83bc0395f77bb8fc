import { seedGovernance } from "../../subgraphs/governance/seed";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { seedYouth } from "../../subgraphs/youth/seed";
import { youth } from "../../subgraphs/youth/server";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * A referral to a youth programme for someone under 16 needs an active consent to youth
 * services covering YOUTH_PROGRAMME; otherwise a clear error and nothing written.
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
