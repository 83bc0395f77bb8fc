import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "csv-parse/sync";
import type { Sql } from "../shared/database";
import { IncidentRepository, type ImportedIncident, type ImportedOutcome } from "./repository";
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

/** The columns of a police.uk outcome file, in order, as published. */
export const POLICE_UK_OUTCOME_COLUMNS = [
  "Crime ID",
  "Month",
  "Reported by",
  "Falls within",
  "Longitude",
  "Latitude",
  "Location",
  "LSOA code",
  "LSOA name",
  "Outcome type",
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
  /** A street file (incidents) or an outcome file (outcome history). */
  kind: PoliceUkFileKind;
  /** The force, as police.uk names it in its file names ("city-of-london", "btp"). */
  force: string;
  /** Data rows read (the header excluded). */
  rows: number;
  /** Distinct Crime IDs: one incident each (street), or the crimes given outcomes (outcomes). */
  crimes: number;
  /** Anti-social behaviour rows (no Crime ID): one incident each. Always 0 in an outcome file. */
  asb: number;
  /** Incidents (street) or outcomes (outcome file, one per crime, month and outcome type). */
  inserted: number;
  updated: number;
  unchanged: number;
  /**
   * Outcome file: its crimes that are not imported (yet). Their outcomes are kept and join the
   * incident when its street file is imported. Always 0 in a street file.
   */
  waiting: number;
}

export type PoliceUkFileKind = "street" | "outcomes";

