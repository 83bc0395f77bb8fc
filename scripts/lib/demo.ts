import { join } from "node:path";
import { DEMO_SEEDERS } from "../../subgraphs";
import { importPoliceUkFiles } from "../../subgraphs/police/importer";
import type { Config, SubgraphName } from "../../subgraphs/shared/config";
import type { Sql } from "../../subgraphs/shared/database";
import type { DemoSeedOptions } from "../../subgraphs/shared/demo/seed";
import { DATA_DIR, demoPeople, type Scale } from "../../subgraphs/shared/demo/world";
import { closeAllStores, openAllStores, type Stores } from "./stores";

async function isSeeded(sql: Sql): Promise<boolean> {
  return (await sql.one("SELECT 1 AS seeded FROM demo_seed LIMIT 1")) !== undefined;
}

/**
 * Loads the demo partnership: the real police.uk months in data/, then every agency's
 * generated records, then the partnership index that links them. A subgraph already
 * seeded is left as it is, so a second start reuses the data.
 */
export async function seedDemoPartnership(
  stores: Stores,
  options: { seed: number; scale: Scale; log?: (message: string) => void },
): Promise<{ seeded: SubgraphName[] }> {
  const log = options.log ?? (() => undefined);
  const seeded: SubgraphName[] = [];
  const people = demoPeople(options.seed, options.scale);
  const shared: DemoSeedOptions = {
    seed: options.seed,
    scale: options.scale,
    people,
    linkable: {},
    reports: [],
  };
  for (const [name, seeder] of DEMO_SEEDERS) {
    const { sql } = stores[name];
    if (await isSeeded(sql)) continue;
    const started = Date.now();
    if (name === "police") {
      const report = await importPoliceUkFiles(sql, [join(DATA_DIR, "police-uk")]);
      log(`police: imported ${report.totals.rows} police.uk rows from data/police-uk`);
    }
    const result = await seeder(sql, shared);
    if (result?.linkable) {
      for (const [kind, ids] of Object.entries(result.linkable)) {
        const key = kind as keyof NonNullable<DemoSeedOptions["linkable"]>;
        shared.linkable![key] = [...(shared.linkable![key] ?? []), ...(ids ?? [])];
      }
    }
    // One by one: spreading the huge seed's reports into push() overflows the call stack.
    for (const report of result?.reports ?? []) shared.reports!.push(report);
    await sql.exec("INSERT INTO demo_seed (label) VALUES ($1) ON CONFLICT DO NOTHING", [
      `${options.scale}:${options.seed}`,
    ]);
    // Fresh statistics and visibility map, so plans and index-only scans are right from the start.
    await sql.exec("VACUUM ANALYZE");
    seeded.push(name);
    log(
      `${name}: demo data seeded (${options.scale}, seed ${options.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return { seeded };
}

/**
 * What `npm start` and the production trial do before serving: as the migrator, migrations (roles
 * included) and role passwords, then the demo data on the first run.
 */
export async function prepareDemoDatabases(config: Config, say: (message: string) => void): Promise<void> {
  const admin = await openAllStores(config);
  try {
    const { seeded } = await seedDemoPartnership(admin, {
      seed: config.SEED,
      scale: config.SEED_SCALE,
      log: say,
    });
    if (!seeded.length) say("Demo data already loaded: reusing it.");
  } finally {
    await closeAllStores(admin);
  }
}
