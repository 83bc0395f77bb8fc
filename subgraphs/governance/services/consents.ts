import { randomUUID } from "node:crypto";
import { consentNotCovered } from "../../shared/access/decision";
import { validateConsentGiver } from "../../shared/facts";
import type { Sql } from "../../shared/database";
import { ConsentGiver, Purpose } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import { AgencyRepository } from "../repositories/agencies";
import { AgreementRepository, agreementFacts } from "../repositories/agreements";
import { AuditRepository } from "../repositories/audit";
import { ConsentRepository } from "../repositories/consents";
import type { RecordConsentInput } from "../types";
import { CONSENT_PARTY } from "../access";
import { changeRecord, requiredText, type Acting } from "./acting";

/** Clocks differ a little between a DSO's device and the server. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const unique = <T>(items: T[]) => [...new Set(items)];

/**
 * Records a consent to share the caller's agency's data (it is the provider, and becomes
 * `recordedByAgency`) with another agency: the agency that holds the data answers for it, so a
 * recipient can never record one for itself. Every check runs before anything is written; the
 * consent and its audit record commit together.
 */
export async function recordConsent(sql: Sql, acting: Acting, input: RecordConsentInput): Promise<string> {
  const providerAgencyId = acting.caller.agencyId;
  const personId = requiredText("input.personId", input.personId);
  const recipientAgencyId = input.recipientAgencyId.trim();
  const evidenceRef = requiredText("input.evidenceRef", input.evidenceRef);
  const purposes = unique(input.purposes);
  const categories = unique(input.categories);
  if (!purposes.length) throw badInput("input.purposes", "must name at least one purpose");
  // DATA_PROTECTION is a DSO's own work on its own agency's data: no agreement or consent opens it.
  if (purposes.includes(Purpose.DATA_PROTECTION))
    throw badInput(
      "input.purposes",
      "DATA_PROTECTION cannot be shared: it is a data-sharing officer's own work",
    );
  if (!categories.length) throw badInput("input.categories", "must name at least one category");
  const now = new Date();
  if (input.givenAt.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw badInput("input.givenAt", "must not be in the future");
  if (input.expiresAt && input.expiresAt.getTime() <= input.givenAt.getTime()) {
    throw badInput("input.expiresAt", "must be after input.givenAt");
  }
  if (recipientAgencyId === providerAgencyId) {
    throw badInput(
      "input.recipientAgencyId",
      `a consent is recorded by the agency that holds the data for another agency to receive it: ${providerAgencyId} cannot record one to itself`,
    );
  }
  const [recipient] = await new AgencyRepository(sql).findByIds([recipientAgencyId]);
  if (!recipient?.active) throw badInput("input.recipientAgencyId", `unknown agency "${recipientAgencyId}"`);

  // Only under an agreement in force that shares each category for each purpose (see consentNotCovered).
  const agreements = await new AgreementRepository(sql).between(providerAgencyId, recipientAgencyId);
  const uncovered = consentNotCovered(
    { providerAgencyId, recipientAgencyId, purposes, categories },
    agreements.map(agreementFacts),
    now,
  );
  if (uncovered) throw badInput(uncovered.argument, uncovered.message);
  const consents = new ConsentRepository(sql);
  const indexed = await consents.indexedPerson(personId);
  if (!indexed) throw badInput("input.personId", `"${personId}" is not in the partnership's people index`);
  const given = input.dateOfBirth ? input.dateOfBirth.toISOString().slice(0, 10) : null;
  if (indexed.dateOfBirth && given && indexed.dateOfBirth !== given) {
    throw badInput(
      "input.dateOfBirth",
      "does not match the date of birth the people index holds for this person",
    );
  }
  const dateOfBirth = indexed.dateOfBirth ?? given;
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
        providerAgencyId,
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
          ownerAgencyId: providerAgencyId,
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
 * Ends a consent: by a DSO of its provider, or the person's withdrawal, which they may tell
 * either party (so a DSO of the recipient may record it too). Nobody else. Withdrawing twice
 * changes nothing and records nothing.
 */
export async function withdrawConsent(sql: Sql, acting: Acting, id: string): Promise<void> {
  await sql.transaction(async (tx) => {
    const consents = new ConsentRepository(tx);
    const consent = await consents.lock(id);
    // A consent is known only to its parties (the Consent type's declared party rule): to anyone
    // else it answers as a missing one, so guessed ids reveal nothing (issue 9).
    if (!consent || !CONSENT_PARTY.test(consent as never, acting.caller)) throw notFound(`consent ${id}`);
    if (consent.withdrawnAt) return;
    const now = new Date();
    await consents.withdraw(id, now);
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "CONSENT_CHANGE",
        {
          ownerAgencyId: consent.providerAgencyId,
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
