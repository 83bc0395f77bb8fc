import "reflect-metadata";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSchemaFiles } from "./lib/schema-files";

/** `npm run compose`: regenerates schema/ from code; fails when the subgraphs do not compose. */
async function main(): Promise<void> {
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
