import { IngestError } from "../../subgraphs/shared/ingest/run";
import { rollupDifferences } from "../../subgraphs/shared/rollups";
import { referralRollup } from "../../subgraphs/youth/rollup";
import { agencyImports } from "../support/ingest";

const imports = agencyImports("youth", {
  label: "ingest_youth",
  tables: ["schools", "enrolments", "programmes", "referrals", "referral_status_changes", "monthly_counts"],
});
const { admin, run, snapshot, variant, example: file } = imports;
const ALL = [
  "referrals.csv",
  "attendance-2024-06.csv",
  "enrolments-2023-24.csv",
  "programmes.csv",
  "schools.csv",
].map(file);

const history = (key: string) =>
  admin.youth.sql.many<{ status: string; at: string }>(
    `SELECT s.status, to_char(s.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS at FROM referral_status_changes s
       JOIN referrals r ON r.id = s.referral_id WHERE r.source_key = $1 ORDER BY s.id`,
    [key],
  );

let before: string;

/** Referral R-4003 accepted on 1 July. */
const accepted = (t: string) =>
  t
    .replace("24/06/2024,,,E01000001", "24/06/2024,,01/07/2024,E01000001")
    .replace(",REF,School", ",ACC,School");

test("schools and programmes first, then enrolments, attendance returns and referrals with their history", async () => {
  const report = await run(ALL);
  expect(report.files.map((f) => [f.record, f.new, f.changed, f.unchanged])).toEqual([
    ["school", 3, 0, 0],
    ["programme", 4, 0, 0],
    ["enrolment", 5, 0, 0],
    ["attendance", 0, 4, 0],
    ["referral", 4, 0, 0],
  ]);
  expect(
    await admin.youth.sql.many(
      `SELECT source_key, attendance_rate, suspensions FROM enrolments ORDER BY source_key`,
    ),
  ).toEqual([
    { source_key: "sis:E-23-0001", attendance_rate: 0.798, suspensions: 3 },
    // A blank suspensions column leaves the count as it was.
    { source_key: "sis:E-23-0002", attendance_rate: 0.96, suspensions: 0 },
    { source_key: "sis:E-23-0003", attendance_rate: 0.92, suspensions: 0 },
    { source_key: "sis:E-23-0004", attendance_rate: 0.612, suspensions: 5 },
    // No return for this one yet.
    { source_key: "sis:E-23-0005", attendance_rate: null, suspensions: 0 },
  ]);
  expect(await history("sis:R-4001")).toEqual([
    { status: "REFERRED", at: "2024-06-20" },
    { status: "ACTIVE", at: "2024-06-27" },
  ]);
  expect(
    await admin.youth.sql.one(`SELECT referred_by_agency_id FROM referrals WHERE source_key = 'sis:R-4003'`),
  ).toEqual({
    referred_by_agency_id: "youth",
  });
  expect(await rollupDifferences(admin.youth.sql, referralRollup)).toEqual([]);
  before = await snapshot();
});

test("again, nothing changes; a referral's new status is added to its history, once", async () => {
  expect((await run(ALL)).totals).toMatchObject({ new: 0, changed: 0, unchanged: 20 });
  expect(await snapshot()).toBe(before);
  const moved = variant("referrals.csv", "referrals-2.csv", accepted);
  expect((await run([moved])).files[0]).toMatchObject({ changed: 1, unchanged: 3 });
  expect((await run([moved])).files[0]).toMatchObject({ changed: 0, unchanged: 4 });
  expect(await history("sis:R-4003")).toEqual([
    { status: "REFERRED", at: "2024-06-24" },
    { status: "ACCEPTED", at: "2024-07-01" },
  ]);
  expect(await rollupDifferences(admin.youth.sql, referralRollup)).toEqual([]);
  before = await snapshot();
});

test("a partner's referral of someone under 16 is refused: its consent is checked only by the graph", async () => {
  const referrals = variant("referrals.csv", "referrals-3.csv", (t) =>
    accepted(t).concat(
      "R-4005,P-MEN,YS-20950,Leah,Grant,11/03/2011,REF,Council ASB case: mentoring suggested,25/06/2024,council,,E01000001\n" +
        "R-4006,P-MEN,YS-20951,Sam,Ortiz,,REF,Housing concern,25/06/2024,housing,,E01000001\n" +
        "R-4007,P-BOX,YS-20952,Ava,Reid,01/09/2016,REF,Wants to box,25/06/2024,youth,,E01000001\n" +
        "R-4008,P-BOX,YS-20953,Nia,Bello,01/01/2008,REF,Council ASB case,25/06/2024,Council,,E01000001\n",
    ),
  );
  const report = await run([referrals], { collectRejects: true });
  expect(report.files[0]).toMatchObject({ new: 1, unchanged: 4, rejected: 3 });
  expect(report.rejected.map((r) => [r.line, r.column, r.reason])).toEqual([
    [
      6,
      "Referrer",
      "a referral by council of someone under 16 needs their consent checked: make it through the graph (createReferral), not an import",
    ],
    [7, "DOB", "a referral by housing needs the young person's date of birth (under 16, it needs consent)"],
    [9, "Referrer", "referredBy: an agency id (police, council, housing, youth, ...)"],
  ]);
  // Youth services' own referral of a nine-year-old shares nothing: loaded.
  expect(
    await admin.youth.sql.one(`SELECT referred_by_agency_id FROM referrals WHERE source_key = 'sis:R-4007'`),
  ).toEqual({
    referred_by_agency_id: "youth",
  });
  before = await snapshot();
});

test("bad values are named; a failure in the middle of a file leaves nothing of it written", async () => {
  const enrolments = variant("enrolments-2023-24.csv", "enrolments-2024-25.csv", (t) =>
    t.replace(",11,2023/24,", ",14,2023/24,").replace(",9,2023/24,", ",9,2023/25,"),
  );
  const error = (await run([enrolments]).catch((e: unknown) => e)) as IngestError;
  expect(error.report.files[0].problems).toEqual([
    "enrolments-2024-25.csv:2 (NC Year): yearGroup: Number must be less than or equal to 13",
    "enrolments-2024-25.csv:3 (Academic Year): academicYear: 2023/25 is not one year",
  ]);
  const attendance = variant("attendance-2024-06.csv", "attendance-2024-07.csv", (t) =>
    t.replace("E-23-0001,79.8,3", "E-23-0001,80.1,3").replace("E-23-0004,61.2,5", "E-23-0004,60.0,5"),
  );
  let batches = 0;
  const failed = await run([attendance], {
    batch: 1,
    afterBatch: () => {
      if (++batches === 3) throw new Error("killed (simulated)");
    },
  }).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(IngestError);
  expect(await snapshot()).toBe(before);
});
