import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Client } from "pg";
import { ingestBenchTable, runIngestBench, type AgencyResult } from "../../bench/ingest-bench";
import { testServerUrl } from "../support/database";

/**
 * The ingest benchmark (npm run bench:ingest) at a tiny size on the test server, so that it keeps
 * working: every agency's file loads whole through the matcher, the re-import changes nothing, the
 * figures are there, and the bench's databases and roles are gone afterwards.
 */
const ROOT = join(__dirname, "..", "..");
const ROWS = 60;
const prefix = () => `pgt_${process.env.TEST_RUN_ID ?? "x"}_${randomBytes(3).toString("hex")}_ib`;

/** Databases and roles on the test server whose names start with `prefix`. */
async function leftBehind(prefix: string): Promise<string[]> {
  const client = new Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT datname AS name FROM pg_database WHERE starts_with(datname, $1)
       UNION ALL SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)`,
      [prefix],
    );
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

test("each agency's file loads through the matcher, the re-import changes nothing, and nothing is left behind", async () => {
  const name = prefix();
  const lines: string[] = [];
  const results: AgencyResult[] = await runIngestBench({
    serverUrl: testServerUrl(),
    rows: ROWS,
    prefix: name,
    log: (line) => lines.push(line),
  });

  expect(results.map((r) => [r.agency, r.record])).toEqual([
    ["police", "involvement"],
    ["council", "asbParty"],
    ["housing", "occupant"],
    ["youth", "enrolment"],
  ]);
  for (const r of results) {
    const people = r.first.totals;
    expect(people).toMatchObject({ rows: ROWS, new: ROWS, changed: 0, unchanged: 0, rejected: 0 });
    // Every reference is counted once, by how it came to its person; some were in the index already.
    expect(people.peopleLinked + people.peopleQueuedForReview + people.peopleNew).toBe(r.references);
    expect(people.peopleLinked).toBeGreaterThan(0);
    expect(r.indexedPeople).toBeGreaterThan(0);
    expect(r.again.totals).toMatchObject({
      rows: ROWS,
      new: 0,
      changed: 0,
      unchanged: ROWS,
      rejected: 0,
      peopleKnown: r.references,
      peopleLinked: 0,
      peopleNew: 0,
    });
    for (const phase of [r.first, r.again]) {
      expect(phase.rowsPerSecond).toBeCloseTo(ROWS / phase.seconds);
      expect(phase.matchingSeconds).toBeGreaterThan(0);
      expect(phase.matchingSeconds).toBeLessThan(phase.seconds);
      expect(phase.processCpuSeconds).toBeGreaterThan(0);
      // The test server runs on this machine: its processes are in /proc.
      expect(phase.postgresCpuSeconds).not.toBeNull();
    }
  }
  expect(lines).toHaveLength(4);
  const table = ingestBenchTable(results).split("\n");
  expect(table).toHaveLength(2 + 4);
  expect(table[2]).toMatch(/^\| police: involved-people-bench\.csv \(involvement\) \| 60 \| /);
  expect(await leftBehind(name)).toEqual([]);
}, 180_000);

test("npm run bench:ingest runs on a server it is given and prints the table", async () => {
  const name = prefix();
  const run = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn("npm", ["run", "-s", "bench:ingest", "--", "--rows", "30", "--agency", "council"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testServerUrl(), DATABASE_PREFIX: name },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
  expect(run.err).toBe("");
  expect(run.code).toBe(0);
  expect(run.out).toMatch(
    /^\| council: asb-parties-bench\.csv \(asbParty\) \| 30 \| \d+ \/ \d+ \/ \d+ \| \d+ \| [\d.]+ \([\d.]+\) \|/m,
  );
  expect(run.out).not.toMatch(/^\| (police|housing|youth)/m);
  expect(await leftBehind(name)).toEqual([]);
}, 120_000);
