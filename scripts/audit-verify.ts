import "reflect-metadata";
import { Pool } from "pg";
import { JOB_POOL_SIZE } from "../subgraphs/shared/connection-budget";
import { recordVerification, runAuditVerify } from "../subgraphs/governance/repositories/audit";
import { Sql } from "../subgraphs/shared/database";
import type { EmbeddedServer } from "./lib/embedded-postgres";
import { commandLine } from "./lib/command-line";
import { databaseServerFor } from "./lib/stores";

const UNSET =
  "audit:verify: set AUDITOR_DATABASE_URL (or DATABASE_URL or GOVERNANCE_DATABASE_URL) to the governance database";

/**
 * `npm run audit:verify`: recomputes the audit hash chain from the first record and names the
 * first record that was edited, inserted or deleted, or a tail cut back past a checkpoint.
 * Exits 0 when the chain is whole, 1 when it is broken, 2 when it cannot be read. Connects as the
 * auditor role (AUDITOR_DATABASE_URL), else with the governance database URL; it reads the log and
 * adds only its verdict to audit_verifications (what auditChainStatus answers).
 */
const USAGE = `usage: npm run audit:verify

Recomputes the audit log's hash chain from the first record and names the first record that was
edited, inserted or deleted (or a tail cut back past a checkpoint). Reads as the auditor role
(AUDITOR_DATABASE_URL), else with GOVERNANCE_DATABASE_URL or DATABASE_URL; with none set, the
embedded demo database. The verdict is kept for the console's audit status. Exit 0: intact;
1: broken; 2: the log could not be read.`;

async function main(): Promise<number> {
  commandLine(USAGE);
  // The auditor's own URL when given; else the governance database's (with no URL set at all, the
  // embedded demo database: the running one, else started for this check).
  let url = process.env.AUDITOR_DATABASE_URL || undefined;
  let embedded: EmbeddedServer | undefined;
  if (!url) {
    const found = await databaseServerFor(process.env, (message) => process.stderr.write(`${message}\n`), {
      mustExist: true,
    }).catch((error: Error) => error);
    if (found instanceof Error) {
      process.stderr.write(`${UNSET}\n  (${found.message})\n`);
      return 2;
    }
    embedded = found.embedded;
    url = found.config.databaseUrl("governance");
  }
  if (!url) {
    await embedded?.stop();
    process.stderr.write(`${UNSET}\n`);
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: JOB_POOL_SIZE.auditVerify });
  try {
    // Read only whatever the credentials (the auditor role reads the log and only adds its verdict), and on one
    // snapshot: checkpoints and records as they stood together.
    const result = await new Sql(pool).transaction(async (tx) => {
      await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      return runAuditVerify(tx);
    });
    // Kept for auditChainStatus (the console shows it); the verdict stands whether or not it is kept.
    await recordVerification(new Sql(pool), result).catch((error: Error) =>
      process.stderr.write(`audit:verify could not record its verdict: ${error.message}\n`),
    );
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
