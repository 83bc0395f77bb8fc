import { decodeCursor, encodeCursor, pageRequest } from "../../subgraphs/shared/connection";
import { monthProblem, parseMonth } from "../../subgraphs/shared/months";

const cursor = (text: string) => Buffer.from(text).toString("base64url");

describe("cursors", () => {
  it("round-trips the offsets the graph issues", () => {
    for (const offset of [0, 1, 49, 500, 999_999_999])
      expect(decodeCursor(encodeCursor(offset))).toBe(offset);
    expect(pageRequest(10, encodeCursor(49))).toEqual({ offset: 50, limit: 10 });
  });

  it("round-trips the (month, id) a keyset cursor carries, with its offset", () => {
    const after = encodeCursor(49, { month: "2019-03", id: "inc-18dfa4667027da161b08" });
    expect(decodeCursor(after)).toBe(49);
    expect(pageRequest(10, after)).toEqual({
      offset: 50,
      limit: 10,
      after: { month: "2019-03", id: "inc-18dfa4667027da161b08" },
    });
  });

  it.each([
    ["an exponent", cursor("o:1e24")],
    ["a number past SQL's int", cursor("o:99999999999")],
    ["a negative offset", cursor("o:-1")],
    ["a fraction", cursor("o:1.5")],
    ["leading zeros", cursor("o:007")],
    ["white space", cursor("o: 7")],
    ["another prefix", cursor("x:7")],
    ["garbage base64", "%%%not-base64%%%"],
    ["base64 of garbage", cursor("nope")],
    ["a NUL byte", cursor("o:7\u0000")],
    ["a very long string", "A".repeat(10_000)],
    ["a keyset cursor with a bad month", cursor("k:7:2019-13:inc-1")],
    ["a keyset cursor with a quote in its id", cursor("k:7:2019-03:inc-1'--")],
    ["a keyset cursor with no id", cursor("k:7:2019-03:")],
  ])("refuses %s, naming `after`", (_what, after) => {
    expect(decodeCursor(after)).toBeNull();
    expect(() => pageRequest(10, after)).toThrow(
      expect.objectContaining({
        message: "after: is not a cursor this list issued",
        extensions: { code: "BAD_USER_INPUT", argument: "after" },
      }),
    );
  });
});

describe("months", () => {
  it.each(["1900-01", "2019-06", "2999-12"])("accepts %s", (month) => {
    expect(monthProblem(month)).toBeNull();
  });

  it.each([
    ["0001-01", /between 1900-01 and 2999-12/],
    ["1899-12", /between 1900-01 and 2999-12/],
    ["3000-01", /between 1900-01 and 2999-12/],
    ["2026-13", /YYYY-MM/],
    ["2026-00", /YYYY-MM/],
    ["2026-1", /YYYY-MM/],
    ["12026-01", /YYYY-MM/],
    ["2026-01\u0000", /YYYY-MM/],
  ])("refuses %j, naming the argument", (month, why) => {
    expect(monthProblem(month)).toMatch(why);
    expect(() => parseMonth("filter.fromMonth", month)).toThrow(
      expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", argument: "filter.fromMonth" } }),
    );
  });
});
