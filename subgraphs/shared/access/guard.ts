import DataLoader from "dataloader";
import { accessMetrics } from "../metrics";
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from "graphql";
import type { Caller } from "../auth";
import type { DataCategory, Purpose } from "../enums";
import { forbidden } from "../errors";
import {
  decideAccess,
  decideForSubjects,
  decideWithoutFacts,
  gateRefusal,
  signpostingAllowed,
  type AccessBasis,
  type AccessDecision,
  type AccessReason,
  type AgreementFacts,
  type ConsentFacts,
} from "./decision";
import type { Gate } from "./rules";

/** One disclosure or denial, as the audit log records it. */
export interface AuditEntry {
  at: Date;
  userId: string;
  agencyId: string;
  role: string;
  purpose: Purpose | null;
  operationName: string | null;
  requestId: string;
  ownerAgencyId: string;
  personIds: string[];
  categories: DataCategory[];
  recordIds: string[];
  decision: "PERMITTED" | "DENIED";
  reason: AccessReason | null;
  basis: AccessBasis | null;
  agreementId: string | null;
  consentId: string | null;
  breakGlass: boolean;
  justification: string | null;
  /** "sent to <agency>" for what a caller's agency sends of its own data by acting; else null. */
  detail: string | null;
  /** Only for what a DSO does for a person's rights; a disclosure's or denial's follows from its decision. */
  kind?: "SUBJECT_ACCESS" | "RECTIFICATION" | "PERSON_MATCH_REVIEW" | "PERSON_MERGE" | "PERSON_SPLIT";
}

/** What a DSO did for a person's rights (or about their link in the people index), as `rightsEntry` makes it into an audit record. */
export interface RightsAction {
  kind: "SUBJECT_ACCESS" | "RECTIFICATION" | "PERSON_MATCH_REVIEW" | "PERSON_MERGE" | "PERSON_SPLIT";
  ownerAgencyId: string;
  personIds: string[];
  categories: DataCategory[];
  recordIds: string[];
  detail: string;
}

/** Agreements and consents as a decision needs them, and the version they were read at. */
export interface LoadedFacts {
  agreements: AgreementFacts[];
  consents: ConsentFacts[];
  /** `access_facts_version` when they were read. */
  version: number;
  /** Read before this request began (kept by the store): an audit append must check the version. */
  cached: boolean;
}

/**
 * Where decisions get their facts and disclosures are recorded: the governance store.
 * Every call is one round trip, whatever the number of people.
 */
export interface PolicyStore {
  /**
   * Agreements between the caller's agency and the owners, consents of the people to the caller's
   * agency; `fresh` reads them now, else they may be the store's kept copy.
   */
  loadFacts(
    recipientAgencyId: string,
    providerAgencyIds: string[],
    personIds: string[],
    options: { fresh: boolean },
  ): Promise<LoadedFacts>;
  /** Whether agreements and consents are still at `version` (when nothing is appended to check it). */
  factsCurrent(version: number): Promise<boolean>;
  /** Whom to contact at an agency about withheld records. */
  agencyContacts(): Promise<Map<string, string>>;
  /** A person's date of birth (YYYY-MM-DD) as governance records it, for age-based consent rules. */
  dateOfBirth(personId: string): Promise<string | null>;
  /**
   * Corrects governance's copy of a person's date of birth (a DSO rectified the people index's);
   * only the partnership subgraph's login may (its grant), and only that column.
   */
  correctDateOfBirth(personId: string, dateOfBirth: string): Promise<void>;
  /**
   * Appends audit records to the hash chain; resolves once they are durable. With a facts
   * version, only while agreements and consents are still at it: false, nothing written, when not.
   */
  appendAudit(entries: AuditEntry[], factsVersion: number | null): Promise<boolean>;
}

/**
 * The facts a request was decided on changed before its audit records were written: nothing was
 * written or released, and the request is run again on fresh facts.
 */
export class StaleFactsError extends Error {
  constructor() {
    super("agreements or consents changed while the request was decided: deciding again");
  }
}

/** The decision service cannot answer: nothing but the caller's own data is released. */
export function decisionUnavailable(): GraphQLError {
  return new GraphQLError(
    "access decision unavailable: the governance service cannot be reached; only your own agency's data is released",
    {
      extensions: { code: "ACCESS_DECISION_UNAVAILABLE" },
    },
  );
}

