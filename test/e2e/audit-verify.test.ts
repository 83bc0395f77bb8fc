import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, Pool } from "pg";
import { auditHash } from "../../subgraphs/shared/access/audit-chain";
import { LeastPrivilegeRoles1764100000000 } from "../../subgraphs/governance/migrations/1764100000000-LeastPrivilegeRoles";
import { dropDatabase, openStore, Sql } from "../../subgraphs/shared/database";
import { auditorDatabaseUrl, governanceAccessDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import {
  AuditRepository,
  CHECKPOINT_EVERY,
  lastVerification,
  toChainRow,
  type AuditRow,
  type NewAuditRecord,
} from "../../subgraphs/governance/repositories/audit";
import { appendInClear, councilReadOfPoliceIncident } from "../support/audit";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { governance } from "../../subgraphs/governance/server";
import { uniqueDatabaseUrl } from "../support/database";
import { testConfig } from "../support/graphql";
import { DEMO_SEED } from "../support/demo-databases";

/**
 * `npm run audit:verify` as an operator runs it, against a governance database seeded with the
 * demo and then half as many records again past the first checkpoint. Each tampering is done
 * on its own copy of that database (CREATE DATABASE ... TEMPLATE), the way a tamperer with
 * table-owner rights would: the append-only triggers disabled first.
 */
const ROOT = join(__dirname, "..", "..");
const APPENDED = CHECKPOINT_EVERY + CHECKPOINT_EVERY / 2;

let templateUrl: string;
let total: number;
const copies: string[] = [];

function record(n: number): NewAuditRecord {
  return councilReadOfPoliceIncident({
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    userId: `council.officer.${n % 7}`,
    requestId: `verify-${n}`,
    personIds: [`per-${String(n % 300).padStart(6, "0")}`],
    recordIds: [`inc-${n}`],
  });
}

beforeAll(async () => {
  templateUrl = uniqueDatabaseUrl("audit_template");
  const store = await openStore(governance, templateUrl, { poolSize: 2 });
  try {
    await seedGovernance(store.sql, {
      seed: DEMO_SEED,
      scale: "small",
      people: demoPeople(DEMO_SEED, "small"),
      linkable: {},
      reports: [],
    });
    // Several appends, as requests would make them, carrying the chain past a checkpoint.
    for (let start = 0; start < APPENDED; start += 250) {
      await AuditRepository.append(
        store.sql,
        Array.from({ length: 250 }, (_, i) => record(start + i)),
      );
    }
    total = Number((await store.sql.one<{ n: string }>(`SELECT count(*) AS n FROM audit_log`))!.n);
    const checkpoints = await store.sql.many(`SELECT sequence FROM audit_checkpoints`);
    expect(checkpoints.length).toBeGreaterThan(0);
  } finally {
    // A template must have no connections when it is copied.
    await store.close();
  }
}, 120_000);

afterAll(async () => {
  for (const url of [...copies, templateUrl]) await dropDatabase(url).catch(() => undefined);
});

/** A copy of the seeded database, and a connection to it as its owner. */
async function copy(label: string): Promise<{ url: string; db: Client }> {
  const url = uniqueDatabaseUrl(`audit_${label}`);
  copies.push(url);
  const admin = new URL(templateUrl);
  admin.pathname = "/postgres";
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const name = (u: string) => decodeURIComponent(new URL(u).pathname.slice(1));
    await client.query(`CREATE DATABASE "${name(url)}" TEMPLATE "${name(templateUrl)}"`);
  } finally {
    await client.end();
  }
  const db = new Client({ connectionString: url });
  await db.connect();
  return { url, db };
}

/** Runs `work` with the append-only triggers out of the way, and puts them back after. */
async function tamper(db: Client, work: () => Promise<unknown>): Promise<void> {
  await db.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
  await db.query(`ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`);
  await work();
  await db.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
  await db.query(`ALTER TABLE audit_checkpoints ENABLE TRIGGER USER`);
}

async function row(db: Client, sequence: number): Promise<AuditRow> {
  const { rows } = await db.query<AuditRow>(`SELECT * FROM audit_log WHERE sequence = $1`, [sequence]);
  return rows[0];
}

