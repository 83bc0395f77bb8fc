import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, type ObjectTypeDefinitionNode } from "graphql";
import { Field, ID, ObjectType, Query, Resolver } from "type-graphql";
import { SUBGRAPHS } from "../../subgraphs";
import { namedIn, subjectsOf } from "../../subgraphs/shared/access/enforcement";
import { UndeclaredFieldError, describeRules } from "../../subgraphs/shared/access/rules";
import { DataCategory, Role } from "../../subgraphs/shared/enums";
import { buildFederatedSchema, fieldRules } from "../../subgraphs/shared/federation";
import { Category, Reference } from "../../subgraphs/shared/policy";
import { subgraphSchema } from "../../subgraphs/shared/subgraph";

// A record type with one field nobody declared: what a forgetful developer would add.
@ObjectType({ description: "A record someone forgot to declare a rule for." })
class Undeclared {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  secret!: string;
}

@Resolver()
class UndeclaredResolver {
  @Reference()
  @Query(() => Undeclared)
  undeclared(): Undeclared {
    return Object.assign(new Undeclared(), { id: "x", secret: "y" });
  }
}

// The same record, declared once on its type.
@ObjectType({ description: "The same record, declared." })
@Category(DataCategory.TENANCY)
class Declared {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  secret!: string;
}

@Resolver()
class DeclaredResolver {
  @Query(() => Declared, { nullable: true })
  declared(): Declared | null {
    return null;
  }
}

describe("deny by default: every field carries a declared rule (issue 9, item 1)", () => {
  test("building a subgraph schema with an undeclared field fails, naming each field", async () => {
    const built = buildFederatedSchema({ resolvers: [UndeclaredResolver], ownerAgencyId: "housing" });
    await expect(built).rejects.toBeInstanceOf(UndeclaredFieldError);
    await expect(built).rejects.toThrow(/Undeclared\.id, Undeclared\.secret/);
    // Switching enforcement off (benchmarks) does not switch the check off.
    await expect(
      buildFederatedSchema({ resolvers: [UndeclaredResolver], ownerAgencyId: "housing", enforce: false }),
    ).rejects.toBeInstanceOf(UndeclaredFieldError);
  });

  test("declared once on the type, every field of it (the id too) has the type's rule", async () => {
    const schema = await buildFederatedSchema({ resolvers: [DeclaredResolver], ownerAgencyId: "housing" });
    const rules = fieldRules(schema).fields;
    for (const field of ["Declared.id", "Declared.secret"]) {
      expect(rules.get(field)).toMatchObject({ kind: "RECORD", category: "TENANCY" });
      expect(rules.get(field)!.record!.ownerName).toBe("housing");
      expect(rules.get(field)!.gate).toMatchObject({ personLevel: true, purposeRequired: true });
    }
    // The entry point takes the gate of the records it returns: no analyst, no STATISTICS, a purpose.
    expect(rules.get("Query.declared")).toMatchObject({
      kind: "ENTRY",
      gate: { personLevel: true, purposeRequired: true },
    });
  });

  test.each(Object.keys(SUBGRAPHS))(
    "%s: one FieldRule for every field of every object type",
    async (name) => {
      const schema = await subgraphSchema(SUBGRAPHS[name as keyof typeof SUBGRAPHS]);
      const rules = fieldRules(schema);
      const sdl = parse(readFileSync(join(__dirname, "..", "..", "schema", `${name}.graphql`), "utf8"));
      const fields = sdl.definitions
        .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION)
        .flatMap((t) => (t.fields ?? []).map((f) => ({ coordinate: `${t.name.value}.${f.name.value}`, f })));
      expect(fields.length).toBeGreaterThan(0);
      for (const { coordinate, f } of fields) {
        expect({ coordinate, rule: rules.fields.has(coordinate) }).toEqual({ coordinate, rule: true });
        // The rule is visible in the committed SDL.
        expect({ coordinate, access: f.directives?.some((d) => d.name.value === "access") }).toEqual({
          coordinate,
          access: true,
        });
      }
      expect(describeRules(rules).length).toBe(rules.fields.size);
    },
  );

  test("the composed supergraph shows a rule on every object-type field", () => {
    const sdl = parse(readFileSync(join(__dirname, "..", "..", "schema", "supergraph.graphql"), "utf8"));
    const types = sdl.definitions.filter(
      (d): d is ObjectTypeDefinitionNode =>
        d.kind === Kind.OBJECT_TYPE_DEFINITION && !/^(join__|link__)/.test(d.name.value),
    );
    const fields = types.flatMap((t) => (t.fields ?? []).map((f) => ({ t: t.name.value, f })));
    const declared = fields.filter(({ f }) => f.directives?.some((d) => d.name.value === "access"));
    expect(fields.length).toBeGreaterThan(300);
    expect(fields.filter((x) => !declared.includes(x)).map(({ t, f }) => `${t}.${f.name.value}`)).toEqual([]);
  });
});

