import type { FieldRule, RecordRule } from "../../../subgraphs/shared/access/rules";
import type { Caller as TokenCaller } from "../../../subgraphs/shared/auth";
import type { PartyRule } from "../../../subgraphs/shared/policy";
import type { GraphQLResponse } from "../graphql";
import { atGate, type Caller, type Finding } from "./oracle";
import { AUDIT_TABLES } from "./writes";

/**
 * What a mutation call must do, from the declared rules alone: the mutation's gate (roles,
 * purpose, person-level: its @access in the supergraph), the party rule of every record its
 * arguments name (a caller outside it is told what an unknown id would get), and the @ChangedBy
 * rule of the record it acts on; then those of the other records it declares it changes (@Changes). A caller they all admit may still be refused by the workflow
 * (a stage out of order, an agreement not in force); whatever is refused writes nothing.
 */

/** Refusals a mutation may answer with; anything else is a finding. */
export const REFUSALS = new Set(["FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"]);

export interface MutationTarget {
  type: string;
  id: string;
  /** The record as its holder reads it (null when there is none, or the walk cannot read it). */
  raw: unknown;
  /** Its type's party rule (who may know of it), or null. */
  party: RecordRule["party"];
}

/**
 * A record a mutation declares it changes (@Changes) that none of its id arguments names (the
 * case of an action named by its id, the lead's own changes to a case), found with the
 * declaration's own policy from the seeded arguments, with its type's party and @ChangedBy rules.
 */
export interface DeclaredChange {
  typeName: string;
  raw: unknown;
  party: PartyRule | null;
  actor: PartyRule | null;
}

export type MutationExpectation =
  | { refused: false }
  | { refused: true; by: "gate" | "party" | "actor"; reason: string; codes: string[]; accessReason?: string };

const tokenCaller = (caller: Caller): TokenCaller =>
  ({ userId: `${caller.agency}.walk`, agencyId: caller.agency, role: caller.role }) as TokenCaller;

/**
 * The declared outcome: refused at the gate (FORBIDDEN with the gate's reason), or because a
 * named record is not the caller's to know (as an unknown id: NOT_FOUND, or FORBIDDEN where the
 * type is refused rather than hidden), or because the caller may see the record acted on but not
 * change it (FORBIDDEN ROLE_NOT_PERMITTED); otherwise not refused by the rules.
 */
export function expectMutation(
  rule: FieldRule | undefined,
  caller: Caller,
  targets: MutationTarget[],
  actor: PartyRule | null,
  declared: DeclaredChange[] = [],
): MutationExpectation {
  if (!rule) return { refused: true, by: "gate", reason: "no declared rule", codes: ["FORBIDDEN"] };
  const gate = atGate(rule.gate, caller);
  if (gate)
    return {
      refused: true,
      by: "gate",
      reason: gate.reason!,
      codes: ["FORBIDDEN"],
      accessReason: gate.reason!,
    };
  for (const t of targets)
    if (t.raw && t.party && !t.party.test(t.raw as never, tokenCaller(caller)))
      return {
        refused: true,
        by: "party",
        reason: `not ${t.party.name} (${t.type} ${t.id})`,
        codes: ["NOT_FOUND"],
      };
  const acted = targets[0];
  // The other records it changes, checked in the order declared, as the shared enforcement does:
  // one outside its party rule answers as the record named would if unknown (its own id's answer).
  if (acted)
    for (const d of declared)
      if (d.raw && d.party && !d.party.test(d.raw as never, tokenCaller(caller)))
        return {
          refused: true,
          by: "party",
          reason: `not ${d.party.name}: its ${d.typeName}, found by (${acted.type} ${acted.id})`,
          codes: ["NOT_FOUND"],
        };
  if (acted?.raw && actor && !actor.test(acted.raw as never, tokenCaller(caller)))
    return {
      refused: true,
      by: "actor",
      reason: `not ${actor.name} (${acted.type} ${acted.id})`,
      codes: ["FORBIDDEN"],
      accessReason: "ROLE_NOT_PERMITTED",
    };
  for (const d of declared)
    if (d.raw && d.actor && !d.actor.test(d.raw as never, tokenCaller(caller)))
      return {
        refused: true,
        by: "actor",
        reason: `not ${d.actor.name} (${d.typeName})`,
        codes: ["FORBIDDEN"],
        accessReason: "ROLE_NOT_PERMITTED",
      };
  return { refused: false };
}

export interface MutationOutcome {
  /** Whether the mutation answered with data. */
  done: boolean;
  /** The refusal's code and access reason, when refused. */
  code: string | null;
  reason: string | null;
  findings: Finding[];
}

/**
 * Judges the answer and the writes of one call: refused with an allowed code (the declared one
 * where the rules refuse it), and then nothing written but the audit; or done where the rules
 * admit it. The answer's own fields are judged by the query oracle (`judge`) in the walk.
 */
export function judgeMutation(
  alias: string,
  response: GraphQLResponse,
  expected: MutationExpectation,
  written: Record<string, string[]>,
): MutationOutcome {
  const findings: Finding[] = [];
  const fail = (problem: string) => findings.push({ path: alias, problem });
  const data = (response.data ?? null) as Record<string, unknown> | null;
  const done = !!data && data[alias] !== null && data[alias] !== undefined;
  const rootError = (response.errors ?? []).find((e) => !e.path || e.path.length === 1);
  const code = done ? null : String(rootError?.extensions?.code ?? `HTTP ${response.status}`);
  const reason = done ? null : ((rootError?.extensions?.reason as string | undefined) ?? null);
  const dataWrites = Object.entries(written).flatMap(([db, tables]) =>
    tables.filter((t) => !AUDIT_TABLES.has(t)).map((t) => `${db}.${t}`),
  );
  if (done) {
    if (expected.refused) fail(`done, but the declared rules refuse it (${expected.by}: ${expected.reason})`);
  } else {
    if (!REFUSALS.has(code!)) fail(`answered ${code}: ${rootError?.message ?? ""}`);
    else if (expected.refused && !expected.codes.includes(code!))
      fail(
        `refused ${code} ${reason ?? ""}, but the declared refusal is ${expected.codes.join("/")} (${expected.by}: ${expected.reason})`,
      );
    else if (expected.refused && expected.accessReason && reason !== expected.accessReason)
      fail(
        `refused ${code} ${reason ?? ""}, but the declared reason is ${expected.accessReason} (${expected.by})`,
      );
    if (dataWrites.length) fail(`refused ${code}, but wrote ${dataWrites.join(", ")}`);
  }
  return { done, code, reason, findings };
}
