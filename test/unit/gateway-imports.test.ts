import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * The gateway serves the committed supergraph and checks tokens against the agency registry: it
 * needs shared code only. Loading a subgraph (or scripts/, which loads them all) would start every
 * subgraph's schema build in the gateway process and tie its deployment to theirs.
 */
describe("the gateway imports no subgraph and nothing from scripts/ (issue 15, design)", () => {
  test("nothing under gateway/ imports subgraphs/<name>/, subgraphs/index.ts or scripts/", () => {
    const root = join(__dirname, "..", "..");
    const gateway = join(root, "gateway");
    const shared = join(root, "subgraphs", "shared");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".ts")) files.push(path);
      }
    };
    walk(gateway);
    expect(files.length).toBeGreaterThan(5);
    const offending = files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/(?:from |import\(|require\()"([^"]+)"/g)]
        .map((m) => m[1])
        .filter((spec) => spec.startsWith("."))
        .filter((spec) => {
          const target = join(file, "..", spec);
          return !target.startsWith(gateway) && !target.startsWith(shared);
        })
        .map((spec) => `${relative(root, file)} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });
});
