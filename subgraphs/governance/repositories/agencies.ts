import type { Sql } from "../../shared/database";
import { Agency } from "../types";

const toAgency = (row: Agency): Agency => Object.assign(new Agency(), row);

/** All SQL over agencies. */
export class AgencyRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<Agency[]> {
    const rows = await this.sql.many<Agency>(
      `SELECT id, name, kind, contact, active FROM agencies WHERE id = ANY($1)`,
      [ids],
    );
    return rows.map(toAgency);
  }

  async all(): Promise<Agency[]> {
    const rows = await this.sql.many<Agency>(
      `SELECT id, name, kind, contact, active FROM agencies ORDER BY id`,
    );
    return rows.map(toAgency);
  }

  /** Registers agencies (the demo's, or a deployment's); existing ones are left as they are. */
  async insertMany(agencies: readonly Agency[]): Promise<void> {
    await this.sql.exec(
      `INSERT INTO agencies (id, name, kind, contact)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (id) DO NOTHING`,
      [
        agencies.map((a) => a.id),
        agencies.map((a) => a.name),
        agencies.map((a) => a.kind),
        agencies.map((a) => a.contact),
      ],
    );
  }
}
