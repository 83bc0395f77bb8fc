import { GraphQLError } from "graphql";
import {
  Arg,
  Ctx,
  Directive,
  Field,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  registerEnumType,
  Resolver,
} from "type-graphql";
import type { Caller } from "./auth";
import type { RequestContext } from "./context";
import type { Sql } from "./database";
import { DataCategory, Purpose, Role } from "./enums";
import { badInput } from "./errors";
import { ChangedBy, Changes, Governed, Part, type PartyRule } from "./policy";
import { DateTime } from "./scalars";

/**
 * Data protection as each agency's subgraph takes part in it: what it holds about a person (with
 * the dates retention runs from), what is due under retention rules, and erasing or expiring
 * records in one transaction of its own store. Retention rules and legal holds are governance's;
 * governance asks the holder through these operations, as the DSO (shared/peers.ts). They are
 * internal (@inaccessible: not in the public API) and declared like every other field: a
 * data-sharing officer, under DATA_PROTECTION, of the agency that holds the records.
 */

/** From which moment a retention period runs. */
export enum RetentionStart {
  CREATED = "CREATED",
  CLOSED = "CLOSED",
  LAST_ACTIVITY = "LAST_ACTIVITY",
}

registerEnumType(RetentionStart, {
  name: "RetentionStart",
  description: "From which moment a retention period runs.",
  valuesConfig: {
    CREATED: { description: "From when the record was made." },
    CLOSED: {
      description: "From when the record was closed (a case closed, a tenancy ended); open records wait.",
    },
    LAST_ACTIVITY: { description: "From the last thing that happened on the record." },
  },
});

@InputType({ description: "How long an agency keeps records of one category, and why." })
export class RetentionRuleInput {
  @Field(() => DataCategory, { description: "The category of records." })
  category!: DataCategory;

  @Field(() => Int, { description: "How many months records are kept (1 to 1200)." })
  retainForMonths!: number;

  @Field(() => RetentionStart, { description: "From which moment the period runs." })
  from!: RetentionStart;

  @Field(() => String, { description: "Why this period: the law, policy or schedule it follows." })
  basis!: string;
}

/** A rule as the holder applies it. */
export interface RetentionRuleFacts {
  category: DataCategory;
  retainForMonths: number;
  from: RetentionStart;
  basis: string;
}

/** Whose data-protection operations these are: a DSO of the agency that holds the records. */
export const HOLDER_DSO: PartyRule = {
  name: "a data-sharing officer of the agency that holds the records",
  test: (r: { ownerAgencyId: string }, caller: Caller) =>
    caller.role === Role.DATA_SHARING_OFFICER && r.ownerAgencyId === caller.agencyId,
};

/** One record an agency holds about people, with the moments its retention may run from. */
@Directive("@shareable")
@Directive("@inaccessible")
@ChangedBy(HOLDER_DSO)
@Governed({
  roles: [Role.DATA_SHARING_OFFICER],
  purposes: [Purpose.DATA_PROTECTION],
  personLevel: true,
  party: HOLDER_DSO,
  subjects: (r: HeldRecord) => r.personIds,
})
@ObjectType({ description: "A record an agency holds about people (internal: data protection)." })
export class HeldRecord {
  ownerAgencyId!: string;
  personIds!: string[];

  @Field(() => String, {
    description: "What kind of record: INCIDENT, ASB_CASE, ENROLMENT, REFERRAL, TENANCY...",
  })
  kind!: string;

  @Field(() => ID, { description: "The record's id in its kind." })
  id!: string;

  @Field(() => DataCategory, { description: "Its category (as the person is in it)." })
  category!: DataCategory;

  @Field(() => DateTime, { description: "When it was made." })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When it was closed; null while open." })
  closedAt!: Date | null;

  @Field(() => DateTime, { description: "The last thing that happened on it." })
  lastActivityAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "Since when retention has it due (due lists only)." })
  dueSince!: Date | null;
}

@Directive("@shareable")
@Directive("@inaccessible")
@Part()
@ObjectType({ description: "A page of records due under retention (internal: data protection)." })
export class HeldRecordPage {
  @Field(() => [HeldRecord], { description: "The page." })
  records!: HeldRecord[];

  @Field(() => Int, { description: "How many are due in all." })
  totalCount!: number;
}

@Directive("@inaccessible")
@InputType({ description: "A record by kind and id (internal: data protection)." })
export class HeldRecordKey {
  @Field(() => String, { description: "Its kind." })
  kind!: string;

  @Field(() => ID, { description: "Its id." })
  id!: string;
}

