import { AgreementStatus, DataCategory, Purpose, Role, type ConsentGiver } from "../enums";
import { calendarDate, consentStateAt } from "../facts";
import { breakGlassProblem } from "./break-glass";
import type { Gate } from "./rules";

/**
 * The partnership's access rules as one pure function: no I/O, no clock, no cache. Every
 * subgraph loads the facts (agreements and consents, see access/governance-sql.ts `loadAccessFacts`) once
 * per request and asks `decideAccess` for each (owner, category, person) it is about to return.
 */

/** Why access was refused; the `extensions.reason` of a FORBIDDEN error. */
export type AccessReason =
  | "NO_AGREEMENT"
  | "PURPOSE_NOT_COVERED"
  | "CATEGORY_NOT_COVERED"
  | "CONSENT_REQUIRED"
  | "CONSENT_WITHDRAWN"
  | "ROLE_NOT_PERMITTED"
  | "PURPOSE_REQUIRED";

/**
 * On what ground access was permitted. Beyond the four the audit names (own data, agreement,
 * consent, break-glass) two grounds need no agreement at all: the partnership's people index
 * (rule 6: identity is visible to practitioners and DSOs) and perturbed statistics (rule 5:
 * aggregates are not personal data, so every agency's counts reach any caller under STATISTICS).
 */
export type AccessBasis = "OWN_DATA" | "AGREEMENT" | "CONSENT" | "BREAK_GLASS" | "PEOPLE_INDEX" | "AGGREGATE";

/** An information sharing agreement as the decision needs it. */
export interface AgreementFacts {
  id: string;
  reference: string;
  providerAgencyId: string;
  recipientAgencyId: string;
  /**
   * As stored: DRAFT, ACTIVE (both approved), SUSPENDED, REVOKED or SUPERSEDED (a later version is
   * in force); EXPIRED is never stored.
   */
  status: AgreementStatus;
  approvedByProvider: boolean;
  approvedByRecipient: boolean;
  purposes: Purpose[];
  categories: DataCategory[];
  consentRequiredFor: DataCategory[];
  /** Calendar dates, YYYY-MM-DD, inclusive. */
  validFrom: string;
  validTo: string;
  suspendedAt: Date | null;
  revokedAt: Date | null;
}

/** A person's consent to share categories of their data with one recipient agency. */
export interface ConsentFacts {
  id: string;
  personId: string;
  recipientAgencyId: string;
  /** The agency whose data it covers (its DSO recorded it): no other agency's. */
  providerAgencyId: string;
  purposes: Purpose[];
  categories: DataCategory[];
  givenBy: ConsentGiver;
  givenAt: Date;
  expiresAt: Date | null;
  withdrawnAt: Date | null;
}

/** One question: may this caller, for this purpose, see this category of this owner's data? */
export interface AccessRequest {
  callerAgencyId: string;
  role: Role;
  /** From x-purpose; null when none was sent. */
  purpose: Purpose | null;
  /** From x-break-glass: the justification, or null. */
  breakGlass: string | null;
  /** The agency that holds the data. */
  ownerAgencyId: string;
  /** What the field or record discloses; may be null only for an aggregate. */
  category: DataCategory | null;
  /** The person the data is about; null when it is about no one person. */
  personId: string | null;
  /** True for perturbed counts (fields marked @Aggregate), false for person-level data. */
  aggregate: boolean;
  /** An aggregate that is part of a problem-solving case's assessment (see FieldPolicy.caseWork). */
  caseWork?: boolean;
  /**
   * The person's consent is needed whatever the agreement says (a partner's referral of someone
   * under 16): an agreement that shares the category outright is then not enough.
   */
  consentRequired?: boolean;
  /** When: agreements and consents are judged as they stand at this instant. */
  at: Date;
}

