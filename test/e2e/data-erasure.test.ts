import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import type { SubgraphName } from "../../subgraphs/shared/config";
import { Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql, type As } from "../support/graphql";
import { urlOf } from "../support/outage";

/**
 * Issue 18, through the gateway as DSOs would run it, in the issue's one flow: a demo person with
 * records at three agencies (and more) is exported, erased at one agency (the others' data and
 * their own exports untouched), rectified, then erased at the rest; after that no store and no
 * audit record links their name, date of birth or agency references to anything, and
 * `npm run audit:verify` reports the chain intact.
 */
let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
}, 240_000);
afterAll(() => fed?.stop());

const OPS = readFileSync(join(__dirname, "../contract/DataProtection.graphql"), "utf8");
const dso = (agency: string): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  user: `${agency}.dso`,
  purpose: "DATA_PROTECTION",
});
const run = (name: string, variables: Record<string, unknown>, as: As) =>
  fed.query<Record<string, never>>(OPS, variables, { ...as, operationName: name });

interface Erasure {
  agency: { id: string };
  erasedRecords: number;
  retainedRecords: number;
  retainedBecause: string[];
}

async function erase(agency: string, personId: string): Promise<Erasure> {
  const response = await run(
    "ErasePersonData",
    { personId, requestRef: `DSAR-TEST-${agency}`, reason: "Article 17(1)(a): no longer necessary" },
    dso(agency),
  );
  expect(response.errors).toBeUndefined();
  return (response.data as unknown as { erasePersonData: Erasure }).erasePersonData;
}

async function setRule(agency: string, input: Record<string, unknown>) {
  const response = await run("SetRetentionRule", { input }, dso(agency));
  expect(response.errors).toBeUndefined();
}

/** Rows about the person in each agency's own store. */
async function heldAt(personId: string): Promise<Record<string, number>> {
  const count = async (name: SubgraphName, sql: string) =>
    Number((await fed.stores[name].sql.one<{ n: string }>(sql, [personId]))!.n);
  return {
    police: await count("police", `SELECT count(*) AS n FROM involvements WHERE person_id = $1`),
    council: await count("council", `SELECT count(*) AS n FROM asb_parties WHERE person_id = $1`),
    youth: await count(
      "youth",
      `SELECT (SELECT count(*) FROM enrolments WHERE person_id = $1) + (SELECT count(*) FROM referrals WHERE person_id = $1) AS n`,
    ),
    housing: await count(
      "housing",
      `SELECT (SELECT count(*) FROM tenancy_occupants WHERE person_id = $1) + (SELECT count(*) FROM housing_reports WHERE person_id = $1) AS n`,
    ),
  };
}

