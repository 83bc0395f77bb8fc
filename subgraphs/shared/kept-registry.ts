import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from "typeorm";
import type { KeptRegistryStore } from "./auth";
import { grantTo } from "./database-roles";
import type { Sql } from "./database";

/**
 * The last registry of partner agencies a subgraph verified against governance, kept in the
 * subgraph's own store: one row, shared by its replicas (the newest verification wins), so that
 * a replica started while governance is out still knows whose tokens to accept.
 */
export class KeptAgencyRegistry1765000000000 implements MigrationInterface {
  name = "KeptAgencyRegistry1765000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE kept_agency_registry (
      only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
      agency_ids text[] NOT NULL,
      verified_at timestamptz NOT NULL
    )`);
    await grantTo(q, "service", ["INSERT", "UPDATE"], ["kept_agency_registry"]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE kept_agency_registry`);
  }
}

/** The table's one row, as TypeORM sees it (its SQL is in `keptRegistryIn`). */
@Entity({ name: "kept_agency_registry" })
export class KeptAgencyRegistryRecord {
  @PrimaryColumn({ type: "boolean", name: "only_row", default: true })
  onlyRow!: boolean;

  @Column({ type: "text", name: "agency_ids", array: true })
  agencyIds!: string[];

  @Column({ type: "timestamptz", name: "verified_at" })
  verifiedAt!: Date;
}

/** The kept registry in a subgraph's store (give it an Sql of its own: its statements are no request's). */
export function keptRegistryIn(sql: Sql): KeptRegistryStore {
  return {
    async save(ids, verifiedAt) {
      await sql.exec(
        `INSERT INTO kept_agency_registry (agency_ids, verified_at) VALUES ($1, $2)
         ON CONFLICT (only_row) DO UPDATE SET agency_ids = EXCLUDED.agency_ids, verified_at = EXCLUDED.verified_at
          WHERE kept_agency_registry.verified_at < EXCLUDED.verified_at`,
        [ids, new Date(verifiedAt)],
      );
    },
    async load() {
      const row = await sql.one<{ agency_ids: string[]; verified_at: Date }>(
        `SELECT agency_ids, verified_at FROM kept_agency_registry`,
      );
      return row ? { ids: row.agency_ids, verifiedAt: row.verified_at.getTime() } : null;
    },
  };
}
