import { tenancyActionRollup } from "../../subgraphs/housing/rollup";
import { IngestError } from "../../subgraphs/shared/ingest/run";
import { rollupDifferences } from "../../subgraphs/shared/rollups";
import { agencyImports } from "../support/ingest";

const imports = agencyImports("housing", {
  label: "ingest_housing",
  tables: ["properties", "tenancies", "tenancy_occupants", "tenancy_actions", "monthly_counts"],
});
const { admin, run, snapshot, variant, example: file } = imports;
const ALL = ["tenancy-actions.csv", "household.csv", "tenancies.csv", "properties.csv"].map(file);

let before: string;

test("a property already held under its UPRN is that property, not a second one", async () => {
  // As the demo seed holds properties: no source key.
  await admin.housing.sql.exec(
    `INSERT INTO properties (id, uprn, address, lsoa_code) VALUES ('prop-000001', '100023002211', 'Hatfield House 11', 'E01000001')`,
  );
  const report = await run(ALL);
  expect(report.files.map((f) => [f.name, f.new, f.changed, f.unchanged])).toEqual([
    ["properties.csv", 4, 1, 0],
    ["tenancies.csv", 5, 0, 0],
    ["household.csv", 7, 0, 0],
    ["tenancy-actions.csv", 5, 0, 0],
  ]);
  expect(
    await admin.housing.sql.one(`SELECT id, address, source_key FROM properties WHERE uprn = '100023002211'`),
  ).toEqual({
    id: "prop-000001",
    address: "Flat 11, Hatfield House, Golden Lane",
    source_key: "hms:GL-0211",
  });
});

test("arrears balances become bands, UPRNs take the gazetteer's twelve digits, tenants join the people index", async () => {
  const tenancies = await admin.housing.sql.many<{
    source_key: string;
    arrears_band: string;
    status: string;
    end_date: string | null;
  }>(
    `SELECT source_key, arrears_band, status, to_char(end_date, 'YYYY-MM-DD') AS end_date FROM tenancies ORDER BY source_key`,
  );
  expect(tenancies).toEqual([
    { source_key: "hms:T-770009", arrears_band: "NONE", status: "ENDED", end_date: "2024-05-31" },
    { source_key: "hms:T-770022", arrears_band: "OVER_2500", status: "AT_RISK", end_date: null },
    { source_key: "hms:T-770104", arrears_band: "FROM_1000_TO_2499", status: "AT_RISK", end_date: null },
    { source_key: "hms:T-770211", arrears_band: "NONE", status: "ACTIVE", end_date: null },
    { source_key: "hms:T-770317", arrears_band: "UNDER_250", status: "ACTIVE", end_date: null },
  ]);
  expect(await admin.housing.sql.one(`SELECT uprn FROM properties WHERE source_key = 'hms:WX-0009'`)).toEqual(
    {
      uprn: "010023020009",
    },
  );
  const household = await admin.housing.sql.many<{ role: string }>(
    `SELECT o.role FROM tenancy_occupants o JOIN tenancies t ON t.id = o.tenancy_id
      WHERE t.source_key = 'hms:T-770022' ORDER BY o.role`,
  );
  expect(household.map((h) => h.role)).toEqual(["HOUSEHOLD_MEMBER", "JOINT_TENANT", "JOINT_TENANT"]);
  expect(
    await admin.partnership.sql.many(
      `SELECT r.reference, p.given_name, p.family_name FROM person_references r JOIN people p ON p.id = r.person_id
        WHERE r.agency_id = 'housing' AND r.reference IN ('HMS-55044', 'HMS-55046') ORDER BY 1`,
    ),
  ).toEqual([
    { reference: "HMS-55044", given_name: "Tomasz", family_name: "Kowalski" },
    { reference: "HMS-55046", given_name: "Jordan", family_name: "Ellis-Hart" },
  ]);
  expect(await rollupDifferences(admin.housing.sql, tenancyActionRollup)).toEqual([]);
  before = await snapshot();
});

