import "reflect-metadata";
import { loadConfig, SUBGRAPH_NAMES } from "../subgraphs/shared/config";
import { serviceDatabaseUrl } from "../subgraphs/shared/database-roles";
import { JOB_POOL_SIZE } from "../subgraphs/shared/connection-budget";
import { commandLine } from "./lib/command-line";
import { runRetention } from "./lib/retention";
import { closeServiceStores, databaseServerFor, openServiceStores } from "./lib/stores";

const USAGE = `usage: npm run retention -- [--dry-run] [--batch-size <n>]

Applies every agency's retention rules: the records whose period has run out (a legal hold keeps
a person's records out) are deleted, or anonymised where the record itself stays (a police
incident keeps what police.uk publishes). In batches, each one transaction of the owner's store
and audited first; a run stopped anywhere is finished by running it again. Connects as each
subgraph's own service role. With no database URL set, the embedded demo database.
  --dry-run     list what is due, change nothing
  --batch-size  records per batch (default 200, at most 1000)`;
const say = (message: string) => process.stdout.write(`${message}\n`);

/** `npm run retention`: the retention job; in production the CronJob in deploy/k8s runs it. */
async function main(): Promise<void> {
  const { values } = commandLine(USAGE, {
    options: {
      "dry-run": { type: "boolean", default: false },
      "batch-size": { type: "string", default: "200" },
    },
  });
  const batchSize = Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000)
    throw new Error(`--batch-size must be a whole number from 1 to 1000\n${USAGE}`);
  // In production (the CronJob) each service's own URL is given; otherwise the usual admin URL or
  // the embedded demo database, whose service roles the job then uses.
  const given = loadConfig(process.env);
  const { config, embedded } = SUBGRAPH_NAMES.every((n) => serviceDatabaseUrl(given, n))
    ? { config: given, embedded: undefined }
    : await databaseServerFor(process.env, say, { mustExist: true });
  try {
    // The job's own share of the connection budget, beside the services' (README, "Connections").
    const services = await openServiceStores(config, {
      store: JOB_POOL_SIZE.retentionStore,
      access: JOB_POOL_SIZE.retentionAccess,
      registry: JOB_POOL_SIZE.retentionAccess,
    });
    try {
      const s = services.stores;
      await runRetention(
        {
          governance: s.governance.sql,
          partnership: s.partnership.sql,
          police: s.police.sql,
          council: s.council.sql,
          youth: s.youth.sql,
          housing: s.housing.sql,
        },
        { dryRun: values["dry-run"], batchSize, log: say },
      );
    } finally {
      await closeServiceStores(services);
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`retention: ${error.message}\n`);
  process.exit(1);
});
