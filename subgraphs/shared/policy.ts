import { Extensions } from "type-graphql";
import type { DataCategory } from "./enums";

/**
 * Access rules are declared, not coded: each person-level field or type names the data
 * category it discloses, and one shared enforcement step reads these declarations.
 */
export interface FieldPolicy {
  /** The category the field (or every field of the type) discloses. */
  category?: DataCategory;
  /** An aggregate (counts only): the one thing analysts under STATISTICS may read. */
  aggregate?: boolean;
  /**
   * Suppressed counts that are part of a problem-solving case (its assessment): the case's
   * practitioners read them under the purpose they work the case for, not only STATISTICS.
   */
  caseWork?: boolean;
}

export function Category(category: DataCategory): MethodDecorator & PropertyDecorator & ClassDecorator {
  return Extensions({ policy: { category } satisfies FieldPolicy });
}

export function Aggregate(
  options: { caseWork?: boolean } = {},
): MethodDecorator & PropertyDecorator & ClassDecorator {
  return Extensions({ policy: { aggregate: true, ...options } satisfies FieldPolicy });
}

/** Who holds a record another subgraph only points to, and what category it is. */
export interface Holding {
  agencyId: string;
  category: DataCategory;
}

const holdings = new WeakMap<object, Holding>();

/**
 * Declares that a stub type (an entity owned elsewhere, listed here by id) is held by
 * `agencyId` as `category`, so lists of it show only what the caller may see.
 */
export function HeldBy(agencyId: string, category: DataCategory): ClassDecorator {
  return (target) => {
    holdings.set(target, { agencyId, category });
  };
}

export function holdingOf(type: object): Holding {
  const holding = holdings.get(type);
  if (!holding) throw new Error(`${(type as { name?: string }).name} declares no @HeldBy`);
  return holding;
}
