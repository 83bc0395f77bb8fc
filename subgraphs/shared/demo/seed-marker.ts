import { Column, Entity, PrimaryColumn, type QueryRunner } from "typeorm";

/** Marks that the demo partnership was seeded into a subgraph's database (first run only). */
@Entity({ name: "demo_seed" })
export class DemoSeedRecord {
  @PrimaryColumn({ type: "text" })
  label!: string;

  @Column({ type: "timestamptz", name: "seeded_at", default: () => "now()" })
  seededAt!: Date;
}

/** Every subgraph's first migration creates the marker table with this. */
export async function createDemoSeedTable(q: QueryRunner): Promise<void> {
  await q.query(
    `CREATE TABLE demo_seed (label text PRIMARY KEY, seeded_at timestamptz NOT NULL DEFAULT now())`,
  );
}