export interface AccessDecision {
  permitted: boolean;
  /** Null when permitted. */
  reason: AccessReason | null;
  /** Null when denied. */
  basis: AccessBasis | null;
  /** The agreement relied on (or, when denied for want of consent, the one that asks for it). */
  agreementId: string | null;
  consentId: string | null;
  /** True when the data is released only because of break-glass: the owner's DSOs review it. */
  breakGlass: boolean;
  /** A human-readable trace of the rules applied, in order (explainAccess shows it). */
  steps: string[];
}

function toDay(today: string | Date): string {
  return typeof today === "string" ? today : calendarDate(today);
}

/**
 * The status an agreement has on a day, whatever was stored:
 * REVOKED, SUPERSEDED and SUSPENDED as recorded (a superseded version is out of force for good, its
 * amendment in force instead); EXPIRED after validTo; DRAFT until both parties have
 * approved; an approved agreement whose validFrom is still ahead is also reported DRAFT (it is
 * not in force yet: `agreementStatusNote` says "approved; in force from ..."); else ACTIVE.
 */
export function effectiveAgreementStatus(a: AgreementFacts, today: string | Date): AgreementStatus {
  const day = toDay(today);
  if (a.revokedAt || a.status === AgreementStatus.REVOKED) return AgreementStatus.REVOKED;
  if (a.status === AgreementStatus.SUPERSEDED) return AgreementStatus.SUPERSEDED;
  if (a.suspendedAt || a.status === AgreementStatus.SUSPENDED) return AgreementStatus.SUSPENDED;
  if (day > a.validTo) return AgreementStatus.EXPIRED;
  if (!a.approvedByProvider || !a.approvedByRecipient) return AgreementStatus.DRAFT;
  if (day < a.validFrom) return AgreementStatus.DRAFT;
  return AgreementStatus.ACTIVE;
}

/** Why an agreement has its effective status, in words for a DSO. */
export function agreementStatusNote(a: AgreementFacts, today: string | Date): string {
  const status = effectiveAgreementStatus(a, today);
  switch (status) {
    case AgreementStatus.REVOKED:
      return "revoked";
    case AgreementStatus.SUSPENDED:
      return "suspended";
    case AgreementStatus.SUPERSEDED:
      return "superseded by a later version";
    case AgreementStatus.EXPIRED:
      return `expired on ${a.validTo}`;
    case AgreementStatus.DRAFT: {
      const waiting = [
        a.approvedByProvider ? null : `provider ${a.providerAgencyId}`,
        a.approvedByRecipient ? null : `recipient ${a.recipientAgencyId}`,
      ].filter(Boolean);
      return waiting.length
        ? `awaiting approval by ${waiting.join(" and ")}`
        : `approved; in force from ${a.validFrom}`;
    }
    default:
      return `active until ${a.validTo}`;
  }
}

function isActive(a: AgreementFacts, day: string): boolean {
  return effectiveAgreementStatus(a, day) === AgreementStatus.ACTIVE;
}

function describe(a: AgreementFacts): string {
  return `${a.reference} (${a.providerAgencyId} → ${a.recipientAgencyId})`;
}

function permit(
  steps: string[],
  basis: AccessBasis,
  extra: Partial<Pick<AccessDecision, "agreementId" | "consentId" | "breakGlass">> = {},
): AccessDecision {
  return {
    permitted: true,
    reason: null,
    basis,
    agreementId: extra.agreementId ?? null,
    consentId: extra.consentId ?? null,
    breakGlass: extra.breakGlass ?? false,
    steps,
  };
}

function deny(
  steps: string[],
  reason: AccessReason,
  extra: { agreementId?: string | null } = {},
): AccessDecision {
  return {
    permitted: false,
    reason,
    basis: null,
    agreementId: extra.agreementId ?? null,
    consentId: null,
    breakGlass: false,
    steps,
  };
}

