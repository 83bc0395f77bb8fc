import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Sql } from "../shared/database";
import { IncidentRepository, type ImportedIncident } from "./repository";
import { CrimeCategory } from "./types";

/** The columns of a police.uk street-level CSV, in order, as published. */
export const POLICE_UK_COLUMNS = [
  "Crime ID",
  "Month",
  "Reported by",
  "Falls within",
  "Longitude",
  "Latitude",
  "Location",
  "LSOA code",
  "LSOA name",
  "Crime type",
  "Last outcome category",
  "Context",
] as const;

/** police.uk "Crime type" strings and the enum values they map to. */
export const CRIME_TYPES: Readonly<Record<string, CrimeCategory>> = {
  "Anti-social behaviour": CrimeCategory.ANTI_SOCIAL_BEHAVIOUR,
  "Bicycle theft": CrimeCategory.BICYCLE_THEFT,
  Burglary: CrimeCategory.BURGLARY,
  "Criminal damage and arson": CrimeCategory.CRIMINAL_DAMAGE_AND_ARSON,
  Drugs: CrimeCategory.DRUGS,
  "Other crime": CrimeCategory.OTHER_CRIME,
  "Other theft": CrimeCategory.OTHER_THEFT,
  "Possession of weapons": CrimeCategory.POSSESSION_OF_WEAPONS,
  "Public order": CrimeCategory.PUBLIC_ORDER,
  Robbery: CrimeCategory.ROBBERY,
  Shoplifting: CrimeCategory.SHOPLIFTING,
  "Theft from the person": CrimeCategory.THEFT_FROM_THE_PERSON,
  "Vehicle crime": CrimeCategory.VEHICLE_CRIME,
  "Violence and sexual offences": CrimeCategory.VIOLENCE_AND_SEXUAL_OFFENCES,
};

/** The published label of a category ("Burglary", "Anti-social behaviour"), for summaries. */
export const CRIME_TYPE_LABELS: Readonly<Record<CrimeCategory, string>> = Object.fromEntries(
  Object.entries(CRIME_TYPES).map(([label, category]) => [category, label]),
) as Record<CrimeCategory, string>;

export interface FileImportReport {
  file: string;
  /** Data rows read (the header excluded). */
  rows: number;
  /** Distinct Crime IDs: one incident each. */
  crimes: number;
  /** Anti-social behaviour rows (no Crime ID): one incident each. */
  asb: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportReport {
  files: FileImportReport[];
  totals: Omit<FileImportReport, "file"> & { files: number };
}

/** A file that could not be imported: names the file and line; earlier files stay imported. */
export class PoliceImportError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null,
    /** What was imported before the failing file (each of those files was committed). */
    readonly report: ImportReport,
  ) {
    super(message);
    this.name = "PoliceImportError";
  }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const CRIME_ID = /^[0-9a-f]{64}$/i;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Upsert this many rows per statement: large months stay well inside PostgreSQL's limits. */
const BATCH = 5000;

/** Incident id: a deterministic function of the source key, so re-imports hit the same row. */
export function incidentIdFor(sourceKey: string): string {
  return "inc-" + createHash("sha256").update(sourceKey).digest("hex").slice(0, 20);
}

/** "Burglary on or near Old Square"; police.uk withholds some locations. */
export function incidentSummary(category: CrimeCategory, street: string | null): string {
  const label = CRIME_TYPE_LABELS[category];
  if (!street) return `${label}, location not published`;
  const place = street.replace(/^on or near\s+/i, "");
  return `${label} on or near ${place}`;
}

