import { council } from "../../subgraphs/council/server";
import { Role } from "../../subgraphs/shared/enums";
import { ImportLog, NO_PEOPLE } from "../../subgraphs/shared/ingest/store";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const QUERY = `query Imports($first: Int) {
  councilImports(first: $first) {
    id source importedBy dryRun outcome rows newRecords changedRecords unchangedRecords rejectedRows forgottenRows failure
    startedAt finishedAt
    peopleKnown peopleLinked peopleQueuedForReview peopleNew
    files { name sha256 record rows new changed unchanged rejected forgotten loaded
      peopleKnown peopleLinked peopleQueuedForReview peopleNew }
  }
}`;
const dso: As = { agency: "council", role: Role.DATA_SHARING_OFFICER };

let subgraph: TestSubgraph;

beforeAll(async () => {
  subgraph = await startTestSubgraph(council, async (sql) => {
    // What `npm run ingest` records (through the same functions): a run loaded, then a dry run.
    const loaded = await ImportLog.begin(sql, {
      agencyId: "council",
      source: "asb-cms",
      importedBy: "council.dso",
      dryRun: false,
    });
    const file = {
      name: "asb-cases-2024-06.csv",
      sha256: "ab".repeat(32),
      record: "asbCase",
      rows: 8,
      new: 8,
      changed: 0,
      unchanged: 0,
      rejected: 0,
      forgotten: 0,
      loaded: true,
      ...NO_PEOPLE,
    };
    const parties = {
      ...file,
      name: "asb-parties-2024-06.csv",
      sha256: "cd".repeat(32),
      record: "asbParty",
      rows: 12,
      new: 10,
      // Two parties an erasure took: skipped, not loaded again.
      forgotten: 2,
      peopleLinked: 5,
      peopleQueuedForReview: 1,
      peopleNew: 3,
    };
    await ImportLog.end(sql, loaded, {
      outcome: "LOADED",
      files: [file, parties],
      totals: { rows: 20, new: 18, changed: 0, unchanged: 0, rejected: 0 },
      failure: null,
    });
    const dry = await ImportLog.begin(sql, {
      agencyId: "council",
      source: "asb-cms",
      importedBy: "analyst.friend",
      dryRun: true,
    });
    await ImportLog.end(sql, dry, {
      outcome: "DRY_RUN",
      files: [{ ...file, new: 0, unchanged: 8, loaded: false }],
      totals: { rows: 8, new: 0, changed: 0, unchanged: 8, rejected: 0 },
      failure: null,
    });
  });
});
afterAll(() => subgraph?.stop());

test("the council's data-sharing officers see its imports, newest first, with each file's hash and counts", async () => {
  const { data, errors } = await subgraph.query<{ councilImports: Record<string, unknown>[] }>(
    QUERY,
    {},
    dso,
  );
  expect(errors).toBeUndefined();
  expect(data!.councilImports.map((i) => [i.id, i.outcome, i.dryRun, i.importedBy, i.newRecords])).toEqual([
    ["2", "DRY_RUN", true, "analyst.friend", 0],
    ["1", "LOADED", false, "council.dso", 18],
  ]);
  expect(data!.councilImports[1]).toMatchObject({
    source: "asb-cms",
    rows: 20,
    failure: null,
    files: [
      {
        name: "asb-cases-2024-06.csv",
        sha256: "ab".repeat(32),
        record: "asbCase",
        rows: 8,
        new: 8,
        forgotten: 0,
        loaded: true,
        peopleNew: 0,
      },
      {
        name: "asb-parties-2024-06.csv",
        record: "asbParty",
        forgotten: 2,
        peopleKnown: 0,
        peopleLinked: 5,
        peopleQueuedForReview: 1,
        peopleNew: 3,
      },
    ],
    // The forgotten rows and the people of its files, summed.
    forgottenRows: 2,
    peopleKnown: 0,
    peopleLinked: 5,
    peopleQueuedForReview: 1,
    peopleNew: 3,
  });
  expect(typeof data!.councilImports[1].finishedAt).toBe("string");
  const one = await subgraph.query<{ councilImports: unknown[] }>(QUERY, { first: 1 }, dso);
  expect(one.data!.councilImports).toHaveLength(1);
});

test("no one else: a practitioner is refused, another agency's officer sees none of them", async () => {
  const practitioner = await subgraph.query(QUERY, {}, { agency: "council", role: Role.PRACTITIONER });
  expect(practitioner.errors?.[0]?.extensions).toMatchObject({
    code: "FORBIDDEN",
    reason: "ROLE_NOT_PERMITTED",
  });
  const police = await subgraph.query<{ councilImports: unknown[] }>(
    QUERY,
    {},
    {
      agency: "police",
      role: Role.DATA_SHARING_OFFICER,
    },
  );
  expect(police.errors).toBeUndefined();
  expect(police.data!.councilImports).toEqual([]);
});

test("asking for too many is refused, naming the argument", async () => {
  const { errors } = await subgraph.query(QUERY, { first: 500 }, dso);
  expect(errors?.[0]).toMatchObject({
    message: expect.stringMatching(/first/),
    extensions: { code: "BAD_USER_INPUT" },
  });
});