function consentCovers(c: ConsentFacts, request: AccessRequest, category: DataCategory): boolean {
  return (
    c.personId === request.personId &&
    c.providerAgencyId === request.ownerAgencyId &&
    c.recipientAgencyId === request.callerAgencyId &&
    c.purposes.includes(request.purpose as Purpose) &&
    c.categories.includes(category)
  );
}

const consentState = consentStateAt;

/** The agreement (and consent) route: rules 2 and 3 of the brief. */
function viaAgreement(
  request: AccessRequest,
  category: DataCategory,
  facts: { agreements: AgreementFacts[]; consents: ConsentFacts[] },
  steps: string[],
): AccessDecision {
  const day = calendarDate(request.at);
  const purpose = request.purpose as Purpose;
  const between = facts.agreements.filter(
    (a) => a.providerAgencyId === request.ownerAgencyId && a.recipientAgencyId === request.callerAgencyId,
  );
  for (const a of between.filter((x) => !isActive(x, day))) {
    steps.push(`Agreement ${describe(a)} is not in force on ${day}: ${agreementStatusNote(a, day)}.`);
  }
  const active = between.filter((a) => isActive(a, day));
  if (!active.length) {
    steps.push(
      `No agreement active on ${day} lets ${request.ownerAgencyId} share with ${request.callerAgencyId}.`,
    );
    return deny(steps, "NO_AGREEMENT");
  }
  steps.push(
    `Active agreements from ${request.ownerAgencyId} to ${request.callerAgencyId}: ${active.map((a) => a.reference).join(", ")}.`,
  );
  const forPurpose = active.filter((a) => a.purposes.includes(purpose));
  if (!forPurpose.length) {
    steps.push(`None of them covers the purpose ${purpose}.`);
    return deny(steps, "PURPOSE_NOT_COVERED");
  }
  if (category === DataCategory.IDENTITY) {
    // How an agency refers to a person is known to partners it shares with for the purpose.
    steps.push(
      `Agreement ${forPurpose[0].reference} covers ${purpose}: ${request.ownerAgencyId}'s identity of the person is shared with it: permitted.`,
    );
    return permit(steps, "AGREEMENT", { agreementId: forPurpose[0].id });
  }
  const covering = forPurpose.filter((a) => a.categories.includes(category));
  if (!covering.length) {
    steps.push(
      `${forPurpose.map((a) => a.reference).join(", ")} cover${forPurpose.length === 1 ? "s" : ""} ${purpose} but not the category ${category}.`,
    );
    return deny(steps, "CATEGORY_NOT_COVERED");
  }
  // An agreement that shares the category outright wins over one that asks for consent.
  const outright = request.consentRequired
    ? undefined
    : covering.find((a) => !a.consentRequiredFor.includes(category));
  if (outright) {
    steps.push(
      `Agreement ${outright.reference} covers ${purpose} and ${category} without consent: permitted.`,
    );
    return permit(steps, "AGREEMENT", { agreementId: outright.id });
  }
  const agreement = covering[0];
  steps.push(
    request.consentRequired
      ? `Agreement ${agreement.reference} covers ${purpose} and ${category}; this disclosure also needs the person's consent.`
      : `Agreement ${agreement.reference} covers ${purpose} and ${category}, but only with the person's consent.`,
  );
  if (!request.personId) {
    steps.push("The data is about no one identified person, so no consent can cover it.");
    return deny(steps, "CONSENT_REQUIRED", { agreementId: agreement.id });
  }
  const candidates = facts.consents.filter((c) => consentCovers(c, request, category));
  const valid = candidates.find((c) => consentState(c, request.at) === "ACTIVE");
  if (valid) {
    steps.push(
      `Consent ${valid.id} from ${request.personId} (given by ${valid.givenBy}) covers ${purpose} and ${category} for ${request.callerAgencyId}: permitted.`,
    );
    return permit(steps, "CONSENT", { agreementId: agreement.id, consentId: valid.id });
  }
  for (const c of candidates)
    steps.push(
      `Consent ${c.id} would cover it but is ${consentState(c, request.at).toLowerCase().replace(/_/g, " ")}.`,
    );
  if (candidates.some((c) => consentState(c, request.at) === "WITHDRAWN")) {
    return deny(steps, "CONSENT_WITHDRAWN", { agreementId: agreement.id });
  }
  steps.push(
    `${request.personId} has no current consent to ${request.callerAgencyId} covering ${purpose} and ${category}.`,
  );
  return deny(steps, "CONSENT_REQUIRED", { agreementId: agreement.id });
}

