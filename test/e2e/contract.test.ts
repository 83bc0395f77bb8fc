import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  isEnumType,
  isInputObjectType,
  parse,
  validate,
  type EnumTypeDefinitionNode,
  type GraphQLSchema,
  type InputObjectTypeDefinitionNode,
  print,
} from "graphql";
import { apiSchemaOf, CONTRACT_DIR, contractDocuments } from "../support/contract";
import { supergraphFromCode } from "../support/federation";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = apiSchemaOf(await supergraphFromCode());
});

describe("the contract's operations", () => {
  it.each(contractDocuments().map((d) => [d.file, d.document] as const))(
    "%s validates against the supergraph",
    (_file, document) => {
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    },
  );
});

describe("the contract's enums and inputs", () => {
  const definitions = parse(readFileSync(join(CONTRACT_DIR, "inputs-and-enums.graphql"), "utf8")).definitions;

  it.each(
    definitions
      .filter((d): d is EnumTypeDefinitionNode => d.kind === "EnumTypeDefinition")
      .map((d) => [d.name.value, d] as const),
  )("enum %s has every value the contract names", (name, definition) => {
    const type = schema.getType(name);
    expect(isEnumType(type)).toBe(true);
    if (!isEnumType(type)) return;
    const values = type.getValues().map((v) => v.name);
    expect(values).toEqual(expect.arrayContaining(definition.values!.map((v) => v.name.value)));
  });

  it.each(
    definitions
      .filter((d): d is InputObjectTypeDefinitionNode => d.kind === "InputObjectTypeDefinition")
      .map((d) => [d.name.value, d] as const),
  )("input %s has every field the contract names, with the same type", (name, definition) => {
    const type = schema.getType(name);
    expect(isInputObjectType(type)).toBe(true);
    if (!isInputObjectType(type)) return;
    const fields = type.getFields();
    for (const field of definition.fields ?? []) {
      expect({ field: field.name.value, type: String(fields[field.name.value]?.type) }).toEqual({
        field: field.name.value,
        type: print(field.type),
      });
    }
    // Any field the contract does not name must be optional.
    const named = new Set((definition.fields ?? []).map((f) => f.name.value));
    for (const extra of Object.values(fields).filter((f) => !named.has(f.name))) {
      expect({ field: extra.name, required: String(extra.type).endsWith("!") }).toEqual({
        field: extra.name,
        required: false,
      });
    }
  });
});
