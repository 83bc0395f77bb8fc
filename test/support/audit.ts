import type { Sql } from "../../subgraphs/shared/database";
import { canonicalAroundPeopleAndSequence, canonicalJson } from "../../subgraphs/shared/access/audit-chain";
import type { NewAuditRecord } from "../../subgraphs/governance/repositories/audit";

/**
 * An audit record of the kind the chain mostly holds: a council practitioner shown a police
 * incident under the police → council agreement. Tests give what they vary (time, user,
 * request, people, records).
 */
export function councilReadOfPoliceIncident(vary: Partial<NewAuditRecord>): NewAuditRecord {
  return {
    at: new Date(),
    userId: "council.officer",
    agencyId: "council",
    role: "PRACTITIONER",
    purpose: "ASB_CASE_MANAGEMENT",
    operationName: "Person360",
    requestId: "audit-fixture",
    ownerAgencyId: "police",
    personIds: ["per-000001"],
    categories: ["INCIDENT_SUMMARY"],
    recordIds: [],
    decision: "PERMITTED",
    reason: null,
    basis: "AGREEMENT",
    agreementId: "agr-police-council",
    consentId: null,
    breakGlass: false,
    justification: null,
    kind: "DISCLOSURE",
    detail: null,
    ...vary,
  };
}

/** Reads governance's person keys: what a test needs to read the people an audit record names. */
type KeyReader = Pick<Sql, "many">;

/**
 * The audit names people by keyed pseudonym (migration DataProtection): this maps each pseudonym
 * whose key still exists back to the person id, and leaves anything else (an id written in clear,
 * a pseudonym whose key was destroyed) as it is.
 */
export async function auditPeople(sql: KeyReader): Promise<(ids: readonly string[]) => string[]> {
  const keys = await sql.many<{ person_id: string; pseudonym: string }>(
    `SELECT person_id, pseudonym FROM person_keys`,
  );
  const byPseudonym = new Map(keys.map((k) => [k.pseudonym, k.person_id]));
  return (ids) => ids.map((id) => byPseudonym.get(id) ?? id);
}

/** The pseudonym the audit writes for a person in records of an agency's data (its key must exist). */
export async function auditPseudonyms(
  sql: KeyReader,
): Promise<(personId: string, agencyId: string) => string> {
  const keys = await sql.many<{ person_id: string; agency_id: string; pseudonym: string }>(
    `SELECT person_id, agency_id, pseudonym FROM person_keys`,
  );
  const byPerson = new Map(keys.map((k) => [`${k.agency_id}|${k.person_id}`, k.pseudonym]));
  return (personId, agencyId) => {
    const pseudonym = byPerson.get(`${agencyId}|${personId}`);
    if (!pseudonym) throw new Error(`no audit key for ${personId} at ${agencyId}`);
    return pseudonym;
  };
}

/**
 * Appends as `audit_append` did before pseudonyms (migration DataProtection): person ids in clear,
 * the content in two pieces around the sequence. For tests of a log written before that migration.
 */
export async function appendInClear(
  sql: Pick<Sql, "many">,
  records: readonly NewAuditRecord[],
): Promise<void> {
  const rows = records.map((r) => {
    const content = canonicalAroundPeopleAndSequence(r);
    return {
      at: r.at.toISOString(),
      user_id: r.userId,
      agency_id: r.agencyId,
      role: r.role,
      purpose: r.purpose,
      operation_name: r.operationName,
      request_id: r.requestId,
      owner_agency_id: r.ownerAgencyId,
      person_ids: r.personIds,
      categories: r.categories,
      record_ids: r.recordIds,
      decision: r.decision,
      reason: r.reason,
      basis: r.basis,
      agreement_id: r.agreementId,
      consent_id: r.consentId,
      break_glass: r.breakGlass,
      justification: r.justification,
      kind: r.kind,
      detail: r.detail,
      content_before: `${content.before}${canonicalJson(r.personIds)}${content.between}`,
      content_after: content.after,
    };
  });
  await sql.many(`SELECT record_sequence FROM audit_append($1::jsonb, NULL)`, [JSON.stringify(rows)]);
}
