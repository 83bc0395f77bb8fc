import { loadAccessFacts } from "../../governance/repositories/access-facts";
import { AgencyRepository } from "../../governance/repositories/agencies";
import { accessAuditRecord, AuditRepository } from "../../governance/repositories/audit";
import { ConsentRepository } from "../../governance/repositories/consents";
import type { Sql } from "../database";
import type { PolicyStore } from "./guard";

/**
 * The governance store as every subgraph consults it: agreements and consents read fresh for
 * each request (a change holds from the very next one), and the audit chain appended to.
 */
export function governancePolicyStore(sql: Sql): PolicyStore {
  return {
    loadFacts: (recipientAgencyId, providerAgencyIds, personIds) =>
      loadAccessFacts(sql, { recipientAgencyId, providerAgencyIds, personIds }),
    async agencyContacts() {
      const agencies = await new AgencyRepository(sql).all();
      return new Map(agencies.map((a) => [a.id, a.contact]));
    },
    dateOfBirth: (personId) => new ConsentRepository(sql).dateOfBirth(personId),
    async appendAudit(entries) {
      await AuditRepository.append(sql, entries.map(accessAuditRecord));
    },
  };
}
