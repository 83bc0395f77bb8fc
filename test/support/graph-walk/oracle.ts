import {
  decideAccess,
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
): AccessDecision {
  const ask = (personId: string | null) =>
    decideAccess(
      {
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
      },
      facts,
    );
  if (!subjects.length) return ask(null);
  let permitted: AccessDecision | null = null;
  for (const person of subjects) {
    const d = ask(person);
    if (!d.permitted) return d;
    if (!permitted || d.basis === "CONSENT") permitted = d;
  }
  return permitted!;
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

const RECORD_LEVEL = new Set(["NO_AGREEMENT", "PURPOSE_NOT_COVERED", "CATEGORY_NOT_COVERED", "CONSENT_REQUIRED", "CONSENT_WITHDRAWN"]);

/** Whether a denied record is to be hidden as an unknown id is (no agreement for the purpose either way). */
export function hidden(caller: Caller, owner: string, decision: AccessDecision, facts: Facts): boolean {
  return (
    !decision.permitted &&
    RECORD_LEVEL.has(decision.reason!) &&
    !signpostingAllowed(caller.agency, owner, caller.purpose, facts.agreements, facts.at)
  );
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
  hiddenIds: Set<string>,
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
    const subjects = subjectsOf(type, id);
    if (!subjects) {
      fail(path, `${type} ${id}: no subjects known for this governed type`);
      return inherited;
    }
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
          else if (rule.kind === "RECORD" && rule.owner !== caller.agency && !record && typeof value.id === "string")
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
  for (const root of operation.roots) {
    const value = data[root.alias] ?? null;
    walk(value, [root.alias], [], null);
    // A record the caller may not know of answers exactly as an unknown id does.
    if (root.id && (root.unknown || hiddenIds.has(root.id))) {
      if (value !== null) fail([root.alias], `${root.id} (${root.unknown ? "unknown" : "hidden"}) answered with data`);
      const error = errorUnder([root.alias]);
      if (error)
        fail([root.alias], `${root.id} (${root.unknown ? "unknown" : "hidden"}) answered with an error: ${error.extensions?.reason ?? error.message}`);
    }
  }
  // No trace: a hidden record's id appears nowhere in the answer.
  const text = JSON.stringify(response);
  for (const id of hiddenIds) if (text.includes(`"${id}"`) || text.includes(` ${id}`)) fail([], `hidden record ${id} appears in the answer`);
  return { findings, audits, checked, seen };
}
