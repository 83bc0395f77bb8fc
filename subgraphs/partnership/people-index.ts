import { createHash } from "node:crypto";
import type { Sql } from "../shared/database";
import type { PersonIdentity } from "../shared/ingest/convert";

export type { PersonIdentity };

/** A new person's id: from the agency and its reference, so two runs racing agree on it. */
export function personIdFor(agencyId: string, reference: string): string {
  return `per-${createHash("sha256").update(`${agencyId}\u0000${reference}`).digest("hex").slice(0, 16)}`;
}

/**
 * The people index's one way in for records an agency loads: each of the agency's references →
 * the partnership person it is. For now deterministic only: a reference the agency already has
 * in `person_references` gives that person; any other is a new person, with the identity the
 * row gives, and the reference recorded. One batch, a constant number of statements.
 * (Matching a new reference to a person another agency already holds belongs behind this
 * signature.)
 */
export async function resolvePeople(
  sql: Sql,
  agencyId: string,
  identities: readonly PersonIdentity[],
): Promise<Map<string, string>> {
  const byReference = new Map<string, PersonIdentity>();
  for (const identity of identities)
    if (!byReference.has(identity.reference)) byReference.set(identity.reference, identity);
  const references = [...byReference.keys()];
  if (!references.length) return new Map();
  const known = async () =>
    new Map(
      (
        await sql.many<{ reference: string; person_id: string }>(
          `SELECT reference, person_id FROM person_references WHERE agency_id = $1 AND reference = ANY($2::text[])`,
          [agencyId, references],
        )
      ).map((r) => [r.reference, r.person_id]),
    );
  const found = await known();
  const fresh = references.filter((r) => !found.has(r)).map((r) => byReference.get(r)!);
  if (!fresh.length) return found;
  const ids = fresh.map((p) => personIdFor(agencyId, p.reference));
  await sql.exec(
    `INSERT INTO people (id, given_name, family_name, date_of_birth)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[])
     ON CONFLICT (id) DO NOTHING`,
    [
      ids,
      fresh.map((p) => p.givenName ?? ""),
      fresh.map((p) => p.familyName ?? ""),
      fresh.map((p) => p.dateOfBirth),
    ],
  );
  await sql.exec(
    `INSERT INTO person_references (person_id, agency_id, reference)
     SELECT id, $2, reference FROM unnest($1::text[], $3::text[]) AS r (id, reference)
     ON CONFLICT DO NOTHING`,
    [ids, agencyId, fresh.map((p) => p.reference)],
  );
  // Read back: a reference another run recorded meanwhile gives its person, not ours.
  return known();
}