/** Files named directly, then every *.csv of each folder in name order. */
export function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new Error(`${path}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      const csvs = readdirSync(path)
        .filter((name) => name.toLowerCase().endsWith(".csv"))
        .sort()
        .map((name) => join(path, name))
        .filter((file) => statSync(file).isFile());
      if (!csvs.length) throw new Error(`${path}: folder has no .csv files`);
      files.push(...csvs);
    } else {
      files.push(path);
    }
  }
  return files;
}

class RowError extends Error {
  constructor(
    readonly line: number | null,
    message: string,
  ) {
    super(message);
  }
}

interface ParsedFile {
  month: string | null;
  rows: number;
  crimes: number;
  asb: number;
  incidents: ImportedIncident[];
}

function parseNumber(value: string, column: string, min: number, max: number, line: number): number {
  if (!NUMBER.test(value)) throw new RowError(line, `${column} "${value}" is not a number`);
  const n = Number(value);
  if (n < min || n > max) throw new RowError(line, `${column} ${value} is outside ${min}..${max}`);
  return n;
}

/** Reads and validates a whole file before anything is written. */
export function parsePoliceUkFile(path: string, text: string): ParsedFile {
  const fileName = basename(path);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as { lines?: number; message: string };
    throw new RowError(e.lines ?? null, `not a readable CSV file (${e.message})`);
  }
  // info.lines is the line a record ends on; a quoted field may span lines.
  const lineOf = (r: { record: string[]; info: { lines: number } }) =>
    r.info.lines - r.record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
  if (!records.length) throw new RowError(1, "empty file: expected the police.uk header");
  const header = records[0].record.map((h) => h.trim());
  if (header.length !== POLICE_UK_COLUMNS.length || header.some((h, i) => h !== POLICE_UK_COLUMNS[i])) {
    throw new RowError(lineOf(records[0]), `unexpected header; expected: ${POLICE_UK_COLUMNS.join(",")}`);
  }

  // The file's month: from its name (YYYY-MM-...) when it has one, else its first row.
  let fileMonth = /^(\d{4}-(0[1-9]|1[0-2]))(?!\d)/.exec(fileName)?.[1] ?? null;
  const byKey = new Map<string, ImportedIncident>();
  const asbSeen = new Map<string, number>();
  const crimeIds = new Set<string>();
  let asb = 0;

  for (const entry of records.slice(1)) {
    const line = lineOf(entry);
    const row = entry.record;
    if (row.length !== POLICE_UK_COLUMNS.length) {
      throw new RowError(line, `expected ${POLICE_UK_COLUMNS.length} columns, found ${row.length}`);
    }
    const [crimeId, month, , , longitudeText, latitudeText, location, lsoaCode, , crimeType, outcome] =
      row.map((v) => v.trim());
    if (!MONTH.test(month)) throw new RowError(line, `Month "${month}" is not YYYY-MM`);
    fileMonth ??= month;
    if (month !== fileMonth)
      throw new RowError(line, `Month ${month} differs from the file's month ${fileMonth}`);
    const category = CRIME_TYPES[crimeType];
    if (!category) throw new RowError(line, `unknown Crime type "${crimeType}"`);
    if (crimeId && !CRIME_ID.test(crimeId))
      throw new RowError(line, `Crime ID "${crimeId}" is not 64 hexadecimal characters`);
    if (!crimeId && category !== CrimeCategory.ANTI_SOCIAL_BEHAVIOUR) {
      throw new RowError(
        line,
        `Crime ID is missing for a "${crimeType}" row (only anti-social behaviour has none)`,
      );
    }
    if (!longitudeText !== !latitudeText)
      throw new RowError(line, "Longitude and Latitude must both be given or both be empty");
    const latitude = latitudeText ? parseNumber(latitudeText, "Latitude", -90, 90, line) : null;
    const longitude = longitudeText ? parseNumber(longitudeText, "Longitude", -180, 180, line) : null;
    const street = !location || /^no location$/i.test(location) ? null : location;

    let sourceKey: string;
    let reference: string;
    if (crimeId) {
      sourceKey = crimeId.toLowerCase();
      reference = crimeId.slice(0, 12).toUpperCase();
      crimeIds.add(sourceKey);
    } else {
      // ASB rows have no id: the month, the row's content and its position among identical rows.
      const digest = createHash("sha1").update(row.join("\u001f")).digest("hex");
      const n = (asbSeen.get(digest) ?? 0) + 1;
      asbSeen.set(digest, n);
      sourceKey = `asb:${month}:${digest}:${n}`;
      reference = `ASB-${month.replace("-", "")}-${createHash("sha256").update(sourceKey).digest("hex").slice(0, 8).toUpperCase()}`;
      asb += 1;
    }
    // A later row with the same Crime ID replaces the earlier one.
    byKey.set(sourceKey, {
      id: incidentIdFor(sourceKey),
      sourceKey,
      reference,
      month,
      category,
      outcome: outcome || null,
      street,
      lsoaCode: lsoaCode || null,
      latitude,
      longitude,
      summary: incidentSummary(category, street),
      source: `police.uk:${fileName}`,
    });
  }
  return {
    month: fileMonth,
    rows: records.length - 1,
    crimes: crimeIds.size,
    asb,
    incidents: [...byKey.values()],
  };
}

function totalsOf(files: FileImportReport[]): ImportReport["totals"] {
  const totals = { files: files.length, rows: 0, crimes: 0, asb: 0, inserted: 0, updated: 0, unchanged: 0 };
  for (const f of files) {
    totals.rows += f.rows;
    totals.crimes += f.crimes;
    totals.asb += f.asb;
    totals.inserted += f.inserted;
    totals.updated += f.updated;
    totals.unchanged += f.unchanged;
  }
  return totals;
}

/**
 * Imports police.uk street-level CSVs (files, or folders of them) into the police store.
 * Each file is one transaction: a malformed row rolls back its whole file and stops the
 * import, naming file and line; files before it stay imported. Re-importing changes nothing.
 */
export async function importPoliceUkFiles(sql: Sql, paths: string[]): Promise<ImportReport> {
  const files = expandPaths(paths);
  const done: FileImportReport[] = [];
  const failed = (file: string, line: number | null, reason: string) => {
    const report = { files: [...done], totals: totalsOf(done) };
    const where = line == null ? file : `${file}:${line}`;
    const earlier = done.length ? `; ${done.length} earlier file(s) were imported` : "";
    return new PoliceImportError(
      `${where}: ${reason}; nothing from this file was imported${earlier}`,
      file,
      line,
      report,
    );
  };

  for (const file of files) {
    let parsed: ParsedFile;
    try {
      parsed = parsePoliceUkFile(file, readFileSync(file, "utf8"));
    } catch (error) {
      if (error instanceof RowError) throw failed(file, error.line, error.message);
      throw failed(file, null, `cannot read the file (${(error as Error).message})`);
    }
    let outcome: { inserted: number; updated: number };
    try {
      outcome = await sql.transaction(async (tx) => {
        const repository = new IncidentRepository(tx);
        const result = { inserted: 0, updated: 0 };
        for (let i = 0; i < parsed.incidents.length; i += BATCH) {
          const written = await repository.upsertImported(parsed.incidents.slice(i, i + BATCH));
          result.inserted += written.inserted;
          result.updated += written.updated;
        }
        return result;
      });
    } catch (error) {
      throw failed(file, null, `could not be written (${(error as Error).message})`);
    }
    done.push({
      file,
      rows: parsed.rows,
      crimes: parsed.crimes,
      asb: parsed.asb,
      inserted: outcome.inserted,
      updated: outcome.updated,
      unchanged: parsed.incidents.length - outcome.inserted - outcome.updated,
    });
  }
  return { files: done, totals: totalsOf(done) };
}
