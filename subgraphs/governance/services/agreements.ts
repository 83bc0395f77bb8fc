import { randomUUID } from "node:crypto";
import { agreementStatusNote, effectiveAgreementStatus } from "../../shared/access/decision";
import { calendarDate } from "../../shared/facts";
import type { Sql } from "../../shared/database";
import { AgreementStatus, DataCategory, Purpose } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import { AgencyRepository } from "../repositories/agencies";
import { AgreementRepository, agreementFacts } from "../repositories/agreements";
import { AuditRepository } from "../repositories/audit";
import { Agreement, type ProposeAgreementInput } from "../types";
import { notify } from "../../shared/notifications";
import { changeRecord, requiredText, type Acting } from "./acting";
import { agreementAwaitingApproval } from "./notifications";

/** A `Date` scalar value as YYYY-MM-DD (the scalar parses to UTC midnight). */
const day = (date: Date) => date.toISOString().slice(0, 10);
const unique = <T>(items: T[]) => [...new Set(items)];

/**
 * Proposes an agreement as DRAFT. The proposer's own approval is not implied: both parties
 * approve explicitly, so no agreement takes effect on one officer's word.
 */
export async function proposeAgreement(
  sql: Sql,
  acting: Acting,
  input: ProposeAgreementInput,
): Promise<string> {
  const providerAgencyId = input.providerAgencyId.trim();
  const recipientAgencyId = input.recipientAgencyId.trim();
  // Agreement's declared actor rule (a DSO of one of its two parties) was checked on these (@Changes).
  if (providerAgencyId === recipientAgencyId)
    throw badInput("input.recipientAgencyId", "must differ from input.providerAgencyId");
  const title = requiredText("input.title", input.title);
  const lawfulBasis = requiredText("input.lawfulBasis", input.lawfulBasis);
  const purposes = unique(input.purposes);
  const categories = unique(input.categories);
  const consentRequiredFor = unique(input.consentRequiredFor);
  if (!purposes.length) throw badInput("input.purposes", "must name at least one purpose");
  if (!categories.length) throw badInput("input.categories", "must name at least one category");
  const outside = consentRequiredFor.filter((c) => !categories.includes(c));
  if (outside.length)
    throw badInput(
      "input.consentRequiredFor",
      `must be a subset of input.categories; ${outside.join(", ")} is not shared at all`,
    );
  const [validFrom, validTo, reviewDate] = [day(input.validFrom), day(input.validTo), day(input.reviewDate)];
  if (validFrom > validTo)
    throw badInput("input.validTo", `must not be before input.validFrom (${validFrom})`);
  if (reviewDate < validFrom || reviewDate > validTo) {
    throw badInput(
      "input.reviewDate",
      `must fall between input.validFrom (${validFrom}) and input.validTo (${validTo})`,
    );
  }
  const known = new Set(
    (await new AgencyRepository(sql).findByIds([providerAgencyId, recipientAgencyId])).map((a) => a.id),
  );
  if (!known.has(providerAgencyId))
    throw badInput("input.providerAgencyId", `unknown agency "${providerAgencyId}"`);
  if (!known.has(recipientAgencyId))
    throw badInput("input.recipientAgencyId", `unknown agency "${recipientAgencyId}"`);

  const now = new Date();
  const id = `agr-${randomUUID()}`;
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const reference = await agreements.nextReference(Number(calendarDate(now).slice(0, 4)));
    await agreements.insertMany([
      {
        id,
        reference,
        title,
        providerAgencyId,
        recipientAgencyId,
        status: AgreementStatus.DRAFT,
        purposes: purposes as Purpose[],
        categories: categories as DataCategory[],
        consentRequiredFor: consentRequiredFor as DataCategory[],
        lawfulBasis,
        validFrom,
        validTo,
        reviewDate,
        proposedBy: acting.caller.userId,
        proposedAt: now,
      },
    ]);
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: providerAgencyId,
          agreementId: id,
          recordIds: [id],
          categories,
          detail: `proposed ${reference}`,
        },
        now,
      ),
    ]);
    // Each party's data-sharing officers must now approve it: told in this same transaction.
    await notify(tx, agreementAwaitingApproval({ id, reference, providerAgencyId, recipientAgencyId }));
  });
  return id;
}