/** `npm run audit:verify` with GOVERNANCE_DATABASE_URL (or AUDITOR_DATABASE_URL) set, as an operator runs it. */
function verify(
  url: string | undefined,
  variable: "GOVERNANCE_DATABASE_URL" | "AUDITOR_DATABASE_URL" = "GOVERNANCE_DATABASE_URL",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Only the URL given: no DATABASE_URL from the surroundings to fall back on.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.GOVERNANCE_DATABASE_URL;
  delete env.AUDITOR_DATABASE_URL;
  if (url) env[variable] = url;
  // With no URL it looks for the embedded demo database: none here, whatever the checkout holds.
  else env.EMBEDDED_PG_DIR = join(tmpdir(), `no-demo-${process.pid}`, "postgres");
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "audit:verify"], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Expects exit 1 and the first broken record named. */
async function expectBrokenAt(url: string, sequence: number, reason: RegExp) {
  const result = await verify(url);
  expect(result.stdout).toMatch(new RegExp(`^audit chain BROKEN at record ${sequence}: `));
  expect(result.stdout).toMatch(reason);
  expect(result.code).toBe(1);
}

const MIDDLE = 700;

it("an intact chain: exit 0 and the number of records", async () => {
  const { url, db } = await copy("intact");
  await db.end();
  const result = await verify(url);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`audit chain intact: ${total} records verified\n`);
  expect(total).toBeGreaterThan(APPENDED);
});

it("the log refuses edits and deletions while its triggers stand", async () => {
  const { url, db } = await copy("guarded");
  try {
    for (const statement of [
      `UPDATE audit_log SET purpose = 'STATISTICS' WHERE sequence = ${MIDDLE}`,
      `DELETE FROM audit_log WHERE sequence = ${MIDDLE}`,
      `TRUNCATE audit_log CASCADE`,
      `DELETE FROM audit_checkpoints`,
    ]) {
      await expect(db.query(statement)).rejects.toThrow(/append-only/);
    }
  } finally {
    await db.end();
  }
  expect((await verify(url)).code).toBe(0);
});

it("an edited row: exit 1 naming it", async () => {
  const { url, db } = await copy("edited");
  await tamper(db, () =>
    db.query(`UPDATE audit_log SET purpose = 'SAFEGUARDING', user_id = 'someone.else' WHERE sequence = $1`, [
      MIDDLE,
    ]),
  );
  await expectBrokenAt(url, MIDDLE, /does not match its hash \(edited\)/);
  // The verdict is kept for auditChainStatus, naming the record.
  const { rows } = await db.query(`SELECT intact, first_bad_sequence FROM audit_verifications`);
  expect(rows).toEqual([{ intact: false, first_bad_sequence: String(MIDDLE) }]);
  await db.end();
});

it("an edited row with the whole chain after it rehashed: caught at the next checkpoint", async () => {
  const { url, db } = await copy("rehashed");
  await tamper(db, async () => {
    // The thorough tamperer: edit, then recompute every later hash so every link holds.
    await db.query(`UPDATE audit_log SET purpose = 'SAFEGUARDING' WHERE sequence = $1`, [MIDDLE]);
    let previous = (await row(db, MIDDLE - 1)).hash;
    for (let sequence = MIDDLE; sequence <= total; sequence++) {
      const hash = auditHash(previous, toChainRow(await row(db, sequence)));
      await db.query(`UPDATE audit_log SET previous_hash = $2, hash = $3 WHERE sequence = $1`, [
        sequence,
        previous,
        hash,
      ]);
      previous = hash;
    }
  });
  await db.end();
  await expectBrokenAt(url, CHECKPOINT_EVERY, /does not match checkpoint/);
}, 60_000);

it("a deleted row: exit 1 naming it", async () => {
  const { url, db } = await copy("deleted");
  await tamper(db, () => db.query(`DELETE FROM audit_log WHERE sequence = $1`, [MIDDLE]));
  await db.end();
  await expectBrokenAt(url, MIDDLE, /record 700 is missing \(deleted\)/);
});