test("again, nothing changes; a tenancy ended and a property moved update, and the actions' rollup follows", async () => {
  expect((await run(ALL)).totals).toMatchObject({ new: 0, changed: 0, unchanged: 22 });
  expect(await snapshot()).toBe(before);
  const tenancies = variant("tenancies.csv", "tenancies-2.csv", (t) =>
    t.replace("T-770104,GL-0104,RISK,SEC,01/04/2016,,", "T-770104,GL-0104,TER,SEC,01/04/2016,30/06/2024,"),
  );
  // The property of two tenancy actions, in another neighbourhood: their cells move.
  const properties = variant("properties.csv", "properties-2.csv", (t) =>
    t.replace("EC1Y 0SH,E01000001,51.5222", "EC1Y 0SH,E01000004,51.5222"),
  );
  const report = await run([properties, tenancies]);
  expect(report.files.map((f) => [f.changed, f.unchanged])).toEqual([
    [1, 4],
    [1, 4],
  ]);
  expect(
    await admin.housing.sql.one(
      `SELECT status, to_char(end_date, 'YYYY-MM-DD') AS end FROM tenancies WHERE source_key = 'hms:T-770104'`,
    ),
  ).toEqual({ status: "ENDED", end: "2024-06-30" });
  expect(
    await admin.housing.sql.one(
      `SELECT sum(records)::int AS n FROM monthly_counts WHERE lsoa_code = 'E01000004'`,
    ),
  ).toEqual({ n: 2 });
  expect(await rollupDifferences(admin.housing.sql, tenancyActionRollup)).toEqual([]);
  await run([file("properties.csv"), file("tenancies.csv")]);
  expect(await snapshot()).toBe(before);
});

test("bad rows are named, the file refused; with rejects the rest loads; a dry run writes nothing", async () => {
  const tenancies = variant(
    "tenancies.csv",
    "tenancies-3.csv",
    (t) =>
      t
        .replace("T-770211,GL-0211,CUR,SEC", "T-770211,GL-0211,VOID,SEC") // line 3
        .replace("T-770009,WX-0009,TER,AST,01/02/2019,31/05/2024", "T-770009,WX-0009,TER,AST,01/02/2019,") // line 6
        .concat("T-770999,GL-9999,CUR,SEC,01/01/2020,,12O.00\n"), // line 7: a letter O in the number
  );
  const error = (await run([tenancies]).catch((e: unknown) => e)) as IngestError;
  expect(error).toBeInstanceOf(IngestError);
  expect(error.report.files[0].problems).toEqual([
    'tenancies-3.csv:3 (Tenancy Status): unknown code "VOID" for status (mapped codes: CUR, RISK, TER)',
    "tenancies-3.csv:6 (End): endDate: an ENDED tenancy needs an end date",
    'tenancies-3.csv:7 (Arrears Balance): arrears: "12O.00" is not a number',
  ]);
  expect(await snapshot()).toBe(before);

  const dry = await run([tenancies], { dryRun: true, collectRejects: true });
  expect(dry.files[0]).toMatchObject({
    rows: 6,
    new: 0,
    changed: 0,
    unchanged: 3,
    rejected: 3,
    loaded: false,
  });
  expect(await snapshot()).toBe(before);

  const fixed = variant("tenancies.csv", "tenancies-4.csv", (t) =>
    t.concat("T-770999,GL-9999,CUR,SEC,01/01/2020,,0\n"),
  );
  const withRejects = await run([fixed], { collectRejects: true });
  expect(withRejects.files[0]).toMatchObject({ new: 0, unchanged: 5, rejected: 1, loaded: true });
  expect(withRejects.rejected.map((r) => [r.line, r.column, r.reason])).toEqual([
    [7, "Prop Ref", 'no property with key "GL-9999" from hms (load its file first)'],
  ]);
  expect(await snapshot()).toBe(before);
});

test("a failure in the middle of a file leaves nothing of it written", async () => {
  const household = variant("household.csv", "household-5.csv", (t) =>
    t.concat(
      Array.from(
        { length: 30 },
        (_, i) => `M-${100 + i},T-770211,HM,HMS-6${i},Child${i},Whitfield,01/01/2015,`,
      ).join("\n") + "\n",
    ),
  );
  let batches = 0;
  const error = await run([household], {
    batch: 8,
    afterBatch: () => {
      if (++batches === 2) throw new Error("disk full (simulated)");
    },
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(IngestError);
  expect(await snapshot()).toBe(before);
});
