import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The case review count service's key pair (shared/service-identity.ts): what kind it is, how one
 * is made, and how a given one is checked. Synchronous (node:crypto), so that the configuration
 * check can judge the keys with every other variable before anything starts.
 */

/** ES256: ECDSA on P-256, the only kind service tokens are signed or verified with. */
export const SERVICE_KEY_ALGORITHM = "ES256";
export const SERVICE_KEY_TYPE = { kty: "EC", crv: "P-256" } as const;
const KID_PREFIX = "case-review-service";

export type ServiceJwk = JsonWebKey & { kid?: string };
export interface ServiceKeyPair {
  privateJwk: ServiceJwk;
  publicJwk: ServiceJwk;
}

/** A new pair; both halves carry the same kid (the day it was made), so a rotation can be told apart. */
export function makeServiceKeyPair(now = new Date()): ServiceKeyPair {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = `${KID_PREFIX}-${now.toISOString().slice(0, 10)}-${randomBytes(3).toString("hex")}`;
  const privateJwk: ServiceJwk = { ...privateKey.export({ format: "jwk" }), kid };
  return { privateJwk, publicJwk: publicPart(privateJwk) };
}

/** The public half of a private JWK (the same key without its private part). */
export function publicPart(jwk: ServiceJwk): ServiceJwk {
  const { d: _d, ...rest } = jwk;
  return rest;
}

/**
 * A pair kept in `file` (the private JWK), made on first use: outside production the services'
 * (DEV_KEYS_DIR) and start:prod:trial's, so that every process and every restart agree.
 */
export function keptServiceKeyPair(file: string): ServiceKeyPair {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename, so concurrent first starts never read half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(makeServiceKeyPair().privateJwk), { mode: 0o600 });
    if (!existsSync(file)) renameSync(tmp, file);
  }
  const privateJwk = JSON.parse(readFileSync(file, "utf8")) as ServiceJwk;
  return { privateJwk, publicJwk: publicPart(privateJwk) };
}

/**
 * What is wrong with `text` as the pair's `kind` half (undefined: nothing): JWK JSON of an EC P-256
 * key that node:crypto accepts, with the private part (`d`) when private and without it when public.
 */
export function serviceJwkProblem(text: string, kind: "private" | "public"): string | undefined {
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    return "not JSON: give the JWK as JSON text (`npm run keys -- case-review-service` makes the pair)";
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk))
    return "not a JWK: a JSON object is expected";
  const { kty, crv, d } = jwk as ServiceJwk;
  if (kty !== SERVICE_KEY_TYPE.kty || crv !== SERVICE_KEY_TYPE.crv)
    return `kty ${String(kty)}, crv ${String(crv)}: the case review count service's keys are EC P-256 (ES256)`;
  if (kind === "private" && d === undefined)
    return 'a public key (no "d"): partnership signs, so it needs the private JWK';
  if (kind === "public" && d !== undefined)
    return 'holds the private key ("d"): the owners get the public JWK only, never the private one';
  try {
    if (kind === "private") createPrivateKey({ key: jwk as JsonWebKey, format: "jwk" });
    else createPublicKey({ key: jwk as JsonWebKey, format: "jwk" });
  } catch (error) {
    return `not a valid EC P-256 key (${(error as Error).message})`;
  }
  return undefined;
}

/** Whether `publicText` is the public half of `privateText` (both already valid). */
export function isPublicHalfOf(publicText: string, privateText: string): boolean {
  const given = JSON.parse(publicText) as ServiceJwk;
  const derived = createPublicKey(
    createPrivateKey({ key: JSON.parse(privateText) as JsonWebKey, format: "jwk" }),
  ).export({ format: "jwk" });
  return given.x === derived.x && given.y === derived.y;
}