async function disclosureCount(agency: string, personId: string): Promise<number> {
  const response = await fed.query<{ disclosures: { totalCount: number } }>(
    `query ($p: ID!) { disclosures(personId: $p) { totalCount } }`,
    { p: personId },
    { ...dso(agency), purpose: "SAFEGUARDING" },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.disclosures.totalCount;
}

/** A person police, council and housing all hold records about (youth too, when there is one). */
async function personAtThreeAgencies(): Promise<string> {
  const ids = async (name: SubgraphName, sql: string) =>
    new Set((await fed.stores[name].sql.many<{ id: string }>(sql)).map((r) => r.id));
  const police = await ids("police", `SELECT DISTINCT person_id AS id FROM involvements`);
  const council = await ids("council", `SELECT DISTINCT person_id AS id FROM asb_parties`);
  const housing = await ids("housing", `SELECT DISTINCT person_id AS id FROM tenancy_occupants`);
  const youth = await ids("youth", `SELECT DISTINCT person_id AS id FROM enrolments`);
  const three = [...police].filter((p) => council.has(p) && housing.has(p)).sort();
  expect(three.length).toBeGreaterThan(0);
  return three.find((p) => youth.has(p)) ?? three[0];
}

test("a practitioner, another purpose, and the internal operations are refused; DATA_PROTECTION opens no agreement", async () => {
  const asPractitioner = await run(
    "ErasePersonData",
    { personId: "per-000001", requestRef: "R", reason: "x" },
    { ...dso("police"), role: Role.PRACTITIONER },
  );
  expect(asPractitioner.errors?.[0].extensions).toMatchObject({
    code: "FORBIDDEN",
    reason: "ROLE_NOT_PERMITTED",
  });
  const otherPurpose = await run("RetentionRules", {}, { ...dso("police"), purpose: "SAFEGUARDING" });
  expect(otherPurpose.errors?.[0].extensions).toMatchObject({
    code: "FORBIDDEN",
    reason: "PURPOSE_NOT_COVERED",
  });

  // Not in the public API.
  const internal = await fed.query(`{ _heldAbout(personId: "per-000001") { id } }`, {}, dso("police"));
  expect(internal.errors?.[0].message).toMatch(/_heldAbout/);

  // Asked directly at the police subgraph, a council DSO may not erase police's records.
  const police = fed.federation.subgraphs.police.url;
  const direct = await graphql(
    police,
    `
      mutation {
        _eraseHeld(erasureId: "e-1", personId: "per-000001", records: [{ kind: "INCIDENT", id: "x" }]) {
          erased
        }
      }
    `,
    {},
    dso("council"),
  );
  // Another agency's holdings are unknown to them, as any record of a party they are not.
  expect(direct.errors?.[0].extensions).toMatchObject({ code: "NOT_FOUND" });
  expect(direct.data?._eraseHeld ?? null).toBeNull();

  // A council practitioner under DATA_PROTECTION gets none of police's data, agreements or not.
  const person360 = await fed.query<{ person: { incidents: { totalCount: number } } }>(
    `query ($p: ID!) { person(id: $p) { incidents { totalCount } } }`,
    { p: "per-000002" },
    { agency: "council", role: Role.PRACTITIONER, purpose: "DATA_PROTECTION" },
  );
  expect(person360.data?.person?.incidents?.totalCount ?? 0).toBe(0);
});

test("retention rules: the demo's are listed with their basis, a DSO sets one for their own agency", async () => {
  const rules = await run("RetentionRules", {}, dso("council"));
  expect(rules.errors).toBeUndefined();
  const list = (rules.data as unknown as { retentionRules: { agency: { id: string }; basis: string }[] })
    .retentionRules;
  expect(list.length).toBeGreaterThan(0);
  expect(list.every((r) => r.agency.id === "council" && r.basis.length > 0)).toBe(true);
  const bad = await run(
    "SetRetentionRule",
    { input: { category: "ASB_CASE", retainForMonths: 0, from: "CLOSED", basis: "x" } },
    dso("council"),
  );
  expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT" });
});

/** A subject access export's document, as its DSO gets it. */
interface Exported {
  recordCount: number;
  records: { id: string }[];
  disclosures: { operationName: string | null }[];
}

async function exportOf(agency: string, personId: string): Promise<Exported> {
  const response = await run("SubjectAccessExport", { personId }, dso(agency));
  expect(response.errors).toBeUndefined();
  return (response.data as unknown as { subjectAccessExport: { document: Exported } }).subjectAccessExport
    .document;
}

/** An export as it stands: its records and disclosures, leaving out the audit records of exports themselves. */
const exportedData = (e: Exported) => ({
  records: e.records,
  disclosures: e.disclosures.filter((d) => d.operationName !== "SubjectAccessExport"),
});

/** `npm run audit:verify` on the test's governance database, as an operator runs it. */
function auditVerify(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("node", ["-r", "@swc-node/register", "scripts/audit-verify.ts"], {
      cwd: join(__dirname, "..", ".."),
      env: { ...process.env, GOVERNANCE_DATABASE_URL: urlOf(fed.stores.governance), NODE_ENV: "development" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}

test("the issue's flow: a person with records at three agencies through export, erasure at one (the others untouched), rectification, and erasure at the rest; then nothing links them", async () => {
  const personId = await personAtThreeAgencies();
  const partnership = fed.stores.partnership.sql;
  const person = (await partnership.one<{ given_name: string; family_name: string; dob: string | null }>(
    `SELECT given_name, family_name, to_char(date_of_birth, 'YYYY-MM-DD') AS dob FROM people WHERE id = $1`,
    [personId],
  ))!;
  const references = await partnership.many<{ agency_id: string; reference: string }>(
    `SELECT agency_id, reference FROM person_references WHERE person_id = $1 ORDER BY agency_id`,
    [personId],
  );
  // Someone at council reads police's data about the person: the audit now names them.
  await fed.query(
    `query ($p: ID!) { person(id: $p) { displayName incidents { totalCount } } }`,
    { p: personId },
    {
      agency: "council",
      role: Role.PRACTITIONER,
      purpose: "ASB_CASE_MANAGEMENT",
    },
  );
  const before = await heldAt(personId);
  expect(before.police).toBeGreaterThan(0);
  expect(before.council).toBeGreaterThan(0);
  expect(before.housing).toBeGreaterThan(0);
  const councilDisclosures = await disclosureCount("council", personId);
  expect(await disclosureCount("police", personId)).toBeGreaterThan(0);

  // Export: each of the three agencies gives the person what it holds.
  const exported: Record<string, Exported> = {};
  for (const agency of ["police", "council", "housing"]) {
    exported[agency] = await exportOf(agency, personId);
    expect({ agency, records: exported[agency].recordCount > 0 }).toEqual({ agency, records: true });
  }

  // Police: their rules (6 and 10 years) have run out for the demo's 2019 incidents.
  await setRule("police", {
    category: "INCIDENT_SUMMARY",
    retainForMonths: 1,
    from: "CREATED",
    basis: "test: erasable",
  });
  await setRule("police", {
    category: "OFFENDING",
    retainForMonths: 1,
    from: "CREATED",
    basis: "test: erasable",
  });
  const police = await erase("police", personId);
  expect(police).toMatchObject({ agency: { id: "police" }, retainedRecords: 0, retainedBecause: [] });
  expect(police.erasedRecords).toBe(before.police);
  expect(await heldAt(personId)).toEqual({ ...before, police: 0 });
  // Police's audit no longer finds the person; council's is as it was.
  expect(await disclosureCount("police", personId)).toBe(0);
  expect(await disclosureCount("council", personId)).toBe(councilDisclosures);
  expect(
    await partnership.many(`SELECT 1 FROM person_references WHERE person_id = $1 AND agency_id = 'police'`, [
      personId,
    ]),
  ).toEqual([]);
  // The others' own exports are unchanged; police's holds nothing more.
  for (const agency of ["council", "housing"])
    expect({ agency, ...exportedData(await exportOf(agency, personId)) }).toEqual({
      agency,
      ...exportedData(exported[agency]),
    });
  expect((await exportOf("police", personId)).recordCount).toBe(0);

  // Rectification, by an agency that still holds records about them: the index and governance's copy.
  const rectified = await run(
    "RectifyPerson",
    {
      personId,
      input: {
        displayName: "Corrected Familyname",
        dateOfBirth: "1991-03-04",
        evidenceRef: "passport-2026-7",
      },
    },
    dso("council"),
  );
  expect(rectified.errors).toBeUndefined();
  expect(
    await fed.stores.governance.sql.one(
      `SELECT date_of_birth::text AS dob FROM person_dates_of_birth WHERE person_id = $1`,
      [personId],
    ),
  ).toEqual({ dob: "1991-03-04" });

  // Housing: a tenancy still running is kept by a rule from CLOSED, and says why.
  const housingKept = await erase("housing", personId);
  if (housingKept.retainedRecords > 0) {
    expect(housingKept.retainedBecause.join("\n")).toMatch(/TENANCY: kept 72 months from CLOSED/);
  }
  // A legal hold keeps everything, whatever the rules.
  await setRule("council", {
    category: "ASB_CASE",
    retainForMonths: 1,
    from: "CREATED",
    basis: "test: erasable",
  });
  const hold = await fed.query(
    `mutation ($p: ID!) { setLegalHold(personId: $p, reason: "claim CL-1") { reason agency { id } } }`,
    { p: personId },
    dso("council"),
  );
  expect(hold.errors).toBeUndefined();
  const held = await erase("council", personId);
  expect(held.erasedRecords).toBe(0);
  expect(held.retainedBecause).toEqual(["legal hold: claim CL-1"]);
  expect((await heldAt(personId)).council).toBe(before.council);
  const lifted = await fed.query(
    `mutation ($p: ID!) { setLegalHold(personId: $p, reason: null) { reason } }`,
    { p: personId },
    dso("council"),
  );
  expect(lifted.errors).toBeUndefined();

  // The rest.
  for (const rule of [
    { agency: "housing", category: "TENANCY" },
    { agency: "youth", category: "EDUCATION" },
    { agency: "youth", category: "YOUTH_PROGRAMME" },
  ]) {
    await setRule(rule.agency, {
      category: rule.category,
      retainForMonths: 1,
      from: "CREATED",
      basis: "test: erasable",
    });
  }
  // Each agency is its own controller: the index entry stays until the last of them has erased.
  for (const agency of ["council", "housing", "youth"]) {
    expect(await partnership.one(`SELECT given_name FROM people WHERE id = $1`, [personId])).toEqual({
      given_name: "Corrected",
    });
    const result = await erase(agency, personId);
    expect({ agency, retained: result.retainedRecords }).toEqual({ agency, retained: 0 });
  }
  expect(await heldAt(personId)).toEqual({ police: 0, council: 0, youth: 0, housing: 0 });

  // The people index keeps the id (cases point at it) and nothing else: no reference, no history.
  expect(
    await partnership.one(
      `SELECT given_name, family_name, date_of_birth, home_lsoa FROM people WHERE id = $1`,
      [personId],
    ),
  ).toEqual({ given_name: "Erased", family_name: "person", date_of_birth: null, home_lsoa: null });
  expect(await partnership.many(`SELECT 1 FROM person_references WHERE person_id = $1`, [personId])).toEqual(
    [],
  );
  expect(
    await partnership.many(`SELECT 1 FROM person_identity_history WHERE person_id = $1`, [personId]),
  ).toEqual([]);

  // Governance: no key, no consent, no date of birth, nothing under way; no audit record names the person.
  const governance = fed.stores.governance.sql;
  expect(await governance.many(`SELECT 1 FROM person_keys WHERE person_id = $1`, [personId])).toEqual([]);
  expect(await governance.many(`SELECT 1 FROM consents WHERE person_id = $1`, [personId])).toEqual([]);
  expect(
    await governance.many(`SELECT 1 FROM person_dates_of_birth WHERE person_id = $1`, [personId]),
  ).toEqual([]);
  expect(await governance.many(`SELECT 1 FROM erasures`)).toEqual([]);
  for (const agency of ["police", "council", "youth", "housing"]) {
    expect({ agency, n: await disclosureCount(agency, personId) }).toEqual({ agency, n: 0 });
  }
  const names = [`${person.given_name} ${person.family_name}`, "Corrected Familyname"];
  const needles = [
    personId,
    ...names,
    ...(person.dob ? [person.dob] : []),
    "1991-03-04",
    ...references.map((r) => r.reference),
  ];
  for (const needle of needles) {
    const rows = await governance.many<{ sequence: string }>(
      `SELECT a.sequence, a.kind, a.operation_name, a.detail, a.record_ids FROM audit_log a
        WHERE strpos(row_to_json(a)::text, $1) > 0`,
      [needle],
    );
    expect({ needle, rows }).toEqual({ needle, rows: [] });
  }
  // Nor any other store, in any table (what an erasure moved aside included): the names and the
  // references (the id stays in the index, and a date of birth alone is any date; both were
  // checked where they were kept).
  const linking = [...names, ...references.map((r) => r.reference)];
  for (const name of ["police", "council", "youth", "housing", "partnership"] as const) {
    const tables = await fed.stores[name].sql.many<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      for (const needle of linking) {
        const rows = await fed.stores[name].sql.many(
          `SELECT 1 FROM "${table_name}" t WHERE strpos(row_to_json(t)::text, $1) > 0 LIMIT 1`,
          [needle],
        );
        expect({ name, table_name, needle, rows }).toEqual({ name, table_name, needle, rows: [] });
      }
    }
    expect({ name, aside: await fed.stores[name].sql.many(`SELECT 1 FROM erasure_pending`) }).toEqual({
      name,
      aside: [],
    });
  }

  // The chain, its counts and the erasures themselves are all still there, and verify.
  const verified = await auditVerify();
  expect(verified.out).toMatch(/audit chain intact/);
  expect(verified.code).toBe(0);
  const erasures = await governance.many<{ detail: string }>(
    `SELECT detail FROM audit_log WHERE kind = 'DATA_PROTECTION' AND detail LIKE 'erasure DSAR-TEST-%'`,
  );
  expect(erasures.length).toBeGreaterThanOrEqual(5);
}, 180_000);

test("retention due lists the caller's own records past their period, a page at a time", async () => {
  await setRule("council", { category: "ASB_CASE", retainForMonths: 1, from: "CREATED", basis: "test: due" });
  const due = await run("RetentionDue", { first: 5 }, dso("council"));
  expect(due.errors).toBeUndefined();
  const page = (
    due.data as unknown as {
      retentionDue: {
        totalCount: number;
        edges: { node: { kind: string; category: string; dueSince: string } }[];
      };
    }
  ).retentionDue;
  expect(page.totalCount).toBeGreaterThan(0);
  expect(page.edges.length).toBeLessThanOrEqual(5);
  expect(page.edges.every((e) => e.node.kind === "ASB_CASE" && e.node.category === "ASB_CASE")).toBe(true);
});

test("the erasure plan names, before anything goes, what erasure would erase and keep and why; asking changes nothing", async () => {
  // A police-only person the other tests leave alone.
  const { id: personId } = (await fed.stores.police.sql.one<{ id: string }>(
    `SELECT person_id AS id FROM involvements GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id DESC LIMIT 1`,
  ))!;
  interface Plan {
    agency: { id: string };
    eraseRecords: number;
    retainRecords: number;
    retainedBecause: string[];
    records: { kind: string; id: string; categories: string[]; keptBecause: string[] }[];
  }
  const PLAN = `query ($p: ID!) { erasurePlan(personId: $p) { agency { id } eraseRecords retainRecords
    retainedBecause records { kind id categories keptBecause } } }`;
  const plan = async (as: As = dso("police")) => {
    const response = await fed.query<{ erasurePlan: Plan }>(PLAN, { p: personId }, as);
    expect(response.errors).toBeUndefined();
    return response.data!.erasurePlan;
  };
  const before = await heldAt(personId);
  const first = await plan();
  expect(first.agency.id).toBe("police");
  expect(first.records.length).toBe(first.eraseRecords + first.retainRecords);
  expect(first.records.length).toBeGreaterThan(0);
  expect(first.records.filter((r) => r.keptBecause.length).length).toBe(first.retainRecords);

  // A legal hold: everything kept, for that reason; listed among the agency's holds, not another's.
  const hold = await fed.query(
    `mutation ($p: ID!) { setLegalHold(personId: $p, reason: "inquiry INQ-7") { reason } }`,
    { p: personId },
    dso("police"),
  );
  expect(hold.errors).toBeUndefined();
  const held = await plan();
  expect(held).toMatchObject({ eraseRecords: 0, retainRecords: first.records.length });
  expect(held.retainedBecause).toEqual(["legal hold: inquiry INQ-7"]);
  const HOLDS = `{ legalHolds { person { id } reason placedBy agency { id } } }`;
  const policeHolds = await fed.query<{ legalHolds: { person: { id: string }; reason: string }[] }>(
    HOLDS,
    {},
    dso("police"),
  );
  expect(policeHolds.data?.legalHolds).toContainEqual(
    expect.objectContaining({ person: { id: personId }, reason: "inquiry INQ-7", placedBy: "police.dso" }),
  );
  const councilHolds = await fed.query<{ legalHolds: { person: { id: string } }[] }>(
    HOLDS,
    {},
    dso("council"),
  );
  expect(councilHolds.data?.legalHolds.map((h) => h.person.id)).not.toContain(personId);
  const lifted = await fed.query(
    `mutation ($p: ID!) { setLegalHold(personId: $p, reason: null) { reason } }`,
    { p: personId },
    dso("police"),
  );
  expect(lifted.errors).toBeUndefined();

  // Refused to anyone but the agency's DSO under DATA_PROTECTION.
  const practitioner = await fed.query(PLAN, { p: personId }, { ...dso("police"), role: Role.PRACTITIONER });
  expect(practitioner.errors?.[0].extensions).toMatchObject({
    code: "FORBIDDEN",
    reason: "ROLE_NOT_PERMITTED",
  });
  const otherPurpose = await fed.query(PLAN, { p: personId }, { ...dso("police"), purpose: "SAFEGUARDING" });
  expect(otherPurpose.errors?.[0].extensions).toMatchObject({
    code: "FORBIDDEN",
    reason: "PURPOSE_NOT_COVERED",
  });
  const holdsAsPractitioner = await fed.query(HOLDS, {}, { ...dso("police"), role: Role.PRACTITIONER });
  expect(holdsAsPractitioner.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN" });

  // Asking changed nothing; erasure then keeps what the plan said, for the reasons it gave.
  expect(await heldAt(personId)).toEqual(before);
  expect(await plan()).toEqual(first);
  const erased = await erase("police", personId);
  expect(erased.retainedRecords).toBe(first.retainRecords);
  expect(erased.retainedBecause).toEqual(first.retainedBecause);
});