/**
 * Decides one access, following the brief's rules in order:
 * 0. no purpose: PURPOSE_REQUIRED.
 * 5. roles and statistics: aggregates need STATISTICS (else PURPOSE_NOT_COVERED) and are then
 *    permitted to every role for every owner (perturbed counts are not personal data);
 *    person-level data is never for an ANALYST (ROLE_NOT_PERMITTED, even its own agency's) and
 *    never under STATISTICS (PURPOSE_NOT_COVERED: the purpose does not reach it).
 * 1. the caller's own agency's data: OWN_DATA.
 * 6. IDENTITY (the people index): practitioners and DSOs, any purpose but STATISTICS.
 * 2-3. an ACTIVE agreement owner → caller for the purpose and category, and a consent when the
 *    agreement asks for one: AGREEMENT or CONSENT.
 * 4. otherwise, a valid break-glass (SAFEGUARDING, justification of 20+ characters) permits
 *    every category, basis BREAK_GLASS. It is a fallback, so that only accesses the rules would
 *    have refused reach the owner's DSOs for review.
 */
export function decideAccess(
  request: AccessRequest,
  facts: { agreements: AgreementFacts[]; consents: ConsentFacts[] },
): AccessDecision {
  const steps: string[] = [];
  const early = withoutFacts(request, steps);
  if (early) return early;
  const purpose = request.purpose as Purpose;
  const decision = viaAgreement(request, request.category as DataCategory, facts, steps);
  if (decision.permitted || request.breakGlass === null) return decision;

  const problem = breakGlassProblem(request.breakGlass, purpose);
  if (problem) {
    steps.push(`Break-glass was asked for but not honoured: ${problem}.`);
    return decision;
  }
  steps.push(
    `Break-glass under SAFEGUARDING overrides ${decision.reason}: permitted, recorded and listed for ${request.ownerAgencyId}'s DSOs to review.`,
  );
  return permit(steps, "BREAK_GLASS", { breakGlass: true });
}

/**
 * The decision when agreements and consents cannot change it (no purpose, the role and
 * STATISTICS rules, own data, identity, aggregates, no category); null when they can, and the
 * facts must be loaded. Lets a caller skip loading facts without second-guessing the rules
 * (a break-glass decision, for one, depends on whether an agreement would have permitted).
 */
export function decideWithoutFacts(request: AccessRequest): AccessDecision | null {
  return withoutFacts(request, []);
}

