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
import type { MatchAudit, PeopleResolver } from "../../subgraphs/shared/ingest/run";

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
 * The agency's and the people index's stores as their ingest roles, after the privileged step
 * (migrations, role passwords) as the migrator, like every other writer that is not the seed.
 */
export async function openIngestStores(config: Config, agency: string): Promise<IngestStores> {
  const { store } = INGESTABLE[agency];
  const opened: SubgraphStore[] = [];
  try {
    for (const definition of [store, partnership]) {
      const url = config.databaseUrl(definition.name);
      if (!url)
        throw new Error(
          `No database for ${definition.name}: set ${definition.name.toUpperCase()}_DATABASE_URL or DATABASE_URL`,
        );
      await (await openStore(definition, url, { poolSize: 1, roles: config })).close();
      opened.push(
        await openServiceStore(definition, ingestDatabaseUrl(config, definition.name)!, { poolSize: 2 }),
      );
    }
  } catch (error) {
    await Promise.all(opened.map((s) => s.close()));
    throw error;
  }
  let audit: IngestStores["audit"];
  const governanceUrl = config.databaseUrl("governance");
  if (governanceUrl) {
    try {
      await (await openStore(governance, governanceUrl, { poolSize: 1, roles: config })).close();
      const sql = new Sql(new Pool({ connectionString: ingestDatabaseUrl(config, "governance")!, max: 1 }));
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
