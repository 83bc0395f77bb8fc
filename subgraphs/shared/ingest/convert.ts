import { parseDate, parseNumber } from "./formats";
import type { FieldValue, IngestKind } from "./kinds";
import type { ColumnRef, FieldSource, FileMapping } from "./mapping";
import type { SourceRow } from "./reader";

/** The person a row is about, as the agency knows them. */
export interface PersonIdentity {
  /** The agency's own reference for the person. */
  reference: string;
  givenName: string | null;
  familyName: string | null;
  /** YYYY-MM-DD. */
  dateOfBirth: string | null;
  postcode: string | null;
  uprn: string | null;
}

export interface RowProblem {
  /** The source column at fault, when one is. */
  column: string | null;
  reason: string;
}

export interface ConvertedRow<R> {
  sourceKey: string;
  record: R;
  person: PersonIdentity | null;
  /** Parent kind → the parent's full source key, for the existence check. */
  parents: { kind: string; sourceKey: string; column: string | null }[];
}

const columnName = (c: FieldSource | ColumnRef | undefined): string | null =>
  c === undefined ? null : typeof c === "object" ? null : typeof c === "number" ? `column ${c}` : c;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * One source row into a record of `kind`, or every problem it has (each naming its column): the
 * mapping's codes, dates and numbers first, then the kind's own rules (zod).
 */
export function convertRow<R>(
  row: SourceRow,
  kind: IngestKind<R>,
  mapping: FileMapping,
  source: string,
): ConvertedRow<R> | RowProblem[] {
  const problems: RowProblem[] = [];
  const empty = new Set(mapping.empty);
  const text = (c: FieldSource | undefined): string | null => {
    if (c === undefined) return null;
    const raw = typeof c === "object" ? c.value : row.get(c);
    if (raw === undefined) return null;
    const trimmed = raw.trim();
    return empty.has(trimmed) ? null : trimmed;
  };

  const keyParts = [mapping.key].flat().map((c) => text(c));
  if (keyParts.some((p) => p === null))
    problems.push({ column: columnName([mapping.key].flat()[0]), reason: "the record key is empty" });
  const sourceKey = `${source}:${keyParts.join("|")}`;

  const values: Record<string, FieldValue> = {};
  const parents: ConvertedRow<R>["parents"] = [];
  for (const [field, spec] of Object.entries(kind.fields)) {
    const from = mapping.fields[field];
    const column = columnName(from);
    const value = text(from);
    if (value === null) {
      if (spec.required) problems.push({ column, reason: `${field} is required` });
      values[field] = null;
      continue;
    }
    switch (spec.type) {
      case "text":
        values[field] = value;
        break;
      case "code": {
        const codes = mapping.codes[field];
        const mapped = codes ? codes[value] : value;
        if (mapped === undefined || !spec.values.includes(mapped)) {
          problems.push({
            column,
            reason: codes
              ? `unknown code "${value}" for ${field} (mapped codes: ${Object.keys(codes).join(", ")})`
              : `"${value}" is not one of ${spec.values.join(", ")} for ${field}`,
          });
          values[field] = null;
        } else values[field] = mapped;
        break;
      }
      case "date": {
        const date = parseDate(value, mapping.dateFormats[field] ?? mapping.dateFormat);
        if (typeof date === "string") problems.push({ column, reason: `${field}: ${date}` });
        values[field] = typeof date === "string" ? null : date;
        break;
      }
      case "number": {
        const n = parseNumber(value, mapping.numbers);
        if (typeof n === "string") problems.push({ column, reason: `${field}: ${n}` });
        else if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
          problems.push({ column, reason: `${field}: ${n} is outside ${spec.min ?? ""}..${spec.max ?? ""}` });
        values[field] = typeof n === "string" ? null : n;
        break;
      }
      case "parent":
        values[field] = `${source}:${value}`;
        parents.push({ kind: spec.of, sourceKey: `${source}:${value}`, column });
        break;
    }
  }

  let person: PersonIdentity | null = null;
  if (kind.person && mapping.person) {
    const p = mapping.person;
    const reference = text(p.reference);
    const given = text(p.givenName);
    const family = text(p.familyName);
    if (reference === null)
      problems.push({ column: columnName(p.reference), reason: "the person reference is empty" });
    if (given === null) problems.push({ column: columnName(p.givenName), reason: "the given name is empty" });
    if (family === null)
      problems.push({ column: columnName(p.familyName), reason: "the family name is empty" });
    let dateOfBirth: string | null = null;
    const dob = text(p.dateOfBirth);
    if (dob !== null) {
      const date = parseDate(dob, mapping.dateFormats["person.dateOfBirth"] ?? mapping.dateFormat);
      if (typeof date === "string")
        problems.push({ column: columnName(p.dateOfBirth), reason: `date of birth: ${date}` });
      else if (date.getTime() > Date.now())
        problems.push({ column: columnName(p.dateOfBirth), reason: `date of birth ${dob} is in the future` });
      else dateOfBirth = isoDate(date);
    }
    person = {
      reference: reference ?? "",
      givenName: given,
      familyName: family,
      dateOfBirth,
      postcode: text(p.postcode)?.toUpperCase().replace(/\s+/g, " ") ?? null,
      uprn: text(p.uprn),
    };
  }

  if (problems.length) return problems;
  const checked = kind.schema.safeParse(values);
  if (!checked.success)
    return checked.error.issues.map((issue) => {
      const field = typeof issue.path[0] === "string" ? issue.path[0] : null;
      return {
        column: field ? columnName(mapping.fields[field]) : null,
        reason: field ? `${field}: ${issue.message}` : issue.message,
      };
    });
  const refused = person && kind.checkPerson?.(checked.data, person);
  if (refused) {
    const from =
      refused.field === "person.dateOfBirth" ? mapping.person?.dateOfBirth : mapping.fields[refused.field];
    return [{ column: columnName(from), reason: refused.reason }];
  }
  return { sourceKey, record: checked.data, person, parents };
}