describe("the rules as declared (readable from outside: one FieldRule per field)", () => {
  const rule = async (subgraph: keyof typeof SUBGRAPHS, coordinate: string) =>
    fieldRules(await subgraphSchema(SUBGRAPHS[subgraph])).fields.get(coordinate)!;

  test("person-level data needs a purpose and is for no analyst, ids and searches included (item 2)", async () => {
    for (const [subgraph, coordinate] of [
      ["partnership", "Query.people"],
      ["partnership", "Query.person"],
      ["partnership", "Person.id"],
      ["partnership", "CasePerson.person"],
      ["partnership", "CasePerson.role"],
      ["partnership", "CaseStageChange.note"],
      ["partnership", "CaseStageChange.by"],
      ["partnership", "Mutation.openCase"],
      ["partnership", "Mutation.advanceCase"],
      ["governance", "Mutation.recordConsent"],
      ["housing", "Property.address"],
      ["housing", "Tenancy.id"],
      ["police", "Query.incidents"],
    ] as const) {
      const r = await rule(subgraph, coordinate);
      expect({ coordinate, gate: r.gate }).toMatchObject({
        coordinate,
        gate: { purposeRequired: true, personLevel: true },
      });
    }
    expect((await rule("partnership", "Query.problemCase")).gate.purposeRequired).toBe(true);
    // A case's people take their gate where the case's field returns any.
    expect((await rule("partnership", "ProblemCase.people")).returns!.record.gate.personLevel).toBe(true);
  });

  test("reference data is for anyone signed in, with or without a purpose", async () => {
    for (const [subgraph, coordinate] of [
      ["partnership", "Neighbourhood.name"],
      ["partnership", "Query.neighbourhoods"],
      ["governance", "Agency.name"],
      ["youth", "Programme.name"],
      ["youth", "School.name"],
    ] as const) {
      expect(await rule(subgraph, coordinate)).toMatchObject({
        kind: "REFERENCE",
        gate: { purposeRequired: false, personLevel: false, roles: null },
      });
    }
  });

  test("records declare whom they are about, and parties and roles are declared, not coded", async () => {
    expect((await rule("housing", "Tenancy.arrearsBand")).category).toBe("FINANCIAL");
    const tenancy = (await rule("housing", "Tenancy.arrearsBand")).record!;
    expect(tenancy.subjects!({ subjectIds: ["per-000032"] })).toEqual(["per-000032"]);
    // Its audit names the household member as well as the liable tenant (issue 15).
    const ten22 = { subjectIds: ["per-000032"], occupantIds: ["per-000032", "per-000002"] };
    expect(subjectsOf(ten22, tenancy)).toEqual(["per-000032"]);
    expect(namedIn(ten22, tenancy)).toEqual(["per-000002", "per-000032"]);
    const consent = (await rule("governance", "Consent.evidenceRef")).record!;
    expect(consent.party!.name).toMatch(/data the consent covers/);
    expect(consent.subjects!({ personId: "per-1" })).toEqual(["per-1"]);
    expect((await rule("partnership", "ProblemCase.title")).record!.party!.name).toMatch(/lead or partner/);
    expect((await rule("governance", "Query.disclosures")).gate.roles).toEqual([Role.DATA_SHARING_OFFICER]);
    expect((await rule("partnership", "Query.caseReviewCandidates")).gate).toMatchObject({
      roles: [Role.PRACTITIONER, Role.DATA_SHARING_OFFICER],
      purposes: ["ASB_CASE_MANAGEMENT", "SAFEGUARDING"],
    });
    // An agency's reference for a person is that agency's identity data.
    const reference = (await rule("partnership", "AgencyReference.reference")).record!;
    expect(reference.owner({ agency: { id: "youth" } })).toBe("youth");
  });
});

describe("shared code imports no subgraph (issue 9, design)", () => {
  test("nothing under subgraphs/shared/ imports from a subgraph's folder", () => {
    const { readdirSync, statSync } = jest.requireActual<typeof import("node:fs")>("node:fs");
    const shared = join(__dirname, "..", "..", "subgraphs", "shared");
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".ts")) files.push(path);
      }
    };
    walk(shared);
    expect(files.length).toBeGreaterThan(20);
    const offending = files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)]
        .map((m) => m[1])
        .filter((spec) => spec.startsWith("."))
        .filter((spec) => !join(file, "..", spec).startsWith(shared))
        .map((spec) => `${file.slice(shared.length + 1)} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });
});