@Directive("@shareable")
@Directive("@inaccessible")
@Part()
@ObjectType({ description: "What an erasure or expiry did in one store (internal: data protection)." })
export class HoldingsErased {
  @Field(() => Int, { description: "Records erased (a person's part in a record, or a whole record)." })
  erased!: number;

  @Field(() => [String], {
    description: "`kind:id` of the records deleted altogether (no one left in them).",
  })
  deleted!: string[];
}

/** The SQL of one agency's holdings, in its repository. */
export interface Holdings {
  /** The agency (its subgraph's own). */
  agencyId: string;
  /** Records about a person. */
  about(sql: Sql, personId: string): Promise<HeldRecord[]>;
  /** Records due under `rules` at `at`, kind and id order, leaving out records about a held person. */
  due(
    sql: Sql,
    rules: readonly RetentionRuleFacts[],
    heldPeople: readonly string[],
    at: Date,
    page: { offset: number; limit: number },
  ): Promise<{ records: HeldRecord[]; totalCount: number }>;
  /** Erases the person from these records (one transaction): their part, and any record left about no one. */
  eraseAbout(tx: Sql, personId: string, records: readonly HeldRecordKey[]): Promise<HoldingsErased>;
  /** Erases (or anonymises) these whole records (one transaction). */
  expire(tx: Sql, records: readonly HeldRecordKey[]): Promise<HoldingsErased>;
  /** The kinds `expire` deletes outright (the rest it anonymises and keeps). */
  expireDeletes: readonly string[];
}

/**
 * A holdings query's rows (`kind, id, category, person_id, created_at, closed_at,
 * last_activity_at`, one per person in a record) as records, one per record and category.
 */
export interface HeldRow {
  kind: string;
  id: string;
  category: string;
  person_ids: string[];
  created_at: Date;
  closed_at: Date | null;
  last_activity_at: Date;
  due_since?: Date | null;
}

export function toHeldRecord(agencyId: string, row: HeldRow): HeldRecord {
  return Object.assign(new HeldRecord(), {
    ownerAgencyId: agencyId,
    personIds: row.person_ids,
    kind: row.kind,
    id: row.id,
    category: row.category as DataCategory,
    createdAt: row.created_at,
    closedAt: row.closed_at,
    lastActivityAt: row.last_activity_at,
    dueSince: row.due_since ?? null,
  });
}

/**
 * Holdings over one SQL view of them (`heldSql`: one row per person in a record, the columns of
 * HeldRow but person_id) and the agency's own erase and expire statements.
 */
export function holdingsOver(
  agencyId: string,
  heldSql: string,
  expireDeletes: readonly string[],
  erase: {
    about(tx: Sql, personId: string, records: readonly HeldRecordKey[]): Promise<HoldingsErased>;
    expire(tx: Sql, records: readonly HeldRecordKey[]): Promise<HoldingsErased>;
  },
): Holdings {
  return {
    agencyId,
    async about(sql, personId) {
      const rows = await sql.many<HeldRow>(
        `SELECT h.kind, h.id, h.category, array_agg(DISTINCT h.person_id) AS person_ids,
                h.created_at, h.closed_at, h.last_activity_at
           FROM (${heldSql}) h
          WHERE (h.kind, h.id) IN (SELECT x.kind, x.id FROM (${heldSql}) x WHERE x.person_id = $1)
          GROUP BY h.kind, h.id, h.category, h.created_at, h.closed_at, h.last_activity_at
          ORDER BY h.kind, h.id, h.category`,
        [personId],
      );
      return rows.map((r) => toHeldRecord(agencyId, r));
    },
    async due(sql, rules, heldPeople, at, page) {
      // A record is due when a rule for its category has run out; a record in several categories
      // (a suspect and a victim in one incident) waits for the longest.
      const rows = await sql.many<HeldRow & { total: string }>(
        `WITH held AS (${heldSql}),
              rules AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(category text, months int, start text)),
              judged AS (
                SELECT h.kind, h.id, h.category, h.person_id, h.created_at, h.closed_at, h.last_activity_at,
                       (CASE r.start WHEN 'CREATED' THEN h.created_at WHEN 'CLOSED' THEN h.closed_at
                                     ELSE h.last_activity_at END) + make_interval(months => r.months) AS due_since
                  FROM held h LEFT JOIN rules r ON r.category = h.category),
              records AS (
                SELECT j.kind, j.id, min(j.category) AS category, array_agg(DISTINCT j.person_id) AS person_ids,
                       min(j.created_at) AS created_at, max(j.closed_at) AS closed_at,
                       max(j.last_activity_at) AS last_activity_at,
                       CASE WHEN bool_and(j.due_since IS NOT NULL) THEN max(j.due_since) END AS due_since
                  FROM judged j GROUP BY j.kind, j.id)
         SELECT r.*, count(*) OVER () AS total FROM records r
          WHERE r.due_since <= $2 AND NOT (r.person_ids && $3::text[])
          ORDER BY r.kind, r.id
         OFFSET $4 LIMIT $5`,
        [
          JSON.stringify(
            rules.map((r) => ({ category: r.category, months: r.retainForMonths, start: r.from })),
          ),
          at,
          heldPeople,
          page.offset,
          page.limit,
        ],
      );
      return {
        records: rows.map((r) => toHeldRecord(agencyId, r)),
        totalCount: rows.length ? Number(rows[0].total) : 0,
      };
    },
    eraseAbout: erase.about,
    expire: erase.expire,
    expireDeletes,
  };
}

