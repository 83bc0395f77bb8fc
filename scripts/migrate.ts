import "reflect-metadata";
import { JOB_POOL_SIZE } from "../subgraphs/shared/connection-budget";
import { commandLine } from "./lib/command-line";
import { closeAllStores, databaseServerFor, openAllStores } from "./lib/stores";

const say = (message: string) => process.stdout.write(`${message}\n`);

/**
 * `npm run migrate`: the privileged step, run before the services start (a one-shot job in a
 * deployment): creates each subgraph's database if needed, migrates it (its roles and grants
 * included) and sets its login roles' passwords. Needs the migrator's DATABASE_URL (or the
 * <NAME>_DATABASE_URLs); the services then connect with their own roles.
 */
const USAGE = `usage: npm run migrate

The privileged step before the services start: creates each subgraph's database if needed,
migrates it (its roles and grants included) and sets its login roles' passwords. Connects with
DATABASE_URL (or every <NAME>_DATABASE_URL); with none set, the embedded demo database.`;

async function main(): Promise<void> {
  commandLine(USAGE);
  const { config, embedded } = await databaseServerFor(process.env, say);
  try {
    // One connection per database: migrations run one after another (its share of the budget).
    const stores = await openAllStores(config, { poolSize: JOB_POOL_SIZE.migrate });
    await closeAllStores(stores);
    say("Every subgraph database is migrated and its roles are ready.");
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`migrate: ${error.message}\n`);
  process.exit(1);
});
