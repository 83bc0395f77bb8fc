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

/**
 * The routers the access rules must hold behind: they live in the subgraphs, so any router
 * serving the supergraph gives the same answers.
 */
export const ROUTERS: [string, (fed: TestFederation) => Promise<Router>][] = [
  ["apollo-gateway", apolloGateway],
];
