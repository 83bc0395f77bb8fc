import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { SUBGRAPH_NAMES, type SubgraphName } from "../../subgraphs/shared/config";
import { seedDemoPartnership } from "../../scripts/lib/demo";
import { closeAllStores, openAllStores, type Stores } from "../../scripts/lib/stores";
import { uniqueDatabaseUrl } from "./database";
import { DEMO_SEED } from "./demo-databases";
import { graphql, testConfig, type As } from "./graphql";

/**
 * The federation as it runs in production: each service its own Node process (what
 * `node subgraphs/<name>/index.ts` and `node gateway/index.ts` run), over fresh databases seeded
 * with the demo partnership. Faults are real: a process killed or paused, its backends ended.
 */

const ROOT = join(__dirname, "..", "..");
export type ServiceName = SubgraphName | "gateway";

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr, one entry per line. */
  lines: string[];
  /** Set once it has exited: its code or signal. */
  exited: string | null;
}

export interface ProcessFederation {
  gatewayUrl: string;
  stores: Stores;
  services: Record<ServiceName, ServiceProcess>;
  /** The database of each subgraph, by name on the test server. */
  databases: Record<SubgraphName, string>;
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    as?: As,
  ): ReturnType<typeof graphql<T>>;
  /** Starts a service that was killed again on its own port, and waits until it is ready. */
  restart(name: ServiceName): Promise<void>;
  /** Kills a service outright (SIGKILL, as a crash would) and waits for it to be gone. */
  kill(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitReady(service: ServiceProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.exited !== null)
      throw new Error(`${service.name} exited (${service.exited}):\n${service.lines.slice(-20).join("\n")}`);
    const response = await fetch(`http://127.0.0.1:${service.port}/ready`, {
      signal: AbortSignal.timeout(2_000),
    }).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${service.name} not ready within ${timeoutMs} ms:\n${service.lines.slice(-20).join("\n")}`,
  );
}

export function spawnService(name: ServiceName, port: number, env: NodeJS.ProcessEnv): ServiceProcess {
  const entry = name === "gateway" ? join("gateway", "index.ts") : join("subgraphs", name, "index.ts");
  const child = spawn(process.execPath, ["-r", "@swc-node/register", entry], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const service: ServiceProcess = { name, port, child, lines: [], exited: null };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) service.lines.push(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  child.once("exit", (code, signal) => (service.exited = String(code ?? signal)));
  return service;
}

/** The environment a service starts from: this one's PATH and the like, none of its URLs or ports. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/(URL|PORT|DATABASE|ACCESS_RULES|NODE_ENV|LOG_LEVEL|GATEWAY|SUBGRAPH)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NODE_ENV: "test", LOG_LEVEL: "warn", DEV_KEYS_DIR: join(ROOT, ".dev-keys") };
}

export async function startProcessFederation(
  options: {
    /** Which subgraphs to start (all by default); the gateway starts only when all do. */
    only?: SubgraphName[];
    env?: Record<string, string>;
    gatewayEnv?: Record<string, string>;
  } = {},
): Promise<ProcessFederation> {
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, uniqueDatabaseUrl(n)])) as Record<
    SubgraphName,
    string
  >;
  const databaseEnv = Object.fromEntries(
    SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_DATABASE_URL`, urls[n]]),
  );
  const stores = await openAllStores(testConfig({ ...databaseEnv, DATABASE_POOL_SIZE: "2" }));
  await seedDemoPartnership(stores, { seed: DEMO_SEED, scale: "small" });

  const names = options.only ?? [...SUBGRAPH_NAMES];
  const withGateway = !options.only;
  const ports = {} as Record<ServiceName, number>;
  for (const name of [...names, ...(withGateway ? ["gateway" as const] : [])]) ports[name] = await freePort();
  const subgraphUrls = Object.fromEntries(
    SUBGRAPH_NAMES.map((n) => [`${n.toUpperCase()}_URL`, `http://127.0.0.1:${ports[n] ?? 9}/graphql`]),
  );
  const envOf = (name: ServiceName): NodeJS.ProcessEnv => ({
    ...baseEnv(),
    ...databaseEnv,
    DATABASE_POOL_SIZE: "4",
    ...subgraphUrls,
    ...options.env,
    ...(name === "gateway" ? options.gatewayEnv : {}),
    [`${name.toUpperCase()}_PORT`]: String(ports[name]),
  });

  const services = {} as Record<ServiceName, ServiceProcess>;
  const start = (name: ServiceName) => (services[name] = spawnService(name, ports[name], envOf(name)));
  names.forEach(start);
  const stop = async () => {
    await Promise.all(
      Object.values(services).map(async (service) => {
        if (service.exited !== null) return;
        const gone = new Promise((resolve) => service.child.once("exit", resolve));
        service.child.kill("SIGCONT");
        service.child.kill("SIGKILL");
        await gone;
      }),
    );
    await closeAllStores(stores);
  };
  try {
    await Promise.all(names.map((name) => waitReady(services[name])));
    if (withGateway) {
      start("gateway");
      await waitReady(services.gateway);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const databases = Object.fromEntries(
    SUBGRAPH_NAMES.map((n) => [n, decodeURIComponent(new URL(urls[n]).pathname.slice(1))]),
  ) as Record<SubgraphName, string>;
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
  return {
    gatewayUrl,
    stores,
    services,
    databases,
    query: (query, variables, as) => graphql(gatewayUrl, query, variables, as),
    async kill(name) {
      const service = services[name];
      if (service.exited !== null) return;
      const gone = new Promise((resolve) => service.child.once("exit", resolve));
      service.child.kill("SIGKILL");
      await gone;
    },
    async restart(name) {
      await waitReady(start(name));
    },
    stop,
  };
}

/** Runs `work` over and over on `connections` concurrent loops until `stop()` says so. */
export function loop<T>(connections: number, work: (loop: number, i: number) => Promise<T>) {
  let running = true;
  const results: T[] = [];
  const loops = Array.from({ length: connections }, async (_, n) => {
    for (let i = 0; running; i++) results.push(await work(n, i));
  });
  return {
    results,
    async stop(): Promise<T[]> {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
