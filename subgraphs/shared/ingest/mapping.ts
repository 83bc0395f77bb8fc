import { z } from "zod";
import { isDateFormat } from "./formats";
import type { AgencyIngest, IngestKind } from "./kinds";

/**
 * The mapping file: how one source system's exports become the graph's records. JSON, read once
 * and validated whole; every problem is reported with its path (`files[0].codes.category.NOI`).
 */

/** A column: its header name (CSV with a header, or a JSON Lines property), or its 1-based position. */
const column = z.union([z.string().min(1), z.number().int().positive()]);
/** Where a field's value comes from: a column, or the same value for every row. */
const source = z.union([column, z.object({ value: z.string() }).strict()]);

const dateFormat = z.string().refine(isDateFormat, {
  message: "not a date format: use tokens YYYY, YY, MM, MMM, DD, HH, mm, ss (e.g. DD/MM/YYYY, DD-MMM-YY)",
});

const csvFormat = z
  .object({
    type: z.literal("csv"),
    delimiter: z.string().length(1).default(","),
    /** The first line names the columns; without one, columns are given by position. */
    header: z.boolean().default(true),
    encoding: z.enum(["utf8", "latin1"]).default("utf8"),
  })
  .strict();
const jsonlFormat = z.object({ type: z.literal("jsonl") }).strict();

const person = z
  .object({
    reference: column,
    givenName: column.optional(),
    familyName: column.optional(),
    dateOfBirth: column.optional(),
    postcode: column.optional(),
    uprn: column.optional(),
  })
  .strict();

const fileMapping = z
  .object({
    /** Which input files this entry reads: a file-name pattern (`*` and `?`), e.g. `cases-*.csv`. */
    match: z.string().min(1),
    /** The record kind each row becomes (the agency's kinds: see --help). */
    record: z.string().min(1),
    format: z.discriminatedUnion("type", [csvFormat, jsonlFormat]),
    /** The column(s) holding the source's own record key; several are joined. */
    key: z.union([column, z.array(column).min(1)]),
    /** Field of the record kind → where its value comes from. */
    fields: z.record(source).default({}),
    /** Field → the source's code → the graph's enum value. A code not listed is a row error. */
    codes: z.record(z.record(z.string())).default({}),
    /** The date format of every date field, unless `dateFormats` names the field. */
    dateFormat: dateFormat.default("YYYY-MM-DD"),
    /** Field (or `person.dateOfBirth`) → its own date format. */
    dateFormats: z.record(dateFormat).default({}),
    numbers: z
      .object({
        decimal: z.enum([".", ","]).default("."),
        thousands: z.enum(["", ",", ".", " "]).default(""),
      })
      .strict()
      .default({}),
    /** Values that mean "none" (after trimming). */
    empty: z.array(z.string()).default([""]),
    /** The person a row is about, by the agency's own reference. */
    person: person.optional(),
  })
  .strict();

export const mappingSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    /** The agency whose records these are: must be the --agency the import runs for. */
    agency: z.string().min(1),
    /** The source system's name: record keys are kept as `<source>:<key>`, so two systems never clash. */
    source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, _ . - only"),
    files: z.array(fileMapping).min(1),
  })
  .strict();

export type Mapping = z.infer<typeof mappingSchema>;
export type FileMapping = Mapping["files"][number];
export type ColumnRef = z.infer<typeof column>;
export type FieldSource = z.infer<typeof source>;

export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the mapping has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    this.name = "MappingError";
  }
}

const pathOf = (path: (string | number)[]) =>
  path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");

/** The problems of a mapping for `agency` beyond its shape: unknown kinds, fields and codes. */
function checkAgainstKinds(mapping: Mapping, ingest: AgencyIngest): string[] {
  const problems: string[] = [];
  if (mapping.agency !== ingest.agency)
    problems.push(`agency: "${mapping.agency}" but the import is for "${ingest.agency}"`);
  const kinds = new Map(ingest.kinds.map((k) => [k.name, k]));
  mapping.files.forEach((file, i) => {
    const at = `files[${i}]`;
    const kind: IngestKind | undefined = kinds.get(file.record);
    if (!kind) {
      problems.push(`${at}.record: "${file.record}" is not one of ${[...kinds.keys()].join(", ")}`);
      return;
    }
    for (const field of Object.keys(file.fields))
      if (!kind.fields[field])
        problems.push(
          `${at}.fields.${field}: ${kind.name} has no such field (it has ${Object.keys(kind.fields).join(", ")})`,
        );
    for (const [field, spec] of Object.entries(kind.fields))
      if (spec.required && !(field in file.fields))
        problems.push(`${at}.fields.${field}: required by ${kind.name} but not mapped`);
    for (const [field, codes] of Object.entries(file.codes)) {
      const spec = kind.fields[field];
      if (!spec || spec.type !== "code") {
        problems.push(`${at}.codes.${field}: not a coded field of ${kind.name}`);
        continue;
      }
      for (const [code, value] of Object.entries(codes))
        if (!spec.values.includes(value))
          problems.push(`${at}.codes.${field}.${code}: "${value}" is not one of ${spec.values.join(", ")}`);
    }
    for (const field of Object.keys(file.dateFormats))
      if (field !== "person.dateOfBirth" && kind.fields[field]?.type !== "date")
        problems.push(`${at}.dateFormats.${field}: not a date field of ${kind.name}`);
    if (kind.person) {
      if (!file.person) problems.push(`${at}.person: ${kind.name} rows are about a person: name the columns`);
      else
        for (const part of ["givenName", "familyName"] as const)
          if (file.person[part] === undefined)
            problems.push(`${at}.person.${part}: needed to add a person the index does not know yet`);
    } else if (file.person) problems.push(`${at}.person: ${kind.name} rows are not about a person`);
    const headerless = file.format.type === "csv" && !file.format.header;
    const columns = [
      ...[file.key].flat(),
      ...Object.values(file.fields).filter((s) => typeof s !== "object"),
      ...Object.values(file.person ?? {}),
    ];
    for (const c of columns)
      if ((typeof c === "number") !== headerless)
        problems.push(
          `${at}: column ${JSON.stringify(c)} ${headerless ? "must be a position (the CSV has no header)" : "must be a name (the file names its columns)"}`,
        );
  });
  return problems;
}

/** Reads and checks a mapping; throws MappingError listing every problem found. */
export function parseMapping(text: string, name: string, ingest: AgencyIngest): Mapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MappingError(name, [`not JSON: ${(error as Error).message}`]);
  }
  const parsed = mappingSchema.safeParse(json);
  if (!parsed.success)
    throw new MappingError(
      name,
      parsed.error.issues.map((i) => `${pathOf(i.path) || "(top)"}: ${i.message}`),
    );
  const problems = checkAgainstKinds(parsed.data, ingest);
  if (problems.length) throw new MappingError(name, problems);
  return parsed.data;
}

/** Whether `fileName` matches a mapping's pattern (`*` any run of characters, `?` one). */
export function matches(pattern: string, fileName: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`, "i").test(fileName);
}