/** Records of each kind among `records`: ids by kind. */
export function idsOfKind(records: readonly HeldRecordKey[], kind: string): string[] {
  return records.filter((r) => r.kind === kind).map((r) => r.id);
}

function checkedKeys(records: readonly HeldRecordKey[]): readonly HeldRecordKey[] {
  if (records.length > 10_000) throw badInput("records", "at most 10000 records at a time");
  return records;
}

const ownHoldings = (holdings: Holdings) => ({
  find: () => ({ ownerAgencyId: holdings.agencyId }),
  unknown: () => new GraphQLError("no such holdings", { extensions: { code: "NOT_FOUND" } }),
});

/**
 * The internal data-protection operations of an agency's subgraph over its holdings. The query
 * and mutation names are the same in every agency's subgraph (@shareable) and hidden from the
 * public API (@inaccessible): governance asks each agency's own subgraph directly.
 */
export function holdingsResolver(holdings: Holdings) {
  @Resolver()
  class HoldingsResolver {
    @Directive("@shareable")
    @Directive("@inaccessible")
    @Governed({ roles: [Role.DATA_SHARING_OFFICER], purposes: [Purpose.DATA_PROTECTION], personLevel: true })
    @Query(() => [HeldRecord], {
      name: "_heldAbout",
      description: "Internal (data protection): what the caller's agency holds about a person.",
    })
    heldAbout(
      @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
      @Ctx() ctx: RequestContext<unknown>,
    ): Promise<HeldRecord[]> {
      return holdings.about(ctx.sql, personId);
    }

    @Directive("@shareable")
    @Directive("@inaccessible")
    @Governed({ roles: [Role.DATA_SHARING_OFFICER], purposes: [Purpose.DATA_PROTECTION] })
    @Query(() => HeldRecordPage, {
      name: "_heldDue",
      description: "Internal (data protection): the caller's agency's records due under these rules.",
    })
    heldDue(
      @Arg("rules", () => [RetentionRuleInput], { description: "The agency's rules." })
      rules: RetentionRuleInput[],
      @Arg("heldPeople", () => [ID], { description: "People under a legal hold." }) heldPeople: string[],
      @Arg("offset", () => Int, { description: "Records to skip." }) offset: number,
      @Arg("limit", () => Int, { description: "At most this many (1 to 500)." }) limit: number,
      @Ctx() ctx: RequestContext<unknown>,
    ): Promise<HeldRecordPage> {
      if (!(limit >= 1 && limit <= 500)) throw badInput("limit", "must be between 1 and 500");
      if (!(offset >= 0)) throw badInput("offset", "must not be negative");
      return holdings
        .due(ctx.sql, rules, heldPeople, new Date(), { offset, limit })
        .then((p) => Object.assign(new HeldRecordPage(), p));
    }

    @Directive("@shareable")
    @Directive("@inaccessible")
    @Governed({ roles: [Role.DATA_SHARING_OFFICER], purposes: [Purpose.DATA_PROTECTION], personLevel: true })
    @Changes(HeldRecord, ownHoldings(holdings))
    @Mutation(() => HoldingsErased, {
      name: "_eraseHeld",
      description:
        "Internal (data protection): erases a person from these records of the caller's agency, in one transaction.",
    })
    eraseHeld(
      @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
      @Arg("records", () => [HeldRecordKey], { description: "The records to erase them from." })
      records: HeldRecordKey[],
      @Ctx() ctx: RequestContext<unknown>,
    ): Promise<HoldingsErased> {
      const keys = checkedKeys(records);
      return ctx.sql.transaction((tx) => holdings.eraseAbout(tx, personId, keys));
    }
  }
  return HoldingsResolver;
}

/** `at` plus `months` calendar months, the last day of a shorter month as PostgreSQL's interval does (UTC). */
export function addMonthsTo(at: Date, months: number): Date {
  const out = new Date(at.getTime());
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + months);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, last));
  return out;
}
