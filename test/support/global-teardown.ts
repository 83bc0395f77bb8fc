import { Client } from "pg";

/** Drops every database and role this run created, and stops the embedded server if one was started. */
export default async function globalTeardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_SERVER_URL;
  const runId = process.env.TEST_RUN_ID;
  if (url && runId) {
    const admin = new URL(url);
    admin.pathname = "/postgres";
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [`pgt\\_${runId}\\_%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    // Roles are named after the databases they serve, so this run's are the ones with its prefix;
    // with the databases gone, nothing holds them.
    const roles = await client.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE rolname LIKE $1",
      [`pgt\\_${runId}\\_%`],
    );
    for (const { rolname } of roles.rows)
      await client.query(`DROP ROLE IF EXISTS "${rolname.replace(/"/g, '""')}"`).catch(() => undefined);
    await client.end();
  }
  const embedded = (globalThis as { __EMBEDDED_PG__?: { stop(): Promise<void> } }).__EMBEDDED_PG__;
  if (embedded) await embedded.stop();
}
