import "reflect-metadata";
import { Pool } from "pg";
import { runAuditVerify } from "../subgraphs/governance/repositories/audit";
import { loadConfig } from "../subgraphs/shared/config";
import { Sql } from "../subgraphs/shared/database";

/**
 * `npm run audit:verify`: recomputes the audit hash chain from the first record and names the
 * first record that was edited, inserted or deleted, or a tail cut back past a checkpoint.
 * Exits 0 when the chain is whole, 1 when it is broken, 2 when it cannot be read. Connects as the
 * auditor role (AUDITOR_DATABASE_URL), else with the governance database URL, and only reads.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const url = config.AUDITOR_DATABASE_URL ?? config.databaseUrl("governance");
  if (!url) {
    process.stderr.write(
      "audit:verify: set AUDITOR_DATABASE_URL (or DATABASE_URL or GOVERNANCE_DATABASE_URL) to the governance database\n",
    );
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    // Read only whatever the credentials (the auditor role can only read anyway), and on one
    // snapshot: checkpoints and records as they stood together.
    const result = await new Sql(pool).transaction(async (tx) => {
      await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      return runAuditVerify(tx);
    });
    if (result.ok) {
      process.stdout.write(`audit chain intact: ${result.checked} records verified\n`);
      return 0;
    }
    process.stdout.write(
      `audit chain BROKEN at record ${result.firstBadSequence}: ${result.reason} (${result.checked} records verified before it)\n`,
    );
    return 1;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`audit:verify could not read the audit log: ${error.message}\n`);
    process.exit(2);
  },
);
