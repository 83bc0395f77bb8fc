import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  type JWK,
} from "jose";
import type { Config } from "./config";
import { Role } from "./enums";

const ALGORITHM = "ES256";

/** Who is calling, as proven by a verified token. */
export interface Caller {
  userId: string;
  agencyId: string;
  role: Role;
}

export class AuthenticationError extends Error {}

export type TokenVerifier = (token: string) => Promise<Caller>;

interface DevKeys {
  privateJwk: JWK;
  jwks: JSONWebKeySet;
}

/**
 * The development key pair lives in an ignored folder and is made on first use, so no
 * secret is ever committed and every checkout has its own.
 */
export async function loadDevKeys(dir: string): Promise<DevKeys> {
  const file = join(dir, "signing-key.json");
  if (!existsSync(file)) {
    const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: "sig" };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Write then rename, so concurrent first starts never read half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ privateJwk, jwks: { keys: [publicJwk] } }), { mode: 0o600 });
    if (!existsSync(file)) renameSync(tmp, file);
  }
  return JSON.parse(readFileSync(file, "utf8")) as DevKeys;
}

function keySource(config: Config, devKeys?: DevKeys): JWTVerifyGetKey {
  if (config.JWKS_URL) return createRemoteJWKSet(new URL(config.JWKS_URL));
  if (!devKeys) throw new AuthenticationError("no key source configured");
  return createLocalJWKSet(devKeys.jwks);
}

const ROLES = new Set<string>(Object.values(Role));

/** jose's error codes in words a caller can act on (its own messages name header parameters). */
function whyInvalid(error: unknown): string {
  const { code, claim, message } = error as { code?: string; claim?: string; message?: string };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "the token has expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "iss") return "the token was issued by an issuer this service does not trust";
      if (claim === "aud") return "the token is meant for another audience";
      if (claim === "nbf") return "the token is not valid yet";
      return `the token's "${claim}" claim is not valid`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return "the token is not signed by a trusted key";
    case "ERR_JOSE_ALG_NOT_ALLOWED":
    case "ERR_JOSE_NOT_SUPPORTED":
      return "the token's signing algorithm is not accepted (unsigned tokens are refused)";
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
      return "the token is malformed";
    case "ERR_JWKS_TIMEOUT":
    case "ERR_JWKS_INVALID":
      return "the identity provider's keys could not be fetched";
    default:
      // jose's own errors say what is wrong; anything else is the key fetch failing (whose
      // message would name the identity provider's address).
      return code?.startsWith("ERR_") && message
        ? message
        : "the identity provider's keys could not be fetched";
  }
}

/**
 * A verified token is trusted again without its signature check for at most this long (and never
 * past its expiry), so a key withdrawn from the identity provider stops working within a minute.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Tokens remembered per process; the oldest is forgotten first. */
const VERIFIED_TOKENS_MAX = 10_000;

/**
 * Builds the one verifier used by the gateway and by every subgraph. Every request carries its
 * token through the gateway and each subgraph it reaches, and a client sends the same token all
 * day: an ES256 check per hop was a twentieth of each process's CPU, so a token already verified
 * is remembered (by its exact text, signature included) until it expires or the TTL passes.
 */
export async function createTokenVerifier(
  config: Config,
  options: { now?: () => number } = {},
): Promise<TokenVerifier> {
  const devKeys = config.JWKS_URL ? undefined : await loadDevKeys(config.DEV_KEYS_DIR);
  const keys = keySource(config, devKeys);
  const now = options.now ?? Date.now;
  const verified = new Map<string, { caller: Caller; until: number }>();
  return async (token: string) => {
    const at = now();
    const known = verified.get(token);
    if (known && at < known.until) return known.caller;
    if (known) verified.delete(token);
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        algorithms: [ALGORITHM, "RS256", "EdDSA"],
        currentDate: new Date(at),
      }));
    } catch (error) {
      throw new AuthenticationError(`invalid token: ${whyInvalid(error)}`);
    }
    const { sub, agency, role } = payload as { sub?: unknown; agency?: unknown; role?: unknown };
    if (typeof sub !== "string" || !sub) throw new AuthenticationError("invalid token: no sub claim");
    if (typeof agency !== "string" || !agency)
      throw new AuthenticationError("invalid token: no agency claim");
    if (typeof role !== "string" || !ROLES.has(role)) {
      throw new AuthenticationError(
        "invalid token: role must be PRACTITIONER, ANALYST or DATA_SHARING_OFFICER",
      );
    }
    const caller: Caller = { userId: sub, agencyId: agency, role: role as Role };
    // jose has checked exp when present; a token without one is still re-verified every TTL.
    const expires = typeof payload.exp === "number" ? payload.exp * 1000 : Infinity;
    if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { caller, until: Math.min(expires, at + VERIFIED_TOKEN_TTL_MS) });
    return caller;
  };
}

/** Signs a development token; refuses in production, where an identity provider issues them. */
export async function issueDevToken(
  config: Config,
  caller: Caller,
  options: { expiresIn?: string } = {},
): Promise<string> {
  if (config.NODE_ENV === "production") {
    throw new AuthenticationError("development tokens cannot be issued in production");
  }
  const keys = await loadDevKeys(config.DEV_KEYS_DIR);
  const key = await importJWK(keys.privateJwk, ALGORITHM);
  return new SignJWT({ agency: caller.agencyId, role: caller.role })
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.privateJwk.kid })
    .setSubject(caller.userId)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "8h")
    .sign(key);
}
