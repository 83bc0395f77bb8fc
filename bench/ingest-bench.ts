import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { INGESTABLE, openIngestStores, peopleResolver } from "../scripts/lib/ingest";
import { blockingKeys, normalise } from "../subgraphs/partnership/matching/normalise";
import {
  generatePopulation,
  POPULATION_AGENCIES,
  type ExportedIdentity,
  type Population,
  type PopulationAgency,
} from "../subgraphs/partnership/matching/population";
import {
  MatchingRepository,
  type MatchedWrite,
  type NewPerson,
} from "../subgraphs/partnership/matching/repository";
import { partnership } from "../subgraphs/partnership/server";
import { loadConfig, type Config } from "../subgraphs/shared/config";
import { dropDatabase, openStore, type Sql } from "../subgraphs/shared/database";
import { parseMapping } from "../subgraphs/shared/ingest/mapping";
import { ingestFiles, type IngestReport, type PeopleResolver } from "../subgraphs/shared/ingest/run";
import { serverCpuMs } from "./processes";
import { writeAgencyExport, type AgencyExport } from "./ingest-exports";

/**
 * The ingest benchmark (issue 20, "Measured, not assumed"): for each agency, its largest file of rows
 * about people, generated from a population with known truth, loaded through the path `npm run
 * ingest` takes (the example mapping, ingestFiles, the agency's and the people index's ingest roles,
 * the matcher) into fresh databases of its own, first as a new file and then again unchanged.
 */

export const INGEST_BENCH_SEED = 20;
const EXAMPLES = join(__dirname, "..", "examples", "ingest");

export interface IngestPhase {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Of `seconds`, the time in the people index's resolver (the matcher, its SQL included). */
  matchingSeconds: number;
  /** CPU of this process (parsing, validation, the matcher's scoring), user + system. */
  processCpuSeconds: number;
  /** CPU of the PostgreSQL server (its backends and background processes); null when not visible. */
  postgresCpuSeconds: number | null;
  totals: IngestReport["totals"];
}

export interface AgencyResult {
  agency: PopulationAgency;
  record: string;
  file: string;
  references: number;
  /** People the index held before the load (the other agencies' people of the population). */
  indexedPeople: number;
  first: IngestPhase;
  again: IngestPhase;
}

