import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { housingIngest } from "../../subgraphs/housing/ingest";
import { housingHoldings } from "../../subgraphs/housing/repository";
import { housing } from "../../subgraphs/housing/server";
import { resolvePeople } from "../../subgraphs/partnership/people-index";
import { partnership } from "../../subgraphs/partnership/server";
import type { Holdings } from "../../subgraphs/shared/data-protection";
import {
  openServiceStore,
  openStore,
  type Sql,
  type StoreDefinition,
  type SubgraphStore,
} from "../../subgraphs/shared/database";
import { serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { beginPrepare, discardErasure } from "../../subgraphs/shared/erasure";
import type { AgencyIngest } from "../../subgraphs/shared/ingest/kinds";
import { parseMapping, type Mapping } from "../../subgraphs/shared/ingest/mapping";
import { ingestFiles } from "../../subgraphs/shared/ingest/run";
import type { SubgraphName } from "../../subgraphs/shared/config";
import { youthIngest } from "../../subgraphs/youth/ingest";
import { youthHoldings } from "../../subgraphs/youth/repository";
import { youth } from "../../subgraphs/youth/server";
import { openIngestStores, type IngestStores } from "../../scripts/lib/ingest";
import { uniqueDatabaseUrl } from "../support/database";
import { testConfig } from "../support/graphql";

/**
 * Issue 20 for youth services' and housing's exports: what an erasure or retention took stays out
 * of the next import of the same files, and what hangs on it (an attendance return for an erased
 * enrolment; a tenancy's household and actions) is refused with it. Nothing else changes.
 */
const today = () => new Date().toISOString().slice(0, 10);

function agency(
  name: "youth" | "housing",
  definition: StoreDefinition & { name: SubgraphName },
  ingest: AgencyIngest,
  holdings: Holdings,
  tables: string[],
) {
  const example = join(__dirname, "..", "..", "examples", "ingest", name);
  const files = readdirSync(example)
    .filter((f) => f.endsWith(".csv"))
    .map((f) => join(example, f));
  const mapping: Mapping = parseMapping(
    readFileSync(join(example, "mapping.json"), "utf8"),
    "mapping.json",
    ingest,
  );
  const self = {
    key: (k: string) => `${mapping.source}:${k}`,
    admin: undefined as unknown as { agency: SubgraphStore; partnership: SubgraphStore },
    service: undefined as unknown as SubgraphStore,
    stores: undefined as unknown as IngestStores,
    async open() {
      const urls = {
        agency: uniqueDatabaseUrl(`ingest_erasure_${name}`),
        partnership: uniqueDatabaseUrl(`ingest_erasure_${name}_people`),
      };
      const config = testConfig({
        [`${name.toUpperCase()}_DATABASE_URL`]: urls.agency,
        PARTNERSHIP_DATABASE_URL: urls.partnership,
      });
      self.stores = await openIngestStores(config, name);
      self.admin = {
        agency: await openStore(definition, urls.agency, { poolSize: 1, migrate: false }),
        partnership: await openStore(partnership, urls.partnership, { poolSize: 1, migrate: false }),
      };
      self.service = await openServiceStore(definition, serviceDatabaseUrl(config, name)!, { poolSize: 1 });
    },
    async close() {
      await self.stores?.close();
      await self.service?.close();
      await Promise.all(Object.values(self.admin ?? {}).map((s) => s.close()));
    },
    run: () =>
      ingestFiles({
        ingest,
        mapping,
        files,
        agencySql: self.stores.agency.sql,
        peopleSql: self.stores.people.sql,
        resolvePeople,
        importedBy: "test.dso",
        collectRejects: true,
      }),
    async snapshot(): Promise<string> {
      const one = async (sql: Sql, table: string) =>
        (await sql.one<{ md5: string | null; n: string }>(
          `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${table} t`,
        ))!;
      return JSON.stringify([
        ...(await Promise.all(tables.map((t) => one(self.admin.agency.sql, t)))),
        ...(await Promise.all(
          ["people", "person_references"].map((t) => one(self.admin.partnership.sql, t)),
        )),
      ]);
    },
    /** Both phases of an erasure of the person, as the agency's subgraph runs them for governance. */
    async erase(personId: string) {
      const erasureId = `erasure-${randomUUID()}`;
      const records = (await holdings.about(self.service.sql, personId)).map((r) => ({
        kind: r.kind,
        id: r.id,
      }));
      await self.service.sql.transaction(async (tx) => {
        await beginPrepare(tx, erasureId);
        await holdings.eraseAbout(tx, erasureId, personId, records);
      });
      await self.service.sql.transaction((tx) => discardErasure(tx, erasureId));
    },
    async personOf(table: string, sourceKey: string): Promise<string> {
      return (await self.admin.agency.sql.one<{ person_id: string }>(
        `SELECT person_id FROM ${table} WHERE source_key = $1`,
        [self.key(sourceKey)],
      ))!.person_id;
    },
  };
  return self;
}

const rejectedOf = (report: { rejected: { file: string; line: number; reason: string }[] }) =>
  report.rejected.map((r) => `${r.file}:${r.line}: ${r.reason}`);

describe("youth", () => {
  const y = agency("youth", youth, youthIngest, youthHoldings, [
    "schools",
    "programmes",
    "enrolments",
    "referrals",
    "referral_status_changes",
  ]);
  beforeAll(() => y.open(), 60_000);
  afterAll(() => y.close());

  test("an erased pupil's enrolment stays out, and its attendance return is refused with it", async () => {
    const first = await y.run();
    expect(first.totals.rejected).toBe(0);
    // Maya Shah: one enrolment (E-23-0002), no referral.
    const maya = await y.personOf("enrolments", "E-23-0002");
    await y.erase(maya);
    const erased = await y.snapshot();
    const report = await y.run();
    expect(rejectedOf(report)).toEqual([
      `enrolments-2023-24.csv:3: erased on ${today()}`,
      `attendance-2024-06.csv:3: its enrolment "E-23-0002" was erased on ${today()}`,
    ]);
    expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 2 });
    expect(await y.snapshot()).toBe(erased);
  });
});

