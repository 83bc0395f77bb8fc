import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { NewAuditRecord } from "../access/governance-sql";
import type { Sql } from "../database";
import { DataCategory } from "../enums";
import { convertRow, type ConvertedRow, type PersonIdentity, type RowProblem } from "./convert";
import type { AgencyIngest, IngestKind, IngestRow } from "./kinds";
import { matches, type FileMapping, type Mapping } from "./mapping";
import { silentProgress, type Progress } from "./progress";
import { forgottenAmong, forgottenReason, type ForgottenKey } from "../forgotten";
import { FileError, readSourceFile } from "./reader";
import type { Rejected } from "./rejects";
import { ImportLog, NO_PEOPLE, type ImportedFile, type ImportTotals, type PeopleCounts } from "./store";

/**
 * How a reference came to its person: the agency's already (`known`), another agency's person the
 * matcher recognised (`linked`), a provisional person of its own while a possible match waits in the
 * review queue (`review`), or a person new to the index (`new`).
 */
export type PersonOutcome = "known" | "linked" | "review" | "new";

export interface ResolvedPerson {
  personId: string;
  outcome: PersonOutcome;
  /** How the matcher came to the person (matching/index.ts): REFERENCE, IDENTIFIER, PROBABILISTIC or NEW. */
  method: string;
  /** The best candidate's score in bits, where there was one. */
  score: number | null;
  /** For `review`: the person the reference may be, and the queued review. */
  candidatePersonId: string | null;
  reviewId: string | null;
}

/**
 * The people index's one way in for ingestion: each agency reference → a partnership person, found
 * by the matcher or created (subgraphs/partnership/people-index.ts), writing in the transaction it
 * is given. Given as a function because the agencies' code never imports partnership's.
 */
export type PeopleResolver = (
  sql: Sql,
  agencyId: string,
  identities: PersonIdentity[],
) => Promise<Map<string, ResolvedPerson>>;

/**
 * Appends records to governance's audit chain and resolves once they are durable (as governance's
 * ingest login, which may append these and nothing else: scripts/lib/ingest.ts). The
 * ingestion path calls it inside the file's transactions, after everything of the file is written
 * and before they commit: a link is never committed without its audit record, and a file refused or
 * rolled back before that point (a bad row, a dry run, a failed write) audits nothing.
 */
export type MatchAudit = (records: NewAuditRecord[]) => Promise<void>;

/**
 * The audit records of what an import's matcher did to the people index: one per reference linked
 * to a person another agency holds (by a shared identifier or by score) and one per reference queued
 * for review. Who ran the import, for which agency, the people (the linked person; the provisional and
 * the candidate person of a review) and the method and score: never the reference or the name and
 * date of birth (the audit outlives them, and names people only by pseudonym). A reference the
 * agency already had, or a new person, changes no one's link and is not audited.
 */
export function matchAuditRecords(
  people: ReadonlyMap<string, ResolvedPerson>,
  run: { agencyId: string; importedBy: string; importId: string; file: string; at: Date },
): NewAuditRecord[] {
  const records: NewAuditRecord[] = [];
  const bits = (score: number | null) => (score === null ? "no score" : `score ${score} bits`);
  for (const resolved of people.values()) {
    const linked = resolved.outcome === "linked" && resolved.method !== "REFERENCE";
    const queued = resolved.outcome === "review" && resolved.candidatePersonId && resolved.reviewId;
    if (!linked && !queued) continue;
    records.push({
      at: run.at,
      userId: run.importedBy,
      agencyId: run.agencyId,
      role: "INGEST",
      purpose: null,
      operationName: "ingest",
      // Import ids are the agency's own (its `imports`): qualified, as request ids are global.
      requestId: `${run.agencyId}-import-${run.importId}`,
      ownerAgencyId: "partnership",
      // A review names its provisional person, then its candidate.
      personIds: linked ? [resolved.personId] : [resolved.personId, resolved.candidatePersonId!],
      categories: [DataCategory.IDENTITY],
      recordIds: linked ? [] : [resolved.reviewId!],
      decision: "PERMITTED",
      reason: null,
      basis: null,
      agreementId: null,
      consentId: null,
      breakGlass: false,
      justification: null,
      kind: "PERSON_MATCH",
      detail: linked
        ? `${run.agencyId} import ${run.importId} (${run.file}) linked a reference to a person another agency holds: ${resolved.method}, ${bits(resolved.score)}`
        : `${run.agencyId} import ${run.importId} (${run.file}) queued a reference for review ${resolved.reviewId}: ${bits(resolved.score)}`,
    });
  }
  return records;
}

