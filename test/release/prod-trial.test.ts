import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { Role } from "../../subgraphs/shared/enums";
import { testServerUrl } from "../support/database";
import { tokenFor } from "../support/graphql";

const ROOT = join(__dirname, "..", "..");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Trial {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm run start:prod:trial -- <args>`, as a newcomer runs it. */
function trial(env: NodeJS.ProcessEnv, args: string[]): Trial {
  const child = spawn(
    process.execPath,
    ["-r", "@swc-node/register", join("scripts", "prod-trial.ts"), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(started: Trial, text: string, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!started.output().includes(text)) {
    if (started.child.exitCode !== null)
      throw new Error(`exited ${started.child.exitCode}:\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" in time:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("npm run start:prod:trial", () => {
  test("starts the production server against its stand-ins and answers a trusted document; Ctrl-C stops it", async () => {
    const ports = Object.fromEntries(
      await Promise.all(
        [...SUBGRAPH_NAMES, "gateway"].map(async (n) => [
          `${n.toUpperCase()}_PORT`,
          String(await freePort()),
        ]),
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), "pg-trial-"));
    chmodSync(dir, 0o755);
    const started = trial(
      {
        ...ports,
        // The run's own server and databases (dropped with the run's), instead of an embedded one.
        DATABASE_URL: testServerUrl(),
        DATABASE_PREFIX: `pgt_${process.env.TEST_RUN_ID}_trial`,
        PROD_TRIAL_DIR: dir,
      },
      ["--from-source"],
    );
    try {
      await waitFor(started, "PRODUCTION TRIAL is up");
      expect(started.output()).toContain("never a deployment");
      // Production starts only with the case review count service's pair: made here, kept private.
      const pair = join(dir, "case-review-service-key.json");
      expect(statSync(pair).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(pair, "utf8"))).toMatchObject({
        kty: "EC",
        crv: "P-256",
        d: expect.any(String),
      });
      const gateway = `http://127.0.0.1:${ports.GATEWAY_PORT}/graphql`;
      const headers = {
        "content-type": "application/json",
        authorization: `Bearer ${await tokenFor({ agency: "police", role: Role.PRACTITIONER, user: "pc.smith" })}`,
        "x-purpose": "CRIME_PREVENTION",
      };
      const manifest = JSON.parse(readFileSync(join(dir, "trusted-documents.json"), "utf8")) as {
        operations: { id: string; name: string }[];
      };
      const documentId = manifest.operations.find((o) => o.name === "IncidentsInArea")!.id;
      const answer = await fetch(gateway, {
        method: "POST",
        headers,
        body: JSON.stringify({
          documentId,
          variables: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03", first: 2 },
        }),
      });
      const body = (await answer.json()) as {
        data?: { incidents: { totalCount: number; edges: unknown[] } };
        errors?: unknown;
      };
      expect(body.errors).toBeUndefined();
      expect(body.data!.incidents.totalCount).toBeGreaterThan(0);
      expect(body.data!.incidents.edges).toHaveLength(2);
      // It is production: document text is refused, and there is no GraphiQL.
      const text = await fetch(gateway, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(
        ((await text.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
      ).toBe("PERSISTED_QUERY_ID_REQUIRED");
      expect((await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/graphiql`)).status).toBe(404);

      started.child.kill("SIGINT");
      expect(await started.exited).toBe(0);
      expect(started.output()).toMatch(/Stopped\.\n$/);
    } finally {
      if (started.child.exitCode === null) started.child.kill("SIGKILL");
    }
  }, 300_000);

  test("refuses to run where production is configured", async () => {
    const refused = trial({ NODE_ENV: "production" }, []);
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toMatch(/refuses under NODE_ENV=production/);
  }, 60_000);
});
