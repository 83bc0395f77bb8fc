import "reflect-metadata";
import { execute, parse } from "graphql";
import { Pool } from "pg";
import { Arg, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import type { Caller } from "../../subgraphs/shared/auth";
import { dropDatabase, ensureDatabase, Sql } from "../../subgraphs/shared/database";
import { Role } from "../../subgraphs/shared/enums";
import { notFound } from "../../subgraphs/shared/errors";
import { buildFederatedSchema } from "../../subgraphs/shared/federation";
import { ChangedBy, Changes, Reference, type PartyRule } from "../../subgraphs/shared/policy";
import { uniqueDatabaseUrl } from "../support/database";

// Issue 15: the shared enforcement checks a declared change (@Changes) before the mutation runs and
// again, on the locked row, at the start of every transaction the mutation opens: a change of
// keeper committed between the two is caught, and nothing is written.

const KEEPER: PartyRule = {
  name: "the agency that keeps it",
  test: (record: { keeper: string }, caller: Caller) => record.keeper === caller.agencyId,
};

@ObjectType({ description: "A record only its keeper may change." })
@Reference()
@ChangedBy(KEEPER)
class Ledger {
  @Field(() => ID, { description: "Id." })
  id!: string;
}

let url: string;
let sql: Sql;

@Resolver()
class LedgerResolver {
  @Query(() => Ledger, { nullable: true, description: "None." })
  ledger(): Ledger | null {
    return null;
  }

  @Changes(Ledger, {
    find: ({ id }: { id: string }, db: Sql) =>
      db.one<{ keeper: string }>(`SELECT keeper FROM ledgers WHERE id = $1 FOR UPDATE`, [id]),
    unknown: ({ id }: { id: string }) => notFound(`ledger ${id}`),
  })
  @Mutation(() => Ledger, { description: "Writes a line, after someone else has taken the ledger over." })
  async writeLine(@Arg("id", () => ID) id: string, @Ctx() ctx: { sql: Sql }): Promise<Ledger> {
    // Between the check before this resolver and its transaction, another agency takes the ledger
    // over (committed on a connection of its own).
    await sql.exec(`UPDATE ledgers SET keeper = 'police' WHERE id = $1`, [id]);
    await ctx.sql.transaction((tx) => tx.exec(`INSERT INTO lines (ledger_id) VALUES ($1)`, [id]));
    return Object.assign(new Ledger(), { id });
  }
}

beforeAll(async () => {
  url = uniqueDatabaseUrl("changed_by");
  await ensureDatabase(url);
  sql = new Sql(new Pool({ connectionString: url, max: 3 }));
  await sql.exec(`CREATE TABLE ledgers (id text PRIMARY KEY, keeper text NOT NULL)`);
  await sql.exec(`CREATE TABLE lines (ledger_id text NOT NULL REFERENCES ledgers (id))`);
  await sql.exec(`INSERT INTO ledgers VALUES ('l1', 'housing')`);
});
afterAll(async () => {
  await sql.pool.end();
  await dropDatabase(url);
});

test("a keeper changed between the check and the transaction is caught on the locked row: nothing is written", async () => {
  const schema = await buildFederatedSchema({ resolvers: [LedgerResolver], ownerAgencyId: "housing" });
  const caller: Caller = { userId: "housing.user", agencyId: "housing", role: Role.PRACTITIONER };
  const result = await execute({
    schema,
    document: parse(`mutation { writeLine(id: "l1") { id } }`),
    contextValue: { caller, access: { gateRefusal: () => null }, sql },
  });
  expect(result.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
  // The resolver ran (the first check passed) and the ledger changed hands, but no line was written.
  expect(await sql.one(`SELECT keeper FROM ledgers WHERE id = 'l1'`)).toEqual({ keeper: "police" });
  expect(await sql.many(`SELECT * FROM lines`)).toEqual([]);
});
