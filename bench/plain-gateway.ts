import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { createHttpService, listen } from "../subgraphs/shared/http";

/**
 * Setup (b) of `npm run bench`: a plain @apollo/gateway on @apollo/server, with none of our
 * gateway's work (no token check, no armor, no error formatting), in front of subgraphs run with
 * ACCESS_RULES=off. It forwards what the subgraphs read: they still verify the caller.
 *
 *   SUPERGRAPH_PATH=<file> PLAIN_GATEWAY_PORT=4110 node -r @swc-node/register bench/plain-gateway.ts
 */

const FORWARDED = ["authorization", "x-purpose", "x-request-id", "x-break-glass"];

interface Context {
  headers: IncomingHttpHeaders;
}

class ForwardingDataSource extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    if (!("headers" in context)) return;
    for (const name of FORWARDED) {
      const value = (context as Context).headers[name];
      if (typeof value === "string") request.http?.headers.set(name, value);
    }
  }
}

async function main(): Promise<void> {
  const supergraphPath = process.env.SUPERGRAPH_PATH;
  const port = Number(process.env.PLAIN_GATEWAY_PORT ?? 4110);
  if (!supergraphPath) throw new Error("set SUPERGRAPH_PATH to the supergraph to serve");
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, "utf8"),
    buildService: ({ url }) => new ForwardingDataSource({ url }),
  });
  const apollo = new ApolloServer<Context>({ gateway });
  await apollo.start();
  const http = createHttpService({
    name: "plain-gateway",
    apollo,
    context: async (req: IncomingMessage) => ({ headers: req.headers }),
    // Started means the supergraph is loaded; the harness checks the subgraphs itself.
    ready: async () => undefined,
  });
  const running = await listen("plain-gateway", http, port);
  process.stdout.write(`plain @apollo/gateway on ${running.url}\n`);
  const stop = () => void running.stop().then(() => apollo.stop().then(() => process.exit(0)));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: Error) => {
  process.stderr.write(`plain gateway failed to start: ${error.message}\n`);
  process.exit(1);
});
