import { randomUUID } from "node:crypto";
import { agreementStatusNote, effectiveAgreementStatus } from "../../shared/access/decision";
import { calendarDate } from "../../shared/facts";
import type { Sql } from "../../shared/database";
import { AgreementStatus, DataCategory, Purpose } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import { AgencyRepository } from "../repositories/agencies";
import { AgreementRepository, agreementFacts } from "../repositories/agreements";
import { AuditRepository } from "../repositories/audit";
import { Agreement, type AmendAgreementInput, type ProposeAgreementInput } from "../types";
import { notify } from "../../shared/notifications";
import { changeRecord, requiredText, type Acting } from "./acting";
import { agreementAwaitingApproval } from "./notifications";

/** A `Date` scalar value as YYYY-MM-DD (the scalar parses to UTC midnight). */
const day = (date: Date) => date.toISOString().slice(0, 10);
const unique = <T>(items: T[]) => [...new Set(items)];

/** An agreement's terms as proposed or amended, before they are checked. */
interface Terms {
  title: string;
  lawfulBasis: string;
  purposes: Purpose[];
  categories: DataCategory[];
  consentRequiredFor: DataCategory[];
  validFrom: string;
  validTo: string;
  reviewDate: string;
}

/** The same rules for a proposal and an amendment, each naming the argument it is wrong in. */
function checkedTerms(terms: Terms): Terms {
  const title = requiredText("input.title", terms.title);
  const lawfulBasis = requiredText("input.lawfulBasis", terms.lawfulBasis);
  const purposes = unique(terms.purposes);
  const categories = unique(terms.categories);
  const consentRequiredFor = unique(terms.consentRequiredFor);
  if (!purposes.length) throw badInput("input.purposes", "must name at least one purpose");
  // DATA_PROTECTION is a DSO's own work on its own agency's data: no agreement or consent opens it.
  if (purposes.includes(Purpose.DATA_PROTECTION))
    throw badInput(
      "input.purposes",
      "DATA_PROTECTION cannot be shared: it is a data-sharing officer's own work",
    );
  if (!categories.length) throw badInput("input.categories", "must name at least one category");
  const outside = consentRequiredFor.filter((c) => !categories.includes(c));
  if (outside.length)
    throw badInput(
      "input.consentRequiredFor",
      `must be a subset of input.categories; ${outside.join(", ")} is not shared at all`,
    );
  const { validFrom, validTo, reviewDate } = terms;
  if (validFrom > validTo)
    throw badInput("input.validTo", `must not be before input.validFrom (${validFrom})`);
  if (reviewDate < validFrom || reviewDate > validTo) {
    throw badInput(
      "input.reviewDate",
      `must fall between input.validFrom (${validFrom}) and input.validTo (${validTo})`,
    );
  }
  return { title, lawfulBasis, purposes, categories, consentRequiredFor, validFrom, validTo, reviewDate };
}

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
  const { title, lawfulBasis, purposes, categories, consentRequiredFor, validFrom, validTo, reviewDate } =
    checkedTerms({
      title: input.title,
      lawfulBasis: input.lawfulBasis,
      purposes: input.purposes,
      categories: input.categories,
      consentRequiredFor: input.consentRequiredFor,
      validFrom: day(input.validFrom),
      validTo: day(input.validTo),
      reviewDate: day(input.reviewDate),
    });
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
        purposes,
        categories,
        consentRequiredFor,
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
    // An amendment takes the place of the version it amends when it comes into force: checked
    // under that version's lock too, so a revocation of it racing this approval is seen.
    const amended =
      byProvider && byRecipient && agreement.supersedesId
        ? await lockForChange(agreements, agreement.supersedesId)
        : null;
    if (amended) {
      const amendedStatus = effectiveAgreementStatus(agreementFacts(amended), now);
      if (amendedStatus === AgreementStatus.REVOKED || amendedStatus === AgreementStatus.SUPERSEDED)
        throw badInput(
          "id",
          `${agreement.reference} v${agreement.version} amends v${amended.version}, which is ${amendedStatus}; propose a new agreement instead`,
        );
    }
    await agreements.insertApprovals([
      { agreementId: id, agencyId: agency, approvedBy: acting.caller.userId, approvedAt: now },
    ]);
    if (byProvider && byRecipient) await agreements.setStatus(id, AgreementStatus.ACTIVE);
    if (amended) await agreements.supersede(amended.id, now);
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
      ...(amended
        ? [
            changeRecord(
              acting,
              "AGREEMENT_CHANGE",
              {
                ownerAgencyId: amended.providerAgencyId,
                agreementId: amended.id,
                recordIds: [amended.id],
                categories: amended.categories,
                detail: `${amended.reference} v${amended.version} superseded by v${agreement.version}`,
              },
              now,
            ),
          ]
        : []),
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

