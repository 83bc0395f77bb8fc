import {
  decideAccess,
  decideWithoutFacts,
  signpostingAllowed,
  type AccessDecision,
  type AgreementFacts,
  type ConsentFacts,
} from "../../../subgraphs/shared/access/decision";
import type { DataCategory, Purpose, Role } from "../../../subgraphs/shared/enums";
import type { GraphQLResponse } from "../graphql";
import type { Walked } from "./operations";
import type { WalkRule, WalkRules } from "./rules";

/**
 * What a response must be, worked out from the declared rules and the pure decision function
 * over the same facts the subgraphs read: for every field of every object in the answer.
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

/** Whom a record is about, per governed type (see rules.ts: pre-redesign stand-in). */
export type Subjects = (typeName: string, id: string) => readonly string[] | undefined;

/** The decision for a record about several people: permitted only when permitted for each. */
export function decideForRecord(
  caller: Caller,
  owner: string,
  category: DataCategory | null,
  subjects: readonly string[],
  facts: Facts,
  aggregate: { caseWork: boolean } | null = null,
): WalkDecision {
  const request = (personId: string | null) => ({
        callerAgencyId: caller.agency,
        role: caller.role,
        purpose: caller.purpose,
        breakGlass: null,
        ownerAgencyId: owner,
        category,
        personId,
        aggregate: !!aggregate,
        caseWork: aggregate?.caseWork,
        at: facts.at,
      });
  const early = decideWithoutFacts(request(subjects[0] ?? null));
  // Refused whatever the agreements and consents say: at the gate (purpose, role, STATISTICS).
  if (early && !early.permitted) return { ...early, gate: true };
  if (!subjects.length) return { ...decideAccess(request(null), facts), gate: false };
  let permitted: AccessDecision | null = null;
  for (const person of subjects) {
    const d = decideAccess(request(person), facts);
    if (!d.permitted) return { ...d, gate: false };
    if (!permitted || d.basis === "CONSENT") permitted = d;
  }
  return { ...permitted!, gate: false };
}

export type WalkDecision = AccessDecision & { gate: boolean };

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

const RECORD_LEVEL = new Set(["NO_AGREEMENT", "PURPOSE_NOT_COVERED", "CATEGORY_NOT_COVERED", "CONSENT_REQUIRED", "CONSENT_WITHDRAWN"]);

/**
 * Whether the caller may not even learn that a denied record exists: refused at the gate (role,
 * purpose: no record is read at all), or refused for want of an agreement or consent where no
 * agreement for the purpose exists between the agencies either way (nothing to signpost).
 */
export function untraceable(caller: Caller, owner: string, decision: WalkDecision, facts: Facts): boolean {
  if (decision.permitted) return false;
  if (decision.gate || !RECORD_LEVEL.has(decision.reason!)) return true;
  return !signpostingAllowed(caller.agency, owner, caller.purpose, facts.agreements, facts.at);
}

export interface Judgement {
  findings: Finding[];
  audits: ExpectedAudit[];
  /** Field values checked against a decision (permitted or denied). */
  checked: number;
  /** Coordinates met in the answer. */
  seen: Set<string>;
}

/**
 * Judges one response to one generated operation: every present record is one the caller may
 * see, every governed field is null with FORBIDDEN and the decision's reason exactly when the
 * decision denies it, signposting only where an agreement for the purpose exists, a hidden record
 * asked for by id answers as an unknown id, and no hidden record's id appears anywhere.
 */
