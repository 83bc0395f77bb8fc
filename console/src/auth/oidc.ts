import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import { BASE } from "../router";
import { sessionFromToken, type Session } from "./session";

/** What the gateway says about signing in (GET /console/sign-in; gateway/console-sign-in.ts). */
export type SignInSettings =
  | { method: "oidc"; issuer: string; clientId: string; scope: string; userClaim: string }
  | { method: "dev" }
  | { method: "none"; reason: string };

/** Where the issuer sends the browser back, under the console (the realm allows /console/*). */
export const SIGNED_IN_PATH = "/signed-in";
export const SIGNED_OUT_PATH = "/signed-out";

let settings: Promise<SignInSettings> | null = null;

/** Read once per page load: the gateway's configuration decides, never the browser. */
export function signInSettings(): Promise<SignInSettings> {
  settings ??= fetch(`${BASE}/sign-in`, { headers: { accept: "application/json" } }).then(
    async (response) => {
      if (!response.ok) throw new Error(`the gateway did not say how to sign in (HTTP ${response.status})`);
      return (await response.json()) as SignInSettings;
    },
  );
  return settings;
}

let manager: UserManager | null = null;

/**
 * The code flow with PKCE (S256) against the configured issuer. Tokens live only in this page's
 * memory (InMemoryWebStorage): never in localStorage or sessionStorage. Only the short-lived
 * request state (the PKCE verifier and nonce) waits in sessionStorage while the browser is at the
 * issuer, and is removed when it comes back. No silent renewal (it would need the issuer in a
 * frame): when the token expires, the person signs in again.
 */
export function userManager(oidc: Extract<SignInSettings, { method: "oidc" }>): UserManager {
  const base = `${window.location.origin}${BASE}`;
  manager ??= new UserManager({
    authority: oidc.issuer,
    client_id: oidc.clientId,
    scope: oidc.scope,
    response_type: "code",
    redirect_uri: `${base}${SIGNED_IN_PATH}`,
    post_logout_redirect_uri: `${base}${SIGNED_OUT_PATH}`,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
  return manager;
}

/** The console's session from what the issuer returned: the access token is what the gateway verifies. */
export function sessionFromUser(user: User, userClaim: string): Session {
  return sessionFromToken(user.access_token, "oidc", userClaim);
}

let leaving: Promise<void> | null = null;

/** To the issuer's sign-in page (once, however often asked); back at `returnTo` once signed in. */
export function startSignIn(
  oidc: Extract<SignInSettings, { method: "oidc" }>,
  returnTo: string,
): Promise<void> {
  leaving ??= userManager(oidc)
    .signinRedirect({ state: { returnTo } })
    .catch((error: Error) => {
      leaving = null;
      throw error;
    });
  return leaving;
}

let completing: Promise<{ session: Session; returnTo: string }> | null = null;

/**
 * The browser is back from the issuer with a code: exchange it, with the PKCE verifier, once (a
 * code is good for one exchange only).
 */
export function completeSignIn(
  oidc: Extract<SignInSettings, { method: "oidc" }>,
): Promise<{ session: Session; returnTo: string }> {
  completing ??= userManager(oidc)
    .signinRedirectCallback()
    .then((user) => {
      const returnTo = (user.state as { returnTo?: unknown } | undefined)?.returnTo;
      return {
        session: sessionFromUser(user, oidc.userClaim),
        // Only a path in the console: never a page elsewhere.
        returnTo: typeof returnTo === "string" && /^\/(?!\/)/.test(returnTo) ? returnTo : "/",
      };
    });
  return completing;
}

/** Ends the session at the issuer too (else the next sign-in would pass without a password). */
export async function signOutAtIssuer(): Promise<void> {
  const oidc = await signInSettings();
  if (oidc.method !== "oidc") return;
  const users = userManager(oidc);
  const user = await users.getUser();
  await users.removeUser();
  await users.signoutRedirect({ id_token_hint: user?.id_token });
}

/** Back from the issuer's sign-out: clear what is left of the request. */
export async function completeSignOut(oidc: Extract<SignInSettings, { method: "oidc" }>): Promise<void> {
  await userManager(oidc)
    .signoutRedirectCallback()
    .catch(() => undefined);
}

/** Calls `expired` when the access token's lifetime is over (oidc-client-ts keeps the timer). */
export function onTokenExpired(
  oidc: Extract<SignInSettings, { method: "oidc" }>,
  expired: () => void,
): () => void {
  const events = userManager(oidc).events;
  events.addAccessTokenExpired(expired);
  return () => events.removeAccessTokenExpired(expired);
}
