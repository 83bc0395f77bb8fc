import {
  decideAccess,
  decideForSubjects,
  gateRefusal,
  signpostingAllowed,
  type AccessDecision,
  type AccessReason,
  type AgreementFacts,
  type ConsentFacts,
} from "../../../subgraphs/shared/access/decision";
import type { FieldRule, Gate, RecordRule } from "../../../subgraphs/shared/access/rules";
import type { Caller as TokenCaller } from "../../../subgraphs/shared/auth";
import type { DataCategory, Purpose, Role } from "../../../subgraphs/shared/enums";
import type { GraphQLResponse } from "../graphql";
import type { Walked } from "./operations";
import type { WalkRules } from "./rules";

/**
 * What an answer must be, worked out from the declared rules (rules.ts) and the pure decision
 * functions over the facts the subgraphs read, for every field of every object in the answer.
 */

export interface Caller {
  agency: string;
  role: Role;
  purpose: Purpose | null;
}

export interface Facts {
  agreements: AgreementFacts[];
  consents: ConsentFacts[];
  at: Date;
}

/** A decision, and whether it was made at the gate (no record read: nothing to signpost). */
export type WalkDecision = AccessDecision & { gate: boolean };

const RECORD_LEVEL = new Set<AccessReason>([
  "NO_AGREEMENT",
  "PURPOSE_NOT_COVERED",
  "CATEGORY_NOT_COVERED",
  "CONSENT_REQUIRED",
  "CONSENT_WITHDRAWN",
]);
const DISCLOSED = new Set(["AGREEMENT", "CONSENT", "BREAK_GLASS"]);

function refused(reason: AccessReason, gate: boolean): WalkDecision {
  return {
    permitted: false,
    reason,
    basis: null,
    agreementId: null,
    consentId: null,
    breakGlass: false,
    steps: [],
    gate,
  };
}
const PERMITTED: WalkDecision = {
  ...refused("NO_AGREEMENT", false),
  permitted: true,
  reason: null,
  basis: "OWN_DATA",
};

const tokenCaller = (caller: Caller): TokenCaller =>
  ({ userId: `${caller.agency}.walk`, agencyId: caller.agency, role: caller.role }) as TokenCaller;

/** A record's owner, or null when the part of the answer it is read from was not selected. */
export function ownerOf(rule: RecordRule, raw: unknown): string | null {
  try {
    return rule.owner(raw);
  } catch {
    return null;
  }
}

/** A gate's refusal (role, purpose, person-level), or null. */
export function atGate(gate: Gate, caller: Caller): WalkDecision | null {
  const reason = gateRefusal(gate, caller.role, caller.purpose);
  return reason ? refused(reason, true) : null;
}

/** The decision on one record: its type's gate, its party rule, then its category for its owner and subjects. */
export function decideRecord(
  rule: RecordRule,
  raw: unknown,
  subjects: readonly string[],
  caller: Caller,
  facts: Facts,
  /** False when the record is known only as the answer shows it (a party rule reads the holder's record). */
  asHeld = true,
): WalkDecision {
  const gate = atGate(rule.gate, caller);
  if (gate) return gate;
  if (rule.party && raw && asHeld && !rule.party.test(raw as never, tokenCaller(caller)))
    return refused("NO_AGREEMENT", true);
  if (!rule.category) return PERMITTED;
  const owner = ownerOf(rule, raw);
  return owner === null ? PERMITTED : decideCategory(owner, rule.category, subjects, caller, facts);
}

export function decideCategory(
  owner: string,
  category: DataCategory,
  subjects: readonly string[],
  caller: Caller,
  facts: Facts,
): WalkDecision {
  const d = decideForSubjects(
    {
      callerAgencyId: caller.agency,
      role: caller.role,
      purpose: caller.purpose,
      breakGlass: null,
      ownerAgencyId: owner,
      category,
      aggregate: false,
      at: facts.at,
    },
    subjects,
    facts,
  );
  return { ...d, gate: false };
}

/**
 * Whether the caller may not even learn that a refused record exists: refused at its gate or by
 * its party rule, or for want of an agreement or consent where no agreement for the purpose
 * exists between the agencies either way (nothing to signpost).
 */
export function untraceable(caller: Caller, owner: string, decision: WalkDecision, facts: Facts): boolean {
  if (decision.permitted) return false;
  if (decision.gate || !RECORD_LEVEL.has(decision.reason!)) return true;
  return !signpostingAllowed(caller.agency, owner, caller.purpose, facts.agreements, facts.at);
}

export interface Finding {
  path: string;
  problem: string;
}

/** A disclosure of another agency's data the audit must hold for the request. */
export interface ExpectedAudit {
  owner: string;
  recordId: string;
  category: DataCategory;
}

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };

export interface Judgement {
  findings: Finding[];
  audits: ExpectedAudit[];
  /** Decisions compared with the answer (records present, governed fields). */
  checked: number;
  /** Of those, fields the decision refused (null with FORBIDDEN expected). */
  refused: number;
  /** Coordinates met in the answer. */
  seen: Set<string>;
}