/**
 * Approves reinstating a SUSPENDED agreement for the caller's agency. Like its first approval, it
 * takes both parties: with the other party's approval of the same suspension already given, it is
 * ACTIVE again from the next request; until then it stays suspended.
 */
export async function reinstateAgreement(
  sql: Sql,
  acting: Acting,
  id: string,
  noteText: string,
): Promise<void> {
  const note = requiredText("note", noteText);
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const agreement = await lockForChange(agreements, id);
    const now = new Date();
    const status = effectiveAgreementStatus(agreementFacts(agreement), now);
    if (status !== AgreementStatus.SUSPENDED || !agreement.suspendedAt)
      throw badInput(
        "id",
        `only a SUSPENDED agreement can be reinstated; ${agreement.reference} is ${status}`,
      );
    if (calendarDate(now) > agreement.validTo)
      throw badInput(
        "id",
        `${agreement.reference} ended on ${agreement.validTo} while suspended; amend it with a new validTo instead`,
      );
    const agency = acting.caller.agencyId;
    const given = await agreements.reinstatementsFor([id]);
    if (given.some((r) => r.agencyId === agency))
      throw badInput("id", `${agency} has already approved reinstating ${agreement.reference}`);
    await agreements.insertReinstatement({
      agreementId: id,
      agencyId: agency,
      suspendedAt: agreement.suspendedAt,
      approvedBy: acting.caller.userId,
      approvedAt: now,
      note,
    });
    const parties = new Set([...given.map((r) => r.agencyId), agency]);
    const both = parties.has(agreement.providerAgencyId) && parties.has(agreement.recipientAgencyId);
    if (both) await agreements.reinstate(id);
    const waiting = [agreement.providerAgencyId, agreement.recipientAgencyId].filter((a) => !parties.has(a));
    // The other party's DSOs are told their approval is awaited, once per suspension.
    if (!both)
      await notify(
        tx,
        agreementAwaitingApproval(
          agreement,
          [...parties],
          `reinstate:${agreement.suspendedAt.toISOString()}`,
        ),
      );
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: agreement.providerAgencyId,
          agreementId: id,
          recordIds: [id],
          categories: agreement.categories,
          detail: both
            ? `reinstated ${agreement.reference}: ${note}`
            : `approved reinstating ${agreement.reference} for ${agency}, awaiting ${waiting.join(" and ")}: ${note}`,
        },
        now,
      ),
    ]);
  });
}

/**
 * Amends an agreement in force: a new DRAFT version with the same reference, the next version
 * number and the terms given (the rest kept), superseding it once both parties approve it
 * (approveAgreement). Until then the version in force stays in force. One amendment at a time.
 * Returns the new version's id.
 */
