import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/** `npm run start:prod`'s entry (scripts/serve.ts), run as it is, before any build. */
function serve(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "@swc-node/register", join("scripts", "serve.ts")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("npm run start:prod with what production needs missing or bad", () => {
  test("an empty environment: every missing variable in one message, with what it is for, and exit 1 before listening", async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await serve({ GATEWAY_PORT: String(port) });
    expect(code).toBe(1);
    for (const variable of [
      "JWKS_URL",
      "DATABASE_URL",
      "DATABASE_ROLE_SECRET",
      "ASSESSMENT_SECRET",
      "CASE_REVIEW_SERVICE_PRIVATE_JWK",
    ])
      expect(stderr).toMatch(new RegExp(`^ {2}${variable}: .*\\n {6}what it is for: `, "m"));
    expect(stderr).toContain("all reported at once");
    expect(stdout).not.toMatch(/listening/);
    expect(stderr).not.toMatch(/listening/);
  }, 60_000);

  test("bad values are reported together with the missing ones", async () => {
    const { code, stderr } = await serve({
      JWKS_URL: "not a url",
      ASSESSMENT_SECRET: "short",
      DATABASE_POOL_SIZE: "lots",
      CASE_REVIEW_SERVICE_PUBLIC_JWK: "not a key",
    });
    expect(code).toBe(1);
    for (const variable of [
      "JWKS_URL",
      "ASSESSMENT_SECRET",
      "DATABASE_POOL_SIZE",
      "CASE_REVIEW_SERVICE_PUBLIC_JWK",
      "DATABASE_URL",
      "DATABASE_ROLE_SECRET",
    ])
      expect(stderr).toMatch(new RegExp(`^ {2}${variable}: `, "m"));
  }, 60_000);
});
