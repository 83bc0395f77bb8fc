import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { councilHoldings } from "../../subgraphs/council/repository";
import { housingHoldings } from "../../subgraphs/housing/repository";
import { policeHoldings } from "../../subgraphs/police/repository";
import { resolvePeople } from "../../subgraphs/partnership/people-index";
import { partnership } from "../../subgraphs/partnership/server";
import type { Config, SubgraphName } from "../../subgraphs/shared/config";
import type { Holdings } from "../../subgraphs/shared/data-protection";
import { openServiceStore, openStore, type Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import { serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { beginPrepare, discardErasure } from "../../subgraphs/shared/erasure";
import { parseMapping, type Mapping } from "../../subgraphs/shared/ingest/mapping";
import { ingestFiles, type IngestOptions, type IngestReport } from "../../subgraphs/shared/ingest/run";
import { youthHoldings } from "../../subgraphs/youth/repository";
import { INGESTABLE, openIngestStores, type IngestStores } from "../../scripts/lib/ingest";
import { uniqueDatabaseUrl } from "./database";
import { testConfig } from "./graphql";

/**
 * The ingestion tests' harness: one agency's export (examples/ingest/<agency>) imported into fresh
 * databases as `npm run ingest` imports it, and what those tests look at afterwards.
 *
 *   const imports = agencyImports("council", { label: "ingest_council", tables: ["asb_cases"] });
 *   const report = await imports.run([imports.example("asb-cases-2024-06.csv")]);
 *   expect(await imports.snapshot()).toBe(before);
 */

export type IngestAgency = "police" | "council" | "youth" | "housing";

const ROOT = join(__dirname, "..", "..");

const HOLDINGS: Record<IngestAgency, Holdings> = {
  police: policeHoldings,
  council: councilHoldings,
  youth: youthHoldings,
  housing: housingHoldings,
};

export interface AgencyImportsOptions {
  /** Names the fresh databases: `<label>`, `<label>_people` and (with `governance`) `<label>_gov`. */
  label: string;
  /** The agency's tables `snapshot()` covers (`monthly_counts` only in its non-empty cells). */
  tables?: string[];
  /** The people index's tables `snapshot()` covers (by default people and person_references). */
  peopleTables?: string[];
  /** A governance database too (where `npm run ingest` finds the registered agencies); empty. */
  governance?: boolean;
  /** Also open the agency's store as its service role, which erases and expires records. */
  service?: boolean;
  /** Databases of others to import into instead of fresh ones (a started subgraph's), read in beforeAll. */
  databases?: () => Partial<Record<"partnership" | "governance", string>>;
  /** Who the imports are recorded as run by (by default test.dso). */
  importedBy?: string;
}

export interface AgencyImports<A extends IngestAgency> {
  /** The mapping of the agency's example export. */
  readonly mapping: Mapping;
  /** A file of the agency's example export (examples/ingest/<agency>/<name>). */
  example(name: string): string;
  /** Every data file (CSV, JSON Lines) of the example export, in name order. */
  exampleFiles(): string[];
  /** A record's key as stored: the mapping's source, then the export's own key. */
  key(sourceKey: string): string;
  /** The databases, by subgraph (filled in beforeAll; the object stays the same). */
  readonly urls: Record<A | "partnership", string> & { governance?: string };
  /**
   * Each database as the migrator, for tests to read and arrange (filled in beforeAll; the object
   * stays the same, so it may be destructured). The agency's has two connections: a test may hold
   * one in a transaction, as a lock, and read with the other.
   */
  readonly admin: Record<A | "partnership", SubgraphStore>;
  /** After beforeAll: the configuration naming the test's databases. */
  readonly config: Config;
  /** After beforeAll: the stores as the ingest roles, which the imports write through. */
  readonly stores: IngestStores;
  /** After beforeAll, with `service`: the agency's store as its service role. */
  readonly service: SubgraphStore;
  /** `files` imported with the example's mapping, as `npm run ingest` imports them. */
  run(files: string[], more?: Partial<IngestOptions>): Promise<IngestReport>;
  /** Count and digest of every row of `tables` and `peopleTables`: equal means nothing changed. */
  snapshot(): Promise<string>;
  /** A path in the test's own folder (removed in afterAll), for a file a test or the CLI writes. */
  inFolder(name: string): string;
  /** A file in the test's own folder under `name`, holding `text`. */
  exportFile(name: string, text: string): string;
  /** A copy of `file` (a path, or a name in the example export) under `name`, with `edit` applied. */
  variant(file: string, name: string, edit: (text: string) => string): string;
  /** `npm run ingest` itself, as its own process, on the test's databases. */
  cli(args: string[]): Promise<IngestCommandResult>;
  /** The person the record with that export key is about (`table` has a person_id). */
  personOf(table: string, sourceKey: string): Promise<string>;
  /** Erasure's first phase in the agency's store, as its subgraph runs it for governance. */
  prepareErasure(personId: string): Promise<{ erasureId: string; records: number }>;
  /** Both phases of an erasure of the person: what it took is gone, and stays gone. */
  erase(personId: string): Promise<void>;
}

/**
 * One agency's imports under test. Call it in a test file or a describe block: it opens the
 * databases (migrated, with their roles) in beforeAll and closes them, and the folder of files a
 * test writes, in afterAll.
 */
export function agencyImports<A extends IngestAgency>(
  agency: A,
  options: AgencyImportsOptions,
): AgencyImports<A> {
  const folder = join(ROOT, "examples", "ingest", agency);
  const example = (name: string) => join(folder, name);
  const { ingest } = INGESTABLE[agency];
  const mapping = parseMapping(readFileSync(example("mapping.json"), "utf8"), "mapping.json", ingest);
  const urls = {} as Record<A | "partnership", string> & { governance?: string };
  const admin = {} as Record<A | "partnership", SubgraphStore>;
  let config: Config | undefined;
  let stores: IngestStores | undefined;
  let service: SubgraphStore | undefined;
  let dir: string | undefined;
  const opened = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`agencyImports("${agency}"): no ${what} (before beforeAll?)`);
    return value;
  };

  beforeAll(async () => {
    const theirs = options.databases?.() ?? {};
    Object.assign(urls, {
      [agency]: uniqueDatabaseUrl(options.label),
      partnership: theirs.partnership ?? uniqueDatabaseUrl(`${options.label}_people`),
    });
    const governance =
      theirs.governance ?? (options.governance ? uniqueDatabaseUrl(`${options.label}_gov`) : undefined);
    if (governance) urls.governance = governance;
    config = testConfig(databaseVariables(urls));
    stores = await openIngestStores(config, agency);
    Object.assign(admin, {
      [agency]: await openStore(INGESTABLE[agency].store, urls[agency], { poolSize: 2, migrate: false }),
      partnership: await openStore(partnership, urls.partnership, { poolSize: 1, migrate: false }),
    });
    if (options.service)
      service = await openServiceStore(INGESTABLE[agency].store, serviceDatabaseUrl(config, agency)!, {
        poolSize: 1,
      });
    dir = mkdtempSync(join(tmpdir(), `${options.label.replace(/_/g, "-")}-`));
  }, 60_000);

  afterAll(async () => {
    await stores?.close();
    await service?.close();
    await Promise.all(Object.values<SubgraphStore>(admin).map((s) => s.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const inFolder = (name: string) => join(opened("folder", dir), name);
  const exportFile = (name: string, text: string) => {
    const path = inFolder(name);
    writeFileSync(path, text);
    return path;
  };

  const self: AgencyImports<A> = {
    mapping,
    example,
    exampleFiles: () =>
      readdirSync(folder)
        .filter((f) => /\.(csv|jsonl)$/.test(f))
        .sort()
        .map(example),
    key: (sourceKey) => `${mapping.source}:${sourceKey}`,
    urls,
    admin,
    get config() {
      return opened("configuration", config);
    },
    get stores() {
      return opened("ingest stores", stores);
    },
    get service() {
      return opened("service store (option service)", service);
    },
    run: (files, more = {}) =>
      ingestFiles({
        ingest,
        mapping,
        files,
        agencySql: self.stores.agency.sql,
        peopleSql: self.stores.people.sql,
        resolvePeople,
        auditMatches: self.stores.audit?.append,
        importedBy: options.importedBy ?? "test.dso",
        ...more,
      }),
    snapshot: async () =>
      JSON.stringify([
        ...(await Promise.all((options.tables ?? []).map((t) => tableDigest(admin[agency].sql, t)))),
        ...(await Promise.all(
          (options.peopleTables ?? ["people", "person_references"]).map((t) =>
            tableDigest(admin.partnership.sql, t),
          ),
        )),
      ]),
    inFolder,
    exportFile,
    variant: (file, name, edit) =>
      exportFile(name, edit(readFileSync(isAbsolute(file) ? file : example(file), "utf8"))),
    cli: (args) => runIngestCommand(args, urls),
    personOf: async (table, sourceKey) =>
      (await admin[agency].sql.one<{ person_id: string }>(
        `SELECT person_id FROM ${table} WHERE source_key = $1`,
        [self.key(sourceKey)],
      ))!.person_id,
    async prepareErasure(personId) {
      const erasureId = `erasure-${randomUUID()}`;
      const holdings = HOLDINGS[agency];
      const records = (await holdings.about(self.service.sql, personId)).map((r) => ({
        kind: r.kind,
        id: r.id,
      }));
      await self.service.sql.transaction(async (tx) => {
        await beginPrepare(tx, erasureId);
        await holdings.eraseAbout(tx, erasureId, personId, records);
      });
      return { erasureId, records: records.length };
    },
    async erase(personId) {
      const { erasureId } = await self.prepareErasure(personId);
      await self.service.sql.transaction((tx) => discardErasure(tx, erasureId));
    },
  };
  return self;
}

/**
 * A table's row count and the md5 of all its rows in one order. Of `monthly_counts` only the
 * non-empty cells: a cell emptied by a move is kept at zero records, as good as absent (as
 * rollupDifferences agrees).
 */
export async function tableDigest(sql: Sql, table: string): Promise<{ n: string; md5: string | null }> {
  const where = table === "monthly_counts" ? " WHERE records <> 0" : "";
  return (await sql.one<{ md5: string | null; n: string }>(
    `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${table} t${where}`,
  ))!;
}

/** Today's date as an import's refusal names it ("erased on 2026-12-06"). */
export const today = () => new Date().toISOString().slice(0, 10);

/** An import's rows skipped as forgotten (erased, deleted under retention), one line each: `file:line: reason`. */
export const forgottenOf = (report: Pick<IngestReport, "forgotten">) =>
  report.forgotten.map((f) => `${f.file}:${f.line}: ${f.reason}`);

/** An import's rejected rows, one line each: `file:line: reason`. */
export const rejectedOf = (report: Pick<IngestReport, "rejected">) =>
  report.rejected.map((r) => `${r.file}:${r.line}: ${r.reason}`);

export interface IngestCommandResult {
  code: number | null;
  out: string;
  err: string;
}

/** The environment naming these databases, as `npm run ingest` reads it: POLICE_DATABASE_URL, ... */
function databaseVariables(databases: Partial<Record<SubgraphName, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(databases).map(([name, url]) => [`${name.toUpperCase()}_DATABASE_URL`, url!]),
  );
}

/** `npm run ingest` (scripts/ingest.ts) started as its own process on these databases. */
export function startIngestCommand(
  args: string[],
  databases: Partial<Record<SubgraphName, string>>,
  stdio: StdioOptions = ["ignore", "pipe", "pipe"],
): ChildProcess {
  return spawn("node", ["-r", "@swc-node/register", "scripts/ingest.ts", ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...databaseVariables(databases),
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
    },
    stdio,
  });
}

/** `npm run ingest` run to its end on these databases: its exit code and what it wrote. */
export function runIngestCommand(
  args: string[],
  databases: Partial<Record<SubgraphName, string>>,
): Promise<IngestCommandResult> {
  return new Promise((resolve) => {
    const child = startIngestCommand(args, databases);
    let out = "";
    let err = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}
