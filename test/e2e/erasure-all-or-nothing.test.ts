import { settleErasures } from "../../scripts/lib/retention";
import { Role } from "../../subgraphs/shared/enums";
import { moveAside } from "../../subgraphs/shared/erasure";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";
import { restartSubgraph, stopSubgraph } from "../support/outage";

/**
 * Issue 18, "nothing is half-erased": an erasure that fails part-way leaves every store as it was;
 * one that fails after governance decided it is finished when it is next settled. The failures
 * are real: the people index's service down, and the police store refusing a statement.
 */
let fed: TestFederation;
let person: string;

const dso: As = {
  agency: "police",
  role: Role.DATA_SHARING_OFFICER,
  user: "police.dso",
  purpose: "DATA_PROTECTION",
};
const ERASE = `mutation ($p: ID!) {
  erasePersonData(personId: $p, requestRef: "DSAR-ATOMIC", reason: "Article 17(1)(a)") { erasedRecords retainedRecords }
}`;

beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
  // Someone police holds records about and whose police reference the index holds, named in a case's links.
  const referenced = new Set(
    (
      await fed.stores.partnership.sql.many<{ person_id: string }>(
        `SELECT person_id FROM person_references WHERE agency_id = 'police'`,
      )
    ).map((r) => r.person_id),
  );
  const involved = await fed.stores.police.sql.many<{ person_id: string }>(
    `SELECT DISTINCT person_id FROM involvements ORDER BY person_id`,
  );
  person = involved.map((r) => r.person_id).find((p) => referenced.has(p))!;
  expect(person).toBeDefined();
  // The council reads police's records about them: the audit names them (under police's key for them).
  const read = await fed.query(
    `query ($p: ID!) { person(id: $p) { incidents { totalCount } } }`,
    { p: person },
    { agency: "council", role: Role.PRACTITIONER, purpose: "ASB_CASE_MANAGEMENT" },
  );
  expect(read.errors).toBeUndefined();
  // Police's rules let everything go (the demo's periods keep its 2019 incidents otherwise).
  for (const category of ["INCIDENT_SUMMARY", "OFFENDING"]) {
    const rule = await fed.query(
      `mutation ($i: RetentionRuleInput!) { setRetentionRule(input: $i) { id } }`,
      { i: { category, retainForMonths: 1, from: "CREATED", basis: "test: erasable" } },
      dso,
    );
    expect(rule.errors).toBeUndefined();
  }
}, 240_000);
afterAll(() => fed?.stop());

/** What every store holds that an erasure of the person at police changes. */
async function snapshot() {
  const count = async (sql: (typeof fed.stores)["police"]["sql"], text: string, params: unknown[] = []) =>
    Number((await sql.one<{ n: string }>(text, params))!.n);
  return {
    involvements: await count(
      fed.stores.police.sql,
      `SELECT count(*) AS n FROM involvements WHERE person_id = $1`,
      [person],
    ),
    policeAside: await count(fed.stores.police.sql, `SELECT count(*) AS n FROM erasure_pending`),
    policeReference: await count(
      fed.stores.partnership.sql,
      `SELECT count(*) AS n FROM person_references WHERE person_id = $1 AND agency_id = 'police'`,
      [person],
    ),
    indexAside: await count(fed.stores.partnership.sql, `SELECT count(*) AS n FROM erasure_pending`),
    keys: await count(
      fed.stores.governance.sql,
      `SELECT count(*) AS n FROM person_keys WHERE person_id = $1`,
      [person],
    ),
    erasedNoted: await count(
      fed.stores.governance.sql,
      `SELECT count(*) AS n FROM person_erasures WHERE person_id = $1`,
      [person],
    ),
    erasureAudited: await count(
      fed.stores.governance.sql,
      `SELECT count(*) AS n FROM audit_log WHERE kind = 'DATA_PROTECTION' AND detail LIKE 'erasure DSAR-ATOMIC%'`,
    ),
  };
}

const allStores = () => ({
  governance: fed.stores.governance.sql,
  partnership: fed.stores.partnership.sql,
  police: fed.stores.police.sql,
  council: fed.stores.council.sql,
  youth: fed.stores.youth.sql,
  housing: fed.stores.housing.sql,
});

async function erasuresUnderWay() {
  return fed.stores.governance.sql.many<{ state: string }>(`SELECT state FROM erasures ORDER BY started_at`);
}

/** A real fault in the police store: any statement dropping what an erasure moved aside fails. */
async function policeRefusesToDropAside(on: boolean) {
  const sql = fed.stores.police.sql;
  if (on) {
    await sql.exec(`CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql
      AS $$ BEGIN RAISE EXCEPTION 'could not write to file: No space left on device'; END $$`);
    await sql.exec(`CREATE TRIGGER test_refuse BEFORE DELETE ON erasure_pending
      FOR EACH STATEMENT EXECUTE FUNCTION test_refuse()`);
  } else {
    await sql.exec(`DROP TRIGGER test_refuse ON erasure_pending`);
  }
}