function withoutFacts(request: AccessRequest, steps: string[]): AccessDecision | null {
  const { role, purpose } = request;
  steps.push(
    `${request.callerAgencyId} ${role} asks for ${request.aggregate ? "aggregate" : (request.category ?? "uncategorised")} data held by ${request.ownerAgencyId}` +
      `${request.personId ? ` about ${request.personId}` : ""} for ${purpose ?? "no stated purpose"}.`,
  );
  if (!purpose) {
    steps.push("Every request that touches data must state a purpose (x-purpose).");
    return deny(steps, "PURPOSE_REQUIRED");
  }

  if (request.aggregate) {
    if (request.caseWork && purpose !== Purpose.STATISTICS) {
      steps.push(
        "Suppressed counts in a problem-solving case's assessment are part of the case: permitted under the case's purpose.",
      );
      return permit(steps, "AGGREGATE");
    }
    if (purpose !== Purpose.STATISTICS) {
      steps.push(`Aggregates are released only under STATISTICS, not ${purpose}.`);
      return deny(steps, "PURPOSE_NOT_COVERED");
    }
    if (request.ownerAgencyId === request.callerAgencyId) {
      steps.push("Statistics of the caller's own agency: permitted.");
      return permit(steps, "OWN_DATA");
    }
    steps.push("Suppressed statistics are not personal data: permitted under STATISTICS to every partner.");
    return permit(steps, "AGGREGATE");
  }

  if (role === Role.ANALYST) {
    steps.push("Analysts get aggregates only: no person-level data, not even their own agency's.");
    return deny(steps, "ROLE_NOT_PERMITTED");
  }
  if (purpose === Purpose.STATISTICS) {
    steps.push("STATISTICS reaches aggregates only, never person-level data.");
    return deny(steps, "PURPOSE_NOT_COVERED");
  }
  if (request.ownerAgencyId === request.callerAgencyId) {
    steps.push(`The data is ${request.callerAgencyId}'s own: permitted.`);
    return permit(steps, "OWN_DATA");
  }
  if (!request.category) {
    // Fail closed: person-level data that declares no category cannot be matched to an agreement.
    steps.push("The data declares no category, so no agreement can cover it.");
    return deny(steps, "CATEGORY_NOT_COVERED");
  }
  if (request.category === DataCategory.IDENTITY && request.ownerAgencyId === PEOPLE_INDEX_OWNER) {
    steps.push(
      "Identity (the partnership's people index) is visible to practitioners and DSOs for any purpose but STATISTICS: permitted.",
    );
    return permit(steps, "PEOPLE_INDEX");
  }
  if (purpose === Purpose.DATA_PROTECTION) {
    // A DSO's handling of rights and retention is about their own agency's data: no agreement covers it.
    steps.push("DATA_PROTECTION reaches the caller's own agency's data only, never another's.");
    return deny(steps, "PURPOSE_NOT_COVERED");
  }
  return null;
}

/**
 * The partnership keeps the people index: identity it holds is the index's, not an agency's record
 * (every subgraph's Person is declared with this owner, see policy.ts PeopleIndex).
 */
export const PEOPLE_INDEX_OWNER = "partnership";

/**
 * Decides access to a record about several people (a tenancy's joint tenants, an incident's
 * involved people): permitted only when permitted for every one of them, so that where the
 * agreement asks for consent, each subject's consent must be in force. A record about no one is
 * decided as such (no consent can cover it).
 */
export function decideForSubjects(
  request: Omit<AccessRequest, "personId">,
  personIds: readonly string[],
  facts: { agreements: AgreementFacts[]; consents: ConsentFacts[] },
): AccessDecision {
  if (personIds.length <= 1) return decideAccess({ ...request, personId: personIds[0] ?? null }, facts);
  let permitted: AccessDecision | null = null;
  const steps: string[] = [];
  for (const personId of personIds) {
    const decision = decideAccess({ ...request, personId }, facts);
    if (!decision.permitted) return { ...decision, steps: [...steps, ...decision.steps] };
    steps.push(...decision.steps);
    // The weakest ground stands for the record: break-glass, then consent, then the agreement.
    if (!permitted || rank(decision) > rank(permitted)) permitted = decision;
  }
  return { ...permitted!, steps };
}

function rank(d: AccessDecision): number {
  return d.breakGlass ? 3 : d.basis === "CONSENT" ? 2 : 1;
}

/** The decision a gate's refusal stands for, as the audit records it. */
export function gateDenial(reason: AccessReason, what: string): AccessDecision {
  return deny([`${what} is refused at its gate (role, purpose or person-level rule): ${reason}.`], reason);
}

