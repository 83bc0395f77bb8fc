import "reflect-metadata";
import { setLogLevel } from "../subgraphs/shared/logger";
import { seedDemoPartnership } from "./lib/demo";
import { startFederation } from "./lib/federation";
import {
  closeAllStores,
  closeServiceStores,
  databaseServerFor,
  openAllStores,
  openServiceStores,
  type ServiceStores,
} from "./lib/stores";
import type { EmbeddedServer } from "./lib/embedded-postgres";

const say = (message: string) => process.stdout.write(`${message}\n`);

/** `npm start`: the whole federation on one machine, with demo data on first run. */
async function main(): Promise<void> {
  let embedded: EmbeddedServer | undefined;
  let services: ServiceStores | undefined;
  let stopping = false;
  let stopFederation: (() => Promise<void>) | undefined;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("\nStopping…");
    await stopFederation?.().catch(() => undefined);
    await closeServiceStores(services).catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    say("Stopped.");
    process.exit(code);
  };
  process.once("SIGINT", () => void shutdown(0));
  process.once("SIGTERM", () => void shutdown(0));

  try {
    const server = await databaseServerFor(process.env, say);
    embedded = server.embedded;
    const config = server.config;
    setLogLevel(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
    // As the migrator: migrations (roles included), role passwords, the demo data.
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
    // The services, each as its own least-privileged role.
    services = await openServiceStores(config);
    const federation = await startFederation(config, services);
    stopFederation = federation.stop;
    for (const [name, service] of Object.entries(federation.subgraphs))
      say(`  ${name.padEnd(12)} http://localhost:${service.port}/graphql`);
    say(`
partnership-graph is up.
  Gateway:  http://localhost:${federation.gateway.port}/graphql  (GraphiQL in a browser)
  Token:    npm run --silent token -- --agency council --role PRACTITIONER --user pc.you
  Then send  Authorization: Bearer <token>  and  x-purpose: ASB_CASE_MANAGEMENT
Ctrl-C stops everything${embedded ? ", the embedded PostgreSQL included" : ""}.`);
  } catch (error) {
    process.stderr.write(`npm start failed: ${(error as Error).message}\n`);
    await shutdown(1);
  }
}

void main();