export interface AccessQuestion {
  ownerAgencyId: string;
  category: DataCategory | null;
  /** Whom the data is about: the record's subjects (sorted by the caller), or none. */
  personIds: readonly string[];
  /**
   * Everyone the record names (its subjects and, say, a tenancy's household members): recorded in
   * the audit with the subjects, never part of the decision.
   */
  named?: readonly string[];
  aggregate?: boolean;
  caseWork?: boolean;
  /**
   * The agency the caller's agency sends its own data to by acting (a partner's referral to youth
   * services), when that is what is decided: the audit record says so (`detail` "sent to <agency>"),
   * and it is what lets the recipient's subgraph append a record of the caller's agency's data.
   */
  sentTo?: string;
}

/** Reasons that withhold records from a list (with signposting) rather than fail the field. */
const RECORD_LEVEL: ReadonlySet<AccessReason> = new Set<AccessReason>([
  "NO_AGREEMENT",
  "PURPOSE_NOT_COVERED",
  "CATEGORY_NOT_COVERED",
  "CONSENT_REQUIRED",
  "CONSENT_WITHDRAWN",
]);

/**
 * A refusal that turns only on consent (the agreement covers the purpose and category but asks
 * for the person's consent): decided without the record's subjects, it says nothing yet about
 * the record itself.
 */
export function dependsOnConsent(decision: AccessDecision): boolean {
  return decision.reason === "CONSENT_REQUIRED" || decision.reason === "CONSENT_WITHDRAWN";
}

const UNAUDITED: ReadonlySet<AccessBasis> = new Set<AccessBasis>(["OWN_DATA", "AGGREGATE", "PEOPLE_INDEX"]);

/**
 * The access rules for one request, at the data owner: decides with facts loaded in one
 * batch, remembers each decision for the rest of the request, and collects the audit
 * records that must be written before the response leaves the subgraph.
 */
export class AccessGuard {
  readonly at = new Date();
  /** The client's operation name, set once the operation is resolved; recorded in the audit. */
  operationName: string | null = null;
  private readonly decisions = new Map<string, Promise<AccessDecision>>();
  private readonly settled = new Map<string, AccessDecision>();
  private readonly audit = new Map<string, PendingEntry>();
  /** Rights actions noted by a query, written with the request's other records (see noteRights). */
  private readonly rights: AuditEntry[] = [];
  private readonly entryByQuestion = new Map<string, PendingEntry>();
  private agreements: AgreementFacts[] | undefined;
  private contacts: Promise<Map<string, string>> | undefined;
  /** Consents per (owner, person), so a new owner or person later in the request loads its facts. */
  private readonly facts: DataLoader<FactsKey, ConsentFacts[], string>;
  /** Owners whose agreements with the caller's agency are in `agreements`. */
  private readonly ownersLoaded = new Set<string>();
  /** Versions of the facts decided on, and whether any were kept from before this request. */
  private readonly factsVersions = new Set<number>();
  private usedKeptFacts = false;
  /** Set when the facts changed before the audit was written: the answer must not be sent. */
  staleFacts = false;
  /** Read facts now rather than use kept ones: mutations, and a request run again. */
  private freshFacts: boolean;

  constructor(
    private readonly request: {
      caller: Caller;
      purpose: Purpose | null;
      breakGlass: string | null;
      requestId: string;
      /** True when the request is run again after its facts changed. */
      freshFacts?: boolean;
    },
    private readonly store: PolicyStore,
  ) {
    this.freshFacts = request.freshFacts ?? false;
    // Facts for every owner and person asked about in the same tick: one round trip.
    this.facts = new DataLoader<FactsKey, ConsentFacts[], string>(
      async (keys) => {
        const owners = [...new Set(keys.map((k) => k.ownerAgencyId))];
        const people = [...new Set(keys.map((k) => k.personId))];
        const facts = await this.store.loadFacts(this.request.caller.agencyId, owners, people, {
          fresh: this.freshFacts,
        });
        this.factsVersions.add(facts.version);
        this.usedKeptFacts ||= facts.cached;
        this.agreements = mergeAgreements(this.agreements, facts.agreements);
        for (const owner of owners) this.ownersLoaded.add(owner);
        return keys.map((k) => facts.consents.filter((c) => c.personId === k.personId));
      },
      { cacheKeyFn: (k) => `${k.ownerAgencyId}|${k.personId}` },
    );
  }

  get caller(): Caller {
    return this.request.caller;
  }

  /**
   * A mutation decides on facts read now: it cannot be run again if they turn out to have
   * changed, as a query can. Call before anything is decided.
   */
  requireFreshFacts(): void {
    this.freshFacts = true;
  }

