import type { Sql } from "../shared/database";
import type { PersonIdentity } from "../shared/ingest/convert";
import type { ResolvedPerson } from "../shared/ingest/run";
import { matchPeople } from "./matching";

export type { PersonIdentity };

/**
 * The people index's one way in for records an agency loads: each of the agency's references → the
 * partnership person it is, through the matcher (matching/index.ts): a reference the agency already
 * has gives its person (`known`); one the matcher recognises as a person another agency holds is
 * linked to them (`linked`); a doubtful one gets a provisional person of its own and waits in the
 * review queue for the agency's DSOs (`review`); any other is a new person (`new`). Written in the
 * transaction `sql` is in (the ingest's file), a constant number of statements per batch.
 *
 * A reference of a person since merged into another (mergePeople) still gives that person (`known`):
 * the agency's records keep their own person, so their subjects and consents stay theirs and a split
 * restores them exactly, and they are listed under the survivor, who is the person reached through
 * the federation (Person.personIds). A new reference the matcher finds to be a merged person is linked
 * to the survivor (matching/repository.ts, candidates).
 */
export async function resolvePeople(
  sql: Sql,
  agencyId: string,
  identities: readonly PersonIdentity[],
): Promise<Map<string, ResolvedPerson>> {
  const outcomes = await matchPeople(sql, agencyId, identities);
  return new Map(
    [...outcomes].map(([reference, { personId, method, outcome, score, candidatePersonId, reviewId }]) => [
      reference,
      {
        personId,
        outcome: method === "REFERENCE" ? "known" : outcome,
        method,
        score,
        candidatePersonId: candidatePersonId ?? null,
        reviewId: reviewId ?? null,
      },
    ]),
  );
}
