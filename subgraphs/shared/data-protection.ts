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
import { beginPrepare, discardErasure, undoErasure } from "./erasure";
import { forgetting } from "./forgotten";
import { DateTime, JSONValue } from "./scalars";

/**
 * Data protection as each agency's subgraph takes part in it: what it holds about a person (the
 * records' contents and the dates retention runs from: the one read of subject access and erasure),
 * what is due under retention rules, erasing a person (in two phases, shared/erasure.ts) and
 * expiring records, each in one transaction of its own store. Retention rules and legal holds are governance's;
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

/** Declared once for every route to a person's rights: DSOs, under DATA_PROTECTION only. */
export const DATA_PROTECTION_OFFICER = {
  roles: [Role.DATA_SHARING_OFFICER],
  purposes: [Purpose.DATA_PROTECTION],
  personLevel: true,
} as const;

/** What every record of one kind is, as a subject access export names it. */
export interface HeldKind {
  /** Its type in the graph: Incident, AsbCase, Enrolment, Referral, Tenancy, HousingReport. */
  type: string;
  /** The categories its fields hold, as agreements name them. */
  categories: readonly DataCategory[];
}

/**
 * One record an agency holds about a person: the one shape subject access and erasure read (and
 * retention's due lists, without the record's contents). Third parties only by role.
 */
@Directive("@shareable")
@Directive("@inaccessible")
@ChangedBy(HOLDER_DSO)
@Governed({
  ...DATA_PROTECTION_OFFICER,
  party: HOLDER_DSO,
  subjects: (r: HeldRecord) => r.personIds,
})
@ObjectType({ description: "A record an agency holds about people (internal: data protection)." })
export class HeldRecord {
  ownerAgencyId!: string;
  personIds!: string[];

  @Field(() => String, {
    description: "What kind of record: INCIDENT, ASB_CASE, ENROLMENT, REFERRAL, TENANCY, HOUSING_REPORT.",
  })
  kind!: string;

  @Field(() => String, { description: "Its type in the graph: Incident, AsbCase, Enrolment, ..." })
  type!: string;

  @Field(() => ID, { description: "The record's id in its kind." })
  id!: string;

  @Field(() => [DataCategory], { description: "The categories its fields hold." })
  categories!: DataCategory[];

  @Field(() => [DataCategory], {
    description:
      "The categories retention judges it by: the person's part in it (a suspect's is OFFENDING), or, in due lists, everyone's.",
  })
  retentionCategories!: DataCategory[];

  @Field(() => DateTime, { description: "When it was made." })
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "When it was closed; null while open." })
  closedAt!: Date | null;

  @Field(() => DateTime, { description: "The last thing that happened on it." })
  lastActivityAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "Since when retention has it due (due lists only)." })
  dueSince!: Date | null;

  @Field(() => JSONValue, {
    nullable: true,
    description:
      "Its own columns as the agency stores them, without internal keys (about one person only; null in due lists).",
  })
  fields!: Record<string, unknown> | null;

  @Field(() => JSONValue, {
    nullable: true,
    description:
      "Everyone it names, by role: { role, subject } (subject: the person asked about); others' identity never (about one person only).",
  })
  people!: { role: string; subject: boolean }[] | null;

  @Field(() => JSONValue, {
    nullable: true,
    description: "Its sub-records: a case's interventions, a tenancy's actions... (about one person only).",
  })
  parts!: Record<string, unknown[]> | null;
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
  /**
   * Everything held about a person, with the records' contents and the dates retention runs
   * from: the one read of subject access and erasure.
   */
  about(sql: Sql, personId: string): Promise<HeldRecord[]>;
  /** Records due under `rules` at `at`, kind and id order, leaving out records about a held person. */
  due(
    sql: Sql,
    rules: readonly RetentionRuleFacts[],
    heldPeople: readonly string[],
    at: Date,
    page: { offset: number; limit: number },
  ): Promise<{ records: HeldRecord[]; totalCount: number }>;
  /**
   * Erases the person from these records (one transaction): their part, and any record left about
   * no one, moved aside under `erasureId` (shared/erasure.ts) until the erasure is decided.
   */
  eraseAbout(
    tx: Sql,
    erasureId: string,
    personId: string,
    records: readonly HeldRecordKey[],
  ): Promise<HoldingsErased>;
  /**
   * Erases (or anonymises) these whole records (one transaction); the imported ones among them are
   * forgotten under retention (shared/forgotten.ts).
   */
  expire(tx: Sql, records: readonly HeldRecordKey[]): Promise<HoldingsErased>;
  /** The kinds `expire` deletes outright (the rest it anonymises and keeps). */
  expireDeletes: readonly string[];
}

/** A holdings query's row, one per record (the columns of the view, people and categories gathered). */
interface HeldRow {
  kind: string;
  id: string;
  retention_categories: string[];
  person_ids: string[];
  created_at: Date;
  closed_at: Date | null;
  last_activity_at: Date;
  due_since?: Date | null;
  fields?: Record<string, unknown>;
  people?: { role: string; subject: boolean }[];
  parts?: Record<string, unknown[]>;
}

