import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { DEFAULT_PORTS, type SubgraphName } from "../subgraphs/shared/config";

/** The committed supergraph the gateway serves (`npm run compose` writes it). */
export const SUPERGRAPH_FILE = join(__dirname, "..", "schema", "supergraph.graphql");

export interface SubgraphSdl {
  name: SubgraphName;
  sdl: string;
  url?: string;
}

export class CompositionError extends Error {}

/** Composes subgraph SDL into the supergraph the routers serve. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({
      name: s.name,
      typeDefs: parse(s.sdl),
      url: s.url ?? `http://localhost:${DEFAULT_PORTS[s.name]}/graphql`,
    })),
  );
  if (result.errors) {
    throw new CompositionError(
      `The subgraphs do not compose:\n${result.errors.map((e) => `  - ${e.message}`).join("\n")}`,
    );
  }
  return result.supergraphSdl;
}
