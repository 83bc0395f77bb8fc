import "reflect-metadata";
import { basename } from "node:path";
import { openStore } from "../subgraphs/shared/database";
import {
  importPoliceUkFiles,
  PoliceImportError,
  type FileImportReport,
  type ImportReport,
} from "../subgraphs/police/importer";
import { police } from "../subgraphs/police/server";
import { databaseServerFor } from "./lib/stores";

const USAGE = `usage: npm run import:police-uk -- <csv file or folder>...

Imports police.uk CSVs of any force into the police subgraph's database (POLICE_DATABASE_URL,
or DATABASE_URL; with neither, the embedded demo database), named as data.police.uk names them:
  YYYY-MM-<force>-street.csv    crimes and anti-social behaviour: one incident each
  YYYY-MM-<force>-outcomes.csv  outcomes of crimes, kept as each crime's outcome history
The force is the file name's, and every row's "Reported by" must be that force. Folders are
read for every *.csv, in name order. Each file is imported whole or not at all; importing a
file again changes nothing. An outcome whose crime is not imported yet is kept and joins the
crime when its street file is imported.`;

const say = (line: string) => process.stdout.write(`${line}\n`);

const COLUMNS: (keyof ImportReport["totals"] & keyof FileImportReport)[] = [
  "rows",
  "crimes",
  "asb",
  "inserted",
  "updated",
  "unchanged",
  "waiting",
];

function printTable(report: ImportReport): void {
  if (!report.files.length) return;
  const names = report.files.map((f) => basename(f.file));
  const width = Math.max(5, ...names.map((n) => n.length));
  const cell = (value: string | number) => String(value).padStart(10);
  say(`${"file".padEnd(width)}${COLUMNS.map(cell).join("")}`);
  report.files.forEach((f, i) => say(`${names[i].padEnd(width)}${COLUMNS.map((c) => cell(f[c])).join("")}`));
  say(
    `${`total (${report.totals.files} files)`.padEnd(width)}${COLUMNS.map((c) => cell(report.totals[c])).join("")}`,
  );
}

/** `npm run import:police-uk -- <files or folders>`: imports police.uk CSVs and prints what changed. */
async function main(args: string[]): Promise<number> {
  if (!args.length || args.includes("--help") || args.includes("-h")) {
    say(USAGE);
    return args.length ? 0 : 2;
  }
  // With no URL set, the embedded demo database (the running one, else started for the import).
  const { config, embedded } = await databaseServerFor(process.env, say);
  const url = config.databaseUrl("police");
  if (!url) throw new Error("No database for the police subgraph: set POLICE_DATABASE_URL or DATABASE_URL");
  // As the migrator (importing is a privileged step, like the seed): migrated first if needed.
  const store = await openStore(police, url, { poolSize: 2, roles: config }).catch(async (error: Error) => {
    await embedded?.stop();
    throw error;
  });
  const started = Date.now();
  try {
    const report = await importPoliceUkFiles(store.sql, args);
    printTable(report);
    say(`Imported ${report.totals.files} file(s) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (report.files.some((f) => f.kind === "outcomes"))
      say(
        "Street files count incidents; outcome files count outcomes, and `waiting` their crimes not imported " +
          "yet, whose outcomes join them when their street file is.",
      );
    return 0;
  } catch (error) {
    if (!(error instanceof PoliceImportError)) throw error;
    printTable(error.report);
    process.stderr.write(`${error.message}\n`);
    process.stderr.write(
      error.report.files.length
        ? `Imported before the failure: ${error.report.files.map((f) => basename(f.file)).join(", ")}\n`
        : "No file was imported.\n",
    );
    return 1;
  } finally {
    await store.close();
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`import-police-uk: ${error.message}\n`);
    process.exit(1);
  },
);
