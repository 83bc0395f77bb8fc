import "reflect-metadata";
import { ROLLUP_OWNERS, checkRollups, rebuildRollups } from "./lib/rollups";
import { commandLine } from "./lib/command-line";
import { closeAllStores, databaseServerFor, openStores } from "./lib/stores";

const USAGE = `usage: npm run rollups -- --check | --rebuild

The monthly rollups every statistic is counted from (monthly_counts in the police, council,
youth and housing databases: records and record-key sums per neighbourhood, month and kind).
Triggers keep them exact with every write; this command verifies or remakes them. Connects as the
migrator (the admin database URL), migrating first; with no database URL set, the embedded demo
database.
  --check    compare every rollup cell with the raw rows; exits 1 naming each cell that differs
  --rebuild  make every rollup again from the raw rows, one transaction per owner (writes to the
             counted table wait until it is done)`;
const say = (message: string) => process.stdout.write(`${message}\n`);

/** `npm run rollups`: checks or rebuilds the statistics rollups. */
async function main(): Promise<number> {
  const { values } = commandLine(USAGE, {
    options: {
      check: { type: "boolean", default: false },
      rebuild: { type: "boolean", default: false },
    },
  });
  if (values.check === values.rebuild) {
    process.stderr.write(`give one of --check or --rebuild\n${USAGE}\n`);
    return 2;
  }
  const { config, embedded } = await databaseServerFor(process.env, say, { mustExist: true });
  try {
    const stores = await openStores(config, ROLLUP_OWNERS);
    try {
      if (values.rebuild) {
        await rebuildRollups(stores, say);
        return 0;
      }
      const differing = await checkRollups(stores, say);
      if (differing)
        say(`${differing} rollup cell(s) differ from the raw rows: npm run rollups -- --rebuild`);
      return differing ? 1 : 0;
    } finally {
      await closeAllStores(stores);
    }
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`rollups: ${error.message}\n`);
    process.exit(1);
  },
);
