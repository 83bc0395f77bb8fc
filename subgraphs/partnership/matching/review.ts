import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";
import type { Caller } from "../../shared/auth";
import { ConnectionType } from "../../shared/connection";
import type { RequestContext } from "../../shared/context";
import type { Sql } from "../../shared/database";
import { DataCategory, Role } from "../../shared/enums";
import { badInput, notFound } from "../../shared/errors";
import type { PageRequest } from "../../shared/connection";
import type { Page } from "../../shared/loaders";
import { ChangedBy, Governed, Part, type ChangePolicy, type PartyRule } from "../../shared/policy";
import { DateTime } from "../../shared/scalars";
import { AgencyRef, agencyRef } from "../../shared/types";

/**
 * The review queue (issue 20): a reference the matcher could neither link nor leave waits here for
 * a data-sharing officer of the agency whose reference it is, who confirms (the reference moves to
 * the candidate person) or rejects (it stays with the provisional person the matcher gave it), with
 * a note; audited as PERSON_MATCH_REVIEW. Who may is declared, not coded: the type's party rule
 * (the reviewing agency, everyone else is told there is no such review) and @ChangedBy, the
 * operations' gate (DSO, a person-level purpose), all enforced by the shared enforcement.
 */

export enum PersonMatchStatus {
  PENDING = "PENDING",
  CONFIRMED = "CONFIRMED",
  REJECTED = "REJECTED",
}

registerEnumType(PersonMatchStatus, {
  name: "PersonMatchStatus",
  description: "Where a queued match stands.",
  valuesConfig: {
    PENDING: { description: "Waiting for a data-sharing officer of the reviewing agency." },
    CONFIRMED: { description: "The same person: the reference was linked to the candidate." },
    REJECTED: { description: "Not the same person: the reference keeps its own person." },
  },
});

/** The agency whose reference a queued match is: the only one that sees it or decides it. */
export const REVIEWING_AGENCY: PartyRule = {
  name: "the agency whose reference the queued match is",
  test: (r: { agencyId: string }, caller: Caller) => r.agencyId === caller.agencyId,
};

const DSO_ONLY = { roles: [Role.DATA_SHARING_OFFICER], personLevel: true } as const;

@Part()
@ObjectType({ description: "How one field of the record compared with the candidate's." })
export class PersonMatchAgreement {
  @Field(() => String, {
    description: "The field: givenName, familyName, dateOfBirth, postcode or uprn.",
  })
  field!: string;

  @Field(() => String, {
    description:
      "How it agreed: EXACT, EQUIVALENT (a nickname), INITIAL, PART (of a double-barrelled name), CLOSE, SIMILAR, " +
      "SWAPPED (day and month), PARTIAL, SECTOR (of a postcode) or DISAGREE.",
  })
  level!: string;
}

@Governed({ ...DSO_ONLY, party: REVIEWING_AGENCY })
@ChangedBy(REVIEWING_AGENCY)
@ObjectType({
  description:
    "A record of the reviewing agency the people matcher found may be a person already in the index: waits for one of " +
    "its data-sharing officers to confirm or reject. Only that agency's DSOs see it.",
})
export class PersonMatchReview {
  @Field(() => ID, { description: "The review's id." })
  id!: string;

  @Field(() => AgencyRef, { description: "The agency whose record (and reference) it is." })
  agency!: AgencyRef;

  @Field(() => String, { description: "The agency's own reference for the person in the record." })
  reference!: string;

  @Field(() => ID, { description: "The person in the index the record may be." })
  candidatePersonId!: string;

  @Field(() => ID, {
    description: "The person the matcher gave the record meanwhile (and keeps it with when rejected).",
  })
  provisionalPersonId!: string;

  @Field(() => Float, { description: "The match weight in bits (Fellegi-Sunter): higher is likelier." })
  score!: number;

  @Field(() => [PersonMatchAgreement], { description: "How each field compared." })
  agreements!: PersonMatchAgreement[];

  @Field(() => PersonMatchStatus, { description: "Pending, confirmed or rejected." })
  status!: PersonMatchStatus;

  @Field(() => DateTime, { description: "When the matcher queued it." })
  createdAt!: Date;

  @Field(() => String, { nullable: true, description: "Who decided it (user id)." })
  decidedBy!: string | null;

  @Field(() => DateTime, { nullable: true, description: "When it was decided." })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The reviewer's note." })
  note!: string | null;

  agencyId!: string;
}

export const PersonMatchReviewConnection = ConnectionType(
  PersonMatchReview,
  "PersonMatchReview",
  "A page of the review queue of the caller's agency.",
);

interface ReviewRow {
  id: string;
  agency_id: string;
  reference: string;
  candidate_person_id: string;
  provisional_person_id: string;
  score: number;
  agreements: Record<string, string>;
  status: PersonMatchStatus;
  created_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  note: string | null;
  total?: string;
}

