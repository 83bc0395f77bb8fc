import jaroWinkler from "talisman/metrics/jaro-winkler";
import type { DateParts, NormalisedIdentity } from "./normalise";

/**
 * Fellegi-Sunter scoring. Each field of a pair falls into one comparison level; a level has m (how
 * often two records of the SAME person fall into it) and u (how often two records of DIFFERENT
 * people do), and contributes log2(m/u) bits. The lowest level of each field is disagreement, whose
 * m and u are what the other levels leave: log2((1-Σm)/(1-Σu)). A value missing on either side
 * contributes 0. The score is the sum over fields.
 *
 * How m and u were set (the README's "Matching people" section says the same):
 * - m: from what agencies' exports get wrong, as the partnership's data owners report it and as the
 *   generator (population.ts) reproduces: about 1 in 10 given names is a nickname, variant spelling
 *   or initial, 1 in 20 family names has a typo or a double-barrelled part dropped, 1 in 30 dates of
 *   birth has day and month exchanged and 1 in 30 a mistyped part, and 1 in 5 records has an
 *   address that is out of date (a move).
 * - u: from how often unrelated people agree by chance in one partnership area (a town of some
 *   100,000 people): a common given name is shared by ~1 in 100, a family name by ~1 in 200
 *   (Smith is 1 in 80), a date of birth by ~1 in 25,000 (365 days over ~70 years), a postcode
 *   by ~1 in 300 (15 households of ~2.5 people), a UPRN by ~1 in 600.
 * The figures then measured on the generated population are in the test and the README; the
 * thresholds were tuned on them (matching.test.ts), not m and u.
 */

export type FieldName = "givenName" | "familyName" | "dateOfBirth" | "postcode" | "uprn";

export type Level =
  | "EXACT"
  /** Given name: a nickname or variant of the same name (Bill, William). */
  | "EQUIVALENT"
  /** Given name: one side only an initial, and it agrees. */
  | "INITIAL"
  /** Family name: one word of a double-barrelled or hyphenated name agrees. */
  | "PART"
  /** Names: Jaro-Winkler similarity at least 0.92 (a typo, a transliteration). */
  | "CLOSE"
  /** Names: Jaro-Winkler at least 0.85. */
  | "SIMILAR"
  /** Date of birth: day and month exchanged. */
  | "SWAPPED"
  /** Date of birth: two of year, month and day agree (a mistyped digit). */
  | "PARTIAL"
  /** Postcode: the same sector (a move nearby). */
  | "SECTOR"
  | "DISAGREE";

interface Probabilities {
  m: number;
  u: number;
}

/** m and u of every level but disagreement, per field, in order of strength. */
export const M_U: Record<FieldName, Partial<Record<Level, Probabilities>>> = {
  givenName: {
    EXACT: { m: 0.87, u: 0.01 },
    EQUIVALENT: { m: 0.06, u: 0.001 },
    INITIAL: { m: 0.02, u: 0.002 },
    CLOSE: { m: 0.03, u: 0.004 },
    SIMILAR: { m: 0.005, u: 0.01 },
  },
  familyName: {
    EXACT: { m: 0.9, u: 0.005 },
    PART: { m: 0.04, u: 0.0005 },
    CLOSE: { m: 0.04, u: 0.002 },
    SIMILAR: { m: 0.01, u: 0.01 },
  },
  dateOfBirth: {
    EXACT: { m: 0.92, u: 0.00004 },
    SWAPPED: { m: 0.03, u: 0.00004 },
    PARTIAL: { m: 0.04, u: 0.003 },
  },
  postcode: {
    EXACT: { m: 0.78, u: 0.003 },
    SECTOR: { m: 0.07, u: 0.05 },
  },
  uprn: {
    EXACT: { m: 0.78, u: 0.0015 },
  },
};

function disagreement(field: FieldName): Probabilities {
  const levels = Object.values(M_U[field]);
  return {
    m: 1 - levels.reduce((sum, p) => sum + p!.m, 0),
    u: 1 - levels.reduce((sum, p) => sum + p!.u, 0),
  };
}