it("a row inserted in the middle, chained to the one before it: exit 1 at the first record it cuts off", async () => {
  const { url, db } = await copy("inserted");
  await tamper(db, async () => {
    // Make room at MIDDLE (two steps: the primary key is checked row by row), then forge a
    // record there that links properly to the one before it.
    await db.query(`UPDATE audit_log SET sequence = sequence + 1000000 WHERE sequence >= $1`, [MIDDLE]);
    await db.query(`UPDATE audit_log SET sequence = sequence - 999999 WHERE sequence > 1000000`);
    const previous = (await row(db, MIDDLE - 1)).hash;
    const forged = { ...record(99_999), sequence: MIDDLE, userId: "nobody" };
    await db.query(
      `INSERT INTO audit_log (sequence, at, user_id, agency_id, role, purpose, operation_name, request_id, owner_agency_id,
         person_ids, categories, record_ids, decision, reason, basis, agreement_id, consent_id, break_glass, justification,
         kind, detail, previous_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
      [
        forged.sequence,
        forged.at,
        forged.userId,
        forged.agencyId,
        forged.role,
        forged.purpose,
        forged.operationName,
        forged.requestId,
        forged.ownerAgencyId,
        forged.personIds,
        forged.categories,
        forged.recordIds,
        forged.decision,
        forged.reason,
        forged.basis,
        forged.agreementId,
        forged.consentId,
        forged.breakGlass,
        forged.justification,
        forged.kind,
        forged.detail,
        previous,
        auditHash(previous, forged),
      ],
    );
  });
  await db.end();
  // The forgery itself verifies; the genuine record after it no longer links to its predecessor.
  await expectBrokenAt(url, MIDDLE + 1, /does not link to record 700 \(inserted or reordered\)/);
});

it("a row inserted in the middle with a made-up hash: exit 1 naming it", async () => {
  const { url, db } = await copy("inserted_naive");
  await tamper(db, async () => {
    await db.query(`UPDATE audit_log SET sequence = sequence + 1000000 WHERE sequence >= $1`, [MIDDLE]);
    await db.query(`UPDATE audit_log SET sequence = sequence - 999999 WHERE sequence > 1000000`);
    // Its neighbour's hashes on a record of the tamperer's own (another user's access).
    await db.query(
      `INSERT INTO audit_log SELECT ${MIDDLE}, at, 'nobody', agency_id, role, purpose, operation_name, request_id,
         owner_agency_id, person_ids, categories, record_ids, decision, reason, basis, agreement_id, consent_id,
         break_glass, justification, kind, detail, previous_hash, hash
       FROM audit_log WHERE sequence = $1`,
      [MIDDLE + 1],
    );
  });
  await db.end();
  await expectBrokenAt(url, MIDDLE, /record 700 does not match its hash/);
});

it("the tail cut back past a checkpoint: exit 1 naming the first missing record", async () => {
  const { url, db } = await copy("truncated");
  const keep = CHECKPOINT_EVERY - 50;
  await tamper(db, () => db.query(`DELETE FROM audit_log WHERE sequence > $1`, [keep]));
  await db.end();
  await expectBrokenAt(url, keep + 1, /ends at record 950 but checkpoint 1000 was recorded/);
});

it("a database it cannot read: exit 2, saying so", async () => {
  const result = await verify(uniqueDatabaseUrl("audit_absent"));
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/audit:verify could not read the audit log/);
  const unset = await verify(undefined);
  expect(unset.code).toBe(2);
  expect(unset.stderr).toMatch(/set AUDITOR_DATABASE_URL \(or DATABASE_URL or GOVERNANCE_DATABASE_URL\)/);
});

it("a chain written before the roles migration still verifies after it, as the read-only auditor, and goes on", async () => {
  const url = uniqueDatabaseUrl("audit_migrated");
  copies.push(url);
  const config = testConfig({ GOVERNANCE_DATABASE_URL: url });
  // The governance database as it was before the roles: the superuser appending through audit_append.
  const before = await openStore(
    {
      ...governance,
      migrations: (governance.migrations as unknown[]).slice(
        0,
        (governance.migrations as unknown[]).indexOf(LeastPrivilegeRoles1764100000000),
      ) as typeof governance.migrations,
    },
    url,
    { poolSize: 1 },
  );
  try {
    // As audit_append then wrote them: people in clear (pseudonyms came with DataProtection).
    await appendInClear(
      before.sql,
      Array.from({ length: CHECKPOINT_EVERY + 10 }, (_, i) => record(i)),
    );
  } finally {
    await before.close();
  }
  const migrated = await openStore(governance, url, { poolSize: 1, roles: config });
  await migrated.close();
  const auditor = auditorDatabaseUrl(config)!;
  expect(new URL(auditor).username).toMatch(/_auditor$/);
  const first = await verify(auditor, "AUDITOR_DATABASE_URL");
  expect(first.stdout).toBe(`audit chain intact: ${CHECKPOINT_EVERY + 10} records verified\n`);
  expect(first.code).toBe(0);
  // The police subgraph appends police's records as its own login, through the definer's audit_append.
  const access = new Pool({ connectionString: governanceAccessDatabaseUrl(config, "police")!, max: 1 });
  try {
    await AuditRepository.append(new Sql(access), [record(5000), record(5001)]);
  } finally {
    await access.end();
  }
  const second = await verify(auditor, "AUDITOR_DATABASE_URL");
  expect(second.stdout).toBe(`audit chain intact: ${CHECKPOINT_EVERY + 12} records verified\n`);
  expect(second.code).toBe(0);
  // The auditor, which only reads the log, kept its verdict for auditChainStatus.
  expect(second.stderr).not.toMatch(/could not record/);
  const kept = new Pool({ connectionString: url, max: 1 });
  try {
    expect(await lastVerification(new Sql(kept))).toMatchObject({ ok: true, checked: CHECKPOINT_EVERY + 12 });
  } finally {
    await kept.end();
  }
}, 60_000);
