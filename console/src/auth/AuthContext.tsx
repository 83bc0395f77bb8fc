import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { signOutAtIssuer } from "./oidc";
import type { Session } from "./session";

/** Why there is no session: never signed in, signed out, or the token was refused or expired. */
export type SignedOutReason = "none" | "signed-out" | "expired";

export interface Auth {
  session: Session | null;
  signedOutReason: SignedOutReason;
  signIn(session: Session): void;
  signOut(): void;
  /** The gateway refused the token (401): sign in again, coming back to the same page. */
  expire(): void;
}

const AuthContext = createContext<Auth | null>(null);

/**
 * The one place a session lives: React state, in memory only (never localStorage), so a token
 * does not outlive the tab. The OIDC sign-in (auth/oidc) hands its session to signIn() too.
 */
export function AuthProvider({
  children,
  initial = null,
}: {
  children: ReactNode;
  initial?: Session | null;
}) {
  const [session, setSession] = useState<Session | null>(initial);
  const [signedOutReason, setReason] = useState<SignedOutReason>("none");
  const signIn = useCallback((s: Session) => {
    setSession(s);
    setReason("none");
  }, []);
  const signOut = useCallback(() => {
    // Signed in at the identity provider: end that session too (the browser goes there and back).
    if (session?.method === "oidc") void signOutAtIssuer();
    setSession(null);
    setReason("signed-out");
  }, [session]);
  const expire = useCallback(() => {
    setSession(null);
    setReason("expired");
  }, []);
  const value = useMemo(
    () => ({ session, signedOutReason, signIn, signOut, expire }),
    [session, signedOutReason, signIn, signOut, expire],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
