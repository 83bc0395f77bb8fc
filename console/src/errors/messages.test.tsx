/**
 * @jest-environment ./test/support/console-environment.js
 */
import { render, screen } from "@testing-library/react";
import { describeGraphError, describeHttpFailure, FORBIDDEN_REASONS } from "./messages";
import { Problems } from "./Problems";

describe("every refusal the graph gives has plain words and what to do", () => {
  test.each(Object.keys(FORBIDDEN_REASONS))("FORBIDDEN %s", (reason) => {
    const problem = describeGraphError({
      message: "forbidden",
      path: ["person", "tenancies"],
      extensions: { code: "FORBIDDEN", reason },
    });
    render(<Problems problems={[problem]} partial describePath={() => "the person's tenancies"} />);
    const item = screen.getByRole("alert");
    expect(item.textContent).toContain(FORBIDDEN_REASONS[reason].title);
    expect(item.textContent).toContain("missing: the person's tenancies");
    // Never the code or the raw message alone.
    expect(item.textContent).not.toContain(reason);
    expect(item.textContent).toContain("Part of this page could not be shown");
  });

  test("PURPOSE_REQUIRED asks for a purpose", () => {
    const problem = describeGraphError({ message: "x", extensions: { code: "PURPOSE_REQUIRED" } });
    render(<Problems problems={[problem]} />);
    expect(screen.getByRole("alert").textContent).toMatch(
      /Choose a purpose.*purpose, at the top of the page/,
    );
  });

  test("AUDIT_UNAVAILABLE says nothing was released and why", () => {
    const problem = describeGraphError({ message: "x", extensions: { code: "AUDIT_UNAVAILABLE" } });
    render(<Problems problems={[problem]} />);
    expect(screen.getByRole("alert").textContent).toMatch(/audit could not be written.*nothing was released/);
  });

  test("SUBGRAPH_UNAVAILABLE names the agency's service and the part of the page it cost", () => {
    const problem = describeGraphError({
      message: "x",
      path: ["neighbourhoods", 0, "referralStats"],
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "youth" },
    });
    render(<Problems problems={[problem]} partial describePath={() => "referrals for Mile End"} />);
    const text = screen.getByRole("alert").textContent!;
    expect(text).toContain("The youth service is not answering");
    expect(text).toContain("missing: referrals for Mile End");
    expect(text).toContain("The rest is shown");
  });

  test("DATABASE_UNAVAILABLE says to try again", () => {
    const problem = describeGraphError({ message: "x", extensions: { code: "DATABASE_UNAVAILABLE" } });
    expect(problem.title).toBe("A database is not answering");
    expect(problem.detail).toContain("Try again");
  });

  test("401 asks to sign in again", () => {
    const problem = describeHttpFailure(401, null)!;
    expect(problem.signInAgain).toBe(true);
    expect(problem.title).toBe("Please sign in again");
  });

  test.each([
    ["30", "Try again in 30 seconds."],
    ["1", "Try again in 1 second."],
    ["600", "Try again in 10 minutes."],
    [null, "Wait a moment, then try again."],
  ])("429 with Retry-After %s says when to retry", (retryAfter, words) => {
    const problem = describeHttpFailure(429, retryAfter)!;
    render(<Problems problems={[problem]} />);
    expect(screen.getByRole("alert").textContent).toContain(words);
  });

  test("RATE_LIMITED in the body says when to retry too", () => {
    const problem = describeGraphError({
      message: "x",
      extensions: { code: "RATE_LIMITED", retryAfterSeconds: 12 },
    });
    expect(problem.detail).toBe("Try again in 12 seconds.");
  });

  test("an unknown code is still said in words, without the raw message", () => {
    const problem = describeGraphError({ message: "SELECT * FROM secret", extensions: { code: "WHATEVER" } });
    render(<Problems problems={[problem]} />);
    expect(screen.getByRole("alert").textContent).not.toContain("SELECT");
    expect(screen.getByRole("alert").textContent).toContain("Something went wrong");
  });
});
