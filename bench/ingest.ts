import "reflect-metadata";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres, type EmbeddedServer } from "../scripts/lib/embedded-postgres";
import { commandLine } from "../scripts/lib/command-line";
import { POPULATION_AGENCIES, type PopulationAgency } from "../subgraphs/partnership/matching/population";
import { ingestBenchTable, runIngestBench } from "./ingest-bench";

/** Rows of each agency's file by default: 10-30 s a load on a 2-core machine. */
const DEFAULT_ROWS = 25_000;
/** The bench's own cluster: beside `npm run bench`'s (54400), never the demo's or a test server. */
const PG_DIR = join(__dirname, ".cache", "ingest-postgres");
const PG_PORT = 54410;

const USAGE = `usage: npm run bench:ingest -- [--rows <n>] [--agency <id>]...

Ingest throughput (README, "Loading your own data"): for each agency its largest file of rows about
people (police involved people, council ASB parties, housing household members, youth enrolments),
generated from a population with known truth and loaded through npm run ingest's path (the example
mapping, the ingest roles, the matcher) into fresh databases of its own, dropped after: once new,
then again unchanged. Prints rows per second and the CPU seconds of this process and of PostgreSQL.
  --rows <n>      rows of each agency's file (default ${DEFAULT_ROWS})
  --agency <id>   only this agency (${POPULATION_AGENCIES.join(", ")}); may be repeated
Database: DATABASE_URL (a server; the bench makes and drops databases and roles named
<DATABASE_PREFIX, default ingest_bench>_<agency>_*), else its own embedded PostgreSQL in
bench/.cache/ingest-postgres on port ${PG_PORT}.`;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: { rows: { type: "string" }, agency: { type: "string", multiple: true } },
  });
  const rows = values.rows === undefined ? DEFAULT_ROWS : Number(values.rows);
  if (!Number.isInteger(rows) || rows < 10) {
    process.stderr.write(`--rows must be a whole number, at least 10\n${USAGE}\n`);
    return 2;
  }
  const agencies = (values.agency ?? [...POPULATION_AGENCIES]) as PopulationAgency[];
  const unknown = agencies.filter((a) => !POPULATION_AGENCIES.includes(a));
  if (unknown.length) {
    process.stderr.write(`unknown agency: ${unknown.join(", ")}\n${USAGE}\n`);
    return 2;
  }
  let embedded: EmbeddedServer | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    say(`No DATABASE_URL: embedded PostgreSQL in ${PG_DIR} on port ${PG_PORT}`);
    embedded = await startEmbeddedPostgres({ dir: PG_DIR, port: PG_PORT });
    serverUrl = embedded.url;
  }
  try {
    say(
      `${new Date().toISOString()}: ${rows} rows an agency; ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    const results = await runIngestBench({
      serverUrl,
      rows,
      agencies,
      prefix: process.env.DATABASE_PREFIX ?? "ingest_bench",
      log: say,
    });
    say("");
    say(ingestBenchTable(results));
    say(
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    return 0;
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`bench:ingest: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