describe("housing", () => {
  const h = agency("housing", housing, housingIngest, housingHoldings, [
    "properties",
    "tenancies",
    "tenancy_occupants",
    "tenancy_actions",
  ]);
  beforeAll(() => h.open(), 60_000);
  afterAll(() => h.close());

  test("an erased joint tenant stays out (the tenancy stays); an expired tenancy stays out with its household and actions", async () => {
    expect((await h.run()).totals.rejected).toBe(0);
    // Agnieszka Kowalska, joint tenant of T-770022 with Tomasz Kowalski (M-5).
    await h.erase(await h.personOf("tenancy_occupants", "M-5"));
    // T-770104 (Priya Shah's) expires under retention, as the retention job's step in the store.
    const { id } = (await h.admin.agency.sql.one<{ id: string }>(
      `SELECT id FROM tenancies WHERE source_key = $1`,
      [h.key("T-770104")],
    ))!;
    await h.service.sql.transaction((tx) => housingHoldings.expire(tx, [{ kind: "TENANCY", id }]));
    const after = await h.snapshot();

    const report = await h.run();
    const retention = `deleted under retention on ${today()}`;
    expect(rejectedOf(report)).toEqual([
      `tenancies.csv:2: ${retention}`,
      `household.csv:2: ${retention}`,
      `household.csv:6: erased on ${today()}`,
      `tenancy-actions.csv:2: ${retention}`,
      `tenancy-actions.csv:3: ${retention}`,
    ]);
    expect(report.totals).toMatchObject({ new: 0, changed: 0, rejected: 5 });
    expect(await h.snapshot()).toBe(after);
  });
});
