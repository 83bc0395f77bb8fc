import type { GraphQLError } from "graphql";
import { Extensions } from "type-graphql";
import type { Caller } from "./auth";
import type { Sql } from "./database";
import { PEOPLE_INDEX_OWNER } from "./access/decision";
import { DataCategory, type Purpose, type Role } from "./enums";

/**
 * Access rules are declared, not coded. Every field of every object type carries one of these
 * declarations, on the field, on its type, or (for entry points) on the operation; building a
 * subgraph's schema fails when a field has none (see access/rules.ts, which works out one
 * FieldRule per field from them). Each decorator writes its own extension key, because
 * type-graphql merges several @Extensions on one target shallowly.
 *
 * - `@Category(c)`: an agency's record or a field of one, in data category `c`: needs a purpose,
 *   reaches no ANALYST and nothing under STATISTICS, and is released by the agreement (and consent
 *   of every person the record is about) rules.
 * - `@Aggregate()`: perturbed counts, released under STATISTICS.
 * - `@Reference()`: partnership reference data anyone signed in may read, with or without a
 *   purpose (agency, neighbourhood, school and programme names).
 * - `@Part()`: a value type (a location, a page's edges, a table's cells) disclosed only with the
 *   governed field that returns it.
 * - `@Governed({...})`: role, purpose and party rules of an operation or a record type
 *   (data-sharing officers only, case partners only...), enforced by the same code.
 * - `@ChangedBy(rule)`: who may change a record of a type.
 * - `@Changes(Type, policy)` / `@Creates(Type)`: on a mutation, the record it changes (checked by
 *   the shared enforcement against Type's party and @ChangedBy rules before the mutation runs), or
 *   the kind of record it makes. A mutation returning a @ChangedBy type must declare one of them.
 */

/** Whether the caller is a party to a record: the record is unknown to anyone else. */
export interface PartyRule {
  /** In words, for the rule's trace and the docs: "a lead or partner agency of the case". */
  name: string;
  /** The test, on the record as the repository returned it. */
  test(record: never, caller: Caller): boolean;
}

export interface CategoryPolicy {
  /**
   * The data category; on a field, it may be worked out per record (each agency's reports in the
   * case review are that agency's category), with `categoryName` saying how in words.
   */
  category: DataCategory | ((record: never) => DataCategory | null);
  categoryName?: string;
  /** The agency that holds the data; by default the subgraph's own agency. */
  owner?: string | ((record: never) => string);
  /**
   * Whom the record is about (whose consent the agreement may ask for): its liable tenants, its
   * involved people, the pupil... Sub-records (a tenancy's actions) inherit their parent's.
   */
  subjects?: (record: never) => readonly string[];
  /**
   * Everyone else the record names, whose consent it does not need but whose audit it belongs to
   * (a tenancy's household members): a disclosure or denial of the record is audited against its
   * subjects and these, so that `disclosures(personId)` of each lists it. Sub-records inherit them.
   */
  names?: (record: never) => readonly string[];
  /**
   * A stub of a record another subgraph holds (@HeldBy): this subgraph cannot know whom it is
   * about, so a decision that turns on consent is left to the holder, which judges the record
   * with its own subjects when it resolves it.
   */
  heldElsewhere?: boolean;
}

export interface GovernedPolicy {
  /** Only these roles; anyone else is refused ROLE_NOT_PERMITTED. */
  roles?: readonly Role[];
  /** Only under these purposes (PURPOSE_NOT_COVERED otherwise); implies a purpose is required. */
  purposes?: readonly Purpose[];
  /** Discloses something about a person: needs a purpose, no ANALYST, never under STATISTICS. */
  personLevel?: boolean;
  /** Needs an x-purpose, even when not about a person (an agency's record). */
  purposeRequired?: boolean;
  /** A record only its parties know of; anyone else gets what an unknown id gets. */
  party?: PartyRule;
  /** Records are someone's data about a person, on the subjects' side: see CategoryPolicy. */
  subjects?: (record: never) => readonly string[];
  /**
   * Only these service identities may call it, and no user (shared/service-identity.ts); a
   * service token reaches nothing that does not declare it.
   */
  services?: readonly string[];
}

/** The extension keys the declarations use, read by access/rules.ts. */
export const POLICY_KEYS = {
  category: "accessCategory",
  aggregate: "accessAggregate",
  reference: "accessReference",
  part: "accessPart",
  governed: "accessGoverned",
  changedBy: "accessChangedBy",
  changes: "accessChanges",
} as const;

type Decorator = MethodDecorator & PropertyDecorator & ClassDecorator;

export function Category(
  category: CategoryPolicy["category"],
  options: Omit<CategoryPolicy, "category"> = {},
): Decorator {
  return Extensions({ [POLICY_KEYS.category]: { category, ...options } satisfies CategoryPolicy });
}

/**
 * Suppressed counts; `caseWork` marks those that are part of a problem-solving case (its
 * assessment): the case's practitioners read them under the purpose they work the case for.
 */
export function Aggregate(options: { caseWork?: boolean } = {}): Decorator {
  return Extensions({ [POLICY_KEYS.aggregate]: { caseWork: options.caseWork ?? false } });
}

