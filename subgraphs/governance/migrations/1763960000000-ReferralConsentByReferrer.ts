import type { MigrationInterface, QueryRunner } from "typeorm";

/** Who marks the consents this migration carries over, as their recorder. */
export const MIGRATED_BY = "migration:ReferralConsentByReferrer";

/**
 * A referral's consent is the referrer's (youth's referral-consent.ts): a partner referring someone
 * under 16 shares their details with youth services, so the consent that counts is one its own DSO
 * recorded for youth services, covering the category the referral discloses. Until now the rule
 * read consents youth services recorded to themselves covering YOUTH_PROGRAMME, and let any partner
 * refer under them. So that referrals allowed before are allowed still, each such consent is
 * carried over, with its dates, giver, evidence, expiry and withdrawal, to each partner the old
 * rule let refer under it and that may record one now (a non-revoked agreement has it share the
 * category with youth services): the council (ASB_CASE), police (INCIDENT_SUMMARY), housing
 * (TENANCY). The originals stay as they were (they no longer count); the copies name this
 * migration as their recorder.
 */
export class ReferralConsentByReferrer1763960000000 implements MigrationInterface {
  name = "ReferralConsentByReferrer1763960000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by,
                             given_at, expires_at, withdrawn_at, evidence_ref, recorded_by_agency_id, recorded_by,
                             recorded_at)
       SELECT c.id || '-' || r.provider, c.person_id, 'youth', r.provider, c.purposes, ARRAY[r.category], c.given_by,
              c.given_at, c.expires_at, c.withdrawn_at, c.evidence_ref, r.provider, $1, now()
         FROM consents c
        CROSS JOIN (VALUES ('council', 'ASB_CASE'), ('police', 'INCIDENT_SUMMARY'), ('housing', 'TENANCY'))
              AS r (provider, category)
        WHERE c.provider_agency_id = 'youth' AND c.recipient_agency_id = 'youth'
          AND 'YOUTH_PROGRAMME' = ANY (c.categories)
          AND EXISTS (SELECT 1 FROM agreements a
                       WHERE a.provider_agency_id = r.provider AND a.recipient_agency_id = 'youth'
                         AND a.status <> 'REVOKED' AND r.category = ANY (a.categories))
       ON CONFLICT (id) DO NOTHING`,
      [MIGRATED_BY],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM consents WHERE recorded_by = $1`, [MIGRATED_BY]);
  }
}