/**
 * An agency's holdings, declared once in its repository:
 * - `kinds`: what each kind of record is;
 * - `heldSql`: one row per person in a record (`kind, id, category, person_id, created_at,
 *   closed_at, last_activity_at`), the view retention and erasure judge;
 * - `contentsSql`: the records about the person `$1`, one row each (`kind, id, fields, people,
 *   parts`), third parties by role only;
 * - its erase and expire statements (the tables erasure moves rows out of, and the order an undo
 *   puts them back in, are its store's: see its ErasureThroughDefinerFunctions migration).
 */
export function holdingsOver(declared: {
  agencyId: string;
  kinds: Readonly<Record<string, HeldKind>>;
  heldSql: string;
  contentsSql: string;
  expireDeletes: readonly string[];
  eraseAbout: Holdings["eraseAbout"];
  expire: Holdings["expire"];
}): Holdings {
  const { agencyId, kinds, heldSql } = declared;
  const toHeldRecord = (row: HeldRow): HeldRecord =>
    Object.assign(new HeldRecord(), {
      ownerAgencyId: agencyId,
      personIds: row.person_ids,
      kind: row.kind,
      type: kinds[row.kind].type,
      id: row.id,
      categories: [...kinds[row.kind].categories],
      retentionCategories: row.retention_categories as DataCategory[],
      createdAt: row.created_at,
      closedAt: row.closed_at,
      lastActivityAt: row.last_activity_at,
      dueSince: row.due_since ?? null,
      fields: row.fields ?? null,
      people: row.people ?? null,
      parts: row.parts ?? null,
    });
  return {
    agencyId,
    async about(sql, personId) {
      // One statement: the records' contents beside the dates and categories the view gives them.
      const rows = await sql.many<HeldRow>(
        `SELECT c.kind, c.id, c.fields, c.people, c.parts, h.retention_categories, h.created_at, h.closed_at,
                h.last_activity_at, ARRAY[$1::text] AS person_ids
           FROM (${declared.contentsSql}) c
           JOIN (SELECT x.kind, x.id, array_agg(DISTINCT x.category ORDER BY x.category) AS retention_categories,
                        min(x.created_at) AS created_at, max(x.closed_at) AS closed_at,
                        max(x.last_activity_at) AS last_activity_at
                   FROM (${heldSql}) x WHERE x.person_id = $1 GROUP BY x.kind, x.id) h
             ON h.kind = c.kind AND h.id = c.id
          ORDER BY h.created_at, c.kind, c.id`,
        [personId],
      );
      return rows.map(toHeldRecord);
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
                SELECT j.kind, j.id, array_agg(DISTINCT j.category ORDER BY j.category) AS retention_categories,
                       array_agg(DISTINCT j.person_id) AS person_ids,
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
        records: rows.map(toHeldRecord),
        totalCount: rows.length ? Number(rows[0].total) : 0,
      };
    },
    eraseAbout: declared.eraseAbout,
    // The keyed rows it deletes are forgotten under retention: the next import leaves them out.
    async expire(tx, records) {
      await forgetting(tx, "RETENTION");
      return declared.expire(tx, records);
    },
    expireDeletes: declared.expireDeletes,
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
    @Governed(DATA_PROTECTION_OFFICER)
    @Query(() => [HeldRecord], {
      name: "_heldAbout",
      description:
        "Internal (data protection): everything the caller's agency holds about a person, with the records' contents " +
        "(subject access) and the dates retention runs from (erasure).",
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
    @Governed(DATA_PROTECTION_OFFICER)
    @Changes(HeldRecord, ownHoldings(holdings))
    @Mutation(() => HoldingsErased, {
      name: "_eraseHeld",
      description:
        "Internal (data protection): erasure's first phase, in one transaction: moves the person's part in these records " +
        "of the caller's agency aside under the erasure (reads find it gone; _settleErasure drops or puts it back).",
    })
    eraseHeld(
      @Arg("erasureId", () => ID, { description: "The erasure (governance's)." }) erasureId: string,
      @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
      @Arg("records", () => [HeldRecordKey], { description: "The records to erase them from." })
      records: HeldRecordKey[],
      @Ctx() ctx: RequestContext<unknown>,
    ): Promise<HoldingsErased> {
      const keys = checkedKeys(records);
      return ctx.sql.transaction(async (tx) => {
        await beginPrepare(tx, erasureId);
        return holdings.eraseAbout(tx, erasureId, personId, keys);
      });
    }

    @Directive("@shareable")
    @Directive("@inaccessible")
    @Governed(DATA_PROTECTION_OFFICER)
    @Changes(HeldRecord, ownHoldings(holdings))
    @Mutation(() => Int, {
      name: "_settleErasure",
      description:
        "Internal (data protection): ends an erasure in the caller's agency's store: drops what it moved aside once " +
        "decided, or puts it back (undone). Idempotent; answers how many rows it dropped or put back.",
    })
    settleErasure(
      @Arg("erasureId", () => ID, { description: "The erasure (governance's)." }) erasureId: string,
      @Arg("decided", () => Boolean, { description: "Governance recorded the decision: drop; else undo." })
      decided: boolean,
      @Ctx() ctx: RequestContext<unknown>,
    ): Promise<number> {
      return ctx.sql.transaction((tx) =>
        decided ? discardErasure(tx, erasureId) : undoErasure(tx, erasureId),
      );
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
