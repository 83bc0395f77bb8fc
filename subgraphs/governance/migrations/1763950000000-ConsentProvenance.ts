import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Consent has provenance, and identity is checked against the registry (issue 9, items 4 and 7).
 *
 * - `consents.provider_agency_id`: the agency that holds the data a consent lets it share (the
 *   provider). A consent covers only its provider's data to its recipient. Existing consents take
 *   the agency whose data-sharing officer recorded them: every consent until now was recorded by
 *   a DSO of the agency holding the categories it names (youth services for EDUCATION and
 *   YOUTH_PROGRAMME, housing for FINANCIAL), so the recorder is the provider they were meant for.
 *   Consents youth services recorded to themselves (for its own programme referrals) keep youth as
 *   provider: they share nothing (an agency's own data needs no consent) and the referral rule
 *   no longer reads them (a referral's consent is the referrer's: see youth's referral-consent.ts).
 * - `agencies.active`: a registered agency whose tokens are accepted. Tokens of an inactive or
 *   unregistered agency are refused (401) by the gateway and every subgraph.
 * - `person_dates_of_birth` is governance's copy of the people index (every person in it, with
 *   the date of birth when the index knows it): a consent for someone not in it is refused.
 */
export class ConsentProvenance1763950000000 implements MigrationInterface {
  name = "ConsentProvenance1763950000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consents ADD COLUMN provider_agency_id text REFERENCES agencies (id)`);
    await q.query(`UPDATE consents SET provider_agency_id = recorded_by_agency_id`);
    await q.query(`ALTER TABLE consents ALTER COLUMN provider_agency_id SET NOT NULL`);
    await q.query(`ALTER TABLE agencies ADD COLUMN active boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE person_dates_of_birth ALTER COLUMN date_of_birth DROP NOT NULL`);
    await q.query(
      `COMMENT ON TABLE person_dates_of_birth IS 'Governance''s copy of the partnership people index: every person in it, with the date of birth when known'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`COMMENT ON TABLE person_dates_of_birth IS NULL`);
    await q.query(`DELETE FROM person_dates_of_birth WHERE date_of_birth IS NULL`);
    await q.query(`ALTER TABLE person_dates_of_birth ALTER COLUMN date_of_birth SET NOT NULL`);
    await q.query(`ALTER TABLE agencies DROP COLUMN active`);
    await q.query(`ALTER TABLE consents DROP COLUMN provider_agency_id`);
  }
}
