import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { withDatabase } from "../../subgraphs/shared/config";

/** The PostgreSQL server tests use: DATABASE_URL, else the local server, else the embedded one. */
export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_SERVER_URL;
  if (!url) throw new Error("test/support/global-setup.ts did not run: no TEST_DATABASE_SERVER_URL");
  return url;
}

/** A fresh database name on the test server, unique to this call (test files share worker processes). */
export function uniqueDatabaseUrl(label: string): string {
  const name = `pgt_${process.env.TEST_RUN_ID ?? "x"}_${randomBytes(4).toString("hex")}_${label}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  return withDatabase(testServerUrl(), name.slice(0, 63));
}

export async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
