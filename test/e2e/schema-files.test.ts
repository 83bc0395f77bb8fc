import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateSchemaFiles } from "../../scripts/lib/schema-files";

describe("schema/ (committed SDL and supergraph)", () => {
  it("matches what `npm run compose` generates from the code", async () => {
    const files = await generateSchemaFiles();
    expect(Object.keys(files).sort()).toEqual(
      ["council", "governance", "housing", "partnership", "police", "supergraph", "youth"].map(
        (n) => `${n}.graphql`,
      ),
    );
    for (const [name, content] of Object.entries(files)) {
      const committed = readFileSync(join(__dirname, "..", "..", "schema", name), "utf8");
      // A failure here means schema/ is stale: run `npm run compose` and commit the result.
      expect({ name, content: committed }).toEqual({ name, content });
    }
  });
});
