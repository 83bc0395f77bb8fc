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
}

export function Category(category: DataCategory): MethodDecorator & PropertyDecorator & ClassDecorator {
  return Extensions({ policy: { category } satisfies FieldPolicy });
}

export function Aggregate(): MethodDecorator & PropertyDecorator & ClassDecorator {
  return Extensions({ policy: { aggregate: true } satisfies FieldPolicy });
}
