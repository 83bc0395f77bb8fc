import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/**
 * GATEWAY_WORKERS runs the gateway as several processes sharing one port. Its subgraphs are not
 * needed to see that: each worker answers /health, and a worker that dies takes the gateway down
 * (exit code 1) rather than leaving a smaller pool behind unnoticed.
 */
const ROOT = join(__dirname, "..", "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Gateway {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startWorkers(workers: number): Promise<Gateway> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-r", "@swc-node/register", join("gateway", "index.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      // Where the registered agencies are read from (only when a token is checked: none is here).
      DATABASE_URL: process.env.TEST_DATABASE_SERVER_URL,
      GATEWAY_WORKERS: String(workers),
      GATEWAY_PORT: String(port),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while ((output.match(/gateway listening/g) ?? []).length < workers) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`workers did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, port, output: () => output, exited };
}

/** The worker processes: the primary's children. */
function workerPids(primary: number): number[] {
  const children = readFileSync(`/proc/${primary}/task/${primary}/children`, "utf8").trim();
  return children ? children.split(/\s+/).map(Number) : [];
}

test("two workers share the port, each reporting in, and SIGTERM stops them all (exit 0)", async () => {
  const gateway = await startWorkers(2);
  const workers = gateway.output().match(/"worker":\d+/g);
  expect(new Set(workers)).toEqual(new Set(['"worker":1', '"worker":2']));
  expect(workerPids(gateway.child.pid!)).toHaveLength(2);
  const health = await fetch(`http://127.0.0.1:${gateway.port}/health`);
  expect(await health.json()).toEqual({ status: "ok", service: "gateway" });
  gateway.child.kill("SIGTERM");
  expect(await gateway.exited).toBe(0);
}, 90_000);

test("a worker that dies takes the gateway down with exit code 1, naming the worker", async () => {
  const gateway = await startWorkers(2);
  const [worker, other] = workerPids(gateway.child.pid!);
  process.kill(worker, "SIGKILL");
  expect(await gateway.exited).toBe(1);
  // One JSON log line (pino writes the message after the fields).
  expect(gateway.output()).toMatch(/\{[^\n]*"signal":"SIGKILL"[^\n]*"message":"gateway worker exited"/);
  // The other worker was stopped, not left running on its own.
  expect(() => process.kill(other, 0)).toThrow();
}, 90_000);