/** Records per append statement: the chain's lock is held for one statement, so others' appends interleave. */
const AUDIT_BATCH = 1000;

const COUNTED: Record<PersonOutcome, keyof PeopleCounts> = {
  known: "peopleKnown",
  linked: "peopleLinked",
  review: "peopleQueuedForReview",
  new: "peopleNew",
};

export interface IngestOptions {
  ingest: AgencyIngest;
  mapping: Mapping;
  files: string[];
  /** The agency's database, as its ingest role. */
  agencySql: Sql;
  /** The people index's database (partnership), as its ingest role. */
  peopleSql: Sql;
  resolvePeople: PeopleResolver;
  /**
   * Where the matcher's links and queued reviews are audited. Without it, a file whose people would
   * be linked or queued is refused (fail closed); a dry run audits nothing and needs none.
   */
  auditMatches?: MatchAudit;
  importedBy: string;
  dryRun?: boolean;
  /** Load the good rows of a file and return the bad ones, instead of refusing the file. */
  collectRejects?: boolean;
  progress?: Progress;
  /** Rows per write statement. */
  batch?: number;
  /** Tests: called after each batch is written (a failure there must leave nothing of the file). */
  afterBatch?: (file: string, written: number) => Promise<void> | void;
}

export interface FileReport extends ImportedFile {
  file: string;
  /** The file's problems (all rows' when the file was refused). */
  problems: string[];
}

export interface IngestReport {
  importId: string;
  dryRun: boolean;
  files: FileReport[];
  totals: ImportTotals;
  rejected: Rejected[];
  /** The rows skipped as forgotten, with why: not errors (the files load), for the caller to show. */
  forgotten: ForgottenRow[];
}

/** A row of a record an erasure or retention took (or hanging on one): skipped, not loaded again. */
export interface ForgottenRow {
  file: string;
  line: number;
  /** "erased on 2026-12-06", "its asbCase "ASB/24/0105" was deleted under retention on …". */
  reason: string;
}

/** A file that could not be loaded; files before it stay loaded (each is its own transaction). */
export class IngestError extends Error {
  constructor(
    message: string,
    readonly report: IngestReport,
  ) {
    super(message);
    this.name = "IngestError";
  }
}

class FileRefused extends Error {
  constructor(
    readonly problems: string[],
    readonly rows: number,
    /** Bad rows (0: the file itself could not be read). */
    readonly badRows = 0,
  ) {
    super(problems[0]);
  }
}

class DryRunDone extends Error {}

const SHOWN = 20;
const where = (file: string, line: number | null, column: string | null) =>
  `${file}${line == null ? "" : `:${line}`}${column ? ` (${column})` : ""}`;

function totalsOf(files: readonly FileReport[]): ImportTotals {
  const t = { rows: 0, new: 0, changed: 0, unchanged: 0, rejected: 0, forgotten: 0, ...NO_PEOPLE };
  for (const f of files) {
    t.rows += f.rows;
    t.rejected += f.rejected;
    t.forgotten += f.forgotten;
    t.new += f.new;
    t.changed += f.changed;
    t.unchanged += f.unchanged;
    for (const k of Object.keys(NO_PEOPLE) as (keyof PeopleCounts)[]) t[k] += f[k];
  }
  return t;
}