export interface IngestBenchOptions {
  /** The server (any database on it): the bench makes and drops its own databases there. */
  serverUrl: string;
  /** Rows of each agency's measured file. */
  rows: number;
  agencies?: readonly PopulationAgency[];
  /** Database names are `<prefix>_<agency>_<subgraph>`. */
  prefix?: string;
  /** Environment for the configuration (DATABASE_ROLE_SECRET: the roles are the server's). */
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

/**
 * The postmaster's pid, from a backend's parent, when the server runs on this machine (its
 * processes are in /proc); null otherwise.
 */
async function postmasterPid(sql: Sql): Promise<number | null> {
  const row = await sql.one<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  try {
    const stat = readFileSync(`/proc/${row!.pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/**
 * The index as a perfect matcher would have left it after the other agencies' loads: one person per
 * true person, each other agency's reference linked to them with its identity and blocking keys.
 * Written directly (the matcher's own writer), so that preparing it costs seconds, not another load.
 */
async function fillIndex(sql: Sql, population: Population, agency: PopulationAgency): Promise<number> {
  const made = new Set<string>();
  const at = new Date();
  for (const other of POPULATION_AGENCIES.filter((a) => a !== agency)) {
    const exported = population.exports[other];
    for (let i = 0; i < exported.length; i += 5000) {
      const chunk: ExportedIdentity[] = exported.slice(i, i + 5000);
      const people: NewPerson[] = [];
      const matched: MatchedWrite[] = chunk.map((p) => {
        const normalised = normalise(p);
        const keys = blockingKeys(normalised);
        const personId = `per-bench-${p.truePersonId}`;
        if (!made.has(personId)) {
          made.add(personId);
          people.push({
            id: personId,
            givenName: p.givenName ?? "Unknown",
            familyName: p.familyName ?? "Unknown",
            dateOfBirth: keys.dateOfBirth,
          });
        }
        return {
          reference: p.reference,
          personId,
          givenName: p.givenName,
          familyName: p.familyName,
          dateOfBirth: keys.dateOfBirth,
          postcode: normalised.postcode,
          uprn: normalised.uprn,
          keys,
          // Not the matcher's work: the index's own, as the seed's references are.
          method: "INDEXED",
          score: null,
          agreements: {},
        };
      });
      await sql.transaction((tx) =>
        new MatchingRepository(tx).write(
          other,
          at,
          people,
          chunk.map((p) => ({ reference: p.reference, personId: `per-bench-${p.truePersonId}` })),
          matched,
          [],
        ),
      );
    }
  }
  return made.size;
}

/** Process CPU so far, in ms. */
const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function measure(
  run: (resolvePeople: PeopleResolver) => Promise<IngestReport>,
  postmaster: number | null,
): Promise<IngestPhase> {
  let matching = 0n;
  const timed: PeopleResolver = async (...args) => {
    const at = process.hrtime.bigint();
    try {
      return await peopleResolver(...args);
    } finally {
      matching += process.hrtime.bigint() - at;
    }
  };
  const cpu = processCpuMs();
  const pg = postmaster === null ? null : serverCpuMs(postmaster);
  const started = process.hrtime.bigint();
  const report = await run(timed);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const pgAfter = postmaster === null ? null : serverCpuMs(postmaster);
  return {
    rows: report.totals.rows,
    seconds,
    rowsPerSecond: report.totals.rows / seconds,
    matchingSeconds: Number(matching) / 1e9,
    processCpuSeconds: (processCpuMs() - cpu) / 1000,
    postgresCpuSeconds: pg === null || pgAfter === null ? null : (pgAfter - pg) / 1000,
    totals: report.totals,
  };
}

async function benchAgency(
  agency: PopulationAgency,
  population: Population,
  options: Required<Pick<IngestBenchOptions, "serverUrl" | "rows" | "prefix" | "env" | "log">>,
): Promise<AgencyResult> {
  const { log } = options;
  const config: Config = loadConfig({
    ...options.env,
    DATABASE_URL: options.serverUrl,
    DATABASE_PREFIX: `${options.prefix}_${agency}`,
  });
  const { ingest } = INGESTABLE[agency];
  // Governance too: the matcher's links are audited there, as `npm run ingest` audits them.
  const urls = [
    config.databaseUrl(INGESTABLE[agency].store.name)!,
    config.databaseUrl("partnership")!,
    config.databaseUrl("governance")!,
  ];
  const dir = mkdtempSync(join(tmpdir(), `ingest-bench-${agency}-`));
  try {
    // Fresh databases: anything a crashed earlier run left under these names goes first.
    for (const url of urls) await dropDatabase(url);
    const exported: AgencyExport = writeAgencyExport(
      agency,
      population,
      options.rows,
      dir,
      INGEST_BENCH_SEED,
    );
    const admin = await openStore(partnership, urls[1], { poolSize: 2, roles: config });
    let indexedPeople: number;
    try {
      indexedPeople = await fillIndex(admin.sql, population, agency);
      await admin.sql.exec("ANALYZE");
    } finally {
      await admin.close();
    }
    const stores = await openIngestStores(config, agency);
    try {
      const mapping = parseMapping(
        readFileSync(join(EXAMPLES, agency, "mapping.json"), "utf8"),
        `examples/ingest/${agency}/mapping.json`,
        ingest,
      );
      const load = (files: string[], resolvePeople: PeopleResolver = peopleResolver) =>
        ingestFiles({
          ingest,
          mapping,
          files,
          agencySql: stores.agency.sql,
          peopleSql: stores.people.sql,
          resolvePeople,
          auditMatches: stores.audit?.append,
          importedBy: "ingest-bench",
        });
      await load(exported.parents);
      // Planner statistics for the parents' tables, as a database in use has them.
      await stores.agency.sql.exec("ANALYZE").catch(() => undefined);
      const postmaster = await postmasterPid(stores.agency.sql);
      log(
        `${agency}: ${exported.rows} ${exported.record} rows (${exported.references} people), ${indexedPeople} people already in the index`,
      );
      const first = await measure((resolve) => load([exported.file], resolve), postmaster);
      const again = await measure((resolve) => load([exported.file], resolve), postmaster);
      return {
        agency,
        record: exported.record,
        file: exported.file.slice(dir.length + 1),
        references: exported.references,
        indexedPeople,
        first,
        again,
      };
    } finally {
      await stores.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const url of urls) await dropDatabase(url).catch(() => undefined);
    await dropRoles(options.serverUrl, `${options.prefix}_${agency}_`).catch(() => undefined);
  }
}

/** The login roles the migrations made for the bench's databases (roles outlive a dropped database). */
async function dropRoles(serverUrl: string, prefix: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT rolname AS name FROM pg_roles WHERE starts_with(rolname, $1)",
      [prefix],
    );
    for (const { name } of rows) await client.query(`DROP ROLE IF EXISTS "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Runs the benchmark for each agency in turn, each on databases of its own, dropped after. */
export async function runIngestBench(options: IngestBenchOptions): Promise<AgencyResult[]> {
  const settings = {
    serverUrl: options.serverUrl,
    rows: options.rows,
    prefix: options.prefix ?? "ingest_bench",
    env: options.env ?? process.env,
    log: options.log ?? (() => undefined),
  };
  // One population for all: sized so each agency's file finds about half its rows' people new.
  const population = generatePopulation(INGEST_BENCH_SEED, Math.max(40, options.rows));
  const results: AgencyResult[] = [];
  for (const agency of options.agencies ?? POPULATION_AGENCIES)
    results.push(await benchAgency(agency, population, settings));
  return results;
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);

/** The results as a Markdown table (the README's). */
export function ingestBenchTable(results: readonly AgencyResult[]): string {
  const cpu = (p: IngestPhase) =>
    `${fixed(p.processCpuSeconds, 1)} / ${p.postgresCpuSeconds === null ? "n/a" : fixed(p.postgresCpuSeconds, 1)}`;
  const time = (p: IngestPhase) => `${fixed(p.seconds, 1)} (${fixed(p.matchingSeconds, 1)})`;
  const lines = [
    "| agency: file (record) | rows | people: linked / review / new | first load: rows/s | s (matching) | CPU s: node / PostgreSQL | re-import: rows/s | s (matching) | CPU s: node / PostgreSQL |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const r of results) {
    const t = r.first.totals;
    lines.push(
      `| ${r.agency}: ${r.file} (${r.record}) | ${r.first.rows} | ${t.peopleLinked} / ${t.peopleQueuedForReview} / ${t.peopleNew} | ` +
        `${fixed(r.first.rowsPerSecond)} | ${time(r.first)} | ${cpu(r.first)} | ` +
        `${fixed(r.again.rowsPerSecond)} | ${time(r.again)} | ${cpu(r.again)} |`,
    );
  }
  return lines.join("\n");
}
