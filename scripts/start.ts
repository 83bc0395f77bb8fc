import "reflect-metadata";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SUGGESTED_PURPOSE, TOKEN_COMMAND } from "../gateway/graphiql";
import { loadConfig, SUBGRAPH_NAMES, type Config } from "../subgraphs/shared/config";
import { SHUTDOWN_GRACE_MS } from "../subgraphs/shared/http";
import { keepServiceRunning } from "../subgraphs/shared/faults";
import { setLogLevel } from "../subgraphs/shared/logger";
import { commandLine } from "./lib/command-line";
import { ensureConsoleBuilt } from "./lib/console";
import { prepareDemoDatabases } from "./lib/demo";
import { commandLineOf, processAlive, type EmbeddedServer } from "./lib/embedded-postgres";
import { startFederation } from "./lib/federation";
import { closeServiceStores, databaseServerFor, openServiceStores, type ServiceStores } from "./lib/stores";

const say = (message: string) => process.stdout.write(`${message}\n`);

/** What a running `npm start` tells a second one: who it is and where it answers. */
interface DemoState {
  pid: number;
  startedAt: string;
  status: "starting" | "up";
  gateway?: string;
  database?: string;
}

/** Beside the embedded server's folder: .data/demo.json by default. */
function stateFile(config: Config): string {
  return join(dirname(resolve(config.EMBEDDED_PG_DIR)), "demo.json");
}

function readState(file: string): DemoState | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as DemoState;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: DemoState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** A listening error in words: which service, which port, what to do. */
function explain(error: unknown, config: Config | undefined): string {
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (e?.code === "EADDRINUSE" && config) {
    const service = ["gateway" as const, ...SUBGRAPH_NAMES].find((s) => config.port(s) === e.port);
    const variable = service ? `${service.toUpperCase()}_PORT` : "the port variables";
    return `port ${e.port}${service ? ` (${service})` : ""} is in use by another program: stop it, or set ${variable} to a free port.`;
  }
  return error instanceof Error ? error.message : String(error);
}

const USAGE = `usage: npm start

The whole federation (six subgraphs and the gateway) in one process for development, on the
embedded PostgreSQL (.data/postgres, port 54329) or DATABASE_URL, with the demo partnership loaded
on first run. Logs only warnings and errors unless LOG_LEVEL says otherwise. Ctrl-C stops it all.
Production is npm run start:prod (after npm run build); a trial of it: npm run start:prod:trial.`;

/** `npm start`: the whole federation on one machine, with demo data on first run. */
async function main(): Promise<void> {
  commandLine(USAGE);
  let config: Config | undefined;
  let embedded: EmbeddedServer | undefined;
  let services: ServiceStores | undefined;
  let stopping = false;
  let stoppingSince = 0;
  let stopFederation: ((options?: { graceMs?: number }) => Promise<void>) | undefined;
  let state: string | undefined;

  const shutdown = async (code: number) => {
    if (stopping) {
      // npm forwards the terminal's Ctrl-C a second time at once: only a later one is the user's.
      if (Date.now() - stoppingSince > 1000)
        say("Still stopping (finishing requests, then the embedded PostgreSQL)…");
      return;
    }
    stopping = true;
    stoppingSince = Date.now();
    say("\nStopping…");
    await stopFederation?.({ graceMs: SHUTDOWN_GRACE_MS }).catch(() => undefined);
    await closeServiceStores(services).catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    if (state && readState(state)?.pid === process.pid) rmSync(state, { force: true });
    say("Stopped.");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    config = loadConfig(process.env);
    state = stateFile(config);
    const previous = readState(state);
    // A pid reused by something else after a reboot is not the demo.
    const command = previous && commandLineOf(previous.pid);
    const alive =
      previous && processAlive(previous.pid) && (command === undefined || command.includes("node"));
    if (previous && alive && previous.pid !== process.pid) {
      say(
        previous.status === "up"
          ? `partnership-graph is already running (pid ${previous.pid}, since ${previous.startedAt}).
  Gateway:  ${previous.gateway}  (GraphiQL in a browser)
  Database: ${previous.database}
Stop it with Ctrl-C in its terminal (or: kill ${previous.pid}) before starting it again.`
          : `partnership-graph is already starting (pid ${previous.pid}, since ${previous.startedAt}): wait for it, or stop it (kill ${previous.pid}).`,
      );
      state = undefined;
      process.exit(0);
    }
    if (previous) say(`The last npm start (pid ${previous.pid}) did not stop cleanly; starting afresh.`);
    writeState(state, { pid: process.pid, startedAt: new Date().toISOString(), status: "starting" });

    // The console's static files, built when its sources changed (the gateway serves them at /console).
    ensureConsoleBuilt(say);
    const server = await databaseServerFor(process.env, say, { demo: true, ownSignals: true });
    embedded = server.embedded;
    config = server.config;
    // A terminal for a person: warnings and errors only, unless LOG_LEVEL asks for more (the banner says so).
    const logLevel = process.env.LOG_LEVEL ? config.LOG_LEVEL : "warn";
    setLogLevel(logLevel);
    // As the migrator: migrations (roles included), role passwords, the demo data.
    await prepareDemoDatabases(config, say);
    // The services, each as its own least-privileged role.
    services = await openServiceStores(config);
    const federation = await startFederation(config, services);
    stopFederation = federation.stop;
    // Every service shares this process: one request's fault must not take the demo down.
    keepServiceRunning("partnership-graph");
    for (const [name, service] of Object.entries(federation.subgraphs))
      say(`  ${name.padEnd(12)} http://localhost:${service.port}/graphql`);
    const gateway = `http://localhost:${federation.gateway.port}/graphql`;
    const consoleUrl = `http://localhost:${federation.gateway.port}/console`;
    const database = embedded
      ? `embedded PostgreSQL on 127.0.0.1:${embedded.port}, user postgres, password postgres`
      : "the server in DATABASE_URL";
    writeState(state, {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      status: "up",
      gateway,
      database,
    });
    say(`
partnership-graph is up.
  Gateway:  ${gateway}  (GraphiQL in a browser)
  Console:  ${consoleUrl}  (sign in as a demo analyst, data-sharing officer or practitioner)
  Token:    ${TOKEN_COMMAND}
  Then send  Authorization: Bearer <token>  and  x-purpose: ${SUGGESTED_PURPOSE}
  Database: ${database}
  Logs:     ${logLevel === "warn" ? "warnings and errors only (LOG_LEVEL=info logs every request)" : `LOG_LEVEL=${logLevel}`}
Ctrl-C stops everything${embedded ? ", the embedded PostgreSQL included" : ""}.`);
  } catch (error) {
    process.stderr.write(`npm start failed: ${explain(error, config)}\n`);
    await shutdown(1);
  }
}

void main();
