import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import type { SubgraphName } from "../subgraphs/shared/config";
import type { BenchOperation } from "./operations";

/**
 * One fetch of an operation's query plan, as setup (d) sends it straight to its subgraph: the
 * root or `_entities` query the gateway sends, with the variables (representations included)
 * it sent for each variant of the operation.
 */
export interface DirectCall {
  subgraph: SubgraphName;
  operationName: string;
  query: string;
  /** One request body per variant in which the plan made this fetch. */
  bodies: string[];
  /** How many times an operation makes this fetch, on average over the variants. */
  perOperation: number;
}

interface CaptureContext {
  headers: Record<string, string>;
  fetches: { subgraph: SubgraphName; operationName: string; query: string; variables: unknown }[];
}

class RecordingDataSource extends RemoteGraphQLDataSource<CaptureContext> {
  constructor(
    private readonly subgraph: SubgraphName,
    url: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<CaptureContext>): void {
    if (!("fetches" in context)) return;
    const ctx = context as CaptureContext;
    for (const [name, value] of Object.entries(ctx.headers)) request.http?.headers.set(name, value);
    ctx.fetches.push({
      subgraph: this.subgraph,
      operationName: request.operationName ?? "",
      query: request.query ?? "",
      variables: request.variables ?? {},
    });
  }
}

/**
 * Runs each variant of the operation once through an @apollo/gateway (the planner our gateway
 * uses) over `supergraphSdl`, recording every subgraph request it makes: the calls setup (d)
 * then sends directly. The answers are checked, so a broken plan is caught here.
 */
export async function captureDirectCalls(
  operation: BenchOperation,
  supergraphSdl: string,
  headers: Record<string, string>,
): Promise<DirectCall[]> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new RecordingDataSource(name as SubgraphName, url!),
  });
  const server = new ApolloServer<CaptureContext>({ gateway });
  await server.start();
  const groups = new Map<string, DirectCall>();
  try {
    for (const [index, variables] of operation.variants.entries()) {
      const context: CaptureContext = {
        headers: { ...headers, "x-request-id": `bench-capture-${operation.key}-${index}` },
        fetches: [],
      };
      const response = await server.executeOperation(
        { query: operation.query, variables, operationName: operation.operationName },
        { contextValue: context },
      );
      const result = response.body.kind === "single" ? response.body.singleResult : undefined;
      const failed = result?.errors?.filter((e) => e.extensions?.code !== "FORBIDDEN");
      if (!result?.data || failed?.length) {
        throw new Error(
          `${operation.key} failed while its subgraph calls were captured: ${JSON.stringify(failed ?? result)}`,
        );
      }
      for (const fetch of context.fetches) {
        const key = `${fetch.subgraph}|${fetch.operationName}|${fetch.query}`;
        let group = groups.get(key);
        if (!group) {
          group = {
            subgraph: fetch.subgraph,
            operationName: fetch.operationName,
            query: fetch.query,
            bodies: [],
            perOperation: 0,
          };
          groups.set(key, group);
        }
        group.bodies.push(
          JSON.stringify({
            query: fetch.query,
            operationName: fetch.operationName,
            variables: fetch.variables,
          }),
        );
      }
    }
  } finally {
    await server.stop();
  }
  const calls = [...groups.values()];
  for (const call of calls) call.perOperation = call.bodies.length / operation.variants.length;
  return calls;
}
