import type { Sql } from "../../shared/database";
import type { AgreementFacts, ConsentFacts } from "../../shared/access/decision";
import { AGREEMENT_COLUMNS, agreementFacts, toAgreement, type AgreementRow } from "./agreements";
import { CONSENT_COLUMNS, consentFacts, toConsent, type ConsentRow } from "./consents";

export interface AccessFactsQuery {
  /** The caller's agency. */
  recipientAgencyId: string;
  /** The agencies whose data the request may return. */
  providerAgencyIds: string[];
  /** The people it is about. */
  personIds: string[];
}

export interface AccessFacts {
  agreements: AgreementFacts[];
  consents: ConsentFacts[];
}

/**
 * Everything `decideAccess` and `signpostingAllowed` need for one request, in two statements
 * whatever the number of people: the agreements between the caller's agency and the owners, in
 * both directions (signposting looks both ways), whatever their status (explanations name the
 * suspended and expired ones), and the people's consents to the caller's agency.
 * Read fresh for every request: a change to an agreement or consent holds from the next one.
 */
export async function loadAccessFacts(sql: Sql, query: AccessFactsQuery): Promise<AccessFacts> {
  const providers = [...new Set(query.providerAgencyIds)];
  const people = [...new Set(query.personIds)];
  const [agreements, consents] = await Promise.all([
    sql.many<AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM agreements a
        WHERE (a.recipient_agency_id = $1 AND a.provider_agency_id = ANY($2))
           OR (a.provider_agency_id = $1 AND a.recipient_agency_id = ANY($2))`,
      [query.recipientAgencyId, providers],
    ),
    sql.many<ConsentRow>(
      `SELECT ${CONSENT_COLUMNS} FROM consents c WHERE c.person_id = ANY($1) AND c.recipient_agency_id = $2`,
      [people, query.recipientAgencyId],
    ),
  ]);
  return {
    agreements: agreements.map((row) => agreementFacts(toAgreement(row))),
    consents: consents.map((row) => consentFacts(toConsent(row))),
  };
}
