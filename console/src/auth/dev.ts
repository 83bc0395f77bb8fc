import type { Role } from "../generated/enums";
import { sessionFromToken, type Session } from "./session";

/**
 * Development sign-in: the gateway issues a development token for the agency, role and user
 * chosen (POST /console/dev-token, which exists only outside production).
 */
export async function devSignIn(choice: { agency: string; role: Role; user: string }): Promise<Session> {
  const response = await fetch("/console/dev-token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(choice),
  });
  if (response.status === 404)
    throw new Error("Development sign-in is switched off here (production): sign in with your organisation.");
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!response.ok || !body.token) throw new Error(body.error ?? `sign-in failed (HTTP ${response.status})`);
  return sessionFromToken(body.token, "dev");
}
