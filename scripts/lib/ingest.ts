import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { Client, Pool } from "pg";
import { councilIngest } from "../../subgraphs/council/ingest";
import { council } from "../../subgraphs/council/server";
import { housingIngest } from "../../subgraphs/housing/ingest";
import { housing } from "../../subgraphs/housing/server";
import { policeIngest } from "../../subgraphs/police/ingest";
import { police } from "../../subgraphs/police/server";
import { youthIngest } from "../../subgraphs/youth/ingest";
import { youth } from "../../subgraphs/youth/server";
import { resolvePeople } from "../../subgraphs/partnership/people-index";
import { partnership } from "../../subgraphs/partnership/server";
import type { Config, SubgraphName } from "../../subgraphs/shared/config";
import { governance } from "../../subgraphs/governance/server";
import { appendAuditChecked } from "../../subgraphs/shared/access/governance-sql";
import {
  openServiceStore,
  openStore,
  Sql,
  type StoreDefinition,
  type SubgraphStore,
} from "../../subgraphs/shared/database";
import { ingestDatabaseUrl } from "../../subgraphs/shared/database-roles";
import type { AgencyIngest } from "../../subgraphs/shared/ingest/kinds";
import { MappingError, parseMapping, type Mapping } from "../../subgraphs/shared/ingest/mapping";
import type { Progress } from "../../subgraphs/shared/ingest/progress";
import {
  IngestError,
  ingestFiles,
  type IngestReport,
  type MatchAudit,
  type PeopleResolver,
} from "../../subgraphs/shared/ingest/run";

/** The agencies whose exports `npm run ingest` loads: their store and their record kinds. */
export const INGESTABLE: Record<
  string,
  { store: StoreDefinition & { name: SubgraphName }; ingest: AgencyIngest }
> = {
  police: { store: police, ingest: policeIngest },
  council: { store: council, ingest: councilIngest },
  youth: { store: youth, ingest: youthIngest },
  housing: { store: housing, ingest: housingIngest },
};

export const peopleResolver: PeopleResolver = resolvePeople;

