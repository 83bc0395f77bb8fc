import "reflect-metadata";
import { Pool } from "pg";
import { Sql } from "../../subgraphs/shared/database";
import { Role } from "../../subgraphs/shared/enums";
import { addCaseAction } from "../../subgraphs/partnership/workflow";

/**
 * A partnership process that commits a change and dies before anything is delivered: adds an
 * action (its notice goes to the outbox in the same transaction) as the partnership service's own
 * login, then kills itself with SIGKILL, so no relay, no clean-up and no pool end runs.
 * Env: SERVICE_URL (partnership's service login), CASE_ID, AGENCY (the assignee).
 */
async function main(): Promise<void> {
  const sql = new Sql(new Pool({ connectionString: process.env.SERVICE_URL, max: 1 }));
  const action = await addCaseAction(
    sql,
    {
      caller: { userId: "council.practitioner", agencyId: "council", role: Role.PRACTITIONER },
      requestId: "killed-after-commit",
    },
    process.env.CASE_ID!,
    {
      assignedAgencyId: process.env.AGENCY!,
      description: "Visit the complainant",
      dueOn: new Date("2031-01-31T00:00:00Z"),
    },
  );
  process.stdout.write(`${action.id}\n`);
  process.kill(process.pid, "SIGKILL");
}

void main();