export interface ImportReport {
  files: FileImportReport[];
  totals: Omit<FileImportReport, "file" | "kind" | "force"> & { files: number };
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
/** As police.uk names its files: `2019-01-city-of-london-street.csv`, `2019-01-btp-outcomes.csv`. */
const FILE_NAME = /^(\d{4}-(?:0[1-9]|1[0-2]))-([a-z0-9]+(?:-[a-z0-9]+)*)-(street|outcomes)\.csv$/;
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

/**
 * Names police.uk gives a force in `Reported by` that its file-name id does not spell; every
 * other force is checked by rule (forceIdOf). Hampshire's force was renamed in 2022 and its
 * files kept the id.
 */
const FORCE_NAMES: Readonly<Record<string, readonly string[]>> = {
  btp: ["British Transport Police"],
  hampshire: ["Hampshire Constabulary", "Hampshire and Isle of Wight Constabulary"],
};

/**
 * The file-name id police.uk gives a force's name: "City of London Police" is city-of-london,
 * "Metropolitan Police Service" metropolitan, "Devon & Cornwall Police" devon-and-cornwall,
 * "Police Service of Northern Ireland" northern-ireland.
 */
export function forceIdOf(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/^police service of\s+/, "")
    .replace(/\s+(police service|police|constabulary)$/, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Whether a row's `Reported by` is the force its file is named for. */
export function isReportedBy(force: string, reportedBy: string): boolean {
  return (FORCE_NAMES[force]?.includes(reportedBy) ?? false) || forceIdOf(reportedBy) === force;
}

export interface PoliceUkFileName {
  month: string;
  force: string;
  kind: PoliceUkFileKind;
}

/**
 * The month, force and kind a police.uk file's name gives, as data.police.uk names them; anything
 * else is refused, since the force is taken from the name and never assumed.
 */
export function policeUkFileName(path: string): PoliceUkFileName {
  const match = FILE_NAME.exec(basename(path));
  if (!match)
    throw new RowError(
      null,
      "not a police.uk file name: expected YYYY-MM-<force>-street.csv or YYYY-MM-<force>-outcomes.csv " +
        "(the force as data.police.uk names it, e.g. 2019-01-city-of-london-street.csv)",
    );
  return { month: match[1], force: match[2], kind: match[3] as PoliceUkFileKind };
}

interface ParsedStreetFile {
  kind: "street";
  name: PoliceUkFileName;
  rows: number;
  crimes: number;
  asb: number;
  incidents: ImportedIncident[];
}

interface ParsedOutcomeFile {
  kind: "outcomes";
  name: PoliceUkFileName;
  rows: number;
  crimes: number;
  outcomes: ImportedOutcome[];
}

type ParsedFile = ParsedStreetFile | ParsedOutcomeFile;

function parseNumber(value: string, column: string, min: number, max: number, line: number): number {
  if (!NUMBER.test(value)) throw new RowError(line, `${column} "${value}" is not a number`);
  const n = Number(value);
  if (n < min || n > max) throw new RowError(line, `${column} ${value} is outside ${min}..${max}`);
  return n;
}

interface CsvRow {
  line: number;
  row: string[];
}

/** A file's data rows, each with the line it starts on, after checking its header. */
function readRows(text: string, columns: readonly string[]): CsvRow[] {
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
  if (header.length !== columns.length || header.some((h, i) => h !== columns[i])) {
    throw new RowError(lineOf(records[0]), `unexpected header; expected: ${columns.join(",")}`);
  }
  return records.slice(1).map((entry) => {
    const line = lineOf(entry);
    if (entry.record.length !== columns.length) {
      throw new RowError(line, `expected ${columns.length} columns, found ${entry.record.length}`);
    }
    return { line, row: entry.record.map((v) => v.trim()) };
  });
}

/** What street and outcome rows share: the month, the force and the location's shape. */
function checkCommon(
  name: PoliceUkFileName,
  line: number,
  month: string,
  reportedBy: string,
  longitudeText: string,
  latitudeText: string,
): { latitude: number | null; longitude: number | null } {
  if (!MONTH.test(month)) throw new RowError(line, `Month "${month}" is not YYYY-MM`);
  if (month !== name.month)
    throw new RowError(line, `Month ${month} differs from the file's month ${name.month}`);
  if (!isReportedBy(name.force, reportedBy))
    throw new RowError(
      line,
      `Reported by "${reportedBy}" is not the force the file is named for (${name.force})`,
    );
  if (!longitudeText !== !latitudeText)
    throw new RowError(line, "Longitude and Latitude must both be given or both be empty");
  return {
    latitude: latitudeText ? parseNumber(latitudeText, "Latitude", -90, 90, line) : null,
    longitude: longitudeText ? parseNumber(longitudeText, "Longitude", -180, 180, line) : null,
  };
}

/** Reads and validates a whole street file before anything is written. */
export function parseStreetFile(path: string, text: string): ParsedStreetFile {
  const fileName = basename(path);
  const name = policeUkFileName(path);
  if (name.kind !== "street") throw new RowError(null, "not a street file");
  const rows = readRows(text, POLICE_UK_COLUMNS);
  const byKey = new Map<string, ImportedIncident>();
  const asbSeen = new Map<string, number>();
  const crimeIds = new Set<string>();
  let asb = 0;

  for (const { line, row } of rows) {
    const [
      crimeId,
      month,
      reportedBy,
      ,
      longitudeText,
      latitudeText,
      location,
      lsoaCode,
      ,
      crimeType,
      outcome,
    ] = row;
    const { latitude, longitude } = checkCommon(name, line, month, reportedBy, longitudeText, latitudeText);
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
    kind: "street",
    name,
    rows: rows.length,
    crimes: crimeIds.size,
    asb,
    incidents: [...byKey.values()],
  };
}

/**
 * Reads and validates a whole outcome file: one outcome per crime, month and outcome type (a row
 * repeated, as police.uk does for a crime at two locations, is the same outcome; its later line counts).
 */
export function parseOutcomeFile(path: string, text: string): ParsedOutcomeFile {
  const fileName = basename(path);
  const name = policeUkFileName(path);
  if (name.kind !== "outcomes") throw new RowError(null, "not an outcome file");
  const rows = readRows(text, POLICE_UK_OUTCOME_COLUMNS);
  const byKey = new Map<string, ImportedOutcome>();
  const crimeIds = new Set<string>();
  for (const { line, row } of rows) {
    const [crimeId, month, reportedBy, , longitudeText, latitudeText, , , , outcome] = row;
    checkCommon(name, line, month, reportedBy, longitudeText, latitudeText);
    if (!crimeId) throw new RowError(line, "Crime ID is missing (every outcome is of a crime)");
    if (!CRIME_ID.test(crimeId))
      throw new RowError(line, `Crime ID "${crimeId}" is not 64 hexadecimal characters`);
    if (!outcome) throw new RowError(line, "Outcome type is missing");
    const key = crimeId.toLowerCase();
    crimeIds.add(key);
    byKey.set(`${key}\u001f${outcome}`, {
      crimeId: key,
      month,
      outcome,
      line,
      source: `police.uk:${fileName}`,
    });
  }
  return { kind: "outcomes", name, rows: rows.length, crimes: crimeIds.size, outcomes: [...byKey.values()] };
}

/** Reads and validates a whole police.uk file (street or outcomes, by its name). */
export function parsePoliceUkFile(path: string, text: string): ParsedFile {
  return policeUkFileName(path).kind === "street"
    ? parseStreetFile(path, text)
    : parseOutcomeFile(path, text);
}

function totalsOf(files: FileImportReport[]): ImportReport["totals"] {
  const totals = {
    files: files.length,
    rows: 0,
    crimes: 0,
    asb: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    waiting: 0,
  };
  for (const f of files) {
    totals.rows += f.rows;
    totals.crimes += f.crimes;
    totals.asb += f.asb;
    totals.inserted += f.inserted;
    totals.updated += f.updated;
    totals.unchanged += f.unchanged;
    totals.waiting += f.waiting;
  }
  return totals;
}

/** Writes one parsed file in the transaction given: its incidents, or its outcomes. */
async function writeFile(
  repository: IncidentRepository,
  parsed: ParsedFile,
): Promise<{ inserted: number; updated: number; unchanged: number; waiting: number }> {
  const result = { inserted: 0, updated: 0, unchanged: 0, waiting: 0 };
  const rows: readonly (ImportedIncident | ImportedOutcome)[] =
    parsed.kind === "street" ? parsed.incidents : parsed.outcomes;
  for (let i = 0; i < rows.length; i += BATCH) {
    const written =
      parsed.kind === "street"
        ? await repository.upsertImported(parsed.incidents.slice(i, i + BATCH))
        : await repository.upsertOutcomes(parsed.outcomes.slice(i, i + BATCH));
    result.inserted += written.inserted;
    result.updated += written.updated;
  }
  result.unchanged = rows.length - result.inserted - result.updated;
  if (parsed.kind === "outcomes")
    result.waiting = await repository.crimesNotImported([...new Set(parsed.outcomes.map((o) => o.crimeId))]);
  return result;
}

/**
 * Imports police.uk street and outcome CSVs (files, or folders of them) of any force into the
 * police store. The force is the one the file is named for, and every row must be reported by
 * it. Each file is one transaction: a malformed row rolls back its whole file and stops the
 * import, naming file and line; files before it stay imported. Re-importing changes nothing.
 * Outcomes join their incident by Crime ID whichever is imported first.
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
    let written: Awaited<ReturnType<typeof writeFile>>;
    try {
      written = await sql.transaction((tx) => writeFile(new IncidentRepository(tx), parsed));
    } catch (error) {
      throw failed(file, null, `could not be written (${(error as Error).message})`);
    }
    done.push({
      file,
      kind: parsed.kind,
      force: parsed.name.force,
      rows: parsed.rows,
      crimes: parsed.crimes,
      asb: parsed.kind === "street" ? parsed.asb : 0,
      ...written,
    });
  }
  return { files: done, totals: totalsOf(done) };
}
