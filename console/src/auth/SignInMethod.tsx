import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { BASE } from "../router";
import { useAuth } from "./AuthContext";
import {
  completeSignIn,
  completeSignOut,
  onTokenExpired,
  signInSettings,
  startSignIn,
  SIGNED_IN_PATH,
  SIGNED_OUT_PATH,
  type SignInSettings,
} from "./oidc";

type Oidc = Extract<SignInSettings, { method: "oidc" }>;

interface SignInMethod {
  /** Null until the gateway has said (GET /console/sign-in). */
  settings: SignInSettings | null;
  /** True while the browser, back from the issuer, exchanges its code: no new sign-in meanwhile. */
  completing: boolean;
  /** Why the last sign-in at the issuer failed, in words a person can act on. */
  error: string | null;
}

const SignInMethodContext = createContext<SignInMethod>({ settings: null, completing: false, error: null });

export const useSignInMethod = () => useContext(SignInMethodContext);

/** The console's path (without /console), with its query: where to come back to after signing in. */
export function currentPage(): string {
  const { pathname, search } = window.location;
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : "/";
  return `${path}${search}`;
}

/** Shows `to` (a console path) without a new history entry, and tells the router. */
function replacePage(to: string) {
  window.history.replaceState(null, "", `${BASE}${to}`);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/**
 * Learns how this gateway signs people in and, for OpenID Connect, finishes what the issuer
 * started: back at /console/signed-in with a code, it exchanges it and shows the page the person
 * was on; back at /console/signed-out, it says so. While signed in through the issuer, the
 * token's expiry signs the person out with "sign in again" (the page is kept).
 */
export function SignInMethodProvider({ children }: { children: ReactNode }) {
  const { session, signIn, signOut, expire } = useAuth();
  const [state, setState] = useState<SignInMethod>({
    settings: null,
    completing: currentPage().startsWith(SIGNED_IN_PATH),
    error: null,
  });

  useEffect(() => {
    let cancelled = false;
    const update = (next: Partial<SignInMethod>) => !cancelled && setState((s) => ({ ...s, ...next }));
    void signInSettings().then(
      async (settings) => {
        update({ settings });
        if (settings.method !== "oidc") return update({ completing: false });
        const page = currentPage();
        if (page.startsWith(SIGNED_IN_PATH)) {
          try {
            const done = await completeSignIn(settings);
            if (cancelled) return;
            signIn(done.session);
            replacePage(done.returnTo);
            update({ completing: false, error: null });
          } catch (error) {
            replacePage("/");
            update({
              completing: false,
              error: `Signing in did not finish (${(error as Error).message}). Try again.`,
            });
          }
        } else if (page.startsWith(SIGNED_OUT_PATH)) {
          await completeSignOut(settings);
          if (cancelled) return;
          signOut();
          replacePage("/");
        }
      },
      (error: Error) => update({ completing: false, error: error.message }),
    );
    return () => {
      cancelled = true;
    };
    // Once per page load: the way back from the issuer is in the address at start.
  }, []);

  const oidc = state.settings?.method === "oidc" ? state.settings : null;
  useEffect(() => {
    if (!oidc || session?.method !== "oidc") return;
    return onTokenExpired(oidc, expire);
  }, [oidc, session, expire]);

  return <SignInMethodContext.Provider value={state}>{children}</SignInMethodContext.Provider>;
}

/**
 * Sign in at the organisation's identity provider. On a first visit (or a reload, which forgets
 * the token held in memory) the console goes there at once: with a session at the issuer the
 * person comes straight back to the same page without typing a password. After signing out, or
 * when the token has expired, it waits for the button, so the person sees why.
 */
export function OidcSignIn({ oidc, automatic }: { oidc: Oidc; automatic: boolean }) {
  const { error: completionError } = useSignInMethod();
  const [error, setError] = useState<string | null>(null);
  const [going, setGoing] = useState(false);
  const go = useCallback(() => {
    setGoing(true);
    startSignIn(oidc, currentPage()).catch((e: Error) => {
      setGoing(false);
      setError(`The sign-in service could not be reached (${e.message}). Try again in a moment.`);
    });
  }, [oidc]);
  const shown = error ?? completionError;
  useEffect(() => {
    if (automatic && !shown) go();
  }, [automatic, shown, go]);
  return (
    <>
      {shown ? (
        <div className="govuk-error-summary" data-module="govuk-error-summary" role="alert">
          <h2 className="govuk-error-summary__title">There is a problem signing you in</h2>
          <div className="govuk-error-summary__body">
            <p className="govuk-body">{shown}</p>
          </div>
        </div>
      ) : null}
      <p className="govuk-body">
        Sign in with your organisation&apos;s account at <strong>{new URL(oidc.issuer).host}</strong>.
      </p>
      <button type="button" className="govuk-button govuk-button--start" onClick={go} disabled={going}>
        {going ? "Going to sign in…" : "Sign in"}
      </button>
    </>
  );
}
