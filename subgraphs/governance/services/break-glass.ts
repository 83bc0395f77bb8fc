import type { Sql } from "../../shared/database";
import { BreakGlassOutcome } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import { AuditRepository } from "../repositories/audit";
import { BreakGlassRepository } from "../repositories/break-glass";
import { OWNER_AGENCY } from "../access";
import { changeRecord, requiredText, type Acting } from "./acting";

/** Parses a break-glass event id (an audit sequence number). */
export function eventSequence(id: string): number {
  const sequence = Number(id);
  if (!/^[1-9][0-9]{0,15}$/.test(id) || !Number.isSafeInteger(sequence))
    throw badInput("id", "is not a break-glass event id");
  return sequence;
}

/** Records a DSO's finding on a break-glass access to its agency's data; the first review stands. */
export async function reviewBreakGlass(
  sql: Sql,
  acting: Acting,
  id: string,
  outcome: BreakGlassOutcome,
  noteText: string,
): Promise<number> {
  const sequence = eventSequence(id);
  const note = requiredText("note", noteText);
  await sql.transaction(async (tx) => {
    const events = new BreakGlassRepository(tx);
    const event = await events.find(sequence);
    // Known only to the owner's DSOs (the BreakGlassEvent type's declared party rule): anyone
    // else is answered as for an unknown id, so neither the event nor its owner is revealed.
    if (!event || !OWNER_AGENCY.test(event as never, acting.caller))
      throw notFound(`break-glass event ${id}`);
    const now = new Date();
    const written = await events.insertReview({
      auditSequence: sequence,
      outcome,
      note,
      reviewedBy: acting.caller.userId,
      reviewerAgencyId: acting.caller.agencyId,
      reviewedAt: now,
    });
    if (!written) throw badInput("id", "this break-glass access has already been reviewed");
    await AuditRepository.append(tx, [
      changeRecord(
        acting,
        "BREAK_GLASS_REVIEW",
        {
          ownerAgencyId: event.ownerAgencyId,
          personIds: event.people.map((p) => p.id),
          categories: event.categories,
          recordIds: [id],
          detail: `${outcome}: ${note}`,
        },
        now,
      ),
    ]);
  });
  return sequence;
}