/**
 * Judges one answer to one generated operation: every record present is one the caller may see
 * (or, refused where an agreement for the purpose exists, shows nothing governed); every gated or
 * governed field is null with FORBIDDEN and the decision's reason exactly when the decision
 * refuses it, and answers when it permits it; signposting only where an agreement for the
 * purpose exists; a record the caller may not know of answers as an unknown id does; no such
 * record's id appears anywhere; each disclosure of another agency's record is listed for the audit.
 */
export async function judge(
  operation: Walked,
  response: GraphQLResponse,
  caller: Caller,
  rules: WalkRules,
  facts: Facts,
  untraceableIds: Set<string>,
  /** For `_entities` called on one subgraph directly: that subgraph (its rules are the ones that apply). */
  subgraph: string | null = null,
): Promise<Judgement> {
  const findings: Finding[] = [];
  const audits: ExpectedAudit[] = [];
  const seen = new Set<string>();
  let checked = 0;
  let refusedFields = 0;
  const errors = response.errors ?? [];
  const same = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
    a.length === b.length && a.every((p, i) => p === b[i]);
  const errorAt = (path: (string | number)[]) => errors.find((e) => e.path && same(e.path, path));
  /** An error at the path or above it (a parent refused: its children are not there to judge). */
  const errorOver = (path: (string | number)[]) =>
    errors.find((e) => e.path && e.path.length <= path.length && same(e.path, path.slice(0, e.path.length)));
  const fail = (path: (string | number)[], problem: string) =>
    findings.push({ path: path.join("."), problem });

  for (const e of errors) {
    const code = e.extensions?.code;
    if (code !== "FORBIDDEN") fail(e.path ?? [], `unexpected error ${String(code)}: ${e.message}`);
  }

  /** The rule that governs a field: where several subgraphs resolve it, the one that governs most. */
  const ruleOf = (coordinate: string): FieldRule | undefined => {
    const all = rules.field(coordinate);
    const candidates =
      subgraph && all.some((r) => r.subgraph === subgraph) ? all.filter((r) => r.subgraph === subgraph) : all;
    const order = ["RECORD", "AGGREGATE", "ENTRY", "PART", "REFERENCE"];
    return [...candidates].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0];
  };

  /** A field's expected decision, or null when the field itself decides nothing (its records are judged). */
  const expectField = (
    rule: FieldRule,
    recordRaw: unknown,
    subjects: readonly string[],
  ): WalkDecision | null => {
    const gate = atGate(rule.gate, caller);
    if (gate) return gate;
    if (rule.kind === "AGGREGATE") {
      const d = decideAccess(
        {
          callerAgencyId: caller.agency,
          role: caller.role,
          purpose: caller.purpose,
          breakGlass: null,
          ownerAgencyId: rule.owner,
          category: null,
          personId: null,
          aggregate: true,
          caseWork: rule.caseWork,
          at: facts.at,
        },
        facts,
      );
      return { ...d, gate: false };
    }
    if (rule.kind === "RECORD" && rule.record && rule.category) {
      const owner = ownerOf(rule.record, recordRaw);
      return owner === null ? null : decideCategory(owner, rule.category, subjects, caller, facts);
    }
    return null;
  };

  const checkField = (at: (string | number)[], coordinate: string, value: Json, expected: WalkDecision) => {
    checked += 1;
    const error = errorAt(at);
    if (expected.permitted) {
      if (error)
        fail(
          at,
          `${coordinate} is permitted (${expected.basis}) but refused ${String(error.extensions?.reason)}`,
        );
      return true;
    }
    refusedFields += 1;
    if (value !== null) fail(at, `${coordinate} answered, but the decision is ${expected.reason}`);
    else if (!errorOver(at))
      fail(at, `${coordinate} is null without a FORBIDDEN error (the decision is ${expected.reason})`);
    else if (error && error.extensions?.reason !== expected.reason)
      fail(
        at,
        `${coordinate} refused ${String(error.extensions?.reason)}, but the decision is ${expected.reason}`,
      );
    return false;
  };

  /** Keys a subgraph echoed from the representations it was sent (it only extends the type). */
  const echoed = new Set<string>();
  const walk = async (
    value: Json,
    path: (string | number)[],
    parent: { raw: unknown; subjects: readonly string[] },
  ): Promise<void> => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) await walk(value[i], [...path, i], parent);
      return;
    }
    if (!value || typeof value !== "object") return;
    const type = value.__typename as string | undefined;
    if (!type) return;
    const held = rules.record(type);
    // The representation echoed back by a subgraph that does not hold the type: it cannot know
    // whether the record exists, and answers every key alike (compared with an unknown key below).
    const echo = !!subgraph && path.length === 1 && !!held && held.subgraph !== subgraph;
    if (echo && typeof value.id === "string") echoed.add(JSON.stringify([...path, "id"]));
    const record = echo ? null : held;
    let own = parent;
    if (record) {
      const id = typeof value.id === "string" ? value.id : null;
      const resolvable = !!id && rules.resolvable(type);
      // A record its holder resolves by id is judged as the holder read it; any other (an
      // involvement, a tenancy's action, an agency's reference) as the answer shows it.
      const raw = resolvable ? await rules.raw(type, id!) : value;
      if (raw) {
        const subjects = record.subjects ? [...new Set(record.subjects(raw))].sort() : parent.subjects;
        own = { raw, subjects };
        const d = decideRecord(record, raw, subjects, caller, facts, resolvable);
        checked += 1;
        if (!d.permitted && untraceable(caller, ownerOf(record, raw) ?? "", d, facts))
          fail(path, `${type} ${id ?? ""} is in the answer, but the caller may not know of it (${d.reason})`);
      }
      // No such record (an id echoed by a subgraph that only extends the type): the comparison
      // with an unknown id below is what must hold.
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === "__typename") continue;
      const coordinate = `${type}.${key}`;
      seen.add(coordinate);
      const at = [...path, key];
      const rule = ruleOf(coordinate);
      if (!rule) {
        fail(at, `${coordinate}: no subgraph declares a rule for it`);
        continue;
      }
      const expected = echo && key === "id" ? null : expectField(rule, own.raw, own.subjects);
      if (expected) {
        const permitted = checkField(at, coordinate, child, expected);
        if (!permitted) continue;
        const id = typeof value.id === "string" ? value.id : null;
        if (
          rule.kind === "RECORD" &&
          rule.category &&
          id &&
          rule.record?.typeName === type &&
          DISCLOSED.has(expected.basis!)
        )
          audits.push({ owner: ownerOf(rule.record, own.raw)!, recordId: id, category: rule.category });
      }
      // Signposting: only where some agreement for the purpose exists between the agencies.
      if (key === "restricted" && Array.isArray(child)) {
        for (const entry of child as { agency?: { id?: string } }[]) {
          const agency = entry?.agency?.id;
          if (
            agency &&
            !signpostingAllowed(caller.agency, agency, caller.purpose, facts.agreements, facts.at)
          )
            fail(
              at,
              `signposts ${agency}'s records with no agreement for ${caller.purpose} between the agencies`,
            );
        }
      }
      await walk(child, at, own);
    }
  };

  const data = (response.data ?? {}) as { [k: string]: Json };
  for (const root of operation.roots) {
    const value = data[root.alias] ?? null;
    const coordinate = `${root.type ?? "Query"}.${root.field}`;
    const rule = root.field.startsWith("_entities:") ? undefined : ruleOf(coordinate);
    const gate = rule && atGate(rule.gate, caller);
    if (gate) checkField([root.alias], coordinate, value, gate);
    await walk(value, [root.alias], { raw: null, subjects: [] });
  }

  /** What one root alias answered: its data and its errors (path below the alias, code, reason). */
  const answer = (alias: string) =>
    JSON.stringify({
      data: data[alias] ?? null,
      errors: errors
        .filter((e) => e.path?.[0] === alias)
        .map((e) => ({
          path: e.path!.slice(1),
          code: e.extensions?.code,
          reason: e.extensions?.reason ?? null,
        })),
    });
  // A record the caller may not know of answers exactly as an unknown id does.
  for (const root of operation.roots.filter((r) => r.unknown)) {
    // Through the gateway an unknown id finds nothing; a subgraph's `_entities` may echo a key it
    // only extends (it cannot know), the same for every key.
    if (!root.field.startsWith("_entities:") && (data[root.alias] ?? null) !== null)
      fail([root.alias], `unknown id ${root.id} answered with data`);
    const unknownAnswer = answer(root.alias).split(root.id!).join("<key>");
    for (const real of operation.roots.filter(
      (r) => r.field === root.field && !r.unknown && untraceableIds.has(r.id!),
    )) {
      const realAnswer = answer(real.alias).split(real.id!).join("<key>");
      if (realAnswer !== unknownAnswer)
        fail(
          [real.alias],
          `${real.id} (not to be known) answered ${realAnswer.slice(0, 200)}; an unknown id answered ${unknownAnswer.slice(0, 200)}`,
        );
    }
  }
  // No trace: such a record's id appears nowhere in the answer, data or errors.
  const scan = (value: unknown, path: (string | number)[]) => {
    if (echoed.has(JSON.stringify(path))) return;
    if (typeof value === "string") {
      for (const id of untraceableIds)
        if (value === id || value.includes(`${id} `) || value.endsWith(` ${id}`) || value.includes(`"${id}"`))
          fail(path, `${id}, not to be known, appears in the answer`);
    } else if (Array.isArray(value)) value.forEach((v, i) => scan(v, [...path, i]));
    else if (value && typeof value === "object")
      for (const [k, v] of Object.entries(value)) scan(v, [...path, k]);
  };
  scan(response.data, []);
  errors.forEach((e, i) => scan(e.message, ["errors", i]));
  return { findings, audits, checked, refused: refusedFields, seen };
}
