import type { Sql } from "../database";
import type { CaseRecordKind } from "../enums";
import type { DemoPerson, Scale } from "./world";

export interface DemoSeedOptions {
  seed: number;
  scale: Scale;
  /** The partnership's people, the same list for every subgraph (world.demoPeople). */
  people: DemoPerson[];
  /** Records other agencies seeded that a demo problem-solving case may link to. */
  linkable?: Partial<Record<CaseRecordKind, string[]>>;
  /** Reports gathered from the agencies' seeds (given to the partnership seed). */
  reports?: DemoReport[];
}

/** A report a person made to an agency (as victim, complainant or reporter). */
export interface DemoReport {
  personId: string;
  agencyId: string;
  recordKind: CaseRecordKind | "HOUSING_REPORT";
  recordId: string;
  /** ISO date, YYYY-MM-DD. */
  reportedAt: string;
}

export interface AgencySeedResult {
  /** Ids of seeded records in the demo case neighbourhoods, for problem-solving cases to link. */
  linkable?: Partial<Record<CaseRecordKind, string[]>>;
  /** Reports people made to this agency, for the partnership's case review index. */
  reports?: DemoReport[];
}

/** Fills one subgraph's database with its part of the demo partnership. Deterministic. */
export type SubgraphSeeder = (sql: Sql, options: DemoSeedOptions) => Promise<AgencySeedResult | void>;
