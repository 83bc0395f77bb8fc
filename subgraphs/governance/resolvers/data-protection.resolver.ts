import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { encodeCursor, pageRequest } from "../../shared/connection";
import { RetentionRuleInput } from "../../shared/data-protection";
import { Purpose, Role } from "../../shared/enums";
import { Creates, Governed } from "../../shared/policy";
import {
  DataProtectionRepository,
  type LegalHoldRow,
  type RetentionRuleRow,
} from "../repositories/data-protection";
import { actingFrom } from "../services/acting";
import * as dataProtection from "../services/data-protection";
import {
  Agency,
  ErasurePlan,
  ErasurePlanRecord,
  ErasureResult,
  LegalHold,
  Person,
  RetentionDueConnection,
  RetentionDueRecord,
  RetentionRule,
} from "../types";
import { agencyOf, type Context } from "./agency.resolver";

/** Every data-protection operation: a data-sharing officer, for their own agency, under DATA_PROTECTION. */
const DSO_DATA_PROTECTION = {
  roles: [Role.DATA_SHARING_OFFICER],
  purposes: [Purpose.DATA_PROTECTION],
} as const;

function toRule(row: RetentionRuleRow): RetentionRule {
  return Object.assign(new RetentionRule(), {
    id: row.id,
    category: row.category,
    retainForMonths: row.retainForMonths,
    from: row.from,
    basis: row.basis,
    ownerAgencyId: row.agencyId,
  });
}