const COLUMNS = `id, agency_id, reference, candidate_person_id, provisional_person_id, score, agreements, status,
  created_at, decided_by, decided_at, note`;

function toReview(row: ReviewRow): PersonMatchReview {
  return Object.assign(new PersonMatchReview(), {
    id: row.id,
    agencyId: row.agency_id,
    agency: agencyRef(row.agency_id),
    reference: row.reference,
    candidatePersonId: row.candidate_person_id,
    provisionalPersonId: row.provisional_person_id,
    score: row.score,
    agreements: Object.entries(row.agreements).map(([field, level]) =>
      Object.assign(new PersonMatchAgreement(), { field, level }),
    ),
    status: row.status,
    createdAt: row.created_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    note: row.note,
  });
}

export class PersonMatchReviewRepository {
  constructor(private readonly sql: Sql) {}

  /** One agency's queue, oldest first. */
  async page(
    agencyId: string,
    status: PersonMatchStatus,
    page: PageRequest,
  ): Promise<Page<PersonMatchReview>> {
    const rows = await this.sql.many<ReviewRow>(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM person_match_reviews
        WHERE agency_id = $1 AND status = $2 ORDER BY created_at, id OFFSET $3 LIMIT $4`,
      [agencyId, status, page.offset, page.limit + 1],
    );
    const totalCount = rows.length
      ? Number(rows[0].total)
      : Number(
          (
            await this.sql.one<{ n: string }>(
              `SELECT count(*) AS n FROM person_match_reviews WHERE agency_id = $1 AND status = $2`,
              [agencyId, status],
            )
          )?.n ?? 0,
        );
    return { items: rows.map(toReview), totalCount };
  }

  /**
   * One review; null when there is none. Not locked here (the service may not lock what it may not
   * update): person_match_decide locks it and decides only a review still pending.
   */
  async find(id: string): Promise<PersonMatchReview | null> {
    const row = await this.sql.one<ReviewRow>(`SELECT ${COLUMNS} FROM person_match_reviews WHERE id = $1`, [
      id,
    ]);
    return row ? toReview(row) : null;
  }

  /** The decision, through the definer function: the service itself never writes a reference. */
  async decide(
    id: string,
    agencyId: string,
    confirm: boolean,
    decidedBy: string,
    note: string,
  ): Promise<void> {
    await this.sql.one(`SELECT person_match_decide($1, $2, $3, $4, $5)`, [
      id,
      agencyId,
      confirm,
      decidedBy,
      note,
    ]);
  }
}

/** The review a decision changes, as REVIEWING_AGENCY reads it; an unknown one is answered as such. */
export const REVIEW_DECIDED: ChangePolicy<{ id: string }> = {
  find: ({ id }, sql: Sql) => new PersonMatchReviewRepository(sql).find(id),
  unknown: ({ id }) => notFound(`person match review ${id}`),
};

/** Confirms or rejects a pending review with a note, audited in the same transaction. */
export async function decidePersonMatch(
  ctx: RequestContext<unknown>,
  id: string,
  confirm: boolean,
  note: string,
): Promise<PersonMatchReview> {
  const text = note.trim();
  if (!text) throw badInput("note", "must not be empty");
  if (text.length > 2000) throw badInput("note", "must be at most 2,000 characters");
  return ctx.sql.transaction(async (tx) => {
    const reviews = new PersonMatchReviewRepository(tx);
    const review = await reviews.find(id);
    if (!review) throw notFound(`person match review ${id}`);
    if (review.status !== PersonMatchStatus.PENDING)
      throw badInput("id", `was already ${review.status.toLowerCase()}`);
    try {
      await reviews.decide(id, ctx.caller.agencyId, confirm, ctx.caller.userId, text);
    } catch (error) {
      // Another officer decided it between the read and the function's lock (no_data_found).
      if ((error as { code?: string }).code === "P0002") throw badInput("id", "was decided meanwhile");
      // A person holds one reference per agency: the candidate got another of this agency's since.
      if ((error as { code?: string }).code === "23505")
        throw badInput(
          "id",
          "the candidate already has another reference of this agency: reject it, or merge",
        );
      throw error;
    }
    // Audited inside the transaction: the decision commits only once its audit record is written.
    // It names the review and the two people, never the reference or the note (the audit outlives them).
    await ctx.access.auditRightsNow({
      kind: "PERSON_MATCH_REVIEW",
      ownerAgencyId: "partnership",
      personIds: [review.candidatePersonId, review.provisionalPersonId],
      categories: [DataCategory.IDENTITY],
      recordIds: [id],
      detail: `${confirm ? "confirmed" : "rejected"} person match review ${id}`,
    });
    return (await reviews.find(id))!;
  });
}
