import { join } from "node:path";
import { importJWK, jwtVerify, SignJWT, type JWK } from "jose";
import type { Config } from "./config";
import { Role } from "./enums";
import { lifetimeProblem } from "./token-lifetime";
import { keptServiceKeyPair, publicPart, SERVICE_KEY_ALGORITHM, type ServiceJwk } from "./service-key";

/**
 * The one service identity: partnership's threshold sweep asking the report owners (police, the
 * council, housing) how many reports each person on an open case made lately, for the case review
 * threshold notice (CASE_REVIEW_THRESHOLD_MET). A background sweep has no user to ask as, so it
 * asks as this identity, on behalf of one recipient agency at a time (the agency the notice would
 * go to), and the owner judges each count under that agency's agreements like any other request.
 *
 * What keeps it to the count alone:
 * - its tokens are signed with a key pair of their own (CASE_REVIEW_SERVICE_PRIVATE_JWK, held by
 *   partnership only; owners verify with CASE_REVIEW_SERVICE_PUBLIC_JWK), never with the identity
 *   provider's, and a token the identity provider signed that claims to be a service is refused;
 * - only subgraphs accept them (not the gateway), and there only fields whose access rule declares
 *   the service (`@Governed({ services: [...] })`: deny by default, see access/rules.ts and
 *   serviceFieldsOnly in access/enforcement.ts), which no user token may call;
 * - they live five minutes, and their user id says what they are in every audit record.
 */
export const CASE_REVIEW_COUNT = "CASE_REVIEW_COUNT";
export type ServiceIdentity = typeof CASE_REVIEW_COUNT;

/** The claim a service token carries, and the user id every audit record of it shows. */
export const SERVICE_CLAIM = "service";
/**
 * User ids beginning so (in any case) are the services' alone: a user token naming one is refused,
 * so that an audit record by a service's user id is always the service's.
 */
export const SERVICE_USER_PREFIX = "service:";
export const CASE_REVIEW_COUNT_USER = `${SERVICE_USER_PREFIX}case-review-count`;

/** Whether a user id is in the services' reserved space. */
export function isServiceUserId(userId: string): boolean {
  return userId.toLowerCase().startsWith(SERVICE_USER_PREFIX);
}
/** The role the owners judge it in: what a practitioner of the recipient agency would be told. */
export const SERVICE_ROLE = Role.PRACTITIONER;
export const SERVICE_TOKEN_LIFETIME_SECONDS = 300;

const ALGORITHM = SERVICE_KEY_ALGORITHM;

interface ServiceKeys {
  privateJwk?: JWK;
  publicJwk: JWK;
}

/**
 * The key pair: from the configuration (production: partnership holds the private key, the owners
 * the public one; config.ts refuses to serve without them, or with the private key anywhere but
 * partnership), else, outside production, one kept with the development keys (made on first use;
 * an ignored folder). Null only where nothing that serves checked for them (a script in production).
 */
export async function serviceKeys(config: Config): Promise<ServiceKeys | null> {
  const given = config.CASE_REVIEW_SERVICE_PRIVATE_JWK ?? config.CASE_REVIEW_SERVICE_PUBLIC_JWK;
  if (given || config.NODE_ENV === "production") {
    if (!given) return null;
    const privateJwk = config.CASE_REVIEW_SERVICE_PRIVATE_JWK
      ? (JSON.parse(config.CASE_REVIEW_SERVICE_PRIVATE_JWK) as JWK)
      : undefined;
    const publicJwk = config.CASE_REVIEW_SERVICE_PUBLIC_JWK
      ? (JSON.parse(config.CASE_REVIEW_SERVICE_PUBLIC_JWK) as JWK)
      : (publicPart(privateJwk as ServiceJwk) as JWK);
    return { privateJwk, publicJwk };
  }
  return keptServiceKeyPair(join(config.DEV_KEYS_DIR, "case-review-service-key.json")) as ServiceKeys;
}

/** A short-lived token for the threshold count, on behalf of `agencyId` (the notice's recipient). */
export async function issueServiceToken(config: Config, agencyId: string): Promise<string | null> {
  const keys = await serviceKeys(config);
  if (!keys?.privateJwk) return null;
  const key = await importJWK(keys.privateJwk, ALGORITHM);
  return new SignJWT({ agency: agencyId, role: SERVICE_ROLE, [SERVICE_CLAIM]: CASE_REVIEW_COUNT })
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.privateJwk.kid })
    .setSubject(CASE_REVIEW_COUNT_USER)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${SERVICE_TOKEN_LIFETIME_SECONDS}s`)
    .sign(key);
}

/** Whether a token (unverified) says it is a service's: then only the service key may verify it. */
export function claimsService(payload: Record<string, unknown>): boolean {
  return SERVICE_CLAIM in payload;
}

/**
 * Verifies a service token with the service key alone: the identity it proves is fixed (user id,
 * role, service), only the agency it acts for varies. Throws on anything else.
 */
export async function verifyServiceToken(
  config: Config,
  token: string,
  at: number,
): Promise<{ agencyId: string; service: ServiceIdentity }> {
  const keys = await serviceKeys(config);
  if (!keys) throw new Error("no service key is configured here");
  const { payload } = await jwtVerify(token, await importJWK(keys.publicJwk, ALGORITHM), {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    algorithms: [ALGORITHM],
    requiredClaims: ["exp", "iat"],
    currentDate: new Date(at),
  });
  // The same lifetime check as a user's token, with the service's own bound: an iat in the future
  // would otherwise let a token live far longer than five minutes.
  const lifetime = lifetimeProblem(payload.iat!, payload.exp!, at, SERVICE_TOKEN_LIFETIME_SECONDS);
  if (lifetime) throw new Error(lifetime);
  if (
    payload[SERVICE_CLAIM] !== CASE_REVIEW_COUNT ||
    payload.sub !== CASE_REVIEW_COUNT_USER ||
    payload.role !== SERVICE_ROLE ||
    typeof payload.agency !== "string" ||
    !payload.agency
  )
    throw new Error("not the case review count service");
  return { agencyId: payload.agency, service: CASE_REVIEW_COUNT };
}
