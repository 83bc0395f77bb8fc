import type { Config } from "../subgraphs/shared/config";

/**
 * How the console signs people in, as the gateway tells it (GET /console/sign-in): at an OpenID
 * Connect issuer (authorization code with PKCE), with the development sign-in (never in
 * production), or not at all when production names no issuer.
 */
export type ConsoleSignIn =
  | { method: "oidc"; issuer: string; clientId: string; scope: string; userClaim: string }
  | { method: "dev" }
  | { method: "none"; reason: string };

/** What the console asks the issuer for: an ID token, and the name to show (`profile`). */
const SCOPE = "openid profile";

const isUrl = (value: string) => {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
};

/**
 * CONSOLE_OIDC_ISSUER when set (in any environment); in production otherwise JWT_ISSUER, the
 * issuer whose tokens the services accept, when it is a URL (Keycloak's is); elsewhere the
 * development sign-in.
 */
export function consoleSignIn(config: Config): ConsoleSignIn {
  const issuer =
    config.CONSOLE_OIDC_ISSUER ??
    (config.NODE_ENV === "production" && isUrl(config.JWT_ISSUER) ? config.JWT_ISSUER : undefined);
  if (issuer)
    return {
      method: "oidc",
      issuer,
      clientId: config.CONSOLE_OIDC_CLIENT_ID,
      scope: SCOPE,
      // The claim the services take as the user id, so the console names the person as the audit does.
      userClaim: config.JWT_USER_CLAIM,
    };
  if (config.NODE_ENV === "production")
    return {
      method: "none",
      reason:
        "no identity provider is configured for the console (CONSOLE_OIDC_ISSUER, or JWT_ISSUER as a URL)",
    };
  return { method: "dev" };
}

/**
 * The one origin beyond our own the console may talk to (its discovery document and token
 * endpoint) and send forms to: the issuer's. Nothing for the other methods.
 */
export function identityProviderOrigins(signIn: ConsoleSignIn): string[] {
  return signIn.method === "oidc" ? [new URL(signIn.issuer).origin] : [];
}
