/**
 * @jest-environment ./test/support/console-environment.js
 */
import { render, screen } from "@testing-library/react";
import { App } from "../App";

/**
 * The sign-in page when the gateway says "OpenID Connect" (production). The code flow itself runs
 * in a real browser against a real provider: test/e2e/console-oidc.test.ts.
 */
const ISSUER = "https://login.partnership.example/realms/partnership";
let asked: string[];

beforeEach(() => {
  asked = [];
  window.history.pushState(null, "", "/console/dashboard");
  global.fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = String(input);
    asked.push(url);
    if (url.endsWith("/console/sign-in"))
      return Response.json({
        method: "oidc",
        issuer: ISSUER,
        clientId: "partnership-console",
        scope: "openid profile",
      });
    // The identity provider is down.
    return new Response("unavailable", { status: 503 });
  }) as typeof fetch;
});

test("production: no development sign-in, the organisation's instead; an unreachable issuer is said in plain words", async () => {
  render(<App />);
  // Straight to the issuer (its discovery document first), which does not answer here.
  expect((await screen.findByRole("alert")).textContent).toMatch(/sign-in service could not be reached/);
  expect(asked).toContain(`${ISSUER}/.well-known/openid-configuration`);
  expect(screen.getByText(/Sign in with your organisation's account at/).textContent).toContain(
    "login.partnership.example",
  );
  expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(false);
  // Never the development form, and no development token asked for.
  expect(screen.queryByLabelText("Analyst")).toBeNull();
  expect(asked.some((u) => u.endsWith("/console/dev-token"))).toBe(false);
  // Nothing was sent to the graph without a session.
  expect(asked.some((u) => u.endsWith("/graphql"))).toBe(false);
});
