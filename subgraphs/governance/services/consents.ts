import { randomUUID } from "node:crypto";
import { forbidden, validateConsentGiver } from "../../shared/access/decision";
import type { Sql } from "../../shared/database";
import { ConsentGiver } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import { AgencyRepository } from "../repositories/agencies";
import { AuditRepository } from "../repositories/audit";
import { ConsentRepository } from "../repositories/consents";
import type { RecordConsentInput } from "../types";
import { changeRecord, requireDataSharingOfficer, requiredText, type Acting } from "./acting";

/** Clocks differ a little between a DSO's device and the server. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const unique = <T>(items: T[]) => [...new Set(items)];

/**
 * Records a consent on behalf of the caller's agency (it becomes `recordedByAgency`). Every
 * check runs before anything is written; the consent and its audit record commit together.
 */
export async function recordConsent(sql: Sql, acting: Acting, input: RecordConsentInput): Promise<string> {
  requireDataSharingOfficer(acting.caller, "record a consent");
  const personId = requiredText("input.personId", input.personId);
  const recipientAgencyId = input.recipientAgencyId.trim();
  const evidenceRef = requiredText("input.evidenceRef", input.evidenceRef);
  const purposes = unique(input.purposes);
  const categories = unique(input.categories);
  if (!purposes.length) throw badInput("input.purposes", "must name at least one purpose");
  if (!categories.length) throw badInput("input.categories", "must name at least one category");
  const now = new Date();
  if (input.givenAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw badInput("input.givenAt", "must not be in the future");
  if (input.expiresAt && input.expiresAt.getTime() <= input.givenAt.getTime()) {
    throw badInput("input.expiresAt", "must be after input.givenAt");
  }
  const [recipient] = await new AgencyRepository(sql).findByIds([recipientAgencyId]);
  if (!recipient) throw badInput("input.recipientAgencyId", `unknown agency "${recipientAgencyId}"`);

  const consents = new ConsentRepository(sql);
  const indexed = await consents.dateOfBirth(personId);
  const given = input.dateOfBirth ? input.dateOfBirth.toISOString().slice(0, 10) : null;
  if (indexed && given && indexed !== given) {
    throw badInput(
      "input.dateOfBirth",
      "does not match the date of birth the people index holds for this person",
    );
  }
  const dateOfBirth = indexed ?? given;
  if (dateOfBirth) validateConsentGiver(dateOfBirth, input.givenAt, input.givenBy);
  else if (input.givenBy === ConsentGiver.SELF) {
    // Without a date of birth the under-13 rule cannot be applied: refuse rather than guess.
    throw badInput(
      "input.dateOfBirth",
      "the person's date of birth is not known; give it so the under-13 rule can be applied",
    );
  }

  const id = `con-${randomUUID()}`;
  await sql.transaction(async (tx) => {
    await new ConsentRepository(tx).insertMany([
      {
        id,
        personId,
        recipientAgencyId,
        purposes,
        categories,
        givenBy: input.givenBy,
        givenAt: input.givenAt,
        expiresAt: input.expiresAt ?? null,
        evidenceRef,
        recordedByAgencyId: acting.caller.agencyId,
        recordedBy: acting.caller.userId,
        recordedAt: now,
      },
    ]);
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "CONSENT_CHANGE",
        {
          ownerAgencyId: acting.caller.agencyId,
          personIds: [personId],
          categories,
          recordIds: [id],
          consentId: id,
          detail: `recorded consent to ${recipientAgencyId} for ${purposes.join(", ")} (given by ${input.givenBy})`,
        },
        now,
      ),
    ]);
  });
  return id;
}

/**
 * Withdraws a consent, by a DSO of the agency that recorded it or of the recipient (a person
 * may tell either). Withdrawing twice changes nothing and records nothing.
 */
export async function withdrawConsent(sql: Sql, acting: Acting, id: string): Promise<void> {
  requireDataSharingOfficer(acting.caller, "withdraw a consent");
  await sql.transaction(async (tx) => {
    const consents = new ConsentRepository(tx);
    const consent = await consents.lock(id);
    if (!consent) throw notFound(`consent ${id}`);
    const agency = acting.caller.agencyId;
    if (agency !== consent.recordedByAgencyId && agency !== consent.recipientAgencyId) {
      throw forbidden(
        "ROLE_NOT_PERMITTED",
        `only a data-sharing officer of ${consent.recordedByAgencyId} or ${consent.recipientAgencyId} may withdraw this consent`,
      );
    }
    if (consent.withdrawnAt) return;
    const now = new Date();
    await consents.withdraw(id, now);
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "CONSENT_CHANGE",
        {
          ownerAgencyId: consent.recordedByAgencyId,
          personIds: [consent.personId],
          categories: consent.categories,
          recordIds: [id],
          consentId: id,
          detail: `withdrew consent to ${consent.recipientAgencyId}`,
        },
        now,
      ),
    ]);
  });
}
