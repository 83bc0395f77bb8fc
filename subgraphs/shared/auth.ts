import { log } from "./logger";
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
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
import {
  CASE_REVIEW_COUNT_USER as CASE_REVIEW_USER,
  claimsService,
  isServiceUserId,
  SERVICE_USER_PREFIX,
  verifyServiceToken,
  type ServiceIdentity,
} from "./service-identity";
import { lifetimeProblem } from "./token-lifetime";

const ALGORITHM = "ES256";

/** Who is calling, as proven by a verified token. */
export interface Caller {
  userId: string;
  agencyId: string;
  role: Role;
  /**
   * Set only for a service token (shared/service-identity.ts): the caller may then reach only the
   * fields whose access rule declares this service, on behalf of `agencyId`.
   */
  service?: ServiceIdentity;
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

export { TOKEN_CLOCK_SKEW_SECONDS } from "./token-lifetime";

/** The registered, active agencies (governance's `agencies`): only their tokens are accepted. */
export type AgencyRegistry = () => Promise<ReadonlySet<string>>;

/** How long a process trusts the list of active agencies it last read (`AGENCY_REGISTRY_TTL_MS`). */
export const AGENCY_REGISTRY_TTL_MS = 30_000;

/**
 * Where a service keeps the last registry it verified, so that a restart during a governance
 * outage starts from it (each subgraph's own store: shared/kept-registry.ts).
 */
export interface KeptRegistryStore {
  save(ids: readonly string[], verifiedAt: number): Promise<void>;
  load(): Promise<{ ids: readonly string[]; verifiedAt: number } | null>;
}

/** A registry that can say when its list was last verified against governance (for /ready and /metrics). */
export interface KeptAgencyRegistry extends AgencyRegistry {
  /** When the list in use was read from governance (ms since the epoch); null before any. */
  verifiedAt(): number | null;
}

/**
 * Reads the registry again every `ttlMs` in a long-running service, busy or idle, so that its age
 * (and each subgraph's kept copy) says how long governance has been out, not how long the service
 * has been idle. Returns the function that stops it.
 */
export function keepRegistryFresh(registry: AgencyRegistry, ttlMs: number): () => void {
  const timer = setInterval(() => void registry().catch(() => undefined), ttlMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The registry in use, for /ready: when it was verified against governance, and how long ago. */
export function registryState(registry: KeptAgencyRegistry, now = Date.now()) {
  const at = registry.verifiedAt();
  return {
    verifiedAt: at === null ? null : new Date(at).toISOString(),
    ageSeconds: at === null ? null : Math.round((now - at) / 1000),
  };
}

/**
 * The registry as read by `read`, kept for `ttlMs` (an agency deactivated in governance is
 * refused within that time of governance answering). Concurrent requests share one read. When it
 * cannot be read, the list last verified stays in use however long governance is out, from memory
 * or, after a restart, from `kept`: identity checks and the caller's own agency's data go on,
 * while every decision about another agency's data needs governance and fails closed. A failed
 * read is tried again after `ttlMs`, not on every request. With no list verified at all, every
 * token is refused: fail closed.
 */
export function cachedAgencyRegistry(
  read: () => Promise<readonly string[]>,
  options: { ttlMs?: number; now?: () => number; kept?: KeptRegistryStore } = {},
): KeptAgencyRegistry {
  const ttl = options.ttlMs ?? AGENCY_REGISTRY_TTL_MS;
  const now = options.now ?? Date.now;
  let known: { ids: ReadonlySet<string>; verifiedAt: number } | null = null;
  let nextReadAt = 0;
  let reading: Promise<ReadonlySet<string>> | null = null;
  const fromKept = async () => {
    const kept = await options.kept?.load().catch((error: Error) => {
      log("warn", "the kept agency registry could not be read", { error: error.message });
      return null;
    });
    return kept ? { ids: new Set(kept.ids), verifiedAt: kept.verifiedAt } : null;
  };
  const registry = async () => {
    if (known && now() < nextReadAt) return known.ids;
    reading ??= read()
      .then((ids) => {
        known = { ids: new Set(ids), verifiedAt: now() };
        nextReadAt = known.verifiedAt + ttl;
        options.kept?.save(ids, known.verifiedAt).catch((error: Error) => {
          log("warn", "the agency registry could not be kept in the service's store", {
            error: error.message,
          });
        });
        return known.ids;
      })
      .catch(async (error: Error) => {
        known ??= await fromKept();
        if (!known) throw new AuthenticationError("the registry of partner agencies could not be read");
        nextReadAt = now() + ttl;
        log("warn", "agency registry unreadable: using the list last verified", {
          error: error.message,
          verifiedAt: new Date(known.verifiedAt).toISOString(),
        });
        return known.ids;
      })
      .finally(() => {
        reading = null;
      });
    return reading;
  };
  return Object.assign(registry, { verifiedAt: () => known?.verifiedAt ?? null });
}

/** jose's error codes in words a caller can act on (its own messages name header parameters). */
function whyInvalid(error: unknown): string {
  const { code, claim, reason, message } = error as {
    code?: string;
    claim?: string;
    reason?: string;
    message?: string;
  };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return "the token has expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (reason === "missing" && claim === "exp")
        return "the token has no exp claim (every token must expire)";
      if (reason === "missing") return `the token has no "${claim}" claim`;
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
 *
 * A token is accepted only when it carries `exp` and `iat`, lives no longer than
 * TOKEN_MAX_LIFETIME_SECONDS, was not issued in the future (beyond TOKEN_CLOCK_SKEW_SECONDS),
 * names one of the three roles, and its agency is registered and active (checked on every
 * request, remembered token or not).
 */
export async function createTokenVerifier(
  config: Config,
  agencies: AgencyRegistry,
  options: {
    now?: () => number;
    /**
     * Accept the case review count service's tokens (subgraphs only; never the gateway): verified
     * with the service key alone, and then reaching only the fields declared for the service.
     */
    acceptServiceTokens?: boolean;
  } = {},
): Promise<TokenVerifier> {
  const devKeys = config.JWKS_URL ? undefined : await loadDevKeys(config.DEV_KEYS_DIR);
  const keys = keySource(config, devKeys);
  const now = options.now ?? Date.now;
  const verified = new Map<string, { caller: Caller; until: number }>();
  const registered = async (caller: Caller): Promise<Caller> => {
    if (!(await agencies()).has(caller.agencyId)) {
      throw new AuthenticationError(
        `invalid token: the agency "${caller.agencyId}" is not a registered, active partner agency`,
      );
    }
    return caller;
  };
  return async (token: string) => {
    const at = now();
    const known = verified.get(token);
    if (known && at < known.until) return registered(known.caller);
    if (known) verified.delete(token);
    let claimed: Record<string, unknown> = {};
    try {
      claimed = decodeJwt(token);
    } catch {
      // Malformed: jwtVerify says so below.
    }
    // A token that says it is a service's is verified with the service key or not at all: the
    // identity provider's keys never make a service, and a service key never makes a user.
    if (claimsService(claimed)) {
      if (!options.acceptServiceTokens)
        throw new AuthenticationError("invalid token: service tokens are not accepted here");
      let proven;
      try {
        proven = await verifyServiceToken(config, token, at);
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new AuthenticationError(
          `invalid token: ${code ? whyInvalid(error) : (error as Error).message} (service token)`,
        );
      }
      const caller = await registered({
        userId: CASE_REVIEW_USER,
        agencyId: proven.agencyId,
        role: Role.PRACTITIONER,
        service: proven.service,
      });
      if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!);
      verified.set(token, {
        caller,
        until: Math.min((claimed.exp as number) * 1000, at + VERIFIED_TOKEN_TTL_MS),
      });
      return caller;
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        algorithms: [ALGORITHM, "RS256", "EdDSA"],
        requiredClaims: ["exp", "iat"],
        currentDate: new Date(at),
      }));
    } catch (error) {
      throw new AuthenticationError(`invalid token: ${whyInvalid(error)}`);
    }
    // jose has checked both are numbers and that exp has not passed.
    const exp = payload.exp!;
    const lifetime = lifetimeProblem(payload.iat!, exp, at, config.TOKEN_MAX_LIFETIME_SECONDS);
    if (lifetime) throw new AuthenticationError(`invalid token: ${lifetime}`);
    const { agency, role } = payload as { agency?: unknown; role?: unknown };
    const userId = payload[config.JWT_USER_CLAIM];
    if (typeof userId !== "string" || !userId)
      throw new AuthenticationError(`invalid token: no ${config.JWT_USER_CLAIM} claim`);
    // A person's disclosures must never pass for a service's in the audit.
    if (isServiceUserId(userId)) throw new AuthenticationError(`invalid token: ${reservedUserId()}`);
    if (typeof agency !== "string" || !agency)
      throw new AuthenticationError("invalid token: no agency claim");
    if (typeof role !== "string" || !ROLES.has(role)) {
      throw new AuthenticationError(
        "invalid token: role must be PRACTITIONER, ANALYST or DATA_SHARING_OFFICER",
      );
    }
    const caller = await registered({ userId, agencyId: agency, role: role as Role });
    if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { caller, until: Math.min(exp * 1000, at + VERIFIED_TOKEN_TTL_MS) });
    return caller;
  };
}

function reservedUserId(): string {
  return `user ids beginning "${SERVICE_USER_PREFIX}" are reserved for service identities`;
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
  // Every service would refuse it (see createTokenVerifier).
  if (isServiceUserId(caller.userId)) throw new AuthenticationError(reservedUserId());
  const keys = await loadDevKeys(config.DEV_KEYS_DIR);
  const key = await importJWK(keys.privateJwk, ALGORITHM);
  const token = await new SignJWT({ agency: caller.agencyId, role: caller.role })
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.privateJwk.kid })
    .setSubject(caller.userId)
    .setIssuer(config.JWT_ISSUER)
    .setAudience(config.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "8h")
    .sign(key);
  // A token every service would refuse is no use to anyone: say so now.
  const { exp, iat } = decodeJwt(token);
  if (exp! - iat! > config.TOKEN_MAX_LIFETIME_SECONDS || exp! <= iat!) {
    throw new AuthenticationError(
      `a token must expire within TOKEN_MAX_LIFETIME_SECONDS (${config.TOKEN_MAX_LIFETIME_SECONDS} s) of being issued`,
    );
  }
  return token;
}