@Resolver(() => RetentionRule)
export class RetentionRuleResolver {
  @Governed(DSO_DATA_PROTECTION)
  @Query(() => [RetentionRule], {
    description: "The caller's agency's retention rules (data-sharing officers, under DATA_PROTECTION).",
  })
  async retentionRules(@Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<RetentionRule[]> {
    return (await dataProtection.retentionRules(ctx.sql, actingFrom(ctx, info))).map(toRule);
  }

  @Governed(DSO_DATA_PROTECTION)
  @Creates(RetentionRule)
  @Mutation(() => RetentionRule, {
    description:
      "Sets how long the caller's agency keeps records of a category, from when, and why (replacing its rule for the " +
      "category). Records past their period are due for `npm run retention`; records inside it are kept against erasure.",
  })
  async setRetentionRule(
    @Arg("input", () => RetentionRuleInput, { description: "The rule." }) input: RetentionRuleInput,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<RetentionRule> {
    return toRule(await dataProtection.setRetentionRule(ctx.sql, actingFrom(ctx, info), input));
  }

  @Governed({ ...DSO_DATA_PROTECTION, personLevel: true })
  @Query(() => RetentionDueConnection, {
    description:
      "Records of the caller's agency whose retention period has run out, by kind and id; a legal hold keeps a " +
      "person's records out. What `npm run retention` erases or anonymises.",
  })
  async retentionDue(
    @Arg("first", () => Int, {
      nullable: true,
      defaultValue: 50,
      description: "Page size (at most 500; default 50).",
    })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<RetentionDueConnection> {
    const page = pageRequest(first, after);
    const due = await dataProtection.retentionDue(ctx.sql, ctx.peers, actingFrom(ctx, info), page);
    const edges = due.records.map((r, i) => ({
      cursor: encodeCursor(page.offset + i),
      node: Object.assign(new RetentionDueRecord(), {
        kind: r.kind,
        id: r.id,
        category: r.retentionCategories[0],
        dueSince: new Date(r.dueSince),
        ownerAgencyId: ctx.caller.agencyId,
      }),
    }));
    return {
      edges,
      pageInfo: {
        hasNextPage: page.offset + edges.length < due.totalCount,
        endCursor: edges.length ? edges[edges.length - 1].cursor : null,
      },
      totalCount: due.totalCount,
    };
  }

  @FieldResolver(() => Agency, { description: "The agency whose records it governs." })
  agency(@Root() rule: RetentionRule, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, rule.ownerAgencyId);
  }
}

@Resolver(() => ErasureResult)
export class ErasureResolver {
  @Governed({ ...DSO_DATA_PROTECTION, personLevel: true })
  @Creates(ErasureResult)
  @Mutation(() => ErasureResult, {
    description:
      "Erases what the caller's agency holds about a person, except what a retention rule or a legal hold keeps " +
      "(listed in retainedBecause); drops problem-solving cases' links to what was deleted; anonymises the people " +
      "index entry once no agency holds anything. The audit stops naming the person (their key is destroyed).",
  })
  async erasePersonData(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("requestRef", () => String, { description: "The erasure request's reference (no personal data)." })
    requestRef: string,
    @Arg("reason", () => String, { description: "Why (the ground under UK GDPR article 17)." })
    reason: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ErasureResult> {
    const outcome = await dataProtection.erasePersonData(
      ctx.sql,
      ctx.peers,
      actingFrom(ctx, info),
      personId,
      requestRef,
      reason,
    );
    return Object.assign(new ErasureResult(), { ...outcome, ownerAgencyId: outcome.agencyId });
  }

  @Governed({ ...DSO_DATA_PROTECTION, personLevel: true })
  @Query(() => ErasurePlan, {
    description:
      "What erasePersonData would erase and keep at the caller's agency today, record by record, and why (a " +
      "retention rule, a legal hold): shown to the data-sharing officer before confirming. Changes nothing.",
  })
  async erasurePlan(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ErasurePlan> {
    const plan = await dataProtection.planErasure(ctx.sql, ctx.peers, actingFrom(ctx, info), personId);
    return Object.assign(new ErasurePlan(), {
      ownerAgencyId: plan.agencyId,
      eraseRecords: plan.toErase.length,
      retainRecords: plan.retainedRecords,
      retainedBecause: plan.retainedBecause,
      records: plan.records.map((r) =>
        Object.assign(new ErasurePlanRecord(), { ...r, ownerAgencyId: plan.agencyId }),
      ),
    });
  }

  @FieldResolver(() => Agency, { description: "The agency that erased (the caller's)." })
  agency(@Root() result: ErasureResult, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, result.ownerAgencyId);
  }
}

@Resolver(() => ErasurePlan)
export class ErasurePlanResolver {
  @FieldResolver(() => Agency, { description: "The agency whose data it is (the caller's)." })
  agency(@Root() plan: ErasurePlan, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, plan.ownerAgencyId);
  }
}

function toHold(hold: LegalHoldRow): LegalHold {
  return Object.assign(new LegalHold(), {
    person: Object.assign(new Person(), { id: hold.personId }),
    reason: hold.reason,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt,
    ownerAgencyId: hold.agencyId,
  });
}

@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Governed({ ...DSO_DATA_PROTECTION, personLevel: true })
  @Query(() => [LegalHold], {
    description:
      "The legal holds the caller's agency has placed (data-sharing officers, under DATA_PROTECTION): whose " +
      "records erasure and retention keep, and why.",
  })
  async legalHolds(@Ctx() ctx: Context): Promise<LegalHold[]> {
    return (await new DataProtectionRepository(ctx.sql).holds(ctx.caller.agencyId, null)).map(toHold);
  }

  @Governed({ ...DSO_DATA_PROTECTION, personLevel: true })
  @Creates(LegalHold)
  @Mutation(() => LegalHold, {
    nullable: true,
    description:
      "Places a legal hold on everything the caller's agency holds about a person (erasure and retention keep it), or " +
      "lifts it when reason is null (answering null).",
  })
  async setLegalHold(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("reason", () => String, { nullable: true, description: "Why; null lifts the hold." })
    reason: string | null,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<LegalHold | null> {
    await dataProtection.setLegalHold(ctx.sql, actingFrom(ctx, info), personId, reason);
    const hold = await new DataProtectionRepository(ctx.sql).hold(ctx.caller.agencyId, personId);
    return hold ? toHold(hold) : null;
  }

  @FieldResolver(() => Agency, { description: "The agency that placed it (the caller's)." })
  agency(@Root() hold: LegalHold, @Ctx() ctx: Context): Promise<Agency> {
    return agencyOf(ctx, hold.ownerAgencyId);
  }
}
