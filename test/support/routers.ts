import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeSupergraph } from "../../gateway/supergraph";
import { SUBGRAPHS } from "../../subgraphs";
import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { printFederatedSdl } from "../../subgraphs/shared/federation";
import { subgraphSchema } from "../../subgraphs/shared/subgraph";
import type { TestFederation } from "./federation";

/** A federation router in front of the test subgraphs. */
export interface Router {
  name: string;
  /** Where clients send GraphQL. */
  url: string;
  stop(): Promise<void>;
}

/** Our gateway (@apollo/gateway on @apollo/server), as started with the test federation. */
export async function apolloGateway(fed: TestFederation): Promise<Router> {
  return { name: "apollo-gateway", url: fed.gatewayUrl, stop: async () => undefined };
}

const ROOT = join(__dirname, "..", "..");
const HIVE_BIN = join(ROOT, "node_modules", ".bin", "hive-gateway");
export const HIVE_CONFIG = join(ROOT, "routers", "hive", "gateway.config.ts");
const HIVE_START_TIMEOUT_MS = 60_000;

/** Routers running as child processes, killed when the test process exits even if no afterAll ran. */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // "exit" handlers must be synchronous: a signal is all that can still be sent.
    process.once("exit", () => children.forEach((c) => c.kill("SIGKILL")));
  }
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** A port free right now: listen on 0, note it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The supergraph of the code as it is, pointing at the subgraphs this test federation runs. */
async function supergraphFor(fed: TestFederation): Promise<string> {
  const sdls = [];
  for (const name of SUBGRAPH_NAMES) {
    sdls.push({
      name,
      sdl: printFederatedSdl(await subgraphSchema(SUBGRAPHS[name])),
      url: fed.federation.subgraphs[name].url,
    });
  }
  return composeSupergraph(sdls);
}

/**
 * Plain log lines (they end up in error messages), and a LOG_LEVEL Hive accepts: ours may be
 * "silent", which Hive's logger refuses at start.
 */
function hiveEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  if (env.LOG_LEVEL === "silent") env.LOG_LEVEL = "error";
  return env;
}

/** Ends a child and waits until it has gone; SIGKILL if it ignores SIGTERM. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * @graphql-hive/gateway (routers/hive/gateway.config.ts) as its own process, serving a
 * supergraph composed for this test federation's subgraphs.
 */
export async function hiveGateway(fed: TestFederation): Promise<Router> {
  const dir = await mkdtemp(join(tmpdir(), "hive-gateway-"));
  const supergraphFile = join(dir, "supergraph.graphql");
  await writeFile(supergraphFile, await supergraphFor(fed));
  const port = await freePort();
  const child = spawn(
    HIVE_BIN,
    ["supergraph", supergraphFile, "--host", "127.0.0.1", "--port", String(port), "-c", HIVE_CONFIG],
    { cwd: ROOT, env: hiveEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  track(child);
  // Kept (the tail only) to explain a router that does not start.
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-8_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  const stop = async () => {
    await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(child, `${origin}/readiness`, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: "hive-gateway", url: `${origin}/graphql`, stop };
}

/** Polls Hive's readiness endpoint (200 once the supergraph is loaded) until it answers or the child dies. */
async function waitUntilReady(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + HIVE_START_TIMEOUT_MS;
  const failure = (why: string) =>
    new Error(`hive-gateway did not start: ${why}\n--- its output ---\n${output() || "(none)"}`);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw failure(`it exited (${child.exitCode ?? child.signalCode})`);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw failure(`no answer from ${url} within ${HIVE_START_TIMEOUT_MS / 1000}s`);
}

/**
 * The routers the access rules must hold behind: they live in the subgraphs, so any router
 * serving the supergraph gives the same answers.
 */
export const ROUTERS: [string, (fed: TestFederation) => Promise<Router>][] = [
  ["apollo-gateway", apolloGateway],
  ["hive-gateway", hiveGateway],
];