/** The agencies registered in governance, in id order (an import is for one of them only). */
export async function registeredAgencies(config: Config): Promise<string[]> {
  const url = config.databaseUrl("governance");
  if (!url) throw new Error("No governance database: set GOVERNANCE_DATABASE_URL or DATABASE_URL");
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM agencies ORDER BY id`);
    return rows.map((r) => r.id);
  } catch (error) {
    if ((error as { code?: string }).code === "42P01") return [];
    throw error;
  } finally {
    await client.end();
  }
}

export interface IngestStores {
  agency: SubgraphStore;
  people: SubgraphStore;
  /**
   * Governance as its ingest login, which may append the matcher's links and queued reviews to the
   * audit chain and nothing else; absent without a governance database, when a file that would link
   * or queue anyone is refused.
   */
  audit?: { sql: Sql; append: MatchAudit };
  close(): Promise<void>;
}

/**
 * The agency's and the people index's stores as their ingest roles. `migrate` (the command): first
 * the privileged step (migrations, role passwords) as the migrator, like every other writer that is
 * not the seed. The ingest service does not migrate: it holds the ingest roles' logins only.
 */
export async function openIngestStores(
  config: Config,
  agency: string,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<IngestStores> {
  const { store } = INGESTABLE[agency];
  const opened: SubgraphStore[] = [];
  try {
    for (const definition of [store, partnership]) {
      const ingestUrl = ingestDatabaseUrl(config, definition.name);
      if (options.migrate !== false) {
        const url = config.databaseUrl(definition.name);
        if (!url)
          throw new Error(
            `No database for ${definition.name}: set ${definition.name.toUpperCase()}_DATABASE_URL or DATABASE_URL`,
          );
        await (await openStore(definition, url, { poolSize: 1, roles: config })).close();
      }
      if (!ingestUrl)
        throw new Error(
          `No database for ${definition.name}: set ${definition.name.toUpperCase()}_INGEST_DATABASE_URL or DATABASE_URL`,
        );
      opened.push(await openServiceStore(definition, ingestUrl, { poolSize: options.poolSize ?? 2 }));
    }
  } catch (error) {
    await Promise.all(opened.map((s) => s.close()));
    throw error;
  }
  let audit: IngestStores["audit"];
  const governanceUrl = config.databaseUrl("governance");
  const auditUrl = ingestDatabaseUrl(config, "governance");
  if (auditUrl) {
    try {
      if (options.migrate !== false && governanceUrl)
        await (await openStore(governance, governanceUrl, { poolSize: 1, roles: config })).close();
      const sql = new Sql(new Pool({ connectionString: auditUrl, max: 1 }));
      audit = {
        sql,
        append: async (records) => {
          if (!(await appendAuditChecked(sql, records, null)))
            throw new Error("the audit records of the matcher's links could not be written");
        },
      };
    } catch (error) {
      await Promise.all(opened.map((s) => s.close()));
      throw error;
    }
  }
  return {
    agency: opened[0],
    people: opened[1],
    audit,
    close: async () => void (await Promise.all([...opened.map((s) => s.close()), audit?.sql.pool.end()])),
  };
}

/** Reads and checks a mapping file for an agency's record kinds (MappingError lists every problem). */
export function readMapping(file: string, name: string, ingest: AgencyIngest): Mapping {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new MappingError(name, ["no such file"]);
    throw error;
  }
  return parseMapping(text, name, ingest);
}

/** What one run is: the same for the command and the ingest service. */
export interface ImportRun {
  agency: string;
  mapping: Mapping;
  files: string[];
  stores: IngestStores;
  importedBy: string;
  dryRun: boolean;
  collectRejects: boolean;
  progress?: Progress;
}

/**
 * One import through `ingestFiles` with the people index's resolver: the report, and `failure`
 * (what the command prints) when a file was refused and the run stopped there.
 */
export async function runImport(run: ImportRun): Promise<{ report: IngestReport; failure: string | null }> {
  try {
    const report = await ingestFiles({
      ingest: INGESTABLE[run.agency].ingest,
      mapping: run.mapping,
      files: run.files,
      agencySql: run.stores.agency.sql,
      peopleSql: run.stores.people.sql,
      resolvePeople: peopleResolver,
      auditMatches: run.stores.audit?.append,
      importedBy: run.importedBy,
      dryRun: run.dryRun,
      collectRejects: run.collectRejects,
      progress: run.progress,
    });
    return { report, failure: null };
  } catch (error) {
    if (!(error instanceof IngestError)) throw error;
    return { report: error.report, failure: error.message };
  }
}

/** A mapping's name in the ingest service: a file name's stem, nothing that could leave its folder. */
export const MAPPING_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Agency → mapping name → mapping, as the ingest service serves them. */
export type ServedMappings = Map<string, Map<string, Mapping>>;

/**
 * The ingest service's mappings, `<dir>/<agency>/<name>.json`, every one read and checked at once:
 * those that serve, and every problem (an agency that cannot be loaded, a bad name, a bad mapping).
 */
export function readMappingsDir(dir: string): { served: ServedMappings; problems: string[] } {
  const problems: string[] = [];
  const served: ServedMappings = new Map();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { served, problems: ["no such folder"] };
  for (const agency of readdirSync(dir).sort()) {
    const folder = join(dir, agency);
    if (!statSync(folder).isDirectory()) continue;
    const target = INGESTABLE[agency];
    if (!target) {
      problems.push(
        `${agency}/: not an agency whose records can be loaded (loadable: ${Object.keys(INGESTABLE).join(", ")})`,
      );
      continue;
    }
    const mappings = new Map<string, Mapping>();
    for (const file of readdirSync(folder).sort()) {
      if (!file.endsWith(".json")) continue;
      const name = basename(file, ".json");
      if (!MAPPING_NAME.test(name)) {
        problems.push(`${agency}/${file}: a mapping's name is letters, digits, "-" and "_"`);
        continue;
      }
      try {
        mappings.set(name, readMapping(join(folder, file), `${agency}/${file}`, target.ingest));
      } catch (error) {
        if (!(error instanceof MappingError)) throw error;
        problems.push(...error.problems.map((p) => `${agency}/${file}: ${p}`));
      }
    }
    if (mappings.size) served.set(agency, mappings);
    else problems.push(`${agency}/: no mapping (<name>.json)`);
  }
  if (!served.size && !problems.length)
    problems.push("no agency's folder of mappings (<agency>/<name>.json)");
  return { served, problems };
}
