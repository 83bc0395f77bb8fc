import {
  blockingKeys,
  nameWords,
  normalise,
  parseDate,
  swappedDate,
} from "../../subgraphs/partnership/matching/normalise";
import { compare, M_U, WEIGHTS, type FieldName } from "../../subgraphs/partnership/matching/weights";
import { generatePopulation } from "../../subgraphs/partnership/matching/population";

const person = (given: string | null, family: string | null, dateOfBirth: string | null = null) =>
  normalise({ reference: "x", givenName: given, familyName: family, dateOfBirth });

describe("normalisation", () => {
  it("transliterates to lower-case ASCII words, splitting hyphens and dropping apostrophes", () => {
    expect(nameWords("Zoë Müller-Łukasz")).toEqual(["zoe", "muller", "lukasz"]);
    expect(nameWords("O'Brien")).toEqual(["obrien"]);
    expect(nameWords("Дмитрий")).toEqual(["dmitriy"]);
  });

  it("takes a date of birth only when it is a day of the calendar, and swaps day and month when that is a date", () => {
    expect(parseDate("2020-02-30")).toBeNull();
    expect(parseDate("07/03/1980")).toBeNull();
    expect(swappedDate(parseDate("1980-03-07"))).toBe("1980-07-03");
    expect(swappedDate(parseDate("1980-03-13"))).toBeNull();
    expect(swappedDate(parseDate("1980-03-03"))).toBeNull();
  });

  it("blocks Bill and William together, and a double-barrelled name under each of its parts", () => {
    expect(blockingKeys(person("Bill", "Smith")).givenInitial).toBe("w");
    const keys = blockingKeys(person("Ann", "Smith-Jones")).familyCodes;
    for (const part of blockingKeys(person("Ann", "Jones")).familyCodes) expect(keys).toContain(part);
    for (const part of blockingKeys(person("Ann", "Smith")).familyCodes) expect(keys).toContain(part);
  });
});

describe("Fellegi-Sunter weights", () => {
  it("has m and u below 1 in total for every field, so disagreement has a weight, and it is negative", () => {
    for (const field of Object.keys(M_U) as FieldName[]) {
      expect(WEIGHTS[field].DISAGREE).toBeLessThan(0);
      expect(WEIGHTS[field].EXACT).toBeGreaterThan(0);
    }
  });

  it("scores partial agreements between agreement and disagreement", () => {
    const base = person("William", "Smith", "1980-03-07");
    const exact = compare(base, person("William", "Smith", "1980-03-07"));
    const partial = compare(base, person("Bill", "Smith", "1980-07-03"));
    const none = compare(base, person("Kwame", "Smith", "1991-10-22"));
    expect(partial.levels).toEqual({ givenName: "EQUIVALENT", familyName: "EXACT", dateOfBirth: "SWAPPED" });
    expect(exact.score).toBeGreaterThan(partial.score);
    expect(partial.score).toBeGreaterThan(0);
    expect(none.score).toBeLessThan(0);
  });

  it("counts nothing for a value missing on either side", () => {
    expect(compare(person("Ann", "Lee", null), person("Ann", "Lee", "1990-01-01")).levels).toEqual({
      givenName: "EXACT",
      familyName: "EXACT",
    });
  });
});

describe("the generated population", () => {
  it("is the same for the same seed, and different for another", () => {
    expect(generatePopulation(3, 200)).toEqual(generatePopulation(3, 200));
    expect(generatePopulation(4, 200).exports.police).not.toEqual(generatePopulation(3, 200).exports.police);
  });
});
