import { parse } from "csv-parse/sync";
import type { ColumnRef, FileMapping } from "./mapping";

/** One row of a source file: where it is, how to get a column, and what it held, for rejects. */
export interface SourceRow {
  line: number;
  get(column: ColumnRef): string | undefined;
  /** The row as it was: column name (or position) → text. */
  original: Record<string, string>;
}

export interface SourceFile {
  /** The column names, in order, as the rejects file lists them. */
  columns: string[];
  rows: SourceRow[];
}

/** A problem with the file as a whole (unreadable, a mapped column missing): nothing is loaded. */
export class FileError extends Error {
  constructor(
    readonly line: number | null,
    message: string,
  ) {
    super(message);
    this.name = "FileError";
  }
}

const display = (c: ColumnRef) => (typeof c === "number" ? `column ${c}` : `"${c}"`);

function readCsv(buffer: Buffer, format: Extract<FileMapping["format"], { type: "csv" }>): SourceFile {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(buffer.toString(format.encoding), {
      bom: true,
      delimiter: format.delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new FileError(e.lines ?? null, `not a readable CSV file (${e.message})`);
  }
  // info.lines is the line a record ends on; a quoted field may span lines.
  const lineOf = (r: { record: string[]; info: { lines: number } }) =>
    r.info.lines - r.record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
  let columns: string[];
  let index: (c: ColumnRef) => number;
  let body = records;
  if (format.header) {
    if (!records.length) throw new FileError(1, "empty file: expected a header line");
    columns = records[0].record.map((h) => h.trim());
    const positions = new Map(columns.map((name, i) => [name, i]));
    index = (c) => (typeof c === "number" ? c - 1 : (positions.get(c) ?? -1));
    body = records.slice(1);
  } else {
    const width = Math.max(0, ...records.map((r) => r.record.length));
    columns = Array.from({ length: width }, (_, i) => String(i + 1));
    index = (c) => (typeof c === "number" ? c - 1 : -1);
  }
  return {
    columns,
    rows: body.map((entry) => {
      const original: Record<string, string> = {};
      entry.record.forEach((v, i) => (original[columns[i] ?? String(i + 1)] = v));
      return {
        line: lineOf(entry),
        get: (c) => {
          const i = index(c);
          return i < 0 ? undefined : entry.record[i];
        },
        original,
      };
    }),
  };
}

function readJsonLines(buffer: Buffer): SourceFile {
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: SourceRow[] = [];
  const lines = buffer
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/);
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new FileError(i + 1, `not a JSON line (${(error as Error).message})`);
    }
    if (!value || typeof value !== "object" || Array.isArray(value))
      throw new FileError(i + 1, "each line must be a JSON object");
    const object = value as Record<string, unknown>;
    const original: Record<string, string> = {};
    for (const [k, v] of Object.entries(object)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
      original[k] = v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v as string);
    }
    rows.push({
      line: i + 1,
      get: (c) => (typeof c === "string" && c in object ? original[c] : undefined),
      original,
    });
  });
  return { columns, rows };
}

/** Reads a whole file as the mapping's format says; every mapped column must be there. */
export function readSourceFile(buffer: Buffer, mapping: FileMapping): SourceFile {
  const file = mapping.format.type === "csv" ? readCsv(buffer, mapping.format) : readJsonLines(buffer);
  // A CSV header must name every mapped column (JSON Lines may leave a property out of a row).
  if (mapping.format.type === "csv" && mapping.format.header) {
    const wanted = [
      ...[mapping.key].flat(),
      ...Object.values(mapping.fields).filter((s): s is string => typeof s === "string"),
      ...Object.values(mapping.person ?? {}).filter((s): s is string => typeof s === "string"),
    ];
    const missing = [...new Set(wanted)].filter((c) => typeof c === "string" && !file.columns.includes(c));
    if (missing.length)
      throw new FileError(
        1,
        `the header has no column ${missing.map(display).join(", ")} (it has ${file.columns.map(display).join(", ")})`,
      );
  }
  return file;
}
