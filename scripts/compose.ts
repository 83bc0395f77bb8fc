import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandLine } from "./lib/command-line";
import { generateSchemaFiles } from "./lib/schema-files";

/** `npm run compose`: regenerates schema/ from code; fails when the subgraphs do not compose. */
const USAGE = `usage: npm run compose

Regenerates schema/: each subgraph's SDL (schema/<name>.graphql) and the composed supergraph
(schema/supergraph.graphql), from the code. Fails, naming the errors, when the subgraphs do not
compose. Commit what it writes: a test fails when schema/ is stale.`;

async function main(): Promise<void> {
  commandLine(USAGE);
  const dir = join(__dirname, "..", "schema");
  mkdirSync(dir, { recursive: true });
  const files = await generateSchemaFiles();
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), content);
    process.stdout.write(`wrote schema/${name}\n`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
