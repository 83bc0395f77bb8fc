import {
  asDatabaseFault,
  DatabaseUnavailable,
  isConnectionFault,
  rateLimitedLog,
} from "../../subgraphs/shared/faults";
import { setLogLevel } from "../../subgraphs/shared/logger";

describe("what counts as a lost database", () => {
  test.each([
    ["a reset socket", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })],
    ["a backend ended by the server", Object.assign(new Error("terminating connection"), { code: "57P01" })],
    ["a connection that ended", new Error("Connection terminated unexpectedly")],
    ["a database refusing connections", new Error('database "x" is not currently accepting connections')],
  ])("%s is a connection fault, shown as a retryable DATABASE_UNAVAILABLE", (_, error) => {
    expect(isConnectionFault(error)).toBe(true);
    const shown = asDatabaseFault(error) as DatabaseUnavailable;
    expect(shown).toBeInstanceOf(DatabaseUnavailable);
    expect(shown.extensions).toEqual({ code: "DATABASE_UNAVAILABLE", retryable: true });
    // The cause is for the log only.
    expect(shown.message).not.toContain(error.message);
  });

  test.each([
    ["a unique violation", Object.assign(new Error("duplicate key"), { code: "23505" })],
    ["a syntax error", Object.assign(new Error("syntax error"), { code: "42601" })],
    ["a refusal", new Error("FORBIDDEN")],
  ])("%s is not, and passes through unchanged", (_, error) => {
    expect(isConnectionFault(error)).toBe(false);
    expect(asDatabaseFault(error)).toBe(error);
  });
});

describe("rate-limited warnings", () => {
  let lines: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    lines = [];
    setLogLevel("warn");
    spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    spy.mockRestore();
    setLogLevel("silent");
  });

  test("identical warnings past the limit are counted, not written; other keys are not held back", async () => {
    const warn = rateLimitedLog({ windowMs: 100, limit: 2 });
    for (let i = 0; i < 50; i++) warn("warn", "subgraph call failed", { subgraph: "housing", i }, "housing");
    warn("warn", "subgraph call failed", { subgraph: "youth" }, "youth");
    expect(lines).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const summary = lines.map((l) => JSON.parse(l)).find((l) => l.message.endsWith("(repeated)"));
    expect(summary).toMatchObject({ subgraph: "housing", suppressed: 48 });
  });
});
