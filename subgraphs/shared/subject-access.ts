import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import type { Caller } from "./auth";
import type { RequestContext } from "./context";
import { DataCategory, Purpose, Role } from "./enums";
import { badInput } from "./errors";
import { Governed, type PartyRule } from "./policy";
import { JSONValue } from "./scalars";

/**
 * Subject access (issue 18), the owners' side. Each agency is its own controller and holds its
 * records in its own subgraph, so each owner subgraph answers, for a data-sharing officer of its
 * own agency, everything it holds about a person; governance's `subjectAccessExport` asks the
 * caller's agency's subgraph for it (as the caller, through its API: shared/peers.ts) and adds the
 * audit's disclosures. The field is `@inaccessible`: it is not part of the public graph (only
 * governance asks it, directly), and `@shareable`, since every owner subgraph serves one.
 */

/** One record an agency holds about the person, with its own fields; third parties only by role. */
export interface HeldRecord {
  /** The record's type in the graph: Incident, AsbCase, Enrolment, Referral, Tenancy, HousingReport. */
  type: string;
  id: string;
  /** The categories its fields hold, as agreements name them. */
  categories: DataCategory[];
  /** Its own columns as the agency stores them (internal keys, such as statistics' record keys, left out). */
  fields: Record<string, unknown>;
  /**
   * Everyone the record names, by role: `subject: true` for the person, the others redacted to
   * their role (a controller does not release third parties' identity in a subject access answer).
   */
  people: { role: string; subject: boolean }[];
  /** Its sub-records (a case's interventions, a tenancy's actions, a referral's status history). */
  parts: Record<string, unknown[]>;
}

/** Only the agency that holds the records sees them: any other DSO gets what an unknown person gets. */
export const HOLDING_AGENCY: PartyRule = {
  name: "a data-sharing officer of the agency that holds the records",
  test: (r: { agencyId: string }, caller: Caller) => r.agencyId === caller.agencyId,
};

/** Declared once for every route to a person's rights: DSOs, under DATA_PROTECTION only. */
export const DATA_PROTECTION_OFFICER = {
  roles: [Role.DATA_SHARING_OFFICER],
  purposes: [Purpose.DATA_PROTECTION],
  personLevel: true,
} as const;

@Directive("@shareable")
@Directive("@inaccessible")
@Governed({
  ...DATA_PROTECTION_OFFICER,
  party: HOLDING_AGENCY,
  subjects: (r: { personId: string }) => [r.personId],
})
@ObjectType({
  description:
    "Everything one agency holds about a person, for its own data-sharing officer's subject access export (not public: governance asks it).",
})
export class HeldRecords {
  @Field(() => ID, { description: "Partnership person id." })
  personId!: string;

  @Field(() => ID, { description: "The agency that holds the records (this subgraph's)." })
  agencyId!: string;

  @Field(() => Int, { description: "How many records." })
  recordCount!: number;

  @Field(() => JSONValue, {
    description: "The records (HeldRecord[]: type, id, categories, fields, people, parts).",
  })
  records!: HeldRecord[];
}

/**
 * The owner subgraph's resolver: `find` is its repository's one query per kind of record; the
 * access rules (DSO, DATA_PROTECTION, own agency) are the declarations above, enforced by the shared code.
 */
export function heldRecordsResolver<Loaders>(
  agencyId: string,
  find: (ctx: RequestContext<Loaders>, personId: string) => Promise<HeldRecord[]>,
) {
  @Resolver()
  class HeldRecordsResolver {
    @Governed(DATA_PROTECTION_OFFICER)
    @Directive("@shareable")
    @Directive("@inaccessible")
    @Query(() => HeldRecords, {
      nullable: true,
      description: "What this agency holds about a person, for its own data-sharing officer (not public).",
    })
    async heldRecords(
      @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
      @Ctx() ctx: RequestContext<Loaders>,
    ): Promise<HeldRecords> {
      if (!personId.trim()) throw badInput("personId", "must not be empty");
      const records = await find(ctx, personId);
      return Object.assign(new HeldRecords(), { personId, agencyId, recordCount: records.length, records });
    }
  }
  return HeldRecordsResolver;
}
