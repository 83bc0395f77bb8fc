import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { policeIngest } from "../../subgraphs/police/ingest";
import { policeHoldings } from "../../subgraphs/police/repository";
import { police } from "../../subgraphs/police/server";
import { resolvePeople } from "../../subgraphs/partnership/people-index";
import { partnership } from "../../subgraphs/partnership/server";
import { openServiceStore, openStore, type Sql, type SubgraphStore } from "../../subgraphs/shared/database";
import { serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { beginPrepare, discardErasure } from "../../subgraphs/shared/erasure";
import { parseMapping, type Mapping } from "../../subgraphs/shared/ingest/mapping";
import { ingestFiles } from "../../subgraphs/shared/ingest/run";
import { openIngestStores, type IngestStores } from "../../scripts/lib/ingest";
import { uniqueDatabaseUrl } from "../support/database";
import { testConfig } from "../support/graphql";

/**
 * Issue 20 for the police records system's export: an erased person's involvement stays out (the
 * incident, about others too, stays and re-imports unchanged), and an incident retention returned
 * to what police.uk publishes is not given its account and people back by the next import.
 */
const EXAMPLE = join(__dirname, "..", "..", "examples", "ingest", "police");
const FILES = [join(EXAMPLE, "incidents-2024-06.jsonl"), join(EXAMPLE, "involved-people-2024-06.csv")];
const mapping: Mapping = parseMapping(
  readFileSync(join(EXAMPLE, "mapping.json"), "utf8"),
  "mapping.json",
  policeIngest,
);
const key = (k: string) => `${mapping.source}:${k}`;

let admin: { police: SubgraphStore; partnership: SubgraphStore };
let service: SubgraphStore;
let stores: IngestStores;

beforeAll(async () => {
  const urls = {
    police: uniqueDatabaseUrl("ingest_erasure_police"),
    partnership: uniqueDatabaseUrl("ingest_erasure_police_people"),
  };
  const config = testConfig({ POLICE_DATABASE_URL: urls.police, PARTNERSHIP_DATABASE_URL: urls.partnership });
  stores = await openIngestStores(config, "police");
  admin = {
    police: await openStore(police, urls.police, { poolSize: 1, migrate: false }),
    partnership: await openStore(partnership, urls.partnership, { poolSize: 1, migrate: false }),
  };
  service = await openServiceStore(police, serviceDatabaseUrl(config, "police")!, { poolSize: 1 });
}, 60_000);

afterAll(async () => {
  await stores?.close();
  await service?.close();
  await Promise.all(Object.values(admin ?? {}).map((s) => s.close()));
});

const run = () =>
  ingestFiles({
    ingest: policeIngest,
    mapping,
    files: FILES,
    agencySql: stores.agency.sql,
    peopleSql: stores.people.sql,
    resolvePeople,
    importedBy: "test.dso",
    collectRejects: true,
  });

async function snapshot(): Promise<string> {
  const one = async (sql: Sql, table: string) =>
    (await sql.one<{ md5: string | null; n: string }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${table} t`,
    ))!;
  return JSON.stringify([
    ...(await Promise.all(["incidents", "involvements"].map((t) => one(admin.police.sql, t)))),
    ...(await Promise.all(["people", "person_references"].map((t) => one(admin.partnership.sql, t)))),
  ]);
}
const today = () => new Date().toISOString().slice(0, 10);
const rejectedOf = (report: Awaited<ReturnType<typeof run>>) =>
  report.rejected.map((r) => `${r.file}:${r.line}: ${r.reason}`);

test("an erased person's involvement stays out; the incident, about others too, is unchanged", async () => {
  expect((await run()).totals).toMatchObject({ new: 17, rejected: 0 });
  // Chen Wei, the victim in OCC-24-061290 (INV-10).
  const { person_id: chen } = (await admin.police.sql.one<{ person_id: string }>(
    `SELECT person_id FROM involvements WHERE source_key = $1`,
    [key("INV-10")],
  ))!;
  const erasureId = `erasure-${randomUUID()}`;
  const records = (await policeHoldings.about(service.sql, chen)).map((r) => ({ kind: r.kind, id: r.id }));
  await service.sql.transaction(async (tx) => {
    await beginPrepare(tx, erasureId);
    await policeHoldings.eraseAbout(tx, erasureId, chen, records);
  });
  await service.sql.transaction((tx) => discardErasure(tx, erasureId));
  const erased = await snapshot();

  const report = await run();
  expect(rejectedOf(report)).toEqual([`involved-people-2024-06.csv:11: erased on ${today()}`]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0, unchanged: 16, rejected: 1 });
  expect(await snapshot()).toBe(erased);
});

test("an incident retention returned to what police.uk publishes keeps no account and no one", async () => {
  const { id } = (await admin.police.sql.one<{ id: string }>(
    `SELECT id FROM incidents WHERE source_key = $1`,
    [key("OCC-24-061245")],
  ))!;
  await service.sql.transaction((tx) => policeHoldings.expire(tx, [{ kind: "INCIDENT", id }]));
  const expired = await snapshot();
  const published = await admin.police.sql.one<{ narrative: string | null; occurred_at: Date | null }>(
    `SELECT narrative, occurred_at FROM incidents WHERE id = $1`,
    [id],
  );
  expect(published).toEqual({ narrative: null, occurred_at: null });

  const report = await run();
  const retention = `deleted under retention on ${today()}`;
  expect(rejectedOf(report)).toEqual([
    `incidents-2024-06.jsonl:4: ${retention}`,
    `involved-people-2024-06.csv:6: ${retention}`,
    `involved-people-2024-06.csv:7: ${retention}`,
    `involved-people-2024-06.csv:8: ${retention}`,
    `involved-people-2024-06.csv:11: erased on ${today()}`,
  ]);
  expect(report.totals).toMatchObject({ new: 0, changed: 0 });
  expect(await snapshot()).toBe(expired);
});
