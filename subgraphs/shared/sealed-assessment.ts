import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addMonths } from "./months";

/**
 * A case assessment is counted by police and the council from its entity id, so the id must
 * say only what the partnership decided: the case's own neighbourhoods and windows, for the
 * agency that asked. A caller who could make up ids (calling `_entities` directly) could ask
 * for any neighbourhoods and months, and with enough differently perturbed cells over the same
 * records average the noise away. So the partnership seals each id with an HMAC, and police
 * and the council count only sealed ids issued to the calling agency; any other id is unknown.
 */

export const MAX_ASSESSMENT_MONTHS = 24;

/** What an assessment counts: a case's neighbourhoods in two adjacent windows of equal length. */
export interface AssessmentWindows {
  lsoaCodes: string[];
  baselineFrom: string;
  baselineTo: string;
  followUpFrom: string;
  followUpTo: string;
}

export interface SealedAssessment extends AssessmentWindows {
  id: string;
  caseId: string;
  /** The agency the id was issued to; police and the council serve it to that agency only. */
  agencyId: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const LSOA = /^[A-Z][A-Z0-9]{8}$/;
const CASE_ID = /^[\w-]{1,64}$/;
const MAC = /^[A-Za-z0-9_-]{43}$/;

let secret: Buffer | undefined;

/**
 * The sealing key: ASSESSMENT_SECRET (32 characters or more) shared by partnership, police and
 * the council; in development and tests a random one kept with the development keys (an ignored
 * folder), made on first use. Production without one seals and opens nothing.
 */
function sealingKey(): Buffer {
  if (secret) return secret;
  const given = process.env.ASSESSMENT_SECRET;
  if (given) {
    if (given.length < 32) throw new Error("ASSESSMENT_SECRET must have at least 32 characters");
    secret = Buffer.from(given, "utf8");
    return secret;
  }
  if (process.env.NODE_ENV === "production") {
    throw new Error("ASSESSMENT_SECRET is required in production to release case assessments");
  }
  const dir = process.env.DEV_KEYS_DIR ?? ".dev-keys";
  const file = join(dir, "assessment-secret");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Write then rename, so concurrent first starts never read half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, randomBytes(32).toString("base64url"), { mode: 0o600 });
    if (!existsSync(file)) renameSync(tmp, file);
  }
  secret = Buffer.from(readFileSync(file, "utf8").trim(), "utf8");
  return secret;
}

const macOf = (payload: string) => createHmac("sha256", sealingKey()).update(payload).digest("base64url");

/** The sealed id of a case's assessment for one agency. */
export function sealAssessment(a: Omit<SealedAssessment, "id">): SealedAssessment {
  const lsoaCodes = [...new Set(a.lsoaCodes)].sort();
  const payload = [
    a.caseId,
    lsoaCodes.join(","),
    a.baselineFrom,
    a.baselineTo,
    a.followUpFrom,
    a.followUpTo,
    a.agencyId,
  ].join("|");
  return { ...a, lsoaCodes, id: `${payload}|${macOf(payload)}` };
}

/**
 * Reads a sealed id back for the agency asking: undefined when it was not sealed by the
 * partnership, was issued to another agency, or does not have an assessment's shape.
 */
export function openAssessment(id: string, agencyId: string): SealedAssessment | undefined {
  if (typeof id !== "string" || id.length > 2000) return undefined;
  const parts = id.split("|");
  if (parts.length !== 8) return undefined;
  const [caseId, codes, baselineFrom, baselineTo, followUpFrom, followUpTo, issuedTo, mac] = parts;
  if (!MAC.test(mac)) return undefined;
  const expected = Buffer.from(macOf(parts.slice(0, 7).join("|")));
  if (!timingSafeEqual(expected, Buffer.from(mac))) return undefined;
  if (issuedTo !== agencyId || !CASE_ID.test(caseId)) return undefined;
  const lsoaCodes = codes.split(",");
  if (!lsoaCodes.every((c) => LSOA.test(c))) return undefined;
  if (![baselineFrom, baselineTo, followUpFrom, followUpTo].every((m) => MONTH.test(m))) return undefined;
  // Belt and braces: a sealed id always has this shape.
  const months = (from: string, to: string) => {
    let n = 1;
    while (addMonths(from, n - 1) < to && n <= MAX_ASSESSMENT_MONTHS) n++;
    return addMonths(from, n - 1) === to ? n : -1;
  };
  const length = months(baselineFrom, baselineTo);
  if (length < 1 || months(followUpFrom, followUpTo) !== length) return undefined;
  if (addMonths(baselineTo, 1) !== followUpFrom) return undefined;
  return { id, caseId, lsoaCodes, baselineFrom, baselineTo, followUpFrom, followUpTo, agencyId };
}
