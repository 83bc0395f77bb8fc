import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { governance } from "../../subgraphs/governance/server";
import { partnership } from "../../subgraphs/partnership/server";
import { Role } from "../../subgraphs/shared/enums";
import { agencyImports, runIngestCommand } from "../support/ingest";
import { type As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * Issue 20, "above a threshold a link is made and audited": every reference an import's matcher
 * links to another agency's person, or queues for review, is a record in governance's audit chain
 * (kind PERSON_MATCH), written before the file's transaction commits; the chain still verifies; the
 * council's DSOs find the records with `personMatchAudit`; a dry run, a refused file and a file that
 * fails after matching audit nothing; and no record holds a reference, a name or a date of birth.
 */
let gov: TestSubgraph;
let people: TestSubgraph;
beforeAll(async () => {
  gov = await startTestSubgraph(governance);
  // The people index's subgraph audits to the same governance store, as deployed.
  people = await startTestSubgraph(partnership, undefined, { policyUrl: gov.policyUrl });
}, 120_000);
afterAll(async () => {
  await people?.stop();
  await gov?.stop();
});

const databases = () => ({
  partnership: (people.store.dataSource.options as { url: string }).url,
  governance: gov.policyUrl,
});
const policeImports = agencyImports("police", { label: "ima_police", databases, importedBy: "police.dso" });
const councilImports = agencyImports("council", { label: "ima_council", databases });
const PARTIES = councilImports.example("asb-parties-2024-06.csv");
const COUNCIL_FILES = [
  councilImports.example("asb-cases-2024-06.csv"),
  PARTIES,
  councilImports.example("asb-actions-2024-06.csv"),
];
const COUNCIL_MAPPING = councilImports.example("mapping.json");
const cli = (args: string[]) => runIngestCommand(args, { ...policeImports.urls, ...councilImports.urls });

beforeAll(async () => {
  const loaded = await policeImports.run(
    ["incidents-2024-06.jsonl", "involved-people-2024-06.csv"].map(policeImports.example),
  );
  expect(loaded.totals).toMatchObject({ peopleNew: 8, peopleLinked: 0 });
}, 60_000);

interface AuditRecord {
  sequence: string;
  user_id: string;
  agency_id: string;
  role: string;
  request_id: string;
  owner_agency_id: string;
  person_ids: string[];
  categories: string[];
  record_ids: string[];
  kind: string;
  detail: string;
}

const matchRecords = () =>
  gov.policySql.many<AuditRecord>(
    `SELECT sequence, user_id, agency_id, role, request_id, owner_agency_id, person_ids, categories, record_ids,
            kind, detail
       FROM audit_log WHERE kind = 'PERSON_MATCH' ORDER BY sequence`,
  );
const auditLength = async () =>
  Number((await gov.policySql.one<{ n: string }>(`SELECT count(*) AS n FROM audit_log`))!.n);

const personOf = async (agency: string, reference: string) =>
  (await councilImports.admin.partnership.sql.one<{ person_id: string }>(
    `SELECT person_id FROM person_references WHERE agency_id = $1 AND reference = $2`,
    [agency, reference],
  ))!.person_id;

/** `npm run audit:verify` on the test's governance database, as an operator runs it. */
function auditVerify(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("node", ["-r", "@swc-node/register", "scripts/audit-verify.ts"], {
      cwd: join(__dirname, "..", ".."),
      env: { ...process.env, GOVERNANCE_DATABASE_URL: gov.policyUrl, NODE_ENV: "development" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}

const COUNCIL_DSO: As = {
  agency: "council",
  role: Role.DATA_SHARING_OFFICER,
  user: "council.dso",
  purpose: "SAFEGUARDING",
};

const PERSON_MATCH_AUDIT = `query Links($personId: ID!) {
  personMatchAudit(personId: $personId) {
    totalCount
    edges { node { id kind userId role requestId personIds recordIds detail } }
  }
}`;
interface Links {
  personMatchAudit: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        kind: string;
        userId: string;
        role: string;
        requestId: string;
        personIds: string[];
        recordIds: string[];
        detail: string;
      };
    }[];
  };
}

test("without a governance database to audit in, a file whose people would be linked is refused", async () => {
  const before = await councilImports.snapshot();
  const error = await councilImports
    .run([COUNCIL_FILES[0], PARTIES], { auditMatches: undefined })
    .catch((e: unknown) => e);
  expect(String(error)).toMatch(/must be audited, and there is no governance database/);
  expect(await councilImports.snapshot()).toBe(before);
}, 60_000);

test("a dry run and a refused file audit nothing", async () => {
  const before = await auditLength();
  const dry = await cli(["--agency", "council", "--mapping", COUNCIL_MAPPING, "--dry-run", ...COUNCIL_FILES]);
  expect(dry.code).toBe(0);
  expect(dry.out).toContain("people: 5 linked to people already in the index, 1 queued for review");
  // A bad row (an unknown role code) refuses the parties file, people and all.
  const bad = councilImports.variant(PARTIES, "asb-parties-2024-06.csv", (text) =>
    text.replace(",COMP,CN-100231,", ",NOPE,CN-100231,"),
  );
  const refused = await cli(["--agency", "council", "--mapping", COUNCIL_MAPPING, COUNCIL_FILES[0], bad]);
  expect(refused.code).toBe(1);
  expect(refused.err).toMatch(/nothing from this file was loaded/);
  expect(await matchRecords()).toEqual([]);
  expect(await auditLength()).toBe(before);
}, 120_000);

test("a file that fails after its people were matched audits nothing", async () => {
  const before = await auditLength();
  const error = await councilImports
    .run([COUNCIL_FILES[0], PARTIES], {
      afterBatch: (file) => {
        if (file.startsWith("asb-parties")) throw new Error("the disk is full");
      },
    })
    .catch((e: unknown) => e);
  expect(String(error)).toMatch(/nothing from this file was loaded/);
  expect(await matchRecords()).toEqual([]);
  expect(await auditLength()).toBe(before);
}, 60_000);

describe("an import that links people", () => {
  let importId: string;

  test("audits each link and queued review: who ran it, the agency, the people, method and score", async () => {
    const before = await auditLength();
    const loaded = await cli([
      "--agency",
      "council",
      "--mapping",
      COUNCIL_MAPPING,
      "--by",
      "council.importer",
      ...COUNCIL_FILES,
    ]);
    expect(loaded.err).not.toMatch(/ingest:/);
    expect(loaded.code).toBe(0);
    expect(loaded.out).toContain(
      "people: 5 linked to people already in the index, 1 queued for review, 3 new",
    );
    importId = /import (\d+)/.exec(loaded.out)![1];

    const records = await matchRecords();
    expect(records).toHaveLength(6);
    expect(await auditLength()).toBe(before + 6);
    for (const r of records) {
      expect(r).toMatchObject({
        user_id: "council.importer",
        agency_id: "council",
        role: "INGEST",
        request_id: `council-import-${importId}`,
        owner_agency_id: "partnership",
        categories: ["IDENTITY"],
      });
      // People are named by pseudonym, as in every other record.
      for (const p of r.person_ids) expect(p).toMatch(/^[0-9a-f]{64}$/);
    }
    const linked = records.filter((r) => !r.record_ids.length);
    expect(linked).toHaveLength(5);
    for (const r of linked) {
      expect(r.person_ids).toHaveLength(1);
      expect(r.detail).toMatch(
        new RegExp(
          `^council import ${importId} \\(asb-parties-2024-06\\.csv\\) linked a reference to a person another agency holds: PROBABILISTIC, score [\\d.]+ bits$`,
        ),
      );
    }
    const [queued] = records.filter((r) => r.record_ids.length);
    const review = (await councilImports.admin.partnership.sql.one<{ id: string }>(
      `SELECT id FROM person_match_reviews WHERE agency_id = 'council' AND reference = 'CN-100602'`,
    ))!;
    expect(queued.record_ids).toEqual([review.id]);
    expect(queued.person_ids).toHaveLength(2);
    expect(queued.detail).toMatch(
      new RegExp(`queued a reference for review ${review.id}: score [\\d.]+ bits$`),
    );

    // Never the reference or the identity the agency exported: not its references, names, dates
    // of birth or postcodes, in any column.
    const text = JSON.stringify(records);
    const rows = parse(readFileSync(PARTIES), { columns: true }) as Record<string, string>[];
    const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    for (const row of rows) {
      const [day, month, year] = row.DOB.split("-");
      const iso = row.DOB && `${year}-${String(MONTHS.indexOf(month) + 1).padStart(2, "0")}-${day}`;
      for (const value of [row["Person Ref"], row.Forename, row.Surname, row.DOB, iso, row.Postcode])
        // (An initial alone, "A" Begum, is no value to look for.)
        if (value && value.length > 1) expect([value, text.includes(value)]).toEqual([value, false]);
    }
  }, 120_000);

  test("npm run audit:verify accepts the chain with them", async () => {
    const verified = await auditVerify();
    expect(verified.out).toMatch(/audit chain intact/);
    expect(verified.code).toBe(0);
  }, 60_000);

  test("the council's DSO finds them by person (personMatchAudit); the police's DSO and a practitioner do not", async () => {
    const margaret = await personOf("police", "NOM-401122");
    expect(await personOf("council", "CN-100231")).toBe(margaret);
    const found = await gov.query<Links>(PERSON_MATCH_AUDIT, { personId: margaret }, COUNCIL_DSO);
    expect(found.errors).toBeUndefined();
    expect(found.data!.personMatchAudit.totalCount).toBe(1);
    expect(found.data!.personMatchAudit.edges[0].node).toMatchObject({
      kind: "LINKED",
      userId: "council.importer",
      role: "INGEST",
      requestId: `council-import-${importId}`,
      personIds: [margaret],
      recordIds: [],
    });
    expect(found.data!.personMatchAudit.edges[0].node.detail).toMatch(/PROBABILISTIC, score [\d.]+ bits/);

    // The doubtful one: found by either person the review names.
    const aisha = await personOf("police", "NOM-403551");
    const provisional = await personOf("council", "CN-100602");
    for (const personId of [aisha, provisional]) {
      const queued = await gov.query<Links>(PERSON_MATCH_AUDIT, { personId }, COUNCIL_DSO);
      expect(queued.errors).toBeUndefined();
      expect(queued.data!.personMatchAudit.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({ kind: "QUEUED", personIds: [provisional, aisha] }),
      ]);
    }

    // The link is of the council's reference: the police's DSOs see none of it.
    const police = await gov.query<Links>(
      PERSON_MATCH_AUDIT,
      { personId: margaret },
      { ...COUNCIL_DSO, agency: "police", user: "police.dso" },
    );
    expect(police.errors).toBeUndefined();
    expect(police.data!.personMatchAudit).toMatchObject({ totalCount: 0, edges: [] });
    const practitioner = await gov.query<Links>(
      PERSON_MATCH_AUDIT,
      { personId: margaret },
      { ...COUNCIL_DSO, role: Role.PRACTITIONER, user: "council.officer" },
    );
    expect(practitioner.data?.personMatchAudit ?? null).toBeNull();
    expect(practitioner.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  }, 60_000);

  test("the review decided later joins them (PERSON_MATCH_REVIEW); importing again audits nothing new", async () => {
    const aisha = await personOf("police", "NOM-403551");
    const review = (await councilImports.admin.partnership.sql.one<{ id: string }>(
      `SELECT id FROM person_match_reviews WHERE agency_id = 'council' AND reference = 'CN-100602'`,
    ))!;
    const confirmed = await people.query(
      `mutation Confirm($id: ID!) { confirmPersonMatch(id: $id, note: "nominal checked") { status } }`,
      { id: review.id },
      COUNCIL_DSO,
    );
    expect(confirmed.errors).toBeUndefined();
    const found = await gov.query<Links>(PERSON_MATCH_AUDIT, { personId: aisha }, COUNCIL_DSO);
    expect(found.data!.personMatchAudit.edges.map((e) => [e.node.kind, e.node.userId])).toEqual([
      ["REVIEWED", "council.dso"],
      ["QUEUED", "council.importer"],
    ]);

    const before = await auditLength();
    const again = await councilImports.run(COUNCIL_FILES);
    expect(again.totals).toMatchObject({ peopleLinked: 0, peopleQueuedForReview: 0 });
    expect(await auditLength()).toBe(before);
  }, 60_000);
});
