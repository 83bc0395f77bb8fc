/**
 * Dates and numbers as agencies' systems write them. A format is a pattern of tokens (YYYY, YY,
 * MM, MMM, DD, HH, mm, ss) and literal characters, e.g. `DD/MM/YYYY`, `YYYY-MM-DD`, `DD-MMM-YY`,
 * `DD/MM/YYYY HH:mm`. Times are read as UTC: the graph counts months in UTC.
 */

const TOKENS = ["YYYY", "MMM", "YY", "MM", "DD", "HH", "mm", "ss"] as const;
type Token = (typeof TOKENS)[number];

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

const TOKEN_PATTERN: Record<Token, string> = {
  YYYY: "(\\d{4})",
  YY: "(\\d{2})",
  MMM: "([A-Za-z]{3})",
  MM: "(\\d{1,2})",
  DD: "(\\d{1,2})",
  HH: "(\\d{1,2})",
  mm: "(\\d{2})",
  ss: "(\\d{2})",
};

interface CompiledFormat {
  regex: RegExp;
  tokens: Token[];
}

const compiled = new Map<string, CompiledFormat>();

/** Splits a format into its tokens; null when it has no year, month or day. */
function compile(format: string): CompiledFormat | null {
  const known = compiled.get(format);
  if (known) return known;
  let pattern = "";
  const tokens: Token[] = [];
  for (let i = 0; i < format.length;) {
    const token = TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      if (tokens.includes(token)) return null;
      tokens.push(token);
      pattern += TOKEN_PATTERN[token];
      i += token.length;
    } else {
      pattern += format[i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      i += 1;
    }
  }
  const hasYear = tokens.includes("YYYY") || tokens.includes("YY");
  const hasMonth = tokens.includes("MM") || tokens.includes("MMM");
  if (!hasYear || !hasMonth || !tokens.includes("DD")) return null;
  const result = { regex: new RegExp(`^${pattern}$`), tokens };
  compiled.set(format, result);
  return result;
}

/** Whether `format` is one this module reads (for the mapping's validation). */
export function isDateFormat(format: string): boolean {
  return compile(format) !== null;
}

/**
 * A date (or date and time) in `format` as a UTC Date, or a reason it is not one. A two-digit
 * year is this century's when not after this year's, else the last century's (dates of birth).
 */
export function parseDate(text: string, format: string, now = new Date()): Date | string {
  const f = compile(format);
  if (!f) return `the format "${format}" is not a date format`;
  const m = f.regex.exec(text.trim());
  if (!m) return `"${text}" is not a date in the format ${format}`;
  const part = (t: Token) => {
    const i = f.tokens.indexOf(t);
    return i < 0 ? undefined : m[i + 1];
  };
  let year: number;
  const yy = part("YY");
  if (yy !== undefined) {
    const thisYear = now.getUTCFullYear();
    const century = Math.floor(thisYear / 100) * 100;
    year = century + Number(yy);
    if (year > thisYear) year -= 100;
  } else year = Number(part("YYYY"));
  let month: number;
  const mmm = part("MMM");
  if (mmm !== undefined) {
    month = MONTHS.indexOf(mmm.toUpperCase()) + 1;
    if (month === 0) return `"${mmm}" in "${text}" is not a month (Jan..Dec)`;
  } else month = Number(part("MM"));
  const day = Number(part("DD"));
  const hour = Number(part("HH") ?? 0);
  const minute = Number(part("mm") ?? 0);
  const second = Number(part("ss") ?? 0);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31/02 over into March: a date that does not round-trip does not exist.
  if (
    month < 1 ||
    month > 12 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return `"${text}" is not a real date in the format ${format}`;
  }
  return date;
}

/** How a source writes numbers: its decimal mark and its thousands separator (if any). */
export interface NumberFormat {
  decimal: "." | ",";
  thousands: "" | "," | "." | " ";
}

/** A number written in `format`, or a reason it is not one. */
export function parseNumber(text: string, format: NumberFormat): number | string {
  let s = text.trim();
  if (format.thousands) s = s.split(format.thousands).join("");
  if (format.decimal === ",") s = s.replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return `"${text}" is not a number`;
  return Number(s);
}
