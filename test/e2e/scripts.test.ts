import { spawn } from "node:child_process";
import { join } from "node:path";
import { governance } from "../../subgraphs/governance/server";
import { openStore, type SubgraphStore } from "../../subgraphs/shared/database";
import { uniqueDatabaseUrl } from "../support/database";

const ROOT = join(__dirname, "..", "..");

/** `npm run --silent <script> -- <args>`, as a newcomer types it, with no database configured. */
function npmRun(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn" };
    // No database to find: --help must answer without one (and without starting one).
    for (const key of Object.keys(clean)) if (/DATABASE_URL$/.test(key)) delete clean[key];
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT,
      env: { ...clean, EMBEDDED_PG_DIR: join(ROOT, ".data", "no-such-demo"), ...env },
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

describe("every script answers --help with its usage, and does nothing else", () => {
  test.each([
    ["token", "usage: npm run --silent token -- --agency <id>"],
    ["seed", "usage: npm run seed -- [--scale small|large]"],
    ["migrate", "usage: npm run migrate"],
    ["audit:verify", "usage: npm run audit:verify"],
    ["retention", "usage: npm run retention -- [--dry-run]"],
    ["import:police-uk", "usage: npm run import:police-uk -- <csv file or folder>"],
    ["ingest:serve", "usage: npm run ingest:serve"],
    ["compose", "usage: npm run compose"],
    ["trusted-documents", "usage: npm run trusted-documents"],
    ["codegen:console", "usage: npm run codegen:console"],
    ["start", "usage: npm start"],
    ["start:prod:trial", "usage: npm run start:prod:trial"],
    ["bench", "usage: npm run bench"],
  ])(
    "npm run %s -- --help",
    async (script, usage) => {
      const result = await npmRun(script, ["--help"]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
      expect(result.stdout.startsWith(usage)).toBe(true);
      // Only the usage: no database started, nothing migrated, seeded, verified or written.
      expect(result.stdout).not.toMatch(
        /starting embedded PostgreSQL|is migrated|Seeded in|already seeded|audit chain (intact|BROKEN)|wrote schema|trusted documents written|is up|Wrote /,
      );
    },
    60_000,
  );

  test("start:prod -- --help, from the sources as the build compiles them", async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ["-r", "@swc-node/register", join("scripts", "serve.ts"), "--help"],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    // Usage, not the configuration check an empty environment would otherwise fail.
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run start:prod\n/);
  }, 60_000);

  test("an option a script does not take is refused with its usage, not ignored", async () => {
    const result = await npmRun("audit:verify", ["--verbose"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--verbose'/);
    expect(result.stderr).toMatch(/usage: npm run audit:verify/);
    expect(result.stdout).toBe("");
  }, 60_000);
});

describe("npm run token refuses what the services would refuse", () => {
  test("an agency that is not registered, naming the demo's registered agencies when no database is reachable", async () => {
    const result = await npmRun("token", ["--agency", "fire", "--role", "PRACTITIONER", "--user", "ff.one"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /--agency fire is not a registered, active agency, so every service would refuse its tokens; registered \(the demo partnership's agencies\): council, housing, police, youth/,
    );
  }, 60_000);

  test("a role not one of the three", async () => {
    const result = await npmRun("token", ["--agency", "police", "--role", "ADMIN", "--user", "pc.one"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/--role must be one of PRACTITIONER, ANALYST, DATA_SHARING_OFFICER/);
  }, 60_000);

  describe("with governance's registry reachable", () => {
    let store: SubgraphStore;
    let url: string;
    beforeAll(async () => {
      // A deployment's registry: its own agencies, one of the demo's names deactivated.
      url = uniqueDatabaseUrl("token_registry");
      store = await openStore(governance, url, { poolSize: 1 });
      await store.sql.exec(
        `INSERT INTO agencies (id, name, kind, contact, active) VALUES
           ('fire', 'Fire and Rescue', 'FIRE', 'dpo@fire.example', true),
           ('police', 'City Police', 'POLICE', 'dpo@police.example', false)`,
      );
    }, 120_000);
    afterAll(() => store?.close());

    test("issues for a registered agency and refuses a deactivated one, naming what the registry holds", async () => {
      const issued = await npmRun(
        "token",
        ["--agency", "fire", "--role", "PRACTITIONER", "--user", "ff.one"],
        {
          GOVERNANCE_DATABASE_URL: url,
        },
      );
      expect(issued.code).toBe(0);
      expect(issued.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);

      const refused = await npmRun(
        "token",
        ["--agency", "police", "--role", "PRACTITIONER", "--user", "pc.one"],
        {
          GOVERNANCE_DATABASE_URL: url,
        },
      );
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toMatch(
        /--agency police is not a registered, active agency.*registered \(governance's registry\): fire\n/,
      );
    }, 60_000);
  });
});
