import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execute, parse, Kind, type ObjectTypeDefinitionNode } from "graphql";
import { Arg, Field, ID, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { UndeclaredChangeError } from "../../subgraphs/shared/access/rules";
import type { Caller } from "../../subgraphs/shared/auth";
import { Role } from "../../subgraphs/shared/enums";
import { notFound } from "../../subgraphs/shared/errors";
import { buildFederatedSchema, fieldRules } from "../../subgraphs/shared/federation";
import {
  ChangedBy,
  Changes,
  Creates,
  Governed,
  Reference,
  type PartyRule,
} from "../../subgraphs/shared/policy";

// Issue 15: who may change a record (@ChangedBy) is enforced by the shared code for every mutation
// that changes one, without the resolver calling anything; the build refuses a mutation that
// changes such a record without saying which (@Changes) or that it makes one (@Creates).

const KEEPER: PartyRule = {
  name: "the agency that keeps it",
  test: (record: { keeper: string }, caller: Caller) => record.keeper === caller.agencyId,
};

@ObjectType({ description: "A record only its keeper may change." })
@Reference()
@ChangedBy(KEEPER)
class Kept {
  @Field(() => ID, { description: "Id." })
  id!: string;
}

@ObjectType({ description: "A record anyone may change." })
@Reference()
class Plain {
  @Field(() => ID, { description: "Id." })
  id!: string;
}

// A record only its parties know of (as a problem-solving case is).
const PARTIES: PartyRule = {
  name: "an agency party to it",
  test: (record: { parties: string[] }, caller: Caller) => record.parties.includes(caller.agencyId),
};

@ObjectType({ description: "A record only its parties know of." })
@Governed({ party: PARTIES })
class Private {
  @Field(() => ID, { description: "Id." })
  id!: string;
}

const RECORDS = new Map([
  ["k1", { id: "k1", keeper: "housing", parties: ["housing", "council"] }],
  ["k2", { id: "k2", keeper: "police", parties: ["police"] }],
]);
const find = ({ id }: { id: string }) => RECORDS.get(id) ?? null;
const unknown = ({ id }: { id: string }) => notFound(`record ${id}`);
/** Calls of the mutations' own code: a refused change never reaches it. */
let resolverRuns = 0;

@Resolver()
class ForgetfulResolver {
  @Query(() => Kept, { nullable: true, description: "None." })
  kept(): Kept | null {
    return null;
  }

  // Changes a Kept record and says nothing of it: what a forgetful developer would write.
  @Mutation(() => Kept, { description: "Changes a kept record." })
  changeKept(@Arg("id", () => ID) id: string): Kept {
    resolverRuns += 1;
    return Object.assign(new Kept(), { id });
  }
}

@Resolver()
class PointlessResolver {
  @Query(() => Plain, { nullable: true, description: "None." })
  plain(): Plain | null {
    return null;
  }

  // A record type with neither a party nor a @ChangedBy rule: nothing for @Changes to check.
  @Reference()
  @Changes(Plain, { find, unknown })
  @Mutation(() => Boolean, { description: "Changes nothing governed." })
  touch(@Arg("id", () => ID) _id: string): boolean {
    return true;
  }
}

@Resolver()
class DeclaredResolver {
  @Query(() => Kept, { nullable: true, description: "None." })
  kept(): Kept | null {
    return null;
  }

  @Query(() => Private, { nullable: true, description: "None." })
  private(): Private | null {
    return null;
  }

  // Neither resolver checks anything: the declarations are all there is.
  @Changes(Kept, { find, unknown })
  @Mutation(() => Kept, { description: "Changes a kept record." })
  changeKept(@Arg("id", () => ID) id: string): Kept {
    resolverRuns += 1;
    return Object.assign(new Kept(), { id });
  }

  @Changes(Private, { find, unknown })
  @Changes(Kept, { find, unknown })
  @Mutation(() => Kept, { description: "Changes a private kept record." })
  changePrivate(@Arg("id", () => ID) id: string): Kept {
    resolverRuns += 1;
    return Object.assign(new Kept(), { id });
  }

  @Creates(Kept)
  @Mutation(() => Kept, { description: "Makes a kept record." })
  makeKept(@Arg("id", () => ID) id: string): Kept {
    resolverRuns += 1;
    return Object.assign(new Kept(), { id });
  }
}

async function run(mutation: string, id: string, agencyId: string) {
  const schema = await buildFederatedSchema({ resolvers: [DeclaredResolver], ownerAgencyId: "housing" });
  const before = resolverRuns;
  const caller: Caller = { userId: `${agencyId}.user`, agencyId, role: Role.PRACTITIONER };
  const result = await execute({
    schema,
    document: parse(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`),
    variableValues: { id },
    // Only what these rules read: who calls, and (for the gate) their role and purpose.
    contextValue: { caller, access: { gateRefusal: () => null }, sql: { pool: undefined } },
  });
  return {
    ran: resolverRuns - before,
    error: result.errors?.[0]?.extensions,
    data: result.data,
  };
}

describe("@ChangedBy is enforced for every mutation that changes such a record", () => {
  test("the build refuses a mutation returning a @ChangedBy type that declares neither @Changes nor @Creates", async () => {
    const built = buildFederatedSchema({ resolvers: [ForgetfulResolver], ownerAgencyId: "housing" });
    await expect(built).rejects.toBeInstanceOf(UndeclaredChangeError);
    await expect(built).rejects.toThrow(
      /Mutation\.changeKept returns Kept.*@Changes\(Kept, \.\.\.\) nor @Creates\(Kept\)/,
    );
    // Switching enforcement off (benchmarks) does not switch the check off.
    await expect(
      buildFederatedSchema({ resolvers: [ForgetfulResolver], ownerAgencyId: "housing", enforce: false }),
    ).rejects.toBeInstanceOf(UndeclaredChangeError);
  });

  test("the build refuses @Changes of a type with no party or @ChangedBy rule: it would check nothing", async () => {
    await expect(
      buildFederatedSchema({ resolvers: [PointlessResolver], ownerAgencyId: "housing" }),
    ).rejects.toThrow(/Mutation\.touch declares @Changes\(Plain\), which has no party or @ChangedBy rule/);
  });

  test("a caller the actor rule does not admit is refused ROLE_NOT_PERMITTED before the mutation runs", async () => {
    const refused = await run("changeKept", "k1", "council");
    expect(refused).toMatchObject({ ran: 0, error: { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" } });
    expect(refused.data).toBeNull();
    expect(await run("changeKept", "k1", "housing")).toMatchObject({
      ran: 1,
      data: { changeKept: { id: "k1" } },
    });
    // An unknown record is the declaration's own answer, and nothing runs either.
    expect(await run("changeKept", "k9", "housing")).toMatchObject({ ran: 0, error: { code: "NOT_FOUND" } });
  });

  test("a caller the party rule does not admit is told the record does not exist, exactly as for an unknown id", async () => {
    const outsider = await run("changePrivate", "k2", "housing");
    const missing = await run("changePrivate", "k9", "housing");
    expect(outsider).toMatchObject({ ran: 0, error: { code: "NOT_FOUND" } });
    expect(outsider.error).toEqual(missing.error);
    // A party that may see it but is not its keeper: refused, with the reason.
    expect(await run("changePrivate", "k1", "council")).toMatchObject({
      ran: 0,
      error: { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" },
    });
    expect(await run("changePrivate", "k1", "housing")).toMatchObject({ ran: 1 });
  });

  test("a mutation that makes a record (@Creates) has none to check", async () => {
    expect(await run("makeKept", "k3", "council")).toMatchObject({
      ran: 1,
      data: { makeKept: { id: "k3" } },
    });
  });

  test("the rules read from the schema say which records each mutation changes, and who may", async () => {
    const rules = fieldRules(
      await buildFederatedSchema({ resolvers: [DeclaredResolver], ownerAgencyId: "housing" }),
    );
    expect(
      rules.fields
        .get("Mutation.changePrivate")!
        .changes.map((c) => [c.typeName, c.party?.name, c.actor?.name]),
    ).toEqual([
      ["Private", "an agency party to it", undefined],
      ["Kept", undefined, "the agency that keeps it"],
    ]);
  });
});

describe("the @access directive shows @ChangedBy rules in the committed supergraph", () => {
  const sdl = parse(readFileSync(join(__dirname, "..", "..", "schema", "supergraph.graphql"), "utf8"));
  const access = (type: string, field: string) => {
    const t = sdl.definitions.find(
      (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type,
    )!;
    const directive = t
      .fields!.find((f) => f.name.value === field)!
      .directives!.find((d) => d.name.value === "access")!;
    return Object.fromEntries(
      directive.arguments!.map((a) => [
        a.name.value,
        a.value.kind === Kind.LIST
          ? a.value.values.map((v) => (v.kind === Kind.STRING ? v.value : null))
          : a.value.kind === Kind.STRING
            ? a.value.value
            : null,
      ]),
    );
  };

  test("on mutations, the records they change and who may change them", () => {
    expect(access("Mutation", "completeCaseAction")).toMatchObject({
      party: "a lead or partner agency of the case",
      changes: ["ProblemCase", "CaseAction"],
      changedBy: ["CaseAction: the agency the action is assigned to"],
    });
    expect(access("Mutation", "updateReferralStatus")).toMatchObject({
      changes: ["Referral"],
      changedBy: ["Referral: youth services, which hold the referral"],
    });
    for (const mutation of ["proposeAgreement", "approveAgreement", "suspendAgreement", "revokeAgreement"])
      expect(access("Mutation", mutation)).toMatchObject({
        changes: ["Agreement"],
        changedBy: ["Agreement: a data-sharing officer of the agreement's provider or recipient"],
      });
    expect(access("Mutation", "advanceCase")).toMatchObject({ changes: ["ProblemCase"] });
    // Issue 17: the lead's own changes, and an action named by its id alone (its case checked first).
    for (const mutation of ["closeCase", "setCasePeople", "setCasePartners"])
      expect(access("Mutation", mutation)).toMatchObject({
        party: "a lead or partner agency of the case",
        changes: ["ProblemCase", "CaseChange"],
        changedBy: ["CaseChange: the case's lead agency"],
      });
    for (const mutation of ["reassignCaseAction", "cancelCaseAction"])
      expect(access("Mutation", mutation)).toMatchObject({
        party: "a lead or partner agency of the case",
        changes: ["ProblemCase", "CaseAction"],
        changedBy: ["CaseAction: the agency the action is assigned to"],
      });
    for (const mutation of ["addCaseNote", "unlinkCaseRecord", "assessVictimRisk"])
      expect(access("Mutation", mutation)).toMatchObject({ changes: ["ProblemCase"] });
  });

  test("on the fields of a type that declares it", () => {
    expect(access("CaseAction", "status")).toMatchObject({
      changedBy: ["the agency the action is assigned to"],
    });
    expect(access("Agreement", "status")).toMatchObject({
      changedBy: ["a data-sharing officer of the agreement's provider or recipient"],
    });
  });
});
