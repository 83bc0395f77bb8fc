import "reflect-metadata";
import { readFileSync } from "node:fs";
import { createTokenVerifier } from "../subgraphs/shared/auth";
import { loadConfig } from "../subgraphs/shared/config";
import { log } from "../subgraphs/shared/logger";
import { SUPERGRAPH_FILE } from "../scripts/lib/federation";
import { createGatewayServer } from "./server";

/** The gateway as its own process, serving the committed supergraph. */
async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await createGatewayServer({
    config,
    verify: await createTokenVerifier(config),
    supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH ?? SUPERGRAPH_FILE, "utf8"),
  });
  const running = await gateway.listen(config.port("gateway"));
  log("info", "gateway listening", { url: running.url });
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: Error) => {
  log("error", "gateway failed to start", { error: error.message });
  process.exit(1);
});
