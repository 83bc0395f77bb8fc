import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isEnumType, isInputObjectType, isObjectType, isSpecifiedScalarType } from "graphql";
import { generateSchemaFiles } from "../../scripts/lib/schema-files";
import { apiSchemaOf } from "../support/contract";

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

describe("the supergraph's documentation", () => {
  it("describes every type, field, argument and enum value a client sees", () => {
    const schema = apiSchemaOf(
      readFileSync(join(__dirname, "..", "..", "schema", "supergraph.graphql"), "utf8"),
    );
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || isSpecifiedScalarType(type)) continue;
      if (!type.description) missing.push(`type ${type.name}`);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of "args" in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
