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
  /** `access_facts_version` when they were read: an audit append checks it is still current. */
  version: number;
}

/** The version agreements and consents are at now. */
export async function accessFactsVersion(sql: Sql): Promise<number> {
  const row = await sql.one<{ version: string }>(`SELECT version FROM access_facts_version`);
  return Number(row!.version);
}

/** json_agg turns timestamps into ISO text: the rows as pg would have returned them. */
function withDates<T>(row: T, columns: readonly (keyof T)[]): T {
  const out = { ...row };
  for (const column of columns) {
    const value = out[column];
    if (typeof value === "string") out[column] = new Date(value) as T[keyof T];
  }
  return out;
}

/**
 * Everything `decideAccess` and `signpostingAllowed` need for one request, in one statement
 * whatever the number of people (every subgraph pays it on every request that touches another
 * agency's data): the agreements between the caller's agency and the owners, in both directions
 * (signposting looks both ways), whatever their status (explanations name the suspended and
 * expired ones), and the people's consents to the caller's agency, with the version they are at.
 */
export async function loadAccessFacts(sql: Sql, query: AccessFactsQuery): Promise<AccessFacts> {
  const providers = [...new Set(query.providerAgencyIds)];
  const people = [...new Set(query.personIds)];
  const row = await sql.one<{ agreements: AgreementRow[]; consents: ConsentRow[]; version: string }>(
    `SELECT
       (SELECT version FROM access_facts_version) AS version,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT ${AGREEMENT_COLUMNS} FROM agreements a
           WHERE (a.recipient_agency_id = $1 AND a.provider_agency_id = ANY($2))
              OR (a.provider_agency_id = $1 AND a.recipient_agency_id = ANY($2))) x) AS agreements,
       (SELECT coalesce(json_agg(x), '[]') FROM (
          SELECT ${CONSENT_COLUMNS} FROM consents c
           WHERE c.person_id = ANY($3) AND c.recipient_agency_id = $1) x) AS consents`,
    [query.recipientAgencyId, providers, people],
  );
  return {
    agreements: row!.agreements.map((a) =>
      agreementFacts(toAgreement(withDates(a, ["suspended_at", "revoked_at"]))),
    ),
    consents: row!.consents.map((c) =>
      consentFacts(toConsent(withDates(c, ["given_at", "expires_at", "withdrawn_at"]))),
    ),
    version: Number(row!.version),
  };
}
