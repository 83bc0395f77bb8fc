import "reflect-metadata";
import { Pool } from "pg";
import { runAuditVerify } from "../subgraphs/governance/repositories/audit";
import { Sql } from "../subgraphs/shared/database";
import { databaseServerFor } from "./lib/stores";

/**
 * `npm run audit:verify`: recomputes the audit hash chain from the first record and names the
 * first record that was edited, inserted or deleted, or a tail cut back past a checkpoint.
 * Exits 0 when the chain is whole, 1 when it is broken, 2 when it cannot be read.
 */
async function main(): Promise<number> {
  // With no URL set, the embedded demo database (the running one, else started for this check).
  const found = await databaseServerFor(process.env, (message) => process.stderr.write(`${message}\n`), {
    mustExist: true,
  }).catch((error: Error) => error);
  if (found instanceof Error) {
    process.stderr.write(
      `audit:verify: set DATABASE_URL or GOVERNANCE_DATABASE_URL to the governance database\n  (${found.message})\n`,
    );
    return 2;
  }
  const { config, embedded } = found;
  const url = config.databaseUrl("governance");
  if (!url) {
    await embedded?.stop();
    process.stderr.write(
      "audit:verify: set DATABASE_URL or GOVERNANCE_DATABASE_URL to the governance database\n",
    );
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const result = await runAuditVerify(new Sql(pool));
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
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`audit:verify could not read the audit log: ${error.message}\n`);
    process.exit(2);
  },
);
