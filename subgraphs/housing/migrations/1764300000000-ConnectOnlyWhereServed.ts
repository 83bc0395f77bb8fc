import type { MigrationInterface, QueryRunner } from "typeorm";
import { connectOnlyWhereServed } from "../../shared/database-roles";

/**
 * Until now every role, the service roles included, could connect to the server's `postgres` and
 * `template1` databases and make temporary tables there: revoked from PUBLIC, so each role reaches
 * only the databases it serves (see connectOnlyWhereServed).
 */
export class ConnectOnlyWhereServed1764300000000 implements MigrationInterface {
  name = "ConnectOnlyWhereServed1764300000000";

  async up(q: QueryRunner): Promise<void> {
    await connectOnlyWhereServed(q);
  }

  async down(): Promise<void> {
    // Granting every role the server's own databases again would reopen what this closed.
  }
}
