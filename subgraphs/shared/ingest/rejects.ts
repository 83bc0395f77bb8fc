import { writeFileSync } from "node:fs";

/** A row left out: where it was, why, and what it held. */
export interface Rejected {
  file: string;
  line: number;
  column: string | null;
  reason: string;
  original: Record<string, string>;
}

const cell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * The rejected rows as CSV: file, line, column, reason, then the rows' own columns (every file's,
 * in the order first seen), so a source team can correct them in place and send them again.
 */
export function rejectsCsv(rejected: readonly Rejected[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rejected)
    for (const c of Object.keys(r.original))
      if (!seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
  const lines = [["file", "line", "column", "reason", ...columns].map(cell).join(",")];
  for (const r of rejected)
    lines.push(
      [r.file, String(r.line), r.column ?? "", r.reason, ...columns.map((c) => r.original[c] ?? "")]
        .map(cell)
        .join(","),
    );
  return `${lines.join("\n")}\n`;
}

export function writeRejects(path: string, rejected: readonly Rejected[]): void {
  writeFileSync(path, rejectsCsv(rejected));
}