/**
 * Locks an agreement for a change. Who may change it is not decided here: each agreement mutation
 * declares it (@Changes), and the shared enforcement has checked Agreement's actor rule on this
 * same locked row at the start of the transaction.
 */
async function lockForChange(agreements: AgreementRepository, id: string): Promise<Agreement> {
  const agreement = await agreements.lock(id);
  if (!agreement) throw notFound(`agreement ${id}`);
  return agreement;
}

/** Records the caller's agency's approval; with both parties' approvals the agreement is in force. */
export async function approveAgreement(sql: Sql, acting: Acting, id: string): Promise<void> {
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const agreement = await lockForChange(agreements, id);
    const now = new Date();
    const status = effectiveAgreementStatus(agreementFacts(agreement), now);
    if (status !== AgreementStatus.DRAFT)
      throw badInput("id", `only a DRAFT agreement can be approved; ${agreement.reference} is ${status}`);
    const agency = acting.caller.agencyId;
    const byProvider = agreement.approvedByProvider || agency === agreement.providerAgencyId;
    const byRecipient = agreement.approvedByRecipient || agency === agreement.recipientAgencyId;
    if (
      (agency === agreement.providerAgencyId && agreement.approvedByProvider) ||
      (agency === agreement.recipientAgencyId && agreement.approvedByRecipient)
    ) {
      throw badInput("id", `${agency} has already approved ${agreement.reference}`);
    }
    await agreements.insertApprovals([
      { agreementId: id, agencyId: agency, approvedBy: acting.caller.userId, approvedAt: now },
    ]);
    if (byProvider && byRecipient) await agreements.setStatus(id, AgreementStatus.ACTIVE);
    const after = {
      ...agreementFacts(agreement),
      approvedByProvider: byProvider,
      approvedByRecipient: byRecipient,
      status: byProvider && byRecipient ? AgreementStatus.ACTIVE : AgreementStatus.DRAFT,
    };
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: agreement.providerAgencyId,
          agreementId: id,
          recordIds: [id],
          categories: agreement.categories,
          detail: `approved ${agreement.reference} for ${agency}; now ${effectiveAgreementStatus(after, now)} (${agreementStatusNote(after, now)})`,
        },
        now,
      ),
    ]);
  });
}

/** Suspends an ACTIVE agreement: sharing under it stops from the next request. */
export async function suspendAgreement(
  sql: Sql,
  acting: Acting,
  id: string,
  reasonText: string,
): Promise<void> {
  const reason = requiredText("reason", reasonText);
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const agreement = await lockForChange(agreements, id);
    const now = new Date();
    const status = effectiveAgreementStatus(agreementFacts(agreement), now);
    if (status !== AgreementStatus.ACTIVE)
      throw badInput("id", `only an ACTIVE agreement can be suspended; ${agreement.reference} is ${status}`);
    await agreements.suspend(id, reason, now);
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: agreement.providerAgencyId,
          agreementId: id,
          recordIds: [id],
          categories: agreement.categories,
          detail: `suspended ${agreement.reference}: ${reason}`,
        },
        now,
      ),
    ]);
  });
}

/** Revokes an agreement for good, whatever its status but REVOKED. */
export async function revokeAgreement(
  sql: Sql,
  acting: Acting,
  id: string,
  reasonText: string,
): Promise<void> {
  const reason = requiredText("reason", reasonText);
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const agreement = await lockForChange(agreements, id);
    const now = new Date();
    if (effectiveAgreementStatus(agreementFacts(agreement), now) === AgreementStatus.REVOKED) {
      throw badInput("id", `${agreement.reference} is already revoked`);
    }
    await agreements.revoke(id, reason, now);
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: agreement.providerAgencyId,
          agreementId: id,
          recordIds: [id],
          categories: agreement.categories,
          detail: `revoked ${agreement.reference}: ${reason}`,
        },
        now,
      ),
    ]);
  });
}