  /** Decides, without facts when the rules need none (own data, aggregates, role and purpose checks). */
  decide(question: AccessQuestion): Promise<AccessDecision> {
    const key = questionKey(question);
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.decideUncached(question);
      this.decisions.set(key, decision);
      void decision.then(
        (d) => {
          this.settled.set(key, d);
          accessMetrics.decisions.inc({
            outcome: d.permitted ? "permitted" : "refused",
            reason: d.reason ?? "none",
          });
        },
        () => undefined,
      );
    }
    return decision;
  }

  /**
   * The fast path for the fields of a record whose category this request has already decided and
   * permitted: notes the disclosure and answers true, without another await per field.
   */
  permittedAgain(question: AccessQuestion, recordIds: readonly string[]): boolean {
    const key = questionKey(question);
    const decision = this.settled.get(key);
    if (!decision?.permitted) return false;
    this.recordKeyed(key, question, decision, recordIds);
    return true;
  }

  /** Why the caller's role or purpose does not pass a gate (see access/rules.ts); null when it does. */
  gateRefusal(gate: Gate): AccessReason | null {
    const { caller } = this.request;
    return gateRefusal(gate, caller.role, this.request.purpose, caller.service);
  }

  /** The request's purpose (x-purpose), or null. */
  get purpose(): Purpose | null {
    return this.request.purpose;
  }

  private async decideUncached(question: AccessQuestion): Promise<AccessDecision> {
    const request = {
      callerAgencyId: this.request.caller.agencyId,
      role: this.request.caller.role,
      purpose: this.request.purpose,
      breakGlass: this.request.breakGlass,
      ownerAgencyId: question.ownerAgencyId,
      category: question.category,
      aggregate: question.aggregate ?? false,
      caseWork: question.caseWork ?? false,
      at: this.at,
    };
    // Own data, aggregates, identity and role/purpose refusals do not depend on agreements.
    const withoutFacts = decideWithoutFacts({ ...request, personId: question.personIds[0] ?? null });
    if (withoutFacts) return withoutFacts;
    // With the owner's agreements known, consents matter only where an agreement asks for one:
    // decided without loading them otherwise (no round trip per new person). Without break-glass,
    // since a break-glass permit would hide whether consent was what was missing.
    const agreements = this.agreements;
    if (agreements && this.ownersLoaded.has(question.ownerAgencyId)) {
      const facts = { agreements, consents: [] };
      const unconsented = decideForSubjects({ ...request, breakGlass: null }, question.personIds, facts);
      if (!dependsOnConsent(unconsented)) return decideForSubjects(request, question.personIds, facts);
    }
    let consents: ConsentFacts[];
    try {
      const people = question.personIds.length ? question.personIds : [""];
      const loaded = await Promise.all(
        people.map((personId) => this.facts.load({ ownerAgencyId: question.ownerAgencyId, personId })),
      );
      consents = loaded.flat();
    } catch {
      throw decisionUnavailable();
    }
    return decideForSubjects(request, question.personIds, { agreements: this.agreements ?? [], consents });
  }

  /** Whether the caller may be told that withheld records exist (an active agreement for the purpose). */
  async signposting(ownerAgencyId: string): Promise<string | null> {
    // The decision that withheld the records has loaded the owner's agreements, unless the rules
    // needed none: no second round trip for what is already known.
    if (!this.ownersLoaded.has(ownerAgencyId)) {
      try {
        await this.facts.load({ ownerAgencyId, personId: "" });
      } catch {
        throw decisionUnavailable();
      }
    }
    if (
      !signpostingAllowed(
        this.request.caller.agencyId,
        ownerAgencyId,
        this.request.purpose,
        this.agreements ?? [],
        this.at,
      )
    ) {
      return null;
    }
    this.contacts ??= this.store.agencyContacts();
    return (await this.contacts).get(ownerAgencyId) ?? `the ${ownerAgencyId} data-sharing officer`;
  }

  /** A person's date of birth as governance records it (null when unknown), for age-based rules. */
  async dateOfBirth(personId: string): Promise<string | null> {
    try {
      return await this.store.dateOfBirth(personId);
    } catch {
      throw decisionUnavailable();
    }
  }

  /**
   * Decides a disclosure the caller's agency makes by acting rather than by answering: its own
   * data about a person, sent to `recipientAgencyId` (a partner's referral shares its record of the
   * young person with youth services). The rules are those of the recipient asking for that data:
   * an agreement in force from the caller's agency for the purpose and category, and the person's
   * consent where the agreement (or `consentRequired`, whatever the agreement says) asks for it,
   * on facts read now. Audited like any decision, with the caller's agency as owner.
   */
  async decideDisclosure(question: {
    recipientAgencyId: string;
    /** Null when the data declares none: refused, as no agreement can cover it. */
    category: DataCategory | null;
    personId: string;
    consentRequired: boolean;
  }): Promise<AccessDecision> {
    const owner = this.request.caller.agencyId;
    let facts: LoadedFacts;
    try {
      facts = await this.store.loadFacts(question.recipientAgencyId, [owner], [question.personId], {
        fresh: true,
      });
    } catch {
      throw decisionUnavailable();
    }
    const decision = decideAccess(
      {
        callerAgencyId: question.recipientAgencyId,
        role: this.request.caller.role,
        purpose: this.request.purpose,
        // Break-glass lets a caller see what it must; it does not let it send another's data on.
        breakGlass: null,
        ownerAgencyId: owner,
        category: question.category,
        personId: question.personId,
        aggregate: false,
        consentRequired: question.consentRequired,
        at: this.at,
      },
      facts,
    );
    accessMetrics.decisions.inc({
      outcome: decision.permitted ? "permitted" : "refused",
      reason: decision.reason ?? "none",
    });
    this.record(
      {
        ownerAgencyId: owner,
        category: question.category,
        personIds: [question.personId],
        sentTo: question.recipientAgencyId,
      },
      decision,
      [],
    );
    return decision;
  }

  /** The FORBIDDEN error for a denied decision, located at the field when `info` is given. */
  error(decision: AccessDecision, what: string, info?: GraphQLResolveInfo): GraphQLError {
    return forbidden(
      decision.reason ?? "ROLE_NOT_PERMITTED",
      `${what}: ${decision.reason}`,
      info && { nodes: info.fieldNodes, path: responsePathAsArray(info.path) },
    );
  }

  /**
   * Splits records held by another agency into those the caller may see and those withheld, by
   * the agreements alone (the subjects of another agency's records are not known here). Where the
   * agreement asks for consent, the records are passed on: the holder decides each with its own
   * subjects when it resolves it. The holder records the disclosures and those refusals; the
   * denials made here are recorded here.
   */
  async partition<T extends { id: string }>(
    records: readonly T[],
    holding: { agencyId: string; category: DataCategory },
  ): Promise<{ visible: T[]; withheld: T[]; decision: AccessDecision | null }> {
    if (!records.length) return { visible: [], withheld: [], decision: null };
    const question: AccessQuestion = {
      ownerAgencyId: holding.agencyId,
      category: holding.category,
      personIds: [],
    };
    const decision = await this.decide(question);
    if (decision.permitted || dependsOnConsent(decision))
      return { visible: [...records], withheld: [], decision };
    this.record(
      question,
      decision,
      records.map((r) => r.id),
    );
    if (!this.isRecordLevel(decision)) throw this.error(decision, `records held by ${holding.agencyId}`);
    return { visible: [], withheld: [...records], decision };
  }

  /** Whether a denial withholds records (with signposting) or fails the field outright. */
  isRecordLevel(decision: AccessDecision): boolean {
    return decision.reason !== null && RECORD_LEVEL.has(decision.reason);
  }

  /** The audit record of a DSO's action for a person's rights, in this request. */
  rightsEntry(action: RightsAction): AuditEntry {
    const caller = this.request.caller;
    return {
      at: this.at,
      userId: caller.userId,
      agencyId: caller.agencyId,
      role: caller.role,
      purpose: this.request.purpose,
      operationName: this.operationName,
      requestId: this.request.requestId,
      ownerAgencyId: action.ownerAgencyId,
      personIds: [...new Set(action.personIds)].sort(),
      categories: [...new Set(action.categories)].sort(),
      recordIds: [...new Set(action.recordIds)].sort(),
      decision: "PERMITTED",
      reason: null,
      basis: null,
      agreementId: null,
      consentId: null,
      breakGlass: false,
      justification: null,
      detail: action.detail,
      kind: action.kind,
    };
  }

  /**
   * Notes a rights action a query performs (a subject access export): written in the same append
   * as the request's other records, before the answer leaves, so an answer that is run again on
   * fresh facts is recorded once, and one whose audit cannot be written is not released.
   */
  noteRights(action: RightsAction): void {
    this.rights.push(this.rightsEntry(action));
  }

  /**
   * Writes a rights action a mutation performs now: called inside the mutation's transaction, the
   * change commits only once its audit record is written (and not at all when it cannot be).
   */
  /** Corrects governance's copy of a date of birth (see PolicyStore.correctDateOfBirth). */
  correctDateOfBirth(personId: string, dateOfBirth: string): Promise<void> {
    return this.store.correctDateOfBirth(personId, dateOfBirth);
  }

  async auditRightsNow(action: RightsAction): Promise<void> {
    if (!(await this.store.appendAudit([this.rightsEntry(action)], null)))
      throw new Error("the audit record of a rights action could not be written");
  }

  /** Notes a disclosure of another agency's data, or any denial, for the audit. */
  record(question: AccessQuestion, decision: AccessDecision, recordIds: readonly string[]): void {
    this.recordKeyed(questionKey(question), question, decision, recordIds);
  }

  private recordKeyed(
    questionKeyed: string,
    question: AccessQuestion,
    decision: AccessDecision,
    recordIds: readonly string[],
  ): void {
    // Own data, perturbed counts and the partnership's people index are no agency's disclosure.
    if (decision.permitted && UNAUDITED.has(decision.basis!)) return;
    // A question's decision is fixed for the request, so is the entry it goes to: found once.
    let entry = this.entryByQuestion.get(questionKeyed);
    if (!entry) {
      entry = this.entryFor(question, decision);
      this.entryByQuestion.set(questionKeyed, entry);
    }
    for (const personId of question.personIds) entry.personIds.add(personId);
    for (const personId of question.named ?? []) entry.personIds.add(personId);
    if (question.category !== null) entry.categories.add(question.category);
    for (const id of recordIds) entry.recordIds.add(id);
  }

  /** The audit entry for an owner and a decision's outcome, made on first use. */
  private entryFor(question: AccessQuestion, decision: AccessDecision): PendingEntry {
    const caller = this.request.caller;
    const key = [
      question.ownerAgencyId,
      decision.permitted,
      decision.reason,
      decision.basis,
      decision.agreementId,
      decision.consentId,
      question.sentTo ?? "",
    ].join("|");
    let entry = this.audit.get(key);
    if (!entry) {
      entry = {
        at: this.at,
        userId: caller.userId,
        agencyId: caller.agencyId,
        role: caller.role,
        purpose: this.request.purpose,
        operationName: this.operationName,
        requestId: this.request.requestId,
        ownerAgencyId: question.ownerAgencyId,
        personIds: new Set(),
        categories: new Set(),
        recordIds: new Set(),
        decision: decision.permitted ? "PERMITTED" : "DENIED",
        reason: decision.reason,
        basis: decision.basis,
        agreementId: decision.agreementId,
        consentId: decision.consentId,
        breakGlass: decision.breakGlass,
        justification: decision.breakGlass ? this.request.breakGlass : null,
        detail: question.sentTo ? `sent to ${question.sentTo}` : null,
      };
      this.audit.set(key, entry);
    }
    return entry;
  }

  /**
   * Writes the request's audit records in one append; throws when they cannot be written, and
   * StaleFactsError (nothing written) when the facts kept from before the request have changed.
   */
  async flush(): Promise<number> {
    const entries: AuditEntry[] = [...this.audit.values()].map((e) => ({
      ...e,
      personIds: [...e.personIds].sort(),
      categories: [...e.categories].sort(),
      recordIds: [...e.recordIds].sort(),
    }));
    entries.push(...this.rights.splice(0));
    this.audit.clear();
    this.entryByQuestion.clear();
    // Facts read during this request were current when read; kept ones must still be current now.
    const kept = this.usedKeptFacts ? [...this.factsVersions] : [];
    const stale = () => {
      this.staleFacts = true;
      return new StaleFactsError();
    };
    if (kept.length > 1) throw stale();
    const factsVersion = kept.length ? kept[0] : null;
    if (!entries.length) {
      if (factsVersion !== null && !(await this.store.factsCurrent(factsVersion))) throw stale();
      return 0;
    }
    if (!(await this.store.appendAudit(entries, factsVersion))) throw stale();
    return entries.length;
  }
}

function questionKey(q: AccessQuestion): string {
  return `${q.ownerAgencyId}|${q.category}|${q.personIds.join(",")}|${q.aggregate ? 1 : 0}${q.caseWork ? 1 : 0}`;
}

interface FactsKey {
  ownerAgencyId: string;
  /** "" when the data is about no one person. */
  personId: string;
}

type PendingEntry = Omit<AuditEntry, "personIds" | "categories" | "recordIds"> & {
  personIds: Set<string>;
  categories: Set<DataCategory>;
  recordIds: Set<string>;
};

function mergeAgreements(known: AgreementFacts[] | undefined, more: AgreementFacts[]): AgreementFacts[] {
  if (!known) return more;
  const ids = new Set(known.map((a) => a.id));
  return [...known, ...more.filter((a) => !ids.has(a.id))];
}
