import "reflect-metadata";
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { MappingError } from "../subgraphs/shared/ingest/mapping";
import { streamProgress } from "../subgraphs/shared/ingest/progress";
import { writeRejects } from "../subgraphs/shared/ingest/rejects";
import type { IngestReport } from "../subgraphs/shared/ingest/run";
import { commandLine } from "./lib/command-line";
import { INGESTABLE, openIngestStores, readMapping, registeredAgencies, runImport } from "./lib/ingest";
import { databaseServerFor } from "./lib/stores";

const kindsHelp = Object.values(INGESTABLE)
  .map(
    ({ ingest }) =>
      `  ${ingest.agency}:\n` +
      ingest.kinds
        .map(
          (k) =>
            `    ${k.name}${k.person ? " (rows carry a person reference)" : ""}: ${k.description}\n` +
            Object.entries(k.fields)
              .map(
                ([name, f]) =>
                  `      ${name}${f.required ? " (required)" : ""}: ${f.type}${f.type === "code" ? ` ${f.values.join("|")}` : ""}${f.type === "parent" ? ` key of a ${f.of}` : ""}; ${f.description}`,
              )
              .join("\n"),
        )
        .join("\n"),
  )
  .join("\n");

const USAGE = `usage: npm run ingest -- --agency <id> --mapping <file> [--rejects <file>] [--dry-run] [--by <name>] <files>...

Loads an agency's own exports (CSV or JSON Lines) into its subgraph's database as the mapping file
says (README, "Loading your own data"). Files are matched to the mapping's entries by name and
loaded parents first (cases before their parties). Each file is one transaction: a bad row refuses
the whole file, naming file:line, column and reason; a row of a record the graph erased or deleted
under retention is skipped and counted as forgotten, no error. Loading the same file again changes nothing;
a changed row updates its record. The people rows are about join the people index by the agency's
own reference, through the matcher: linked to a person another agency holds, queued for the agency's
DSOs to review, or new. Every run is recorded in the agency's imports table.
  --agency <id>      the agency whose records these are (a registered agency that can be loaded)
  --mapping <file>   the mapping file (JSON)
  --rejects <file>   write the bad rows there (CSV: file, line, column, reason and the row) and
                     load the rest of each file
  --dry-run          report what would be new, changed, unchanged and rejected; write nothing
  --by <name>        who is importing, for the record (default: your login name)
Database: <AGENCY>_DATABASE_URL and PARTNERSHIP_DATABASE_URL, or DATABASE_URL; with none, the
embedded demo database. Records are written through each database's ingest role.

Record kinds and their fields:
${kindsHelp}`;

const say = (line: string) => process.stdout.write(`${line}\n`);
const COLUMNS = ["rows", "new", "changed", "unchanged", "rejected", "forgotten"] as const;

function printTable(report: IngestReport): void {
  if (!report.files.length) return;
  const width = Math.max(5, ...report.files.map((f) => f.name.length + f.record.length + 3));
  const cell = (value: string | number) => String(value).padStart(10);
  say(`${"file (record)".padEnd(width)}${COLUMNS.map(cell).join("")}`);
  for (const f of report.files)
    say(`${`${f.name} (${f.record})`.padEnd(width)}${COLUMNS.map((c) => cell(f[c])).join("")}`);
  say(`${"total".padEnd(width)}${COLUMNS.map((c) => cell(report.totals[c])).join("")}`);
  const t = report.totals;
  if (t.peopleKnown + t.peopleLinked + t.peopleQueuedForReview + t.peopleNew)
    say(
      `people: ${t.peopleLinked} linked to people already in the index, ${t.peopleQueuedForReview} queued for review, ` +
        `${t.peopleNew} new, ${t.peopleKnown} already known`,
    );
}

async function main(): Promise<number> {
  const { values, positionals } = commandLine(USAGE, {
    allowPositionals: true,
    options: {
      agency: { type: "string" },
      mapping: { type: "string" },
      rejects: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      by: { type: "string" },
    },
  });
  if (!values.agency || !values.mapping || !positionals.length) {
    process.stderr.write(`give --agency, --mapping and at least one file\n${USAGE}\n`);
    return 2;
  }
  const agency = values.agency;
  // npm runs scripts from the project's folder: paths are the caller's, relative to where they ran npm.
  const here = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const mappingFile = here(values.mapping);
  const rejectsFile = values.rejects === undefined ? undefined : here(values.rejects);
  const { config, embedded } = await databaseServerFor(process.env, say);
  try {
    const registered = await registeredAgencies(config);
    if (!registered.includes(agency)) {
      process.stderr.write(
        `ingest: "${agency}" is not a registered agency (registered: ${registered.join(", ") || "none"})\n`,
      );
      return 2;
    }
    const target = INGESTABLE[agency];
    if (!target) {
      process.stderr.write(
        `ingest: "${agency}" has no records that can be loaded yet (loadable: ${Object.keys(INGESTABLE).join(", ")})\n`,
      );
      return 2;
    }
    let mapping;
    try {
      mapping = readMapping(mappingFile, values.mapping, target.ingest);
    } catch (error) {
      if (error instanceof MappingError) {
        process.stderr.write(`ingest: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const stores = await openIngestStores(config, agency);
    const started = Date.now();
    try {
      const { report, failure } = await runImport({
        agency,
        mapping,
        files: positionals.map(here),
        stores,
        importedBy: values.by ?? userInfo().username,
        dryRun: values["dry-run"],
        collectRejects: values.rejects !== undefined,
        progress: streamProgress(process.stderr),
      });
      const failed = failure !== null;
      if (failure) process.stderr.write(`${failure}\n`);
      printTable(report);
      // Rows of records an erasure or retention took: skipped, not errors, but said where and why.
      if (report.forgotten.length) {
        say(`${report.forgotten.length} row(s) of erased or expired records skipped (not loaded again):`);
        for (const f of report.forgotten.slice(0, 20)) say(`  ${f.file}:${f.line}: ${f.reason}`);
        if (report.forgotten.length > 20) say(`  ... and ${report.forgotten.length - 20} more`);
      }
      if (rejectsFile !== undefined) {
        writeRejects(rejectsFile, report.rejected);
        say(`${report.rejected.length} rejected row(s) written to ${values.rejects}`);
      }
      for (const f of report.files)
        if (report.dryRun && f.problems.length && !values.rejects) {
          say(`${f.name} would be refused:`);
          for (const p of f.problems.slice(0, 20)) say(`  ${p}`);
          if (f.problems.length > 20) say(`  ... and ${f.problems.length - 20} more`);
        }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      say(
        report.dryRun
          ? `Dry run: nothing was written (import ${report.importId} recorded as a dry run), ${seconds} s.`
          : `${failed ? "Stopped" : "Loaded"}: import ${report.importId}, ${seconds} s.`,
      );
      return failed || (report.dryRun && report.files.some((f) => f.problems.length && !values.rejects))
        ? 1
        : 0;
    } finally {
      await stores.close();
    }
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`ingest: ${error.message}\n`);
    process.exit(1);
  },
);
