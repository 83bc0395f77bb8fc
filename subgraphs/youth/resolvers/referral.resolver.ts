import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../../shared/context";
import { enforceVisibleResult } from "../../shared/access/enforcement";
import { badInput } from "../../shared/errors";
import { Changes, Creates } from "../../shared/policy";
import { YOUTH_AGENCY } from "../access";
import { checkReferralConsent } from "../referral-consent";
import type { YouthLoaders } from "../loaders";
import {
  Referral,
  REFERRAL_TRANSITIONS,
  ReferralInput,
  ReferralStatus,
  ReferralStatusChange,
} from "../types";

type Context = RequestContext<YouthLoaders>;

const MAX_TEXT = 2000;

/** A programme's ages in words: "11-19", "11 and over", "up to 19" or "any age". */
function ageRange(p: { minimumAge: number | null; maximumAge: number | null }): string {
  if (p.minimumAge !== null && p.maximumAge !== null) return `${p.minimumAge}-${p.maximumAge}`;
  if (p.minimumAge !== null) return `${p.minimumAge} and over`;
  if (p.maximumAge !== null) return `up to ${p.maximumAge}`;
  return "any age";
}

@Resolver(() => Referral)
export class ReferralResolver {
  @Query(() => Referral, { nullable: true, description: "One referral by id." })
  referral(
    @Arg("id", () => ID, { description: "Referral id." }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Referral | null> {
    return ctx.loaders.referralById.load(id);
  }

  @FieldResolver(() => [ReferralStatusChange], {
    description: "Every status the referral has had, oldest first.",
  })
  statusHistory(@Root() referral: Referral, @Ctx() ctx: Context): Promise<ReferralStatusChange[]> {
    return ctx.loaders.historyByReferral.load(referral.id);
  }

  @Creates(Referral)
  @Mutation(() => Referral, {
    description:
      "Refers a young person to a youth programme on behalf of the caller's agency; the referral starts as REFERRED.",
  })
  async referToProgramme(
    @Arg("input", () => ReferralInput, { description: "Who, to which programme and why." })
    input: ReferralInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Referral> {
    if (!input.personId.trim()) throw badInput("input.personId", "must not be empty");
    const reason = input.reason.trim();
    if (!reason) throw badInput("input.reason", "must not be empty");
    if (reason.length > MAX_TEXT) throw badInput("input.reason", `must be at most ${MAX_TEXT} characters`);
    const programme = await ctx.loaders.programmeById.load(input.programmeId);
    if (!programme) throw badInput("input.programmeId", `no programme with id "${input.programmeId}"`);
    // Decided before anything is written: a partner referring an under-16 needs an agreement in
    // force and their consent to share their details with youth services; and the referrer must
    // be able to see the referral it would write (else it would be written and then withheld).
    const age = await checkReferralConsent(input.personId, YOUTH_AGENCY, ctx.access);
    const draft = { person: { id: input.personId }, programme, referredByAgencyId: ctx.caller.agencyId };
    await enforceVisibleResult(draft, info, ctx.access);
    // Judged after the access checks, so a caller who may not refer learns nothing of the age.
    if (
      (programme.minimumAge !== null && age < programme.minimumAge) ||
      (programme.maximumAge !== null && age > programme.maximumAge)
    ) {
      throw badInput(
        "input.personId",
        `the person is outside ${programme.name}'s age range (${ageRange(programme)})`,
      );
    }
    const created = await ctx.loaders.youth.createReferral(
      {
        personId: input.personId,
        programmeId: programme.id,
        reason,
        referredByAgencyId: ctx.caller.agencyId,
      },
      YOUTH_AGENCY,
    );
    if (created.kind === "duplicate")
      throw badInput(
        "input.programmeId",
        `the person already has an open referral to ${programme.name} (${created.openReferralId})`,
      );
    if (created.kind === "no-programme")
      throw badInput("input.programmeId", `no programme with id "${input.programmeId}"`);
    return created.referral;
  }

  // Referral's actor rule (youth services) turns on the caller alone: checked before anything is read.
  @Changes(Referral, {
    find: (args: { id: string }) => args,
    unknown: ({ id }) => badInput("id", `no referral with id "${id}"`),
  })
  @Mutation(() => Referral, {
    description:
      "Moves a referral on (youth services only): REFERRED to ACCEPTED, DECLINED or WITHDRAWN; ACCEPTED to ACTIVE or " +
      "WITHDRAWN; ACTIVE to COMPLETED or WITHDRAWN. The step is added to its history.",
  })
  async updateReferralStatus(
    @Arg("id", () => ID, { description: "Referral id." }) id: string,
    @Arg("status", () => ReferralStatus, { description: "The status to move to." }) status: ReferralStatus,
    @Arg("note", () => String, { nullable: true, description: "Why, for the history." }) note: string | null,
    @Ctx() ctx: Context,
  ): Promise<Referral> {
    const trimmed = note?.trim() || null;
    if (trimmed && trimmed.length > MAX_TEXT)
      throw badInput("note", `must be at most ${MAX_TEXT} characters`);
    const referral = await ctx.loaders.youth.changeStatus(id, status, trimmed, (current) => {
      const allowed = REFERRAL_TRANSITIONS[current];
      if (!allowed.includes(status)) {
        throw badInput(
          "status",
          allowed.length
            ? `the referral is ${current}, and can move only to ${allowed.join(", ")}`
            : `the referral is ${current}, which is final: it cannot change`,
        );
      }
    });
    if (!referral) throw badInput("id", `no referral with id "${id}"`);
    return referral;
  }
}
