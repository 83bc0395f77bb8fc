import type { Sql } from "../shared/database";
import { notFound } from "../shared/errors";
import type { ChangePolicy } from "../shared/policy";
import { AgreementRepository } from "./repositories/agreements";
import type { ProposeAgreementInput } from "./types";

/**
 * How the agreement mutations find the agreement they change (@Changes), for the shared
 * enforcement to check against Agreement's declared actor rule (AGREEMENT_PARTY). The register is
 * published, so an agreement exists for everyone: a non-party is refused, not told it is unknown.
 */

/** An agreement by id, locked for update inside a transaction. */
export const AGREEMENT_CHANGED: ChangePolicy<{ id: string }> = {
  find: ({ id }, sql: Sql) => new AgreementRepository(sql).lock(id),
  unknown: ({ id }) => notFound(`agreement ${id}`),
};

/** The agreement a proposal would make, as its parties read it: only they may propose it. */
export const AGREEMENT_PROPOSED: ChangePolicy<{ input: ProposeAgreementInput }> = {
  find: ({ input }) => ({
    providerAgencyId: input.providerAgencyId.trim(),
    recipientAgencyId: input.recipientAgencyId.trim(),
  }),
  unknown: () => notFound("agreement"),
};