/** Which mapping entry reads each file; files of parent kinds first (cases before their parties). */
export function planFiles(
  files: readonly string[],
  mapping: Mapping,
  ingest: AgencyIngest,
): { file: string; entry: FileMapping; kind: IngestKind }[] {
  const order = new Map(ingest.kinds.map((k, i) => [k.name, i]));
  const planned = files.map((file) => {
    if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`${file}: no such file`);
    const entry = mapping.files.find((f) => matches(f.match, basename(file)));
    if (!entry)
      throw new Error(
        `${file}: matches no file of the mapping (patterns: ${mapping.files.map((f) => f.match).join(", ")})`,
      );
    return { file, entry, kind: ingest.kinds.find((k) => k.name === entry.record)! };
  });
  return planned
    .map((p, i) => ({ p, i }))
    .sort((a, b) => order.get(a.p.kind.name)! - order.get(b.p.kind.name)! || a.i - b.i)
    .map(({ p }) => p);
}

/**
 * Loads files into an agency's store as the mapping says. Idempotent by the source's record key:
 * a new key is inserted, a changed row updates its record, an unchanged one is not written. Each
 * file is one transaction (with the people it adds to the index): a bad row refuses the file, or,
 * collecting rejects, is returned and the rest loaded. A dry run does everything in transactions
 * it rolls back. Every run is recorded in the agency's `imports`.
 */
