import { createHash, createHmac } from "node:crypto";

/**
 * The audit log's hash chain, as pure code: each record's hash covers the previous record's
 * hash and the record's own canonical content, so editing, inserting or deleting a record
 * breaks every link after it. Checkpoints (sequence, hash) of the head, kept apart from the
 * log, catch a log cut back at its tail, which a chain alone cannot see.
 */

/** The previous hash of the first record. */
export const GENESIS_HASH = "0".repeat(64);

export type AuditKind =
  | "DISCLOSURE"
  | "DENIAL"
  | "AGREEMENT_CHANGE"
  | "CONSENT_CHANGE"
  | "BREAK_GLASS_REVIEW"
  // A person's rights, handled by a DSO for its own agency's data (issue 18).
  | "SUBJECT_ACCESS"
  | "RECTIFICATION"
  /** A DSO's decision on a link the people matcher queued for review (issue 20). */
  | "PERSON_MATCH_REVIEW"
  /**
   * A reference an import's matcher linked to a person automatically, or queued for review
   * (issue 20): who ran the import, the people, method and score, never the reference or the identity.
   */
  | "PERSON_MATCH"
  /** A DSO's merge of two people in the people index, and its undoing (issue 20). */
  | "PERSON_MERGE"
  | "PERSON_SPLIT"
  /** Erasures, legal holds, retention rules and retention runs. */
  | "DATA_PROTECTION";
export type AuditDecision = "PERMITTED" | "DENIED";

/** What one audit record says; everything here is covered by its hash. */
export interface AuditContent {
  /** 1, 2, 3, ... with no gaps: assigned under the append lock, never by a sequence generator. */
  sequence: number;
  at: Date;
  userId: string;
  agencyId: string;
  role: string;
  purpose: string | null;
  operationName: string | null;
  requestId: string;
  ownerAgencyId: string | null;
  personIds: string[];
  categories: string[];
  recordIds: string[];
  decision: AuditDecision;
  reason: string | null;
  basis: string | null;
  agreementId: string | null;
  consentId: string | null;
  breakGlass: boolean;
  justification: string | null;
  kind: AuditKind;
  /** What changed, for AGREEMENT_CHANGE, CONSENT_CHANGE, BREAK_GLASS_REVIEW, SUBJECT_ACCESS, RECTIFICATION, PERSON_MATCH_REVIEW, PERSON_MATCH, PERSON_MERGE and PERSON_SPLIT records. */
  detail: string | null;
}

/** A stored record: its content and the two hashes that chain it. */
export interface ChainRow extends AuditContent {
  previousHash: string;
  hash: string;
}

export interface Checkpoint {
  sequence: number;
  hash: string;
}

export type ChainResult = { ok: true } | { ok: false; firstBadSequence: number; reason: string };

/** JSON with object keys sorted at every depth, dates as ISO strings: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value))
    throw new Error("canonicalJson: non-finite number");
  return JSON.stringify(value);
}

/** The content fields of a record, whatever else the object carries (hashes, joins). */
export function auditContentOf(row: AuditContent): AuditContent {
  return {
    sequence: Number(row.sequence),
    at: row.at,
    userId: row.userId,
    agencyId: row.agencyId,
    role: row.role,
    purpose: row.purpose,
    operationName: row.operationName,
    requestId: row.requestId,
    ownerAgencyId: row.ownerAgencyId,
    personIds: row.personIds,
    categories: row.categories,
    recordIds: row.recordIds,
    decision: row.decision,
    reason: row.reason,
    basis: row.basis,
    agreementId: row.agreementId,
    consentId: row.consentId,
    breakGlass: row.breakGlass,
    justification: row.justification,
    kind: row.kind,
    detail: row.detail,
  };
}

/** sha256 (hex) over the previous hash followed by the record's canonical content. */
export function auditHash(previousHash: string, record: AuditContent): string {
  return createHash("sha256")
    .update(previousHash)
    .update(canonicalJson(auditContentOf(record)))
    .digest("hex");
}

/**
 * A record's canonical content split around its person ids and its sequence number
 * (`before + people + between + sequence + after` is exactly what `auditHash` hashes after the
 * previous hash), so that the database can write each person id as its keyed pseudonym, then
 * number and hash the record under its append lock, in one statement.
 */
export function canonicalAroundPeopleAndSequence(record: Omit<AuditContent, "sequence">): {
  before: string;
  between: string;
  after: string;
} {
  const content: Record<string, unknown> = { ...auditContentOf({ ...record, sequence: 0 }) };
  const keys = Object.keys(content).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const people = keys.indexOf("personIds");
  const at = keys.indexOf("sequence");
  // Sorted, "personIds" comes before "sequence": the pieces rely on it.
  if (!(people >= 0 && people < at)) throw new Error("canonicalAroundPeopleAndSequence: key order changed");
  const member = (k: string) => `${JSON.stringify(k)}:${canonicalJson(content[k])}`;
  const before = keys.slice(0, people).map(member);
  const between = keys.slice(people + 1, at).map(member);
  const after = keys.slice(at + 1).map(member);
  return {
    before: `{${before.map((m) => `${m},`).join("")}"personIds":`,
    between: `${between.map((m) => `,${m}`).join("")},"sequence":`,
    after: `${after.map((m) => `,${m}`).join("")}}`,
  };
}

