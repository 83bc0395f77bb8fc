import { appendInClear } from "../support/audit";
import { loadAccessFacts } from "../../subgraphs/shared/access/governance-sql";
import { verifyAudit } from "../../subgraphs/governance/repositories/audit";
import { Initial1763700000000 } from "../../subgraphs/governance/migrations/1763700000000-Initial";
import { OneRoundTripAccess1763900000000 } from "../../subgraphs/governance/migrations/1763900000000-OneRoundTripAccess";
import { governance } from "../../subgraphs/governance/server";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import { uniqueDatabaseUrl } from "../support/database";

/**
 * The consent provenance migration over a governance store as it was before it: consents take
 * the agency that recorded them as their provider, agencies stay active, and the audit chain
 * still verifies.
 */
const url = uniqueDatabaseUrl("governance_before");
const before = { ...governance, migrations: [Initial1763700000000, OneRoundTripAccess1763900000000] };
let store: SubgraphStore | undefined;

afterAll(() => store?.close());

test("existing consents take their recording agency as provider; the audit still verifies", async () => {
  const old = await openStore(before, url, { poolSize: 2 });
  try {
    await old.sql.exec(
      `INSERT INTO agencies (id, name, kind, contact) VALUES
         ('police', 'Police', 'POLICE', 'p'), ('council', 'Council', 'COUNCIL', 'c'),
         ('youth', 'Youth', 'YOUTH', 'y'), ('housing', 'Housing', 'HOUSING', 'h')`,
    );
    await old.sql.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, purposes, categories, given_by, given_at,
                             evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-a', 'per-000002', 'police', '{SAFEGUARDING}', '{EDUCATION}', 'SELF', '2019-03-03T10:00:00Z',
               'YS-1', 'youth', 'youth.dso', '2019-03-03T12:00:00Z'),
              ('con-b', 'per-000011', 'council', '{TENANCY_SUSTAINMENT}', '{FINANCIAL}', 'SELF', '2019-04-11T14:00:00Z',
               'CH-1', 'housing', 'housing.dso', '2019-04-11T16:00:00Z')`,
    );
    await old.sql.exec(
      `INSERT INTO person_dates_of_birth (person_id, date_of_birth) VALUES ('per-000002', '2010-05-01')`,
    );
    // As audit_append then wrote it: people in clear (pseudonyms came with DataProtection).
    await appendInClear(
      old.sql,
      ["youth", "housing"].map((agency, i) => ({
        at: new Date(`2024-0${i + 1}-01T09:00:00Z`),
        userId: `${agency}.dso`,
        agencyId: agency,
        role: "DATA_SHARING_OFFICER",
        purpose: null,
        operationName: "RecordConsent",
        requestId: `before-${i}`,
        ownerAgencyId: agency,
        personIds: [],
        categories: [],
        recordIds: [],
        decision: "PERMITTED" as const,
        reason: null,
        basis: null,
        agreementId: null,
        consentId: null,
        breakGlass: false,
        justification: null,
        kind: "CONSENT_CHANGE" as const,
        detail: "recorded before provenance",
      })),
    );
  } finally {
    await old.close();
  }

  store = await openStore(governance, url, { poolSize: 2 });
  const consents = await store.sql.many<{ id: string; provider_agency_id: string }>(
    `SELECT id, provider_agency_id FROM consents ORDER BY id`,
  );
  expect(consents).toEqual([
    { id: "con-a", provider_agency_id: "youth" },
    { id: "con-b", provider_agency_id: "housing" },
  ]);
  expect(await store.sql.many(`SELECT id FROM agencies WHERE NOT active`)).toEqual([]);
  // The copy of the people index may now hold someone whose date of birth is not known.
  await store.sql.exec(
    `INSERT INTO person_dates_of_birth (person_id, date_of_birth) VALUES ('per-000003', NULL)`,
  );
  const facts = await loadAccessFacts(store.sql, {
    recipientAgencyId: "police",
    providerAgencyIds: ["youth"],
    personIds: ["per-000002"],
  });
  expect(facts.consents.map((c) => [c.id, c.providerAgencyId])).toEqual([["con-a", "youth"]]);
  expect(await verifyAudit(store.sql)).toMatchObject({ ok: true, checked: 2 });
});
