import { Arg, Ctx, Directive, ID, Int, Mutation, Resolver } from "type-graphql";
import { GraphQLError } from "graphql";
import type { RequestContext } from "../../shared/context";
import { DATA_PROTECTION_OFFICER, HeldRecord, HeldRecordKey } from "../../shared/data-protection";
import { Changes, Governed } from "../../shared/policy";
import { setAsideForErasure, settleErasureHere } from "../repositories/people";

/** The agency named is the caller's own (HeldRecord's party and @ChangedBy rules). */
const AGENCY_HOLDINGS = {
  find: (args: { agencyId: string }) => ({ ownerAgencyId: args.agencyId }),
  unknown: () => new GraphQLError("no such holdings", { extensions: { code: "NOT_FOUND" } }),
};

/**
 * The people index's part in an agency's erasure (shared/erasure.ts), asked by governance as the
 * DSO: the first phase once the agency's own store has moved its records aside, the second once
 * governance has decided (or undone) the erasure. Internal (@inaccessible); the caller must be a
 * DSO of the agency named, under DATA_PROTECTION (declared: @Changes of that agency's holdings).
 */
@Resolver()
export class DataProtectionResolver {
  @Directive("@inaccessible")
  @Governed(DATA_PROTECTION_OFFICER)
  @Changes(HeldRecord, AGENCY_HOLDINGS)
  @Mutation(() => Int, {
    name: "_forgetHeld",
    description:
      "Internal (data protection): erasure's first phase in the people index, in one transaction: moves aside the " +
      "cases' links to an agency's erased records, and its reference for the person when it keeps nothing. " +
      "Answers how many links.",
  })
  forgetHeld(
    @Arg("erasureId", () => ID, { description: "The erasure (governance's)." }) erasureId: string,
    @Arg("agencyId", () => ID, { description: "The agency that erases." }) agencyId: string,
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("deleted", () => [HeldRecordKey], { description: "Records the agency deletes altogether." })
    deleted: HeldRecordKey[],
    @Arg("dropReference", () => Boolean, { description: "The agency keeps nothing about the person." })
    dropReference: boolean,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<number> {
    return ctx.sql.transaction((tx) =>
      setAsideForErasure(tx, erasureId, agencyId, personId, deleted, dropReference),
    );
  }

  @Directive("@inaccessible")
  @Governed(DATA_PROTECTION_OFFICER)
  @Changes(HeldRecord, AGENCY_HOLDINGS)
  @Mutation(() => Boolean, {
    name: "_settleForget",
    description:
      "Internal (data protection): ends an agency's erasure in the people index: drops what it moved aside once " +
      "decided (anonymising the person when every agency has erased), or puts it back. Idempotent; answers whether " +
      "the person was anonymised.",
  })
  settleForget(
    @Arg("erasureId", () => ID, { description: "The erasure (governance's)." }) erasureId: string,
    @Arg("agencyId", () => ID, { description: "The agency that erases." }) _agencyId: string,
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("decided", () => Boolean, { description: "Governance recorded the decision: drop; else undo." })
    decided: boolean,
    @Arg("anonymise", () => Boolean, {
      description: "Every agency has erased what it held: anonymise the entry.",
    })
    anonymise: boolean,
    @Ctx() ctx: RequestContext<unknown>,
  ): Promise<boolean> {
    return ctx.sql.transaction((tx) => settleErasureHere(tx, erasureId, personId, decided, anonymise));
  }
}
