import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { packageDir } from "../../gateway/graphiql";
import { parse, validate, type GraphQLSchema } from "graphql";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../../gateway/trusted-documents";
import { trustedDocumentsModule, TRUSTED_IDS_FILE } from "../../scripts/console-codegen";
import { apiSchemaOf } from "../support/contract";
import { supergraphFromCode } from "../support/federation";

/**
 * The console's operations are held to the contract's standard: they validate against the
 * supergraph, they are in the trusted-documents manifest, and the typed documents and ids the
 * console is built with are what `npm run codegen:console` makes from them now.
 */
const ROOT = join(__dirname, "..", "..");
const OPERATIONS = join(ROOT, "console", "src", "operations");

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = apiSchemaOf(await supergraphFromCode());
});

const files = readdirSync(OPERATIONS).filter((f) => f.endsWith(".graphql"));

test.each(files)("console operation %s validates against the supergraph", (file) => {
  const document = parse(readFileSync(join(OPERATIONS, file), "utf8"));
  expect(validate(schema, document).map((e) => e.message)).toEqual([]);
});

test("every console operation is in the trusted-documents manifest", () => {
  const names = buildManifest(TRUSTED_DOCUMENT_DIRS.map((d) => join(ROOT, d))).operations.map((o) => o.name);
  for (const file of files)
    for (const definition of parse(readFileSync(join(OPERATIONS, file), "utf8")).definitions)
      if (definition.kind === "OperationDefinition") expect(names).toContain(definition.name!.value);
});

test("the console's trusted ids are current (npm run codegen:console)", () => {
  expect(readFileSync(TRUSTED_IDS_FILE, "utf8")).toBe(trustedDocumentsModule());
});

test("the console's typed documents are current (npm run codegen:console)", async () => {
  // The same configuration, written to a scratch folder, compared with what is committed.
  const config = parseYaml(readFileSync(join(ROOT, "console", "codegen.yml"), "utf8")) as {
    generates: Record<string, unknown>;
  };
  const scratch = mkdtempSync(join(tmpdir(), "console-codegen-"));
  const committed = Object.keys(config.generates);
  config.generates = Object.fromEntries(
    committed.map((file, i) => [join(scratch, `${i}.ts`), config.generates[file]]),
  );
  writeFileSync(join(scratch, "codegen.yml"), stringifyYaml(config));
  await promisify(execFile)(
    process.execPath,
    [join(packageDir("@graphql-codegen/cli"), "esm", "bin.js"), "--config", join(scratch, "codegen.yml")],
    { cwd: ROOT },
  );
  committed.forEach((file, i) =>
    expect({ file, content: readFileSync(join(scratch, `${i}.ts`), "utf8") }).toEqual({
      file,
      content: readFileSync(join(ROOT, file), "utf8"),
    }),
  );
}, 60_000);
