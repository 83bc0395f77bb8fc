import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Supergraph } from "@apollo/federation-internals";
import { parse, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";

export const CONTRACT_DIR = join(__dirname, "..", "contract");

/** The contract's operation files (test/contract/, a copy of the shared contract). */
export function contractDocuments(): { file: string; document: DocumentNode }[] {
  return readdirSync(CONTRACT_DIR)
    .filter((f) => f.endsWith(".graphql") && f !== "inputs-and-enums.graphql")
    .sort()
    .map((file) => ({ file, document: parse(readFileSync(join(CONTRACT_DIR, file), "utf8")) }));
}

export function contractOperations(): {
  file: string;
  name: string;
  source: string;
  operation: OperationDefinitionNode;
}[] {
  return contractDocuments().flatMap(({ file, document }) =>
    document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition")
      .map((operation) => ({
        file,
        name: operation.name!.value,
        source: readFileSync(join(CONTRACT_DIR, file), "utf8"),
        operation,
      })),
  );
}

/** The schema clients see: the supergraph without federation's internals. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}
