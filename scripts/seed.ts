import "reflect-metadata";
import { dropDatabase } from "../subgraphs/shared/database";
import { SUBGRAPH_NAMES } from "../subgraphs/shared/config";
import { seedDemoPartnership } from "./lib/demo";
import { commandLine } from "./lib/command-line";
import { closeAllStores, databaseServerFor, openAllStores } from "./lib/stores";

const USAGE = `usage: npm run seed -- [--scale small|large] [--seed <n>] [--reset]

Loads the deterministic demo partnership (people, records of every agency, agreements, consents,
problem-solving cases) into every subgraph's database, migrating it first; a subgraph already
seeded is left as it is. With no database URL set, the embedded demo database.
  --scale  small (default, what npm start loads) or large (1M incidents, 100k people: benchmarks)
  --seed   the generator's seed (default 42): the same seed always builds the same partnership
  --reset  drop every subgraph database first`;
const say = (message: string) => process.stdout.write(`${message}\n`);

/** `npm run seed`: loads the deterministic demo partnership into every subgraph's database. */
async function main(): Promise<void> {
  const { values } = commandLine(USAGE, {
    options: {
      scale: { type: "string", default: "small" },
      seed: { type: "string", default: "42" },
      reset: { type: "boolean", default: false },
    },
  });
  if (values.scale !== "small" && values.scale !== "large")
    throw new Error(`--scale must be small or large\n${USAGE}`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer\n${USAGE}`);

  const { config, embedded } = await databaseServerFor(process.env, say);
  try {
    if (values.reset) {
      for (const name of SUBGRAPH_NAMES) await dropDatabase(config.databaseUrl(name)!);
      say("Dropped every subgraph database.");
    }
    const stores = await openAllStores(config);
    try {
      const started = Date.now();
      const { seeded } = await seedDemoPartnership(stores, { seed, scale: values.scale, log: say });
      if (!seeded.length) say("Every subgraph was already seeded; use --reset to start again.");
      else say(`Seeded in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    } finally {
      await closeAllStores(stores);
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