/**
 * A person id as the audit writes it: HMAC-SHA256 under the key of that person and the agency
 * whose data the record is (`person_keys`), in hex. `audit_append` computes it in SQL (pgcrypto's
 * `hmac`); this is the same function, for tests and the in-memory reference.
 */
export function auditPseudonym(personId: string, key: Buffer): string {
  return createHmac("sha256", key).update(personId, "utf8").digest("hex");
}

/**
 * Checks a chain record by record, so a log of any size can be streamed through it in batches.
 * It stops at the first broken record.
 */
export class ChainVerifier {
  private previousHash = GENESIS_HASH;
  private lastSequence = 0;
  private failure: ChainResult | null = null;
  private readonly checkpoints: Map<number, string>;
  /** Records checked so far. */
  checked = 0;

  constructor(checkpoints: Checkpoint[]) {
    this.checkpoints = new Map(checkpoints.map((c) => [Number(c.sequence), c.hash]));
  }

  private fail(firstBadSequence: number, reason: string): false {
    this.failure = { ok: false, firstBadSequence, reason };
    return false;
  }

  /** Feeds the next record (in sequence order); false once the chain is broken. */
  push(row: ChainRow): boolean {
    if (this.failure) return false;
    const sequence = Number(row.sequence);
    const expected = this.lastSequence + 1;
    if (sequence < expected) {
      return this.fail(
        sequence,
        `record ${sequence} is out of order or repeated after record ${this.lastSequence}`,
      );
    }
    if (sequence > expected) {
      const missing =
        sequence - 1 === expected
          ? `record ${expected} is missing`
          : `records ${expected} to ${sequence - 1} are missing`;
      return this.fail(expected, `${missing} (deleted)`);
    }
    if (row.previousHash !== this.previousHash) {
      return this.fail(
        sequence,
        `record ${sequence} does not link to record ${sequence - 1} (inserted or reordered)`,
      );
    }
    if (auditHash(this.previousHash, row) !== row.hash) {
      return this.fail(sequence, `record ${sequence} does not match its hash (edited)`);
    }
    const checkpoint = this.checkpoints.get(sequence);
    if (checkpoint !== undefined && checkpoint !== row.hash) {
      return this.fail(
        sequence,
        `record ${sequence} does not match checkpoint ${sequence} (the chain was rewritten)`,
      );
    }
    this.previousHash = row.hash;
    this.lastSequence = sequence;
    this.checked += 1;
    return true;
  }

  /** The verdict once every record has been pushed. */
  finish(): ChainResult {
    if (this.failure) return this.failure;
    const beyond = [...this.checkpoints.keys()].filter((s) => s > this.lastSequence).sort((a, b) => a - b);
    if (beyond.length) {
      return {
        ok: false,
        firstBadSequence: this.lastSequence + 1,
        reason: `the log ends at record ${this.lastSequence} but checkpoint ${beyond[beyond.length - 1]} was recorded (records deleted from the tail)`,
      };
    }
    return { ok: true };
  }
}

/** Verifies a whole chain held in memory: rows in sequence order, and the head checkpoints. */
export function verifyChain(rows: Iterable<ChainRow>, checkpoints: Checkpoint[]): ChainResult {
  const verifier = new ChainVerifier(checkpoints);
  for (const row of rows) if (!verifier.push(row)) break;
  return verifier.finish();
}

/**
 * Chains new records after a head, in memory: the reference `audit_append` must match (tested).
 * `pseudonym` writes a person id as the audit does (see auditPseudonym), given the agency whose
 * key it is under: the record's owner, else the acting agency.
 */
export function chainRecords(
  head: { sequence: number; hash: string } | null,
  records: Omit<AuditContent, "sequence">[],
  pseudonym: (personId: string, keyAgencyId: string) => string = (personId) => personId,
): ChainRow[] {
  let previousHash = head?.hash ?? GENESIS_HASH;
  let sequence = head?.sequence ?? 0;
  return records.map((record) => {
    sequence += 1;
    const keyAgencyId = record.ownerAgencyId ?? record.agencyId;
    const personIds = record.personIds.map((p) => pseudonym(p, keyAgencyId));
    const content: AuditContent = { ...record, personIds, sequence };
    const hash = auditHash(previousHash, content);
    const row: ChainRow = { ...auditContentOf(content), previousHash, hash };
    previousHash = hash;
    return row;
  });
}
