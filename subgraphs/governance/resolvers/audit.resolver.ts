import { Governed } from "../../shared/policy";
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { decideAccess } from "../../shared/access/decision";
import type { ChainRow } from "../../shared/access/audit-chain";
import { pageRequest, toConnection } from "../../shared/connection";
import { DataCategory, Purpose, Role } from "../../shared/enums";
import { badInput } from "../../shared/errors";
import { loadAccessFacts } from "../../shared/access/governance-sql";
import { lastVerification } from "../repositories/audit";
import {
  AccessBasis,
  AccessExplanation,
  AccessOutcome,
  Actor,
  AuditChainStatus,
  StaffAccessExplanation,
  Agency,
  Agreement,
  Consent,
  Disclosure,
  DisclosureConnection,
  PersonMatchAuditKind,
  PersonMatchAuditRecord,
  PersonMatchAuditRecordConnection,
} from "../types";
import { auditedAgencyOf, type Context } from "./agency.resolver";

function toDisclosure(row: ChainRow): Disclosure {
  return Object.assign(new Disclosure(), {
    id: String(row.sequence),
    at: row.at,
    actor: Object.assign(new Actor(), { userId: row.userId, role: row.role as Role, agencyId: row.agencyId }),
    purpose: row.purpose as Purpose | null,
    operationName: row.operationName,
    requestId: row.requestId,
    ownerAgencyId: row.ownerAgencyId ?? "",
    categories: row.categories as DataCategory[],
    recordIds: row.recordIds,
    decision: row.decision as AccessOutcome,
    reason: row.reason,
    basis: row.basis as AccessBasis | null,
    agreementId: row.agreementId,
    consentId: row.consentId,
    breakGlass: row.breakGlass,
  });
}

@Resolver(() => Disclosure)
export class DisclosureResolver {
  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Query(() => DisclosureConnection, {
    description:
      "Who saw (or was refused) the caller's agency's data about a person, when, why and on what basis, newest first. " +
      "For data-sharing officers, about their own agency's data only.",
  })
  async disclosures(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("first", () => Int, {
      nullable: true,
      defaultValue: 50,
      description: "Page size (at most 500; default 50).",
    })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<DisclosureConnection> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.audit.disclosures(ctx.caller.agencyId, personId, page);
    return toConnection(result.items.map(toDisclosure), result.totalCount, page);
  }

  @FieldResolver(() => Agency, { description: "The agency that holds the data." })
  owner(@Root() disclosure: Disclosure, @Ctx() ctx: Context): Promise<Agency> {
    return auditedAgencyOf(ctx, disclosure.ownerAgencyId);
  }

  @FieldResolver(() => Agreement, { nullable: true, description: "The agreement relied on." })
  agreement(@Root() disclosure: Disclosure, @Ctx() ctx: Context): Promise<Agreement | null> | null {
    return disclosure.agreementId ? ctx.loaders.agreementById.load(disclosure.agreementId) : null;
  }

  @FieldResolver(() => Consent, { nullable: true, description: "The consent relied on." })
  consent(@Root() disclosure: Disclosure, @Ctx() ctx: Context): Promise<Consent | null> | null {
    return disclosure.consentId ? ctx.loaders.consentById.load(disclosure.consentId) : null;
  }
}

@Resolver(() => PersonMatchAuditRecord)
export class PersonMatchAuditResolver {
  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Query(() => PersonMatchAuditRecordConnection, {
    description:
      "How the caller's agency's references came to be linked to a person in the people index, newest first: the " +
      "automatic links and queued reviews of its imports (`npm run ingest`) and its DSOs' review decisions, as the " +
      "audit log records them. For data-sharing officers, about their own agency's references only.",
  })
  async personMatchAudit(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("first", () => Int, {
      nullable: true,
      defaultValue: 50,
      description: "Page size (at most 500; default 50).",
    })
    first: number | null,
    @Arg("after", () => String, { nullable: true, description: "Cursor to continue after." })
    after: string | null,
    @Ctx() ctx: Context,
  ): Promise<PersonMatchAuditRecordConnection> {
    const page = pageRequest(first, after);
    const result = await ctx.loaders.audit.personMatches(ctx.caller.agencyId, personId, page);
    return toConnection(result.items.map(toPersonMatchAuditRecord), result.totalCount, page);
  }
}