/** Partnership reference data: anyone signed in reads it, with or without a purpose. */
export function Reference(): Decorator {
  return Extensions({ [POLICY_KEYS.reference]: true });
}

/** A value type disclosed only with the governed field that returns it. */
export function Part(): Decorator {
  return Extensions({ [POLICY_KEYS.part]: true });
}

/** Role, purpose and party rules of an operation or a record type. */
export function Governed(policy: GovernedPolicy): Decorator {
  return Extensions({ [POLICY_KEYS.governed]: policy });
}

const actorRules = new WeakMap<object, PartyRule>();

/**
 * Who may act on (change) a record of this type: the assigned agency of a case action, the
 * parties of an agreement. It discloses nothing, so it leaves the type's disclosure rules as they
 * are. Every mutation that changes such a record declares it (@Changes), and the shared
 * enforcement applies the rule before the mutation runs; a caller who fails it is refused FORBIDDEN
 * ROLE_NOT_PERMITTED.
 */
export function ChangedBy(rule: PartyRule): ClassDecorator {
  return (target) => {
    actorRules.set(target, rule);
    Extensions({ [POLICY_KEYS.changedBy]: rule })(target);
  };
}

/** The actor rule a record type declares (@ChangedBy), or null. */
export function actorRuleOf(type: object): PartyRule | null {
  return actorRules.get(type) ?? null;
}

/** How a mutation finds the record it changes, for the shared enforcement to check (see @Changes). */
export interface ChangePolicy<Args = never> {
  /**
   * The record as the type's rules read it (its parties, its assigned agency), locked for update
   * when `sql` is a transaction's; null when there is none. A record that is yet to be made (an
   * agreement proposed) is built from the arguments.
   */
  find(args: Args, sql: Sql): Promise<unknown> | unknown;
  /** The error for no such record: also the answer to a caller its party rule does not admit. */
  unknown(args: Args): GraphQLError;
}

/** A record a mutation changes (@Changes), or the kind it makes (@Creates: no record to check). */
export interface ChangeDeclaration {
  typeName: string;
  policy: ChangePolicy<Record<string, unknown>> | null;
}

const declaredChanges = new WeakMap<object, Map<string | symbol, ChangeDeclaration[]>>();

function declareChange(type: { name: string }, policy: ChangeDeclaration["policy"]): MethodDecorator {
  return (target, key, descriptor) => {
    let byMethod = declaredChanges.get(target);
    if (!byMethod) declaredChanges.set(target, (byMethod = new Map()));
    let list = byMethod.get(key);
    if (!list) {
      byMethod.set(key, (list = []));
      // One list per mutation, written once: type-graphql merges @Extensions by key.
      Extensions({ [POLICY_KEYS.changes]: list })(target, key, descriptor);
    }
    // Decorators apply from the bottom up: keep the order they are written in, checked in turn.
    list.unshift({ typeName: type.name, policy });
  };
}

/**
 * The mutation changes a record of `type`: before the resolver runs, and again at the start of
 * every transaction it opens (on the record locked), the shared enforcement finds the record with
 * `policy.find`, answers `policy.unknown` when there is none or when the type's party rule does
 * not admit the caller, and refuses ROLE_NOT_PERMITTED when its @ChangedBy rule does not. Several
 * may be declared (a case, then its action); they are checked in the order written.
 */
export function Changes<Args>(type: { name: string }, policy: ChangePolicy<Args>): MethodDecorator {
  return declareChange(type, policy as unknown as ChangePolicy<Record<string, unknown>>);
}

/** The mutation makes a new record of `type` (a referral, a case action): there is none yet to check. */
export function Creates(type: { name: string }): MethodDecorator {
  return declareChange(type, null);
}

/** Who holds a record another subgraph only points to, and what category it is. */
export interface Holding {
  agencyId: string;
  category: DataCategory;
}

const holdings = new WeakMap<object, Holding>();

/**
 * Declares that a stub type (an entity owned elsewhere, listed here by id) is held by
 * `agencyId` as `category`, so lists of it show only what the agreements let the caller see.
 * Where the agreement asks for consent, this subgraph cannot know whose: the stub is passed on
 * and the holder decides the record with its own subjects when it resolves it (heldElsewhere).
 */
export function HeldBy(agencyId: string, category: DataCategory): ClassDecorator {
  return (target) => {
    holdings.set(target, { agencyId, category });
    Extensions({
      [POLICY_KEYS.category]: { category, owner: agencyId, heldElsewhere: true } satisfies CategoryPolicy,
    })(target);
  };
}

export function holdingOf(type: object): Holding {
  const holding = holdings.get(type);
  if (!holding) throw new Error(`${(type as { name?: string }).name} declares no @HeldBy`);
  return holding;
}

/**
 * Declares a Person type (every subgraph's, keyed by the partnership person id): identity from
 * the partnership's people index, about the person it is. Practitioners and data-sharing officers
 * read it under any purpose but STATISTICS; analysts never.
 */
export function PeopleIndex(): ClassDecorator {
  return Category(DataCategory.IDENTITY, {
    owner: PEOPLE_INDEX_OWNER,
    subjects: (person: { id: string }) => [person.id],
  });
}