export function judge(
  operation: Walked,
  response: GraphQLResponse,
  caller: Caller,
  rules: WalkRules,
  subjectsOf: Subjects,
  facts: Facts,
  untraceableIds: Set<string>,
): Judgement {
  const findings: Finding[] = [];
  const audits: ExpectedAudit[] = [];
  const seen = new Set<string>();
  let checked = 0;
  const errors = response.errors ?? [];
  const errorAt = (path: (string | number)[]) =>
    errors.find((e) => e.path && e.path.length === path.length && e.path.every((p, i) => p === path[i]));
  const errorUnder = (path: (string | number)[]) =>
    errors.find((e) => e.path && path.every((p, i) => e.path![i] === p));
  const fail = (path: (string | number)[], problem: string) => findings.push({ path: path.join("."), problem });

  for (const e of errors) {
    const code = e.extensions?.code;
    if (code !== "FORBIDDEN") fail(e.path ?? [], `unexpected error ${String(code)}: ${e.message}`);
  }

  const pick = (coordinate: string): WalkRule | undefined => {
    const candidates = rules.field(coordinate);
    return (
      candidates.find((r) => r.kind === "RECORD") ??
      candidates.find((r) => r.kind === "AGGREGATE") ??
      candidates.find((r) => r.kind === "ENTRY") ??
      candidates[0]
    );
  };

  /** Judges a record object of a governed type: may it be here at all? */
  const judgeRecord = (
    value: { [k: string]: Json },
    path: (string | number)[],
    inherited: readonly string[],
  ): readonly string[] => {
    const type = value.__typename as string;
    const record = rules.record(type);
    const id = typeof value.id === "string" ? value.id : null;
    if (!record || !id) return inherited;
    // A sub-record that declares no subjects of its own is about its parent record's people.
    const subjects = subjectsOf(type, id) ?? inherited;
    const d = decideForRecord(caller, record.owner, record.category, subjects, facts);
    checked += 1;
    if (!d.permitted)
      fail(path, `${type} ${id} is present, but the decision is ${d.reason} (${d.steps.at(-1)})`);
    else if (record.owner !== caller.agency && ["AGREEMENT", "CONSENT", "BREAK_GLASS"].includes(d.basis!))
      audits.push({ owner: record.owner, recordId: id, category: record.category });
    return subjects;
  };

  const walk = (value: Json, path: (string | number)[], subjects: readonly string[], owner: string | null) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i], subjects, owner));
      return;
    }
    if (!value || typeof value !== "object") return;
    const type = value.__typename as string | undefined;
    if (!type) return;
    const own = judgeRecord(value, path, subjects);
    const record = rules.record(type);
    for (const [key, child] of Object.entries(value)) {
      if (key === "__typename") continue;
      const coordinate = `${type}.${key}`;
      seen.add(coordinate);
      const rule = pick(coordinate);
      const at = [...path, key];
      if (!rule) {
        fail(at, `${coordinate}: no subgraph declares it`);
        continue;
      }
      let expected: AccessDecision | null = null;
      if (rule.kind === "RECORD" && rule.category)
        expected = decideForRecord(caller, rule.owner, rule.category, own, facts);
      else if (rule.kind === "AGGREGATE")
        expected = decideForRecord(caller, rule.owner, null, [], facts, { caseWork: rule.caseWork });
      if (expected) {
        checked += 1;
        const error = errorAt(at);
        if (expected.permitted) {
          if (error) fail(at, `${coordinate} permitted (${expected.basis}) but refused ${error.extensions?.reason}`);
          else if (
            rule.kind === "RECORD" &&
            !record &&
            typeof value.id === "string" &&
            ["AGREEMENT", "CONSENT", "BREAK_GLASS"].includes(expected.basis!)
          )
            audits.push({ owner: rule.owner, recordId: value.id, category: rule.category! });
        } else {
          if (child !== null) fail(at, `${coordinate} released, but the decision is ${expected.reason}`);
          else if (!error && !errorUnder(path))
            fail(at, `${coordinate} null without a FORBIDDEN error (expected ${expected.reason})`);
          else if (error && error.extensions?.reason !== expected.reason)
            fail(at, `${coordinate} refused ${error.extensions?.reason}, expected ${expected.reason}`);
          continue;
        }
      }
      // Signposting: only where some agreement for the purpose exists between the agencies.
      if (key === "restricted" && Array.isArray(child)) {
        for (const entry of child as { agency?: { id?: string } }[]) {
          const agency = entry?.agency?.id;
          if (agency && !signpostingAllowed(caller.agency, agency, caller.purpose, facts.agreements, facts.at))
            fail(at, `signposts ${agency}'s records with no agreement for ${caller.purpose} between the agencies`);
        }
      }
      walk(child, at, own, rule.owner ?? owner);
    }
  };

  const data = (response.data ?? {}) as { [k: string]: Json };
  /** What one root alias answered: its data and its errors (path below the alias, code, reason). */
  const answer = (alias: string) =>
    JSON.stringify({
      data: data[alias] ?? null,
      errors: errors
        .filter((e) => e.path?.[0] === alias)
        .map((e) => ({ path: e.path!.slice(1), code: e.extensions?.code, reason: e.extensions?.reason ?? null })),
    });
  for (const root of operation.roots) walk(data[root.alias] ?? null, [root.alias], [], null);
  // A record the caller may not know of answers exactly as an unknown id does.
  for (const root of operation.roots.filter((r) => r.unknown)) {
    if ((data[root.alias] ?? null) !== null) fail([root.alias], `unknown id ${root.id} answered with data`);
    const unknownAnswer = answer(root.alias);
    for (const real of operation.roots.filter((r) => r.field === root.field && !r.unknown && untraceableIds.has(r.id!))) {
      const realAnswer = answer(real.alias);
      if (realAnswer !== unknownAnswer)
        fail([real.alias], `${real.id} (not to be known) answered ${realAnswer.slice(0, 160)}; an unknown id answered ${unknownAnswer.slice(0, 160)}`);
    }
  }
  // No trace: an untraceable record's id appears nowhere in the answer, data or errors.
  const scan = (value: unknown, path: (string | number)[]) => {
    if (typeof value === "string") {
      for (const id of untraceableIds) if (value === id || value.includes(`${id} `) || value.endsWith(` ${id}`)) fail(path, `${id}, not to be known, appears in the answer`);
    } else if (Array.isArray(value)) value.forEach((v, i) => scan(v, [...path, i]));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) scan(v, [...path, k]);
  };
  scan(response.data, []);
  errors.forEach((e, i) => scan(e.message, ["errors", i]));
  return { findings, audits, checked, seen };
}