test("the people index down after police moved the records aside: police puts them back, nothing is erased or forgotten", async () => {
  const before = await snapshot();
  expect(before.involvements).toBeGreaterThan(0);
  expect(before.keys).toBeGreaterThan(0);
  await stopSubgraph(fed, "partnership");
  try {
    const response = await fed.query(ERASE, { p: person }, dso);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE", retryable: true });
    expect(response.errors?.[0]?.message).toMatch(/partnership/);
    // Every store as it was: police's records back in their tables, governance's keys and audit untouched.
    expect(await snapshot()).toEqual(before);
    // They were moved aside, and put back: police noted the erasure undone (no late first phase may follow).
    expect(await fed.stores.police.sql.many(`SELECT erasure_id FROM erasures_undone`)).toHaveLength(1);
    // Only the bookkeeping of the undo is left (the index could not be told): settled next time.
    expect(await erasuresUnderWay()).toEqual([{ state: "UNDOING" }]);
  } finally {
    await restartSubgraph(fed, "partnership");
  }
  // Settled (here by the retention job's sweep): the bookkeeping goes, nothing else changes.
  await settleErasures(allStores(), { log: () => {} });
  expect(await erasuresUnderWay()).toEqual([]);
  expect(await snapshot()).toEqual(before);
});

test("a fault while putting back leaves the records out of sight, never lost; the retention job puts them back", async () => {
  const before = await snapshot();
  await policeRefusesToDropAside(true);
  await stopSubgraph(fed, "partnership");
  try {
    const response = await fed.query(ERASE, { p: person }, dso);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "SUBGRAPH_UNAVAILABLE" });
    const stuck = await snapshot();
    // Moved aside and not yet back: reads find them gone, erasure_pending still holds them.
    expect(stuck).toEqual({ ...before, involvements: 0, policeAside: before.involvements });
  } finally {
    await policeRefusesToDropAside(false);
    await restartSubgraph(fed, "partnership");
  }
  const lines: string[] = [];
  const settled = await settleErasures(allStores(), { log: (l) => lines.push(l) });
  expect(settled).toEqual({ settled: 1, unsettled: [] });
  expect(lines).toEqual(["erasures: 1 left under way settled, 0 orphaned put back"]);
  expect(await snapshot()).toEqual(before);
  expect(await erasuresUnderWay()).toEqual([]);
});

test("a fault after the decision: the erasure stands, and the next request finishes it", async () => {
  const before = await snapshot();
  await policeRefusesToDropAside(true);
  let first;
  try {
    first = await fed.query<{ erasePersonData: { erasedRecords: number } }>(ERASE, { p: person }, dso);
  } finally {
    await policeRefusesToDropAside(false);
  }
  // Decided: the answer says what was erased, the audit records it, the key is destroyed.
  expect(first.errors).toBeUndefined();
  expect(first.data!.erasePersonData.erasedRecords).toBe(before.involvements);
  const decided = await snapshot();
  expect(decided).toMatchObject({
    involvements: 0,
    policeReference: 0,
    erasedNoted: 1,
    erasureAudited: before.erasureAudited + 1,
    // What police moved aside is still there (its drop failed); the index's was dropped.
    policeAside: before.involvements,
    indexAside: 0,
  });
  expect(decided.keys).toBeLessThan(before.keys);
  expect(await erasuresUnderWay()).toEqual([{ state: "DECIDED" }]);

  // The next erasure request of the agency settles it first (here the same person: nothing left).
  const again = await fed.query<{ erasePersonData: { erasedRecords: number } }>(ERASE, { p: person }, dso);
  expect(again.errors).toBeUndefined();
  expect(again.data!.erasePersonData.erasedRecords).toBe(0);
  expect(await snapshot()).toMatchObject({ involvements: 0, policeAside: 0, indexAside: 0 });
  expect(await erasuresUnderWay()).toEqual([]);
});

test("rows moved aside that no erasure owns any more (a first phase that committed after it was given up) are put back by the job", async () => {
  const police = fed.stores.police.sql;
  const { incident_id: incident } = (await police.one<{ incident_id: string }>(
    `SELECT incident_id FROM involvements ORDER BY id LIMIT 1`,
  ))!;
  const count = async () =>
    Number(
      (await police.one<{ n: string }>(`SELECT count(*) AS n FROM involvements WHERE incident_id = $1`, [
        incident,
      ]))!.n,
    );
  const before = await count();
  await police.transaction((tx) =>
    moveAside(tx, "erasure-orphan", "involvements", `incident_id = $1`, [incident]),
  );
  // Older than any request could still be working on it; governance has no row for it.
  await police.exec(`UPDATE erasure_pending SET moved_at = now() - interval '1 hour'`);
  expect(await count()).toBe(0);
  const lines: string[] = [];
  expect(await settleErasures(allStores(), { log: (l) => lines.push(l) })).toEqual({
    settled: 1,
    unsettled: [],
  });
  expect(lines).toEqual(["erasures: 0 left under way settled, 1 orphaned put back"]);
  expect(await count()).toBe(before);
  expect(await police.many(`SELECT 1 FROM erasure_pending`)).toEqual([]);
});
