import { SUBGRAPHS } from "../../subgraphs";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import { uniqueDatabaseUrl } from "../support/database";

/**
 * Each table is declared once: the migrations make it, and the TypeORM entities are checked
 * against what they made. After migrating a fresh database, TypeORM's own schema diff
 * (what `synchronize` would run) must find nothing to change in tables, columns (type,
 * nullability, default), primary keys or unique constraints, and every table has its entity.
 *
 * What only the migrations declare is not drift: CHECK constraints and foreign keys (PostgreSQL's
 * default names, `_check`, `_fkey`), indexes made for the queries, and comments.
 */
const MIGRATIONS_ONLY = [
  /^ALTER TABLE "\w+" DROP CONSTRAINT "\w+_(check\d*|fkey)"$/,
  /^DROP INDEX "public"\."\w+"$/,
  /^COMMENT ON TABLE "\w+" IS NULL$/,
  // TypeORM strips the casts from a default it reads back, so one with a cast always "differs":
  // record_key's default is RECORD_KEY_COLUMN's (shared/record-key.ts), used by every migration.
  /^ALTER TABLE "\w+" ALTER COLUMN "record_key" SET DEFAULT trunc\(random\(\)::numeric, 9\)$/,
];

const stores: Partial<Record<SubgraphName, SubgraphStore>> = {};
afterAll(() => Promise.all(Object.values(stores).map((s) => s.close())));

describe.each(SUBGRAPH_NAMES.map((name) => [name]))("%s", (name) => {
  let store: SubgraphStore;
  beforeAll(async () => {
    store = stores[name] = await openStore(SUBGRAPHS[name], uniqueDatabaseUrl(`drift_${name}`), {
      poolSize: 1,
    });
  });

  it("TypeORM's schema diff after migrating finds no drift from the entities", async () => {
    const diff = await store.dataSource.driver.createSchemaBuilder().log();
    const drift = diff.upQueries
      .map((q) => q.query.trim())
      .filter((query) => !MIGRATIONS_ONLY.some((allowed) => allowed.test(query)));
    expect(drift).toEqual([]);
  });

  it("every table the migrations made has its entity, and every entity its table", async () => {
    const tables = await store.sql.many<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY 1`,
    );
    const entities = store.dataSource.entityMetadatas.map((m) => m.tableName).sort();
    expect(entities).toEqual(tables.map((t) => t.name));
  });
});
