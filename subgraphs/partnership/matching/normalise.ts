import doubleMetaphone from "talisman/phonetics/double-metaphone";
import { transliterate } from "transliteration";

/**
 * What the matcher compares of a person as an agency recorded them, made comparable: names in
 * lower-case ASCII words, dates of birth as parts, postcodes without spaces, UPRNs without leading
 * zeros. Everything here is pure (no database), so the same record always normalises the same.
 */

/** A person as one agency's export names them (the ingestion path's row, after its mapping). */
export interface AgencyIdentity {
  /** The agency's own reference for the person (a nominal, a tenant number, a pupil number). */
  reference: string;
  givenName: string | null;
  familyName: string | null;
  /** YYYY-MM-DD. */
  dateOfBirth: string | null;
  postcode?: string | null;
  /** Unique Property Reference Number of the address the agency holds. */
  uprn?: string | null;
}

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export interface NormalisedIdentity {
  /** Given-name words; the first is the one compared. */
  given: string[];
  /** The first given name, nicknames and transliteration variants replaced by one canonical form. */
  givenCanonical: string | null;
  /** Family-name words (a double-barrelled or hyphenated name has several). */
  family: string[];
  dateOfBirth: DateParts | null;
  /** Upper case, no spaces: "SW1A1AA". */
  postcode: string | null;
  uprn: string | null;
}

/**
 * Common English nicknames and transliteration variants, each to one canonical given name. Small on
 * purpose: what it misses, Jaro-Winkler similarity usually still scores as a near agreement.
 */
const NICKNAMES: Record<string, string[]> = {
  william: ["bill", "billy", "will", "willy", "liam", "wil"],
  robert: ["bob", "bobby", "rob", "robbie", "bert"],
  margaret: ["peggy", "maggie", "meg", "margie", "marge", "greta"],
  elizabeth: ["liz", "lizzie", "beth", "betty", "eliza", "elisabeth", "lisa", "bess"],
  james: ["jim", "jimmy", "jamie"],
  john: ["jack", "johnny", "jon"],
  michael: ["mike", "mick", "mikey", "mickey"],
  david: ["dave", "davey"],
  katherine: ["kate", "katie", "kathy", "cathy", "catherine", "kathryn", "kat"],
  thomas: ["tom", "tommy"],
  daniel: ["dan", "danny"],
  samuel: ["sam", "sammy"],
  alexander: ["alex", "aleksandr", "alexandr", "sasha", "sandy"],
  christopher: ["chris", "kit"],
  edward: ["ed", "eddie", "ted", "teddy", "ned"],
  henry: ["harry", "hal"],
  susan: ["sue", "susie", "suzanne"],
  jennifer: ["jen", "jenny"],
  anthony: ["tony", "antony"],
  nicholas: ["nick", "nicky"],
  rebecca: ["becky", "becca"],
  richard: ["rick", "ricky", "dick", "richie"],
  joseph: ["joe", "joey"],
  patricia: ["pat", "patty", "trish"],
  victoria: ["vicky", "vikki", "tori"],
  muhammad: ["mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "mo"],
  yusuf: ["yousef", "youssef", "yusef", "yousuf"],
  ahmed: ["ahmad", "ahmet"],
  dmitri: ["dmitriy", "dmitry", "dimitri"],
  sergei: ["sergey", "serhiy"],
  olga: ["olha"],
  aisha: ["ayesha", "aysha", "aishah"],
  fatima: ["fatimah", "fatma"],
};

const CANONICAL = new Map<string, string>();
for (const [name, variants] of Object.entries(NICKNAMES)) {
  CANONICAL.set(name, name);
  for (const variant of variants) CANONICAL.set(variant, name);
}

/** One canonical form of a given name: William for Bill, Muhammad for Mohammed. */
export function canonicalGivenName(word: string): string {
  return CANONICAL.get(word) ?? word;
}

/** Lower-case ASCII words: accents and other scripts transliterated, hyphens split, apostrophes dropped. */
export function nameWords(name: string | null | undefined): string[] {
  if (!name) return [];
  return transliterate(name)
    .toLowerCase()
    .replace(/['’`]/gu, "")
    .split(/[^a-z]+/u)
    .filter(Boolean);
}

export function parseDate(date: string | null | undefined): DateParts | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(date?.trim() ?? "");
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // A date that is no day of the calendar (2020-02-30, 1955-11-00) is as good as none.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  )
    return null;
  return { year, month, day };
}

export function formatDate(parts: DateParts): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

/** The date with day and month exchanged, when that is a date too and a different one. */
export function swappedDate(parts: DateParts | null): string | null {
  if (!parts || parts.day > 12 || parts.day === parts.month) return null;
  return formatDate({ year: parts.year, month: parts.day, day: parts.month });
}

export function normalisePostcode(postcode: string | null | undefined): string | null {
  const compact = (postcode ?? "").toUpperCase().replace(/[^A-Z0-9]/gu, "");
  return compact.length >= 5 && compact.length <= 7 ? compact : null;
}

export function normaliseUprn(uprn: string | null | undefined): string | null {
  const digits = (uprn ?? "").replace(/\D/gu, "").replace(/^0+/u, "");
  return digits || null;
}

export function normalise(identity: AgencyIdentity): NormalisedIdentity {
  const given = nameWords(identity.givenName);
  return {
    given,
    givenCanonical: given.length ? canonicalGivenName(given[0]) : null,
    family: nameWords(identity.familyName),
    dateOfBirth: parseDate(identity.dateOfBirth),
    postcode: normalisePostcode(identity.postcode),
    uprn: normaliseUprn(identity.uprn),
  };
}

/** What blocking looks people up by (each is a column of matched_references, indexed). */
export interface BlockingKeys {
  /** Double Metaphone of each family-name word and of the whole name run together. */
  familyCodes: string[];
  /** First letter of the canonical given name ("w" for Bill and William). */
  givenInitial: string | null;
  birthYear: number | null;
  dateOfBirth: string | null;
  /** The date of birth with day and month exchanged. */
  swappedDateOfBirth: string | null;
  postcode: string | null;
  uprn: string | null;
}

export function blockingKeys(person: NormalisedIdentity): BlockingKeys {
  const words = person.family.length > 1 ? [...person.family, person.family.join("")] : person.family;
  const familyCodes = [...new Set(words.map((w) => doubleMetaphone(w)[0]).filter(Boolean))].sort();
  return {
    familyCodes,
    givenInitial: person.givenCanonical ? person.givenCanonical[0] : null,
    birthYear: person.dateOfBirth?.year ?? null,
    dateOfBirth: person.dateOfBirth ? formatDate(person.dateOfBirth) : null,
    swappedDateOfBirth: swappedDate(person.dateOfBirth),
    postcode: person.postcode,
    uprn: person.uprn,
  };
}
