import { randomUUID } from "node:crypto";
import { Field, ID, ObjectType } from "type-graphql";
import type { Caller } from "../../shared/auth";
import type { RequestContext } from "../../shared/context";
import type { Sql } from "../../shared/database";
import { DataCategory, Role } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import { ChangedBy, Governed, type ChangePolicy, type PartyRule } from "../../shared/policy";
import { DateTime } from "../../shared/scalars";
import { AgencyRef, agencyRef } from "../../shared/types";
import { PeopleRepository } from "../repositories/people";

/**
 * Merging and splitting people (issue 20): a data-sharing officer who finds two people in the index
 * are one merges them (`mergePeople`), and one who finds a merge wrong undoes it (`splitPerson`).
 *
 * A merge is a pointer, not a move (see the PersonMerges migration): the merged person stays in the
 * index, marked as merged into the survivor, and nothing that names either is rewritten, here or at
 * any agency. Agencies list the merged person's records under the survivor because they load a
 * person's records by `Person.personIds` (@requires), and each record is still judged by its own
 * owner and its own subjects, never the survivor's. So a split, which ends the merge, restores
 * exactly what was there, whatever was loaded or linked meanwhile (a reference moved would be
 * pulled back to the survivor, and its records re-pointed, by the agency's next import).
 *
 * Who may is declared, not coded: a DSO (the operations' gate) of an agency that holds a reference of
 * each person (Person's @ChangedBy IDENTITY_HOLDER, checked on both people for a merge; MERGE_HOLDER,
 * the merge's party and actor rule, for a split: anyone else is told there is no such merge). Both are
 * audited, as PERSON_MERGE and PERSON_SPLIT, in the same transaction.
 */

/** The agencies holding a reference of both people: the only ones that see or split the merge. */
export const MERGE_HOLDER: PartyRule = {
  name: "an agency that holds a reference of both people",
  test: (r: { holderAgencyIds: readonly string[] }, caller: Caller) =>
    r.holderAgencyIds.includes(caller.agencyId),
};

const DSO_ONLY = { roles: [Role.DATA_SHARING_OFFICER], personLevel: true } as const;

@Governed({ ...DSO_ONLY, party: MERGE_HOLDER })
@ChangedBy(MERGE_HOLDER)
@ObjectType({
  description:
    "Two people in the index found to be one: the merged person's records are listed under the survivor until the " +
    "merge is split. Only data-sharing officers of an agency holding a reference of both see it.",
})
export class PersonMerge {
  @Field(() => ID, { description: "The merge's id." })
  id!: string;

  @Field(() => ID, { description: "The person who stays, under whom both people's records are listed." })
  survivorId!: string;

  @Field(() => ID, { description: "The person merged into the survivor (kept in the index, marked)." })
  mergedId!: string;

  @Field(() => AgencyRef, { description: "The agency whose data-sharing officer merged them." })
  agency!: AgencyRef;

  @Field(() => String, { description: "Who merged them (user id)." })
  mergedBy!: string;

  @Field(() => DateTime, { description: "When they were merged." })
  mergedAt!: Date;

  @Field(() => String, { description: "Why they are the same person." })
  note!: string;

  @Field(() => AgencyRef, {
    nullable: true,
    description: "The agency whose DSO split them; null while merged.",
  })
  splitAgency!: AgencyRef | null;

  @Field(() => String, { nullable: true, description: "Who split them (user id); null while merged." })
  splitBy!: string | null;

  @Field(() => DateTime, { nullable: true, description: "When the merge was split; null while in force." })
  splitAt!: Date | null;

  @Field(() => String, { nullable: true, description: "Why they are not the same person." })
  splitNote!: string | null;

  holderAgencyIds!: string[];
}

interface MergeRow {
  id: string;
  survivor_id: string;
  merged_id: string;
  agency_id: string;
  merged_by: string;
  merged_at: Date;
  note: string;
  split_agency_id: string | null;
  split_by: string | null;
  split_at: Date | null;
  split_note: string | null;
  holder_agency_ids: string[];
}

const COLUMNS = `m.id, m.survivor_id, m.merged_id, m.agency_id, m.merged_by, m.merged_at, m.note, m.split_agency_id,
  m.split_by, m.split_at, m.split_note,
  ARRAY(SELECT r.agency_id FROM person_references r WHERE r.person_id = m.survivor_id
        INTERSECT SELECT r.agency_id FROM person_references r WHERE r.person_id = m.merged_id) AS holder_agency_ids`;

function toMerge(row: MergeRow): PersonMerge {
  return Object.assign(new PersonMerge(), {
    id: row.id,
    survivorId: row.survivor_id,
    mergedId: row.merged_id,
    agency: agencyRef(row.agency_id),
    mergedBy: row.merged_by,
    mergedAt: row.merged_at,
    note: row.note,
    splitAgency: row.split_agency_id ? agencyRef(row.split_agency_id) : null,
    splitBy: row.split_by,
    splitAt: row.split_at,
    splitNote: row.split_note,
    holderAgencyIds: [...row.holder_agency_ids].sort(),
  });
}

/** All SQL over person_merges. */
export class PersonMergeRepository {
  constructor(private readonly sql: Sql) {}

  async find(id: string): Promise<PersonMerge | null> {
    const row = await this.sql.one<MergeRow>(`SELECT ${COLUMNS} FROM person_merges m WHERE m.id = $1`, [id]);
    return row ? toMerge(row) : null;
  }

