import { randomBytes } from "node:crypto";
import { canConnect } from "./database";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";

/**
 * Finds the real PostgreSQL server every data test uses: DATABASE_URL, else the server on
 * 127.0.0.1:5432, else an embedded one started for this run.
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = "test";
  process.env.TEST_RUN_ID = randomBytes(3).toString("hex");
  // The services' role passwords, derived from it: new for every run.
  process.env.DATABASE_ROLE_SECRET = randomBytes(32).toString("hex");
  const candidates = [process.env.DATABASE_URL, "postgres://postgres@127.0.0.1:5432/postgres"].filter(
    Boolean,
  ) as string[];
  for (const url of candidates) {
    if (await canConnect(url)) {
      process.env.TEST_DATABASE_SERVER_URL = url;
      return;
    }
  }
  const embedded = await startEmbeddedPostgres({ dir: ".data/test-postgres", port: 54339 });
  (globalThis as { __EMBEDDED_PG__?: { stop(): Promise<void> } }).__EMBEDDED_PG__ = embedded;
  process.env.TEST_DATABASE_SERVER_URL = embedded.url;
}