/** A queued match is the PERSON_MATCH record that names its review (shared/ingest/run.ts, matchAuditRecords). */
function toPersonMatchAuditRecord(row: ChainRow & { people: string[] }): PersonMatchAuditRecord {
  return Object.assign(new PersonMatchAuditRecord(), {
    id: String(row.sequence),
    at: row.at,
    kind:
      row.kind === "PERSON_MATCH_REVIEW"
        ? PersonMatchAuditKind.REVIEWED
        : row.recordIds.length
          ? PersonMatchAuditKind.QUEUED
          : PersonMatchAuditKind.LINKED,
    userId: row.userId,
    role: row.role,
    requestId: row.requestId,
    personIds: row.people,
    recordIds: row.recordIds,
    detail: row.detail,
    agencyId: row.agencyId,
  });
}

@Resolver(() => Actor)
export class ActorResolver {
  @FieldResolver(() => Agency, { description: "Their agency." })
  agency(@Root() actor: Actor, @Ctx() ctx: Context): Promise<Agency> {
    return auditedAgencyOf(ctx, actor.agencyId);
  }
}

@Resolver(() => AccessExplanation)
export class AccessExplanationResolver {
  @Query(() => AccessExplanation, {
    description:
      "Why the caller, under the purpose it sends (x-purpose, and x-break-glass if any), may or may not see one category " +
      "of a person's data held by one agency. Explains only: nothing is disclosed or recorded.",
  })
  async explainAccess(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("ownerAgencyId", () => ID, { description: "The agency that holds the data." }) ownerAgencyId: string,
    @Arg("category", () => DataCategory, { description: "The category of data." }) category: DataCategory,
    @Ctx() ctx: Context,
  ): Promise<AccessExplanation> {
    if (!personId.trim()) throw badInput("personId", "must not be empty");
    if (!(await ctx.loaders.agencyById.load(ownerAgencyId)))
      throw badInput("ownerAgencyId", `unknown agency "${ownerAgencyId}"`);
    const facts = await loadAccessFacts(ctx.sql, {
      recipientAgencyId: ctx.caller.agencyId,
      providerAgencyIds: [ownerAgencyId],
      personIds: [personId],
    });
    const decision = decideAccess(
      {
        callerAgencyId: ctx.caller.agencyId,
        role: ctx.caller.role,
        purpose: ctx.purpose,
        breakGlass: ctx.breakGlass,
        ownerAgencyId,
        category,
        personId,
        aggregate: false,
        at: new Date(),
      },
      facts,
    );
    return Object.assign(new AccessExplanation(), {
      decision: decision.permitted ? AccessOutcome.PERMITTED : AccessOutcome.DENIED,
      reason: decision.reason,
      basis: decision.basis as AccessBasis | null,
      breakGlass: decision.breakGlass,
      agreementId: decision.agreementId,
      consentId: decision.consentId,
      steps: decision.steps,
    });
  }

  @FieldResolver(() => Agreement, {
    nullable: true,
    description: "The agreement relied on, or the one whose consent condition is unmet.",
  })
  agreement(@Root() explanation: AccessExplanation, @Ctx() ctx: Context): Promise<Agreement | null> | null {
    return explanation.agreementId ? ctx.loaders.agreementById.load(explanation.agreementId) : null;
  }

  @FieldResolver(() => Consent, { nullable: true, description: "The consent relied on." })
  consent(@Root() explanation: AccessExplanation, @Ctx() ctx: Context): Promise<Consent | null> | null {
    return explanation.consentId ? ctx.loaders.consentById.load(explanation.consentId) : null;
  }
}

