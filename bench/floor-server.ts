import "reflect-metadata";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { loadConfig, type SubgraphName } from "../subgraphs/shared/config";
import { closeFloorPools, floorData, openFloorPools } from "./floor";

/**
 * Setup (e) of `npm run bench` as its own process (so its CPU is counted apart): node:http, no
 * GraphQL, no access rules. It takes the same POST body as the graph ({ operationName,
 * variables }; the query text is ignored) and answers { data } as the graph would for a caller
 * who may see everything.
 *
 *   DATABASE_URL=<server> DATABASE_PREFIX=bench FLOOR_PORT=4130 node -r @swc-node/register bench/floor-server.ts
 */

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: "development" });
  const port = Number(process.env.FLOOR_PORT ?? 4130);
  const pools = openFloorPools((name: SubgraphName) => {
    const url = config.databaseUrl(name);
    if (!url) throw new Error(`no database for ${name}: set DATABASE_URL`);
    return url;
  }, config.DATABASE_POOL_SIZE);
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/ready") return send(res, 200, { status: "ready" });
    if (req.method !== "POST") return send(res, 404, { error: "not found" });
    body(req)
      .then(async (text) => {
        const { operationName, variables } = JSON.parse(text) as {
          operationName: string;
          variables?: Record<string, unknown>;
        };
        const data = await floorData(pools, operationName, variables ?? {});
        if (data === null) return send(res, 400, { errors: [{ message: `no floor for ${operationName}` }] });
        send(res, 200, { data });
      })
      .catch((error: Error) => send(res, 500, { errors: [{ message: error.message }] }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  process.stdout.write(`floor on http://127.0.0.1:${port}\n`);
  const stop = () => server.close(() => void closeFloorPools(pools).then(() => process.exit(0)));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: Error) => {
  process.stderr.write(`floor failed to start: ${error.message}\n`);
  process.exit(1);
});