export async function ingestFiles(options: IngestOptions): Promise<IngestReport> {
  const { ingest, mapping, agencySql, peopleSql } = options;
  const dryRun = options.dryRun ?? false;
  const progress = options.progress ?? silentProgress;
  const batch = options.batch ?? 1000;
  const plan = planFiles(options.files, mapping, ingest);
  const kinds = new Map(ingest.kinds.map((k) => [k.name, k]));
  const importId = await ImportLog.begin(agencySql, {
    agencyId: ingest.agency,
    source: mapping.source,
    importedBy: options.importedBy,
    dryRun,
  });
  const reports: FileReport[] = [];
  const rejected: Rejected[] = [];
  const forgottenRows: ForgottenRow[] = [];

  /** One file, in the transactions given; throws FileRefused (nothing of it may stay). */
  async function loadFile(
    atx: Sql,
    ptx: Sql,
    item: (typeof plan)[number],
    report: FileReport,
  ): Promise<{ bad: Rejected[]; forgotten: ForgottenRow[] }> {
    const { file, entry, kind } = item;
    const name = basename(file);
    const buffer = readFileSync(file);
    report.sha256 = createHash("sha256").update(buffer).digest("hex");
    let source;
    try {
      source = readSourceFile(buffer, entry);
    } catch (error) {
      if (error instanceof FileError)
        throw new FileRefused([`${where(name, error.line, null)}: ${error.message}`], 0);
      throw error;
    }
    report.rows = source.rows.length;
    const bad: Rejected[] = [];
    const reject = (row: (typeof source.rows)[number], problems: RowProblem[]) =>
      bad.push({
        file: name,
        line: row.line,
        column:
          problems
            .map((p) => p.column)
            .filter(Boolean)
            .join("; ") || null,
        reason: problems.map((p) => p.reason).join("; "),
        original: row.original,
      });

    const good: { row: (typeof source.rows)[number]; converted: ConvertedRow<unknown> }[] = [];
    const firstLine = new Map<string, number>();
    for (const row of source.rows) {
      const converted = convertRow(row, kind, entry, mapping.source);
      if (Array.isArray(converted)) {
        reject(row, converted);
        continue;
      }
      const earlier = firstLine.get(converted.sourceKey);
      if (earlier !== undefined) {
        reject(row, [{ column: null, reason: `the record key is already on line ${earlier}` }]);
        continue;
      }
      firstLine.set(converted.sourceKey, row.line);
      good.push({ row, converted });
    }

    // Parents (a party's case) must be stored already, or loaded earlier in this run.
    const parentKeys = new Map<string, Set<string>>();
    for (const { converted } of good)
      for (const p of converted.parents) {
        if (!parentKeys.has(p.kind)) parentKeys.set(p.kind, new Set());
        parentKeys.get(p.kind)!.add(p.sourceKey);
      }
    const stored = new Map<string, Set<string>>();
    for (const [parent, keys] of parentKeys)
      stored.set(parent, (await kinds.get(parent)!.existing!(atx, [...keys])) ?? new Set());
    // A record an erasure or retention took stays out (shared/forgotten.ts): its own row, and a
    // row that hangs on it (a party of an erased case), are skipped and counted, with why and when.
    // Not errors: the agency's export still holds them, and will every night.
    const skipped: ForgottenRow[] = [];
    const forgotten = new Map<string, Map<string, ForgottenKey>>();
    const lookUp = async (of: IngestKind, keys: string[]) =>
      forgotten.set(of.name, of.table ? await forgottenAmong(atx, of.table, keys) : new Map());
    await lookUp(
      kind,
      good.map((g) => g.converted.sourceKey),
    );
    for (const [parent, keys] of parentKeys)
      if (parent !== kind.name) await lookUp(kinds.get(parent)!, [...keys]);
    const unforgotten = good.filter(({ row, converted }) => {
      const self = forgotten.get(kind.name)!.get(converted.sourceKey);
      if (self) {
        skipped.push({ file: name, line: row.line, reason: forgottenReason(self) });
        return false;
      }
      const parents = converted.parents.flatMap((p) => {
        const gone = forgotten.get(p.kind)?.get(p.sourceKey);
        return gone
          ? [`its ${p.kind} "${p.sourceKey.slice(mapping.source.length + 1)}" was ${forgottenReason(gone)}`]
          : [];
      });
      if (parents.length) skipped.push({ file: name, line: row.line, reason: parents.join("; ") });
      return !parents.length;
    });
    const loadable = unforgotten.filter(({ row, converted }) => {
      const missing = converted.parents.filter((p) => !stored.get(p.kind)!.has(p.sourceKey));
      if (missing.length)
        reject(
          row,
          missing.map((p) => ({
            column: p.column,
            reason: `no ${p.kind} with key "${p.sourceKey.slice(mapping.source.length + 1)}" from ${mapping.source} (load its file first)`,
          })),
        );
      return !missing.length;
    });
    bad.sort((a, b) => a.line - b.line);
    if (bad.length && !options.collectRejects)
      throw new FileRefused(
        bad.map((r) => `${where(name, r.line, r.column)}: ${r.reason}`),
        source.rows.length,
        bad.length,
      );

    // The people index first, in one batch, through the matcher, in this file's transaction (a
    // refused file or a dry run leaves no person, link or queued review): every row then knows its
    // person. Each reference is counted once per file, by how it came to its person.
    let people = new Map<string, ResolvedPerson>();
    if (kind.person) {
      const identities = new Map<string, PersonIdentity>();
      for (const { converted } of loadable)
        if (converted.person && !identities.has(converted.person.reference))
          identities.set(converted.person.reference, converted.person);
      people = await options.resolvePeople(ptx, ingest.agency, [...identities.values()]);
      for (const { outcome } of people.values()) report[COUNTED[outcome]] += 1;
    }
    const audited = dryRun
      ? []
      : matchAuditRecords(people, {
          agencyId: ingest.agency,
          importedBy: options.importedBy,
          importId,
          file: name,
          at: new Date(),
        });
    if (audited.length && !options.auditMatches)
      throw new Error(
        `the matcher linked or queued ${audited.length} reference(s), which must be audited, and there is no governance database to audit them in`,
      );
    const rows: IngestRow<unknown>[] = loadable.map(({ converted }) => ({
      sourceKey: converted.sourceKey,
      record: converted.record,
      personId: converted.person ? (people.get(converted.person.reference)?.personId ?? null) : null,
    }));
    progress.start(name, rows.length);
    for (let i = 0; i < rows.length; i += batch) {
      const written = await kind.write(atx, rows.slice(i, i + batch));
      report.new += written.inserted;
      report.changed += written.updated;
      progress.advance(Math.min(i + batch, rows.length));
      await options.afterBatch?.(name, Math.min(i + batch, rows.length));
    }
    progress.finish();
    // Last, so that nothing after it can fail but the commits: the links are audited before they
    // are committed (see MatchAudit).
    for (let i = 0; i < audited.length; i += AUDIT_BATCH)
      await options.auditMatches!(audited.slice(i, i + AUDIT_BATCH));
    report.unchanged = rows.length - report.new - report.changed;
    report.rejected = bad.length;
    report.forgotten = skipped.length;
    report.problems = bad.map((r) => `${where(name, r.line, r.column)}: ${r.reason}`);
    return { bad, forgotten: skipped.sort((a, b) => a.line - b.line) };
  }

  const newReport = (item: (typeof plan)[number]): FileReport => ({
    file: item.file,
    name: basename(item.file),
    record: item.kind.name,
    sha256: "",
    rows: 0,
    new: 0,
    changed: 0,
    unchanged: 0,
    rejected: 0,
    forgotten: 0,
    ...NO_PEOPLE,
    loaded: false,
    problems: [],
  });
  const refused = (report: FileReport, error: unknown) => {
    report.new = report.changed = report.unchanged = report.forgotten = 0;
    Object.assign(report, NO_PEOPLE);
    if (error instanceof FileRefused) {
      report.problems = error.problems;
      report.rows = error.rows || report.rows;
      report.rejected = error.badRows;
    } else report.problems = [`${report.name}: could not be loaded (${(error as Error).message})`];
  };

  let failure: string | null = null;
  try {
    if (dryRun) {
      // One transaction per database for the whole run, so a parties file sees the cases file
      // before it; a savepoint per file, and everything rolled back at the end.
      await agencySql
        .transaction((atx) =>
          peopleSql.transaction(async (ptx) => {
            for (const item of plan) {
              const report = newReport(item);
              reports.push(report);
              await atx.exec("SAVEPOINT ingest_file");
              await ptx.exec("SAVEPOINT ingest_file");
              try {
                const loaded = await loadFile(atx, ptx, item, report);
                rejected.push(...loaded.bad);
                forgottenRows.push(...loaded.forgotten);
                await atx.exec("RELEASE SAVEPOINT ingest_file");
                await ptx.exec("RELEASE SAVEPOINT ingest_file");
              } catch (error) {
                await atx.exec("ROLLBACK TO SAVEPOINT ingest_file");
                await ptx.exec("ROLLBACK TO SAVEPOINT ingest_file");
                refused(report, error);
                failure ??= report.problems[0];
              }
            }
            throw new DryRunDone();
          }),
        )
        .catch((error) => {
          if (!(error instanceof DryRunDone)) throw error;
        });
    } else {
      for (const item of plan) {
        const report = newReport(item);
        reports.push(report);
        try {
          // People commit first: a record is never written for a person the index lacks.
          const loaded = await agencySql.transaction((atx) =>
            peopleSql.transaction((ptx) => loadFile(atx, ptx, item, report)),
          );
          report.loaded = true;
          rejected.push(...loaded.bad);
          forgottenRows.push(...loaded.forgotten);
        } catch (error) {
          refused(report, error);
          failure = report.problems[0];
          break;
        }
      }
    }
  } finally {
    const totals = totalsOf(reports);
    await ImportLog.end(agencySql, importId, {
      outcome: dryRun ? "DRY_RUN" : failure ? "FAILED" : "LOADED",
      files: reports.map(({ file: _file, problems: _problems, ...kept }) => kept),
      totals,
      failure,
    });
  }
  const report: IngestReport = {
    importId,
    dryRun,
    files: reports,
    totals: totalsOf(reports),
    rejected,
    forgotten: forgottenRows,
  };
  if (failure && !dryRun) {
    const failed = reports[reports.length - 1];
    const earlier = reports.length - 1;
    const shown = failed.problems.slice(0, SHOWN);
    const more = failed.problems.length > SHOWN ? [`... and ${failed.problems.length - SHOWN} more`] : [];
    throw new IngestError(
      [
        `${failed.name}: nothing from this file was loaded${earlier ? `; ${earlier} earlier file(s) were` : ""}:`,
        ...shown.map((p) => `  ${p}`),
        ...more,
      ].join("\n"),
      report,
    );
  }
  return report;
}