/** The weight in bits of each level of each field, worked out once from M_U. */
export const WEIGHTS: Record<FieldName, Partial<Record<Level, number>>> = Object.fromEntries(
  (Object.keys(M_U) as FieldName[]).map((field) => {
    const levels: Partial<Record<Level, number>> = {};
    for (const [level, p] of Object.entries(M_U[field])) levels[level as Level] = Math.log2(p!.m / p!.u);
    const d = disagreement(field);
    levels.DISAGREE = Math.log2(d.m / d.u);
    return [field, levels];
  }),
) as Record<FieldName, Partial<Record<Level, number>>>;

export function compareGivenNames(a: NormalisedIdentity, b: NormalisedIdentity): Level | null {
  if (!a.given.length || !b.given.length) return null;
  const [x, y] = [a.given[0], b.given[0]];
  if (x === y) return "EXACT";
  if (a.givenCanonical === b.givenCanonical) return "EQUIVALENT";
  if ((x.length === 1 && y.startsWith(x)) || (y.length === 1 && x.startsWith(y))) return "INITIAL";
  if (x.length === 1 || y.length === 1) return "DISAGREE";
  const similarity = Math.max(jaroWinkler(x, y), jaroWinkler(a.givenCanonical!, b.givenCanonical!));
  if (similarity >= 0.92) return "CLOSE";
  if (similarity >= 0.85) return "SIMILAR";
  return "DISAGREE";
}

export function compareFamilyNames(a: NormalisedIdentity, b: NormalisedIdentity): Level | null {
  if (!a.family.length || !b.family.length) return null;
  const [x, y] = [a.family.join(" "), b.family.join(" ")];
  if (x === y) return "EXACT";
  // Joined without spaces: "Smith-Jones" and "Smithjones" are the same name.
  const [xs, ys] = [a.family.join(""), b.family.join("")];
  if (xs === ys) return "EXACT";
  if (
    (a.family.length > 1 || b.family.length > 1) &&
    a.family.some((w) => w.length > 2 && b.family.includes(w))
  )
    return "PART";
  let similarity = jaroWinkler(xs, ys);
  // A typo in one part of a double-barrelled name.
  for (const w of a.family)
    for (const v of b.family) similarity = Math.max(similarity, jaroWinkler(w, v) - 0.03);
  if (similarity >= 0.92) return "CLOSE";
  if (similarity >= 0.85) return "SIMILAR";
  return "DISAGREE";
}

export function compareDates(a: DateParts | null, b: DateParts | null): Level | null {
  if (!a || !b) return null;
  if (a.year === b.year && a.month === b.month && a.day === b.day) return "EXACT";
  if (a.year === b.year && a.month === b.day && a.day === b.month) return "SWAPPED";
  const same = Number(a.year === b.year) + Number(a.month === b.month) + Number(a.day === b.day);
  return same === 2 ? "PARTIAL" : "DISAGREE";
}

export function comparePostcodes(a: string | null, b: string | null): Level | null {
  if (!a || !b) return null;
  if (a === b) return "EXACT";
  if (a.slice(0, -2) === b.slice(0, -2)) return "SECTOR";
  return "DISAGREE";
}

export function compareUprns(a: string | null, b: string | null): Level | null {
  if (!a || !b) return null;
  return a === b ? "EXACT" : "DISAGREE";
}

/** How each field of a pair compared (absent: missing on one side), and the total weight. */
export interface Comparison {
  score: number;
  levels: Partial<Record<FieldName, Level>>;
}

export function compare(a: NormalisedIdentity, b: NormalisedIdentity): Comparison {
  const levels: Partial<Record<FieldName, Level>> = {};
  const found: [FieldName, Level | null][] = [
    ["givenName", compareGivenNames(a, b)],
    ["familyName", compareFamilyNames(a, b)],
    ["dateOfBirth", compareDates(a.dateOfBirth, b.dateOfBirth)],
    ["postcode", comparePostcodes(a.postcode, b.postcode)],
    ["uprn", compareUprns(a.uprn, b.uprn)],
  ];
  let score = 0;
  for (const [field, level] of found) {
    if (!level) continue;
    levels[field] = level;
    score += WEIGHTS[field][level]!;
  }
  return { score, levels };
}