@Resolver(() => StaffAccessExplanation)
export class StaffAccessExplanationResolver {
  @Governed({ roles: [Role.DATA_SHARING_OFFICER], personLevel: true })
  @Query(() => StaffAccessExplanation, {
    nullable: true,
    description:
      "Why staff of an agency, in a role and under a purpose, may or may not see one category of a person's data held " +
      'by one agency ("why can\'t they see it?"). For data-sharing officers of the agency holding the data or of the ' +
      "agency asked about; null for anyone else. Explains only: nothing is disclosed or recorded.",
  })
  async explainStaffAccess(
    @Arg("personId", () => ID, { description: "Partnership person id." }) personId: string,
    @Arg("ownerAgencyId", () => ID, { description: "The agency that holds the data." }) ownerAgencyId: string,
    @Arg("category", () => DataCategory, { description: "The category of data." }) category: DataCategory,
    @Arg("agencyId", () => ID, { description: "The agency whose staff would see it." }) agencyId: string,
    @Arg("role", () => Role, { description: "Their role." }) role: Role,
    @Arg("purpose", () => Purpose, { description: "The purpose they would work under." }) purpose: Purpose,
    @Ctx() ctx: Context,
  ): Promise<StaffAccessExplanation> {
    if (!personId.trim()) throw badInput("personId", "must not be empty");
    for (const [argument, id] of [
      ["ownerAgencyId", ownerAgencyId],
      ["agencyId", agencyId],
    ] as const)
      if (!(await ctx.loaders.agencyById.load(id))) throw badInput(argument, `unknown agency "${id}"`);
    const facts = await loadAccessFacts(ctx.sql, {
      recipientAgencyId: agencyId,
      providerAgencyIds: [ownerAgencyId],
      personIds: [personId],
    });
    // The same decision function every field is judged by, for the staff asked about.
    const decision = decideAccess(
      {
        callerAgencyId: agencyId,
        role,
        purpose,
        breakGlass: null,
        ownerAgencyId,
        category,
        personId,
        aggregate: false,
        at: new Date(),
      },
      facts,
    );
    return Object.assign(new StaffAccessExplanation(), {
      decision: decision.permitted ? AccessOutcome.PERMITTED : AccessOutcome.DENIED,
      reason: decision.reason,
      basis: decision.basis as AccessBasis | null,
      agreementId: decision.agreementId,
      consentId: decision.consentId,
      steps: decision.steps,
      ownerAgencyId,
      askingAgencyId: agencyId,
    });
  }

  @FieldResolver(() => Agreement, {
    nullable: true,
    description: "The agreement relied on, or the one whose consent condition is unmet.",
  })
  agreement(
    @Root() explanation: StaffAccessExplanation,
    @Ctx() ctx: Context,
  ): Promise<Agreement | null> | null {
    return explanation.agreementId ? ctx.loaders.agreementById.load(explanation.agreementId) : null;
  }

  @FieldResolver(() => Consent, { nullable: true, description: "The consent relied on." })
  consent(@Root() explanation: StaffAccessExplanation, @Ctx() ctx: Context): Promise<Consent | null> | null {
    return explanation.consentId ? ctx.loaders.consentById.load(explanation.consentId) : null;
  }
}

@Resolver(() => AuditChainStatus)
export class AuditChainStatusResolver {
  @Governed({ roles: [Role.DATA_SHARING_OFFICER] })
  @Query(() => AuditChainStatus, {
    description:
      "The audit chain's length and the last full verification's verdict and time, as `npm run audit:verify` " +
      "recorded it: read, not recomputed. For data-sharing officers.",
  })
  async auditChainStatus(@Ctx() ctx: Context): Promise<AuditChainStatus> {
    const [head, last] = await Promise.all([ctx.loaders.audit.head(), lastVerification(ctx.sql)]);
    return Object.assign(new AuditChainStatus(), {
      records: head?.sequence ?? 0,
      lastVerifiedAt: last?.at ?? null,
      intact: last?.ok ?? null,
      checked: last?.checked ?? null,
      firstBrokenRecord: last?.firstBadSequence ?? null,
      reason: last?.reason ?? null,
    });
  }
}
