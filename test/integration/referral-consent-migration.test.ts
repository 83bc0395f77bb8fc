import { ConsentProvenance1763950000000 } from "../../subgraphs/governance/migrations/1763950000000-ConsentProvenance";
import { Initial1763700000000 } from "../../subgraphs/governance/migrations/1763700000000-Initial";
import { OneRoundTripAccess1763900000000 } from "../../subgraphs/governance/migrations/1763900000000-OneRoundTripAccess";
import { MIGRATED_BY } from "../../subgraphs/governance/migrations/1763960000000-ReferralConsentByReferrer";
import { governance } from "../../subgraphs/governance/server";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import { uniqueDatabaseUrl } from "../support/database";

/**
 * The referral consent migration over a governance store as it was before it: a consent youth
 * services recorded to themselves for programme referrals is carried over to each partner that
 * may now record one (an agreement shares the category the referral discloses with youth
 * services), with its dates and withdrawal; nothing else changes.
 */
const url = uniqueDatabaseUrl("governance_referrals");
const before = {
  ...governance,
  migrations: [Initial1763700000000, OneRoundTripAccess1763900000000, ConsentProvenance1763950000000],
};
let store: SubgraphStore | undefined;

afterAll(() => store?.close());

test("youth's own referral consents become the referring partners', where an agreement lets them record one", async () => {
  const old = await openStore(before, url, { poolSize: 2 });
  try {
    await old.sql.exec(
      `INSERT INTO agencies (id, name, kind, contact) VALUES
         ('police', 'Police', 'POLICE', 'p'), ('council', 'Council', 'COUNCIL', 'c'),
         ('youth', 'Youth', 'YOUTH', 'y'), ('housing', 'Housing', 'HOUSING', 'h')`,
    );
    // The council shares ASB cases with youth services; police's agreement was revoked; housing has none.
    await old.sql.exec(
      `INSERT INTO agreements (id, reference, title, provider_agency_id, recipient_agency_id, status, purposes,
                               categories, lawful_basis, valid_from, valid_to, review_date, proposed_by, proposed_at)
       VALUES ('agr-cy', 'ISA-1', 't', 'council', 'youth', 'ACTIVE', '{YOUTH_DIVERSION}', '{ASB_CASE}', 'b',
               '2019-01-01', '2030-01-01', '2029-01-01', 'x', now()),
              ('agr-py', 'ISA-2', 't', 'police', 'youth', 'REVOKED', '{YOUTH_DIVERSION}', '{INCIDENT_SUMMARY}', 'b',
               '2019-01-01', '2030-01-01', '2029-01-01', 'x', now())`,
    );
    await old.sql.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by,
                             given_at, withdrawn_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-y', 'per-000003', 'youth', 'youth', '{YOUTH_DIVERSION,SAFEGUARDING}', '{EDUCATION,YOUTH_PROGRAMME}',
               'SELF', '2019-03-04T10:00:00Z', '2019-06-01T12:00:00Z', 'YS-3', 'youth', 'youth.dso', '2019-03-04T12:00:00Z'),
              ('con-p', 'per-000003', 'police', 'youth', '{SAFEGUARDING}', '{EDUCATION}',
               'SELF', '2019-03-04T10:00:00Z', NULL, 'YS-3', 'youth', 'youth.dso', '2019-03-04T12:00:00Z')`,
    );
  } finally {
    await old.close();
  }

  store = await openStore(governance, url, { poolSize: 2 });
  const consents = await store.sql.many<Record<string, unknown>>(
    `SELECT id, person_id, provider_agency_id, recipient_agency_id, purposes, categories, given_at, withdrawn_at,
            evidence_ref, recorded_by_agency_id, recorded_by
       FROM consents ORDER BY id`,
  );
  expect(consents.map((c) => c.id)).toEqual(["con-p", "con-y", "con-y-council"]);
  const original = consents.find((c) => c.id === "con-y")!;
  expect(consents.find((c) => c.id === "con-y-council")).toEqual({
    ...original,
    id: "con-y-council",
    provider_agency_id: "council",
    categories: ["ASB_CASE"],
    recorded_by_agency_id: "council",
    recorded_by: MIGRATED_BY,
  });
});
