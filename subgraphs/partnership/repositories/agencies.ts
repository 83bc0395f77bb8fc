import type { Sql } from "../../shared/database";

/** All SQL over the local list of agencies. */
export class AgencyRepository {
  constructor(private readonly sql: Sql) {}

  /** Which of these agency ids are registered. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.sql.many<{ id: string }>(`SELECT id FROM agencies WHERE id = ANY($1)`, [ids]);
    return new Set(rows.map((r) => r.id));
  }
}
