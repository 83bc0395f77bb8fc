import type { Role } from "../generated/enums";

/** Who is signed in, as their token says (read for display; the gateway verifies it). */
export interface Caller {
  agency: string;
  role: Role;
  user: string;
}

/** A signed-in session. Held in memory only: a reload or a closed tab signs the person out. */
export interface Session {
  token: string;
  caller: Caller;
  /** Epoch ms the token stops being accepted. */
  expiresAt: number;
  /** Which sign-in made it: the development one, or the identity provider's (OIDC). */
  method: "dev" | "oidc";
}

export const ROLES: readonly Role[] = ["PRACTITIONER", "DATA_SHARING_OFFICER", "ANALYST"];

export const ROLE_NAMES: Record<Role, string> = {
  PRACTITIONER: "Practitioner",
  DATA_SHARING_OFFICER: "Data-sharing officer",
  ANALYST: "Analyst",
};

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  // Bytes to UTF-8 text (a user id may be any Unicode).
  const bytes = Array.from(atob(padded), (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return decodeURIComponent(bytes.join(""));
}

/**
 * The session a token stands for (its claims `agency`, `role`, `exp`, and the user id in
 * `userClaim`: `sub`, or what the gateway says the services read, e.g. `preferred_username`).
 */
export function sessionFromToken(token: string, method: Session["method"], userClaim = "sub"): Session {
  const parts = token.split(".");
  if (parts.length !== 3) throw new Error("not a JSON Web Token");
  const claims = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown> & {
    agency?: unknown;
    role?: unknown;
    exp?: unknown;
  };
  const user = claims[userClaim];
  if (typeof user !== "string" || typeof claims.agency !== "string" || typeof claims.exp !== "number")
    throw new Error(`the token lacks ${userClaim}, agency or exp`);
  if (!ROLES.includes(claims.role as Role)) throw new Error("the token's role is not one the console knows");
  return {
    token,
    caller: { agency: claims.agency, role: claims.role as Role, user },
    expiresAt: claims.exp * 1000,
    method,
  };
}
