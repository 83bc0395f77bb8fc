import type { GraphQLResolveInfo } from "graphql";
import type { AuditKind } from "../../shared/access/audit-chain";
import type { Caller } from "../../shared/auth";
import type { RequestContext } from "../../shared/context";
import type { Purpose } from "../../shared/enums";
import { badInput } from "../../shared/errors";
import type { NewAuditRecord } from "../repositories/audit";

/** Who is making a change, and in which request: what every change's audit record carries. */
export interface Acting {
  caller: Caller;
  purpose: Purpose | null;
  requestId: string;
  operationName: string | null;
}

export function actingFrom(ctx: RequestContext<unknown>, info: GraphQLResolveInfo): Acting {
  return {
    caller: ctx.caller,
    purpose: ctx.purpose,
    requestId: ctx.requestId,
    operationName: info.operation.name?.value ?? null,
  };
}

/** The audit record of a change made by a data-sharing officer. */
export function changeRecord(
  acting: Acting,
  kind: Extract<AuditKind, "AGREEMENT_CHANGE" | "CONSENT_CHANGE" | "BREAK_GLASS_REVIEW" | "DATA_PROTECTION">,
  fields: {
    ownerAgencyId: string | null;
    detail: string;
    personIds?: string[];
    categories?: string[];
    recordIds?: string[];
    agreementId?: string | null;
    consentId?: string | null;
  },
  at = new Date(),
): NewAuditRecord {
  return {
    at,
    userId: acting.caller.userId,
    agencyId: acting.caller.agencyId,
    role: acting.caller.role,
    purpose: acting.purpose,
    operationName: acting.operationName,
    requestId: acting.requestId,
    ownerAgencyId: fields.ownerAgencyId,
    personIds: fields.personIds ?? [],
    categories: fields.categories ?? [],
    recordIds: fields.recordIds ?? [],
    decision: "PERMITTED",
    reason: null,
    basis: null,
    agreementId: fields.agreementId ?? null,
    consentId: fields.consentId ?? null,
    breakGlass: false,
    justification: null,
    kind,
    detail: fields.detail,
  };
}

/** A required free-text argument, trimmed; blank is bad input. */
export function requiredText(argument: string, value: string | null | undefined): string {
  const text = (value ?? "").trim();
  if (!text) throw badInput(argument, "must not be empty");
  return text;
}