/** Why a gate refuses the caller; null when it lets them through. No facts needed. */
export function gateRefusal(
  gate: Gate,
  role: Role,
  purpose: Purpose | null,
  service?: string,
): AccessReason | null {
  // A service identity reaches only what declares it, and nothing declared for one reaches a user.
  if (service ? !gate.services?.includes(service) : gate.services) return "ROLE_NOT_PERMITTED";
  if (gate.roles && !gate.roles.includes(role)) return "ROLE_NOT_PERMITTED";
  if (gate.personLevel && role === Role.ANALYST) return "ROLE_NOT_PERMITTED";
  if (gate.purposeRequired && !purpose) return "PURPOSE_REQUIRED";
  if (gate.personLevel && purpose === Purpose.STATISTICS) return "PURPOSE_NOT_COVERED";
  if (gate.purposes && (!purpose || !gate.purposes.includes(purpose))) return "PURPOSE_NOT_COVERED";
  return null;
}

/**
 * Whether a caller may be told that records it cannot see exist, and whom to ask: only when an
 * ACTIVE agreement for the purpose exists between the two agencies, in either direction.
 */
export function signpostingAllowed(
  callerAgencyId: string,
  ownerAgencyId: string,
  purpose: Purpose | null,
  agreements: AgreementFacts[],
  at: Date,
): boolean {
  if (!purpose) return false;
  const day = calendarDate(at);
  return agreements.some(
    (a) =>
      ((a.providerAgencyId === ownerAgencyId && a.recipientAgencyId === callerAgencyId) ||
        (a.providerAgencyId === callerAgencyId && a.recipientAgencyId === ownerAgencyId)) &&
      a.purposes.includes(purpose) &&
      isActive(a, day),
  );
}

/**
 * Why a consent cannot be recorded (null when it can): it covers only what an agreement in force
 * today has its provider share with its recipient, each of its categories for each of its
 * purposes. A consent under an agreement awaiting approval, suspended, expired or revoked is
 * refused, so that no consent waits for an agreement nobody has approved; and a consent already
 * recorded releases nothing while no such agreement is in force (decideAccess asks for one).
 */
export function consentNotCovered(
  consent: Pick<ConsentFacts, "providerAgencyId" | "recipientAgencyId" | "purposes" | "categories">,
  agreements: readonly AgreementFacts[],
  at: Date,
): { argument: "input.categories" | "input.purposes"; message: string } | null {
  const day = calendarDate(at);
  const { providerAgencyId: provider, recipientAgencyId: recipient } = consent;
  const between = agreements.filter(
    (a) => a.providerAgencyId === provider && a.recipientAgencyId === recipient,
  );
  const active = between.filter((a) => isActive(a, day));
  const unshared = consent.categories.filter((c) => !between.some((a) => a.categories.includes(c)));
  if (unshared.length) {
    return {
      argument: "input.categories",
      message:
        `a consent covers only the recording agency's own data: no agreement has ${provider} share ` +
        `${unshared.join(", ")} with ${recipient}`,
    };
  }
  const notInForce = consent.categories.filter((c) => !active.some((a) => a.categories.includes(c)));
  if (notInForce.length) {
    const waiting = between
      .filter((a) => !isActive(a, day) && a.categories.some((c) => notInForce.includes(c)))
      .map((a) => `${describe(a)} is ${agreementStatusNote(a, day)}`);
    return {
      argument: "input.categories",
      message:
        `a consent is recorded only under an agreement in force: none has ${provider} share ` +
        `${notInForce.join(", ")} with ${recipient} on ${day} (${waiting.join("; ")})`,
    };
  }
  for (const purpose of consent.purposes) {
    const uncovered = consent.categories.filter(
      (c) => !active.some((a) => a.purposes.includes(purpose) && a.categories.includes(c)),
    );
    if (uncovered.length) {
      return {
        argument: "input.purposes",
        message:
          `a consent is recorded only under an agreement in force for its purposes: none has ${provider} ` +
          `share ${uncovered.join(", ")} with ${recipient} for ${purpose}`,
      };
    }
  }
  return null;
}
