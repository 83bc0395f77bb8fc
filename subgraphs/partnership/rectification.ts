import type { RequestContext } from "../shared/context";
import { DataCategory } from "../shared/enums";
import { badInput, notFound } from "../shared/errors";
import type { ChangePolicy } from "../shared/policy";
import type { Sql } from "../shared/database";
import { today } from "./calendar";
import type { PartnershipLoaders } from "./loaders";
import { PeopleRepository } from "./repositories/people";
import type { RectifyPersonInput } from "./types";

/**
 * Rectification (issue 18): a data-sharing officer of an agency that holds records about a person
 * corrects their name or date of birth in the people index, with the evidence; the values replaced
 * go to the person's identity history. Who may is declared (Person's @ChangedBy IDENTITY_HOLDER, the
 * mutation's gate: DSO, DATA_PROTECTION) and checked by the shared enforcement on the locked row.
 */

/** The person as IDENTITY_HOLDER reads it; an unknown person is answered as such. */
export const PERSON_RECTIFIED: ChangePolicy<{ personId: string }> = {
  find: ({ personId }, sql: Sql) => new PeopleRepository(sql).lockForRectification(personId),
  unknown: ({ personId }) => notFound(`person ${personId}`),
};

const day = (date: Date) => date.toISOString().slice(0, 10);

/** "Given Family", the family name being the last word (as displayName is made). */
function splitName(displayName: string): { givenName: string; familyName: string } {
  const words = displayName.trim().split(/\s+/u);
  if (words.length < 2 || words.some((w) => !w))
    throw badInput("input.displayName", "must be a given name and a family name, e.g. 'Amara Okafor'");
  return { givenName: words.slice(0, -1).join(" "), familyName: words[words.length - 1] };
}

export async function rectifyPerson(
  ctx: RequestContext<PartnershipLoaders>,
  personId: string,
  input: RectifyPersonInput,
): Promise<void> {
  const evidenceRef = (input.evidenceRef ?? "").trim();
  if (!evidenceRef) throw badInput("input.evidenceRef", "must not be empty");
  const name = input.displayName != null ? splitName(input.displayName) : null;
  const dateOfBirth = input.dateOfBirth ? day(input.dateOfBirth) : null;
  if (dateOfBirth && dateOfBirth > today()) throw badInput("input.dateOfBirth", "must not be in the future");
  if (!name && !dateOfBirth) throw badInput("input", "must correct displayName, dateOfBirth or both");
  const corrected = [name && "displayName", dateOfBirth && "dateOfBirth"].filter(Boolean).join(", ");
  await ctx.sql.transaction(async (tx) => {
    const people = new PeopleRepository(tx);
    if (!(await people.lockForRectification(personId))) throw notFound(`person ${personId}`);
    await people.rectify(
      personId,
      { givenName: name?.givenName ?? null, familyName: name?.familyName ?? null, dateOfBirth },
      {
        agencyId: ctx.caller.agencyId,
        userId: ctx.caller.userId,
        evidenceRef,
        requestId: ctx.requestId,
        at: new Date(),
      },
    );
    // Governance's copy (its consent age rules read it) follows, before the correction commits:
    // if it cannot, nothing is corrected. Its own statement, so a correction that fails after it
    // leaves governance a date the DSO then corrects again.
    if (dateOfBirth) await ctx.access.correctDateOfBirth(personId, dateOfBirth);
    // Audited inside the transaction: the correction commits only once its audit record is written.
    // The record names what was corrected, never the values (the audit outlives them).
    await ctx.access.auditRightsNow({
      kind: "RECTIFICATION",
      ownerAgencyId: "partnership",
      personIds: [personId],
      categories: [DataCategory.IDENTITY],
      // The record is the person's index entry: named by the (pseudonymised) person id alone, never
      // in clear among the record ids, which erasure does not reach.
      recordIds: [],
      detail: `rectified ${corrected}; evidence ${evidenceRef}`,
    });
  });
}