  /**
   * A merge by its id, or the merge in force of a person merged into another; locked for update
   * (inside a transaction); null when there is none.
   */
  async lock(idOrPerson: string): Promise<PersonMerge | null> {
    const row = await this.sql.one<MergeRow>(
      `SELECT ${COLUMNS} FROM person_merges m
        WHERE m.id = $1 OR (m.merged_id = $1 AND m.split_at IS NULL)
        ORDER BY m.id = $1 DESC LIMIT 1 FOR UPDATE OF m`,
      [idOrPerson],
    );
    return row ? toMerge(row) : null;
  }

  /** The person each is merged into, for those merged into another. */
  async mergedInto(personIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.sql.many<{ merged_id: string; survivor_id: string }>(
      `SELECT merged_id, survivor_id FROM person_merges WHERE merged_id = ANY($1) AND split_at IS NULL`,
      [personIds],
    );
    return new Map(rows.map((r) => [r.merged_id, r.survivor_id]));
  }

  async insert(merge: {
    id: string;
    survivorId: string;
    mergedId: string;
    agencyId: string;
    mergedBy: string;
    note: string;
  }): Promise<void> {
    await this.sql.exec(
      `INSERT INTO person_merges (id, survivor_id, merged_id, agency_id, merged_by, merged_at, note)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp(), $6)`,
      [merge.id, merge.survivorId, merge.mergedId, merge.agencyId, merge.mergedBy, merge.note],
    );
  }

  async split(id: string, by: { agencyId: string; userId: string; note: string }): Promise<void> {
    await this.sql.exec(
      `UPDATE person_merges SET split_agency_id = $2, split_by = $3, split_at = clock_timestamp(), split_note = $4
        WHERE id = $1 AND split_at IS NULL`,
      [id, by.agencyId, by.userId, by.note],
    );
  }
}

/** Each person a merge names, as IDENTITY_HOLDER reads it, locked; an unknown one is answered as such. */
export const MERGE_SURVIVOR: ChangePolicy<{ survivorId: string }> = {
  find: ({ survivorId }, sql: Sql) => new PeopleRepository(sql).lockForRectification(survivorId),
  unknown: ({ survivorId }) => notFound(`person ${survivorId}`),
};
export const MERGE_MERGED: ChangePolicy<{ mergedId: string }> = {
  find: ({ mergedId }, sql: Sql) => new PeopleRepository(sql).lockForRectification(mergedId),
  unknown: ({ mergedId }) => notFound(`person ${mergedId}`),
};

/** The merge a split ends, as MERGE_HOLDER reads it, locked; a person merged into no one has none. */
export const MERGE_SPLIT: ChangePolicy<{ id: string }> = {
  find: ({ id }, sql: Sql) => new PersonMergeRepository(sql).lock(id),
  unknown: ({ id }) => notFound(`merge ${id} (a merge, or a person merged into another)`),
};

function noteOf(note: string): string {
  const text = note.trim();
  if (!text) throw badInput("note", "must not be empty");
  if (text.length > 2000) throw badInput("note", "must be at most 2,000 characters");
  return text;
}

/** Merges `mergedId` into `survivorId`, audited in the same transaction. */
export async function mergePeople(
  ctx: RequestContext<unknown>,
  survivorId: string,
  mergedId: string,
  note: string,
): Promise<PersonMerge> {
  const text = noteOf(note);
  if (survivorId === mergedId) throw badInput("mergedId", "must be another person than survivorId");
  return ctx.sql.transaction(async (tx) => {
    // Both people are locked by now (the declared changes): no merge of either can cross this one.
    const merges = new PersonMergeRepository(tx);
    const into = await merges.mergedInto([survivorId, mergedId]);
    if (into.has(mergedId)) throw badInput("mergedId", `is already merged into ${into.get(mergedId)}`);
    // A survivor is never itself merged away, so merges never form a cycle.
    if (into.has(survivorId))
      throw badInput("survivorId", `is merged into ${into.get(survivorId)}: merge into that person`);
    const id = `pmg-${randomUUID()}`;
    await merges.insert({
      id,
      survivorId,
      mergedId,
      agencyId: ctx.caller.agencyId,
      mergedBy: ctx.caller.userId,
      note: text,
    });
    // It names the merge and the two people, never the note (the audit outlives it).
    await ctx.access.auditRightsNow({
      kind: "PERSON_MERGE",
      ownerAgencyId: "partnership",
      personIds: [survivorId, mergedId],
      categories: [DataCategory.IDENTITY],
      recordIds: [id],
      detail: `merged person ${mergedId} into ${survivorId} (${id})`,
    });
    return (await merges.find(id))!;
  });
}

/** Ends a merge in force (by its id, or the merged person's), audited in the same transaction. */
export async function splitPerson(
  ctx: RequestContext<unknown>,
  id: string,
  note: string,
): Promise<PersonMerge> {
  const text = noteOf(note);
  return ctx.sql.transaction(async (tx) => {
    const merges = new PersonMergeRepository(tx);
    const merge = await merges.lock(id);
    if (!merge) throw notFound(`merge ${id} (a merge, or a person merged into another)`);
    if (merge.splitAt) throw badInput("id", `was already split (${merge.splitAt.toISOString()})`);
    await merges.split(merge.id, { agencyId: ctx.caller.agencyId, userId: ctx.caller.userId, note: text });
    await ctx.access.auditRightsNow({
      kind: "PERSON_SPLIT",
      ownerAgencyId: "partnership",
      personIds: [merge.survivorId, merge.mergedId],
      categories: [DataCategory.IDENTITY],
      recordIds: [merge.id],
      detail: `split person ${merge.mergedId} from ${merge.survivorId} (${merge.id})`,
    });
    return (await merges.find(merge.id))!;
  });
}