export async function amendAgreement(
  sql: Sql,
  acting: Acting,
  id: string,
  input: AmendAgreementInput,
): Promise<string> {
  const note = requiredText("input.note", input.note);
  const newId = `agr-${randomUUID()}`;
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const agreement = await lockForChange(agreements, id);
    const now = new Date();
    const status = effectiveAgreementStatus(agreementFacts(agreement), now);
    if (status !== AgreementStatus.ACTIVE)
      throw badInput("id", `only an ACTIVE agreement can be amended; ${agreement.reference} is ${status}`);
    const pending = await agreements.pendingAmendmentOf(id);
    if (pending)
      throw badInput(
        "id",
        `${agreement.reference} v${pending.version} already amends it and awaits approval; approve or revoke that first`,
      );
    const terms = checkedTerms({
      title: input.title ?? agreement.title,
      lawfulBasis: input.lawfulBasis ?? agreement.lawfulBasis,
      purposes: input.purposes ?? agreement.purposes,
      categories: input.categories ?? agreement.categories,
      consentRequiredFor: input.consentRequiredFor ?? agreement.consentRequiredFor,
      validFrom: agreement.validFrom,
      validTo: input.validTo ? day(input.validTo) : agreement.validTo,
      reviewDate: input.reviewDate ? day(input.reviewDate) : agreement.reviewDate,
    });
    const version = await agreements.nextVersion(agreement.reference);
    await agreements.insertMany([
      {
        id: newId,
        reference: agreement.reference,
        version,
        supersedesId: agreement.id,
        providerAgencyId: agreement.providerAgencyId,
        recipientAgencyId: agreement.recipientAgencyId,
        status: AgreementStatus.DRAFT,
        ...terms,
        proposedBy: acting.caller.userId,
        proposedAt: now,
      },
    ]);
    // A new version awaits both parties' approval, as a proposal does.
    await notify(tx, agreementAwaitingApproval({ ...agreement, id: newId }));
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: agreement.providerAgencyId,
          agreementId: newId,
          recordIds: [newId, agreement.id],
          categories: unique([...agreement.categories, ...terms.categories]),
          detail: `proposed ${agreement.reference} v${version} amending v${agreement.version}: ${note}`,
        },
        now,
      ),
    ]);
  });
  return newId;
}

/** The longest look ahead agreementsDueForReview takes, in days. */
export const REVIEW_HORIZON_DAYS = 366;

/**
 * Agreements whose review falls due within `withinDays` of today (overdue ones included), for
 * agreementsDueForReview. A review date passing switches nothing off; see whoseReviewFallsDue.
 */
export async function agreementsDueForReview(sql: Sql, withinDays: number): Promise<Agreement[]> {
  if (!Number.isInteger(withinDays) || withinDays < 0 || withinDays > REVIEW_HORIZON_DAYS)
    throw badInput("withinDays", `must be a whole number of days from 0 to ${REVIEW_HORIZON_DAYS}`);
  const now = new Date();
  const today = calendarDate(now);
  const due = await new AgreementRepository(sql).whoseReviewFallsDue(addDays(today, withinDays), today);
  return due.filter((a) => {
    const status = effectiveAgreementStatus(agreementFacts(a), now);
    return status === AgreementStatus.ACTIVE || status === AgreementStatus.SUSPENDED;
  });
}

/**
 * Records a periodic review by a DSO of a party: kept with the agreement (its reviews), and the
 * review date moves on to `nextReviewDate` (after today, not after the agreement ends).
 */
export async function recordAgreementReview(
  sql: Sql,
  acting: Acting,
  id: string,
  nextReviewDate: Date,
  noteText: string,
): Promise<void> {
  const note = requiredText("note", noteText);
  const next = day(nextReviewDate);
  await sql.transaction(async (tx) => {
    const agreements = new AgreementRepository(tx);
    const agreement = await lockForChange(agreements, id);
    const now = new Date();
    const status = effectiveAgreementStatus(agreementFacts(agreement), now);
    if (status !== AgreementStatus.ACTIVE && status !== AgreementStatus.SUSPENDED)
      throw badInput(
        "id",
        `only an ACTIVE or SUSPENDED agreement is reviewed; ${agreement.reference} is ${status}`,
      );
    const today = calendarDate(now);
    if (next <= today || next > agreement.validTo)
      throw badInput(
        "nextReviewDate",
        `must fall after today (${today}) and not after the agreement ends (${agreement.validTo})`,
      );
    await agreements.insertReview({
      id: `arv-${randomUUID()}`,
      agreementId: id,
      reviewedAt: now,
      reviewedBy: acting.caller.userId,
      reviewerAgencyId: acting.caller.agencyId,
      reviewerRole: acting.caller.role,
      note,
      nextReviewDate: next,
    });
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "AGREEMENT_CHANGE",
        {
          ownerAgencyId: agreement.providerAgencyId,
          agreementId: id,
          recordIds: [id],
          categories: agreement.categories,
          detail: `reviewed ${agreement.reference} (was due ${agreement.reviewDate}); next review ${next}: ${note}`,
        },
        now,
      ),
    ]);
  });
}

/** A calendar date `days` later. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
