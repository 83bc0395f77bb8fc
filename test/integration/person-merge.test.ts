import { matchPeople } from "../../subgraphs/partnership/matching";
import { partnership } from "../../subgraphs/partnership/server";
import { Role } from "../../subgraphs/shared/enums";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * mergePeople and splitPerson on the partnership subgraph (issue 20): who may (a DSO of an agency
 * holding a reference of each person), what is refused, that a split restores exactly what the merge
 * joined (every row of the people index that names either person), the audit, and how the matcher
 * treats a merged person afterwards. What agencies list under a merged person, and the access rules
 * unchanged by it, are in test/e2e/person-merge.test.ts (the federation).
 */
const dso = (agency: string): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  user: `${agency}.dso`,
  purpose: "SAFEGUARDING",
});

const MERGE = `mutation Merge($survivorId: ID!, $mergedId: ID!, $note: String!) {
  mergePeople(survivorId: $survivorId, mergedId: $mergedId, note: $note) {
    id survivorId mergedId agency { id } mergedBy note splitAt survivor { id personIds } merged { id personIds mergedInto { id } }
  }
}`;
const SPLIT = `mutation Split($id: ID!, $note: String!) {
  splitPerson(id: $id, note: $note) { id survivorId mergedId splitBy splitNote splitAgency { id } splitAt }
}`;
const PERSON = `query P($id: ID!) { person(id: $id) { id personIds mergedInto { id } } }`;

let subgraph: TestSubgraph;
/** Housing's and the council's people: A and B are one (both agencies know both), C is known to housing only. */
const people: Record<string, string> = {};

beforeAll(async () => {
  subgraph = await startTestSubgraph(partnership, async (sql) => {
    const housing = await matchPeople(sql, "housing", [
      {
        reference: "H-A",
        givenName: "Aisha",
        familyName: "Rahman",
        dateOfBirth: "1988-03-14",
        postcode: "E1 1AA",
      },
      {
        reference: "H-B",
        givenName: "Ayesha",
        familyName: "Rehman",
        dateOfBirth: "1990-11-02",
        postcode: "N1 9ZZ",
      },
      {
        reference: "H-C",
        givenName: "Colin",
        familyName: "Barr",
        dateOfBirth: "1970-01-01",
        postcode: "SE1 7PB",
      },
      {
        reference: "H-D",
        givenName: "Dora",
        familyName: "Quist",
        dateOfBirth: "1965-05-05",
        postcode: "W2 1AA",
      },
    ]);
    const council = await matchPeople(sql, "council", [
      {
        reference: "C-A",
        givenName: "Aisha",
        familyName: "Rahman",
        dateOfBirth: "1988-03-14",
        postcode: "E1 1AA",
      },
      {
        reference: "C-B",
        givenName: "Ayesha",
        familyName: "Rehman",
        dateOfBirth: "1990-11-02",
        postcode: "N1 9ZZ",
      },
    ]);
    people.A = housing.get("H-A")!.personId;
    people.B = housing.get("H-B")!.personId;
    people.C = housing.get("H-C")!.personId;
    people.D = housing.get("H-D")!.personId;
    expect(council.get("C-A")!.personId).toBe(people.A);
    expect(council.get("C-B")!.personId).toBe(people.B);
    // A case naming both, so the split is seen to restore what names them in partnership's own store.
    await sql.exec(
      `INSERT INTO problem_cases (id, reference, title, problem_type, lead_agency_id, stage, opened_at, opened_by)
       VALUES ('psc-merge', 'PSC-MERGE', 'Noise', 'ASB', 'council', 'SCANNING', now(), 'council.dso')`,
    );
    await sql.exec(
      `INSERT INTO case_people (case_id, person_id, role, position) VALUES ('psc-merge', $1, 'VICTIM', 0), ('psc-merge', $2, 'WITNESS', 1)`,
      [people.A, people.B],
    );
  });
});
afterAll(() => subgraph?.stop());

/** Every row of partnership's own store that names a person, per table, as text, sorted. */
async function rowsNaming(ids: string[]): Promise<Record<string, string[]>> {
  const tables = await subgraph.adminSql.many<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name IN ('person_id', 'candidate_person_id', 'provisional_person_id')
         OR (table_schema = 'public' AND table_name = 'people' AND column_name = 'id')
      ORDER BY table_name, column_name`,
  );
  const out: Record<string, string[]> = {};
  for (const { table_name, column_name } of tables) {
    const rows = await subgraph.adminSql.many<{ row: string }>(
      `SELECT t::text AS row FROM "${table_name}" t WHERE "${column_name}" = ANY ($1) ORDER BY 1`,
      [ids],
    );
    out[`${table_name}.${column_name}`] = rows.map((r) => r.row);
  }
  return out;
}

const mergesCount = async () =>
  Number((await subgraph.adminSql.one<{ n: string }>(`SELECT count(*) AS n FROM person_merges`))!.n);

describe("who may merge", () => {
  it("refuses a practitioner and an analyst of an agency holding both: FORBIDDEN, nothing written", async () => {
    for (const as of [
      { agency: "housing", role: Role.PRACTITIONER, purpose: "SAFEGUARDING" },
      { agency: "housing", role: Role.ANALYST, purpose: "STATISTICS" },
    ] as As[]) {
      const res = await subgraph.query(MERGE, { survivorId: people.A, mergedId: people.B, note: "same" }, as);
      expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    expect(await mergesCount()).toBe(0);
  });

  it("refuses a DSO of an agency that holds no reference of one of them (ROLE_NOT_PERMITTED)", async () => {
    // The council knows A but not C; the police know neither.
    const council = await subgraph.query(
      MERGE,
      { survivorId: people.A, mergedId: people.C, note: "same" },
      dso("council"),
    );
    expect(council.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const police = await subgraph.query(
      MERGE,
      { survivorId: people.A, mergedId: people.B, note: "same" },
      dso("police"),
    );
    expect(police.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    expect(await mergesCount()).toBe(0);
  });

  it("refuses bad input by name: no note, one person with itself, an unknown person", async () => {
    const noNote = await subgraph.query(
      MERGE,
      { survivorId: people.A, mergedId: people.B, note: " " },
      dso("housing"),
    );
    expect(noNote.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "note" });
    const self = await subgraph.query(
      MERGE,
      { survivorId: people.A, mergedId: people.A, note: "x" },
      dso("housing"),
    );
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "mergedId" });
    const unknown = await subgraph.query(
      MERGE,
      { survivorId: people.A, mergedId: "per-nobody", note: "x" },
      dso("housing"),
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(await mergesCount()).toBe(0);
  });
});

describe("a merge and its split", () => {
  let before: Record<string, string[]>;
  let mergeId: string;

  it("merges for a DSO of an agency holding a reference of each, pointing the merged person at the survivor", async () => {
    before = await rowsNaming([people.A, people.B]);
    const res = await subgraph.query<{ mergePeople: Record<string, unknown> & { id: string } }>(
      MERGE,
      {
        survivorId: people.A,
        mergedId: people.B,
        note: "Same tenant: spelling of the name and a mistyped birth date",
      },
      dso("council"),
    );
    expect(res.errors).toBeUndefined();
    mergeId = res.data!.mergePeople.id;
    expect(res.data!.mergePeople).toMatchObject({
      survivorId: people.A,
      mergedId: people.B,
      agency: { id: "council" },
      mergedBy: "council.dso",
      splitAt: null,
      survivor: { id: people.A, personIds: [people.A, people.B] },
      merged: { id: people.B, personIds: [], mergedInto: { id: people.A } },
    });
    // Nothing in the people index was rewritten: the merge is the one row that says so.
    expect(await rowsNaming([people.A, people.B])).toEqual(before);
  });

  it("refuses to merge a merged person again, or anyone into one", async () => {
    const again = await subgraph.query(
      MERGE,
      { survivorId: people.D, mergedId: people.B, note: "x" },
      dso("housing"),
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "mergedId" });
    const into = await subgraph.query(
      MERGE,
      { survivorId: people.B, mergedId: people.D, note: "x" },
      dso("housing"),
    );
    expect(into.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "survivorId" });
    expect(await mergesCount()).toBe(1);
  });

  it("is audited as PERSON_MERGE, naming the merge and the two people, not the note", async () => {
    const audit = await subgraph.policySql.many(
      `SELECT kind, agency_id, user_id, role, owner_agency_id, cardinality(person_ids) AS people, record_ids, detail
         FROM audit_log WHERE kind = 'PERSON_MERGE'`,
    );
    expect(audit).toEqual([
      {
        kind: "PERSON_MERGE",
        agency_id: "council",
        user_id: "council.dso",
        role: "DATA_SHARING_OFFICER",
        owner_agency_id: "partnership",
        people: 2,
        record_ids: [mergeId],
        detail: `merged person ${people.B} into ${people.A} (${mergeId})`,
      },
    ]);
  });

  it("a later import of the merged person's reference keeps its own person; a new agency's record of them links to the survivor", async () => {
    const again = await matchPeople(subgraph.adminSql, "housing", [
      {
        reference: "H-B",
        givenName: "Ayesha",
        familyName: "Rehman",
        dateOfBirth: "1990-11-02",
        postcode: "N1 9ZZ",
      },
    ]);
    // Its records keep their person (their subject); they are listed under the survivor (Person.personIds).
    expect(again.get("H-B")).toMatchObject({ personId: people.B, method: "REFERENCE" });
    const youth = await matchPeople(subgraph.adminSql, "youth", [
      {
        reference: "Y-B",
        givenName: "Ayesha",
        familyName: "Rehman",
        dateOfBirth: "1990-11-02",
        postcode: "N1 9ZZ",
      },
    ]);
    expect(youth.get("Y-B")).toMatchObject({ personId: people.A, outcome: "linked" });
    // Housing already holds a reference of the survivor's records: another housing record is no candidate.
    const housing = await matchPeople(subgraph.adminSql, "housing", [
      {
        reference: "H-B2",
        givenName: "Ayesha",
        familyName: "Rehman",
        dateOfBirth: "1990-11-02",
        postcode: "N1 9ZZ",
      },
    ]);
    expect(housing.get("H-B2")!.personId).not.toBe(people.A);
    expect(housing.get("H-B2")!.personId).not.toBe(people.B);
    // An agency holding a reference of the merged person only (not of the survivor itself) holds one
    // of the survivor's records, so the survivor is no candidate for its next record either.
    await subgraph.adminSql.exec(
      `INSERT INTO person_references (person_id, agency_id, reference) VALUES ($1, 'police', 'P-B')`,
      [people.B],
    );
    const police = await matchPeople(subgraph.adminSql, "police", [
      {
        reference: "P-A",
        givenName: "Aisha",
        familyName: "Rahman",
        dateOfBirth: "1988-03-14",
        postcode: "E1 1AA",
      },
    ]);
    expect(police.get("P-A")!.personId).not.toBe(people.A);
    expect(police.get("P-A")!.personId).not.toBe(people.B);
    // Taken back out, so the split below compares the rows the merge itself saw.
    await subgraph.adminSql.exec(
      `DELETE FROM person_references
        WHERE (agency_id, reference) IN (('youth', 'Y-B'), ('housing', 'H-B2'), ('police', 'P-B'), ('police', 'P-A'))`,
    );
  });

  it("shows the merge to no DSO of an agency without a reference of both, and lets none split it", async () => {
    for (const agency of ["police", "youth"]) {
      const res = await subgraph.query(SPLIT, { id: mergeId, note: "not them" }, dso(agency));
      expect(res.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    const practitioner = await subgraph.query(
      SPLIT,
      { id: mergeId, note: "not them" },
      { agency: "council", role: Role.PRACTITIONER, purpose: "SAFEGUARDING" },
    );
    expect(practitioner.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const merged = await subgraph.query<{ person: { mergedInto: { id: string } | null } }>(
      PERSON,
      { id: people.B },
      dso("housing"),
    );
    expect(merged.data!.person.mergedInto).toEqual({ id: people.A });
  });

  it("a split (by the merged person's id, by another agency holding both) restores exactly what was there", async () => {
    const res = await subgraph.query<{ splitPerson: Record<string, unknown> }>(
      SPLIT,
      { id: people.B, note: "Two sisters: different birth dates confirmed" },
      dso("housing"),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.splitPerson).toMatchObject({
      id: mergeId,
      splitBy: "housing.dso",
      splitAgency: { id: "housing" },
      splitNote: "Two sisters: different birth dates confirmed",
      splitAt: expect.any(String),
    });
    expect(await rowsNaming([people.A, people.B])).toEqual(before);
    for (const id of [people.A, people.B]) {
      const person = await subgraph.query<{ person: Record<string, unknown> }>(
        PERSON,
        { id },
        dso("housing"),
      );
      expect(person.data!.person).toEqual({ id, personIds: [id], mergedInto: null });
    }
    const audit = await subgraph.policySql.many(
      `SELECT kind, agency_id, user_id, record_ids, detail FROM audit_log WHERE kind = 'PERSON_SPLIT'`,
    );
    expect(audit).toEqual([
      {
        kind: "PERSON_SPLIT",
        agency_id: "housing",
        user_id: "housing.dso",
        record_ids: [mergeId],
        detail: `split person ${people.B} from ${people.A} (${mergeId})`,
      },
    ]);
  });

  it("refuses to split a merge already split, or a person merged into no one", async () => {
    const twice = await subgraph.query(SPLIT, { id: mergeId, note: "again" }, dso("housing"));
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    const notMerged = await subgraph.query(SPLIT, { id: people.C, note: "x" }, dso("housing"));
    expect(notMerged.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(notMerged.errors?.[0]?.message).toMatch(/merged into another/);
  });

  it("merges the same people again after a split, and a merge of merges lists everyone under the last survivor", async () => {
    const ab = await subgraph.query<{ mergePeople: { id: string } }>(
      MERGE,
      { survivorId: people.A, mergedId: people.B, note: "same after all" },
      dso("council"),
    );
    expect(ab.errors).toBeUndefined();
    const da = await subgraph.query(
      MERGE,
      { survivorId: people.D, mergedId: people.A, note: "same" },
      dso("housing"),
    );
    expect(da.errors).toBeUndefined();
    const d = await subgraph.query<{ person: { personIds: string[] } }>(
      PERSON,
      { id: people.D },
      dso("housing"),
    );
    expect(d.data!.person.personIds).toEqual([people.D, ...[people.A, people.B].sort()]);
    // Splitting A from D leaves B with A.
    await subgraph.query(SPLIT, { id: people.A, note: "not D" }, dso("housing"));
    const a = await subgraph.query<{ person: { personIds: string[] } }>(
      PERSON,
      { id: people.A },
      dso("housing"),
    );
    expect(a.data!.person.personIds).toEqual([people.A, people.B]);
  });
});

describe("from the review queue to a merge", () => {
  it("a review that cannot be confirmed (the candidate has another of the agency's references) is rejected, then merged, and split back", async () => {
    const REJECT = `mutation Reject($id: ID!, $note: String!) { rejectPersonMatch(id: $id, note: $note) { status } }`;
    const housing = await matchPeople(subgraph.adminSql, "housing", [
      {
        reference: "H-G",
        givenName: "Grace",
        familyName: "Lee",
        dateOfBirth: "1990-01-02",
        postcode: "E1 6AN",
      },
    ]);
    const candidate = housing.get("H-G")!.personId;
    const youth = await matchPeople(subgraph.adminSql, "youth", [
      { reference: "Y-G1", givenName: "G", familyName: "Lee", dateOfBirth: null, postcode: "E1 6AN" },
    ]);
    expect(youth.get("Y-G1")).toMatchObject({ outcome: "review", candidatePersonId: candidate });
    const provisional = youth.get("Y-G1")!.personId;
    // Another youth record of the candidate's arrives meanwhile: one reference per agency and person.
    await subgraph.adminSql.exec(
      `INSERT INTO person_references (person_id, agency_id, reference) VALUES ($1, 'youth', 'Y-G2')`,
      [candidate],
    );
    const review = (await subgraph.adminSql.one<{ id: string }>(
      `SELECT id FROM person_match_reviews WHERE reference = 'Y-G1'`,
    ))!.id;
    const rejected = await subgraph.query<{ rejectPersonMatch: { status: string } }>(
      REJECT,
      { id: review, note: "Same pupil, but the candidate already has our other record: merging instead" },
      dso("youth"),
    );
    expect(rejected.data!.rejectPersonMatch.status).toBe("REJECTED");
    const merged = await subgraph.query<{ mergePeople: { id: string; survivor: { personIds: string[] } } }>(
      MERGE,
      { survivorId: candidate, mergedId: provisional, note: "Two school records of one pupil" },
      dso("youth"),
    );
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.mergePeople.survivor.personIds).toEqual([candidate, provisional]);
    // Each reference stays with its own person: the two youth records are two records of one pupil.
    expect(
      await subgraph.adminSql.many(
        `SELECT reference, person_id FROM person_references WHERE agency_id = 'youth' AND reference LIKE 'Y-G%' ORDER BY 1`,
      ),
    ).toEqual([
      { reference: "Y-G1", person_id: provisional },
      { reference: "Y-G2", person_id: candidate },
    ]);
    const split = await subgraph.query(SPLIT, { id: provisional, note: "Twins after all" }, dso("youth"));
    expect(split.errors).toBeUndefined();
    const person = await subgraph.query<{ person: { personIds: string[] } }>(
      PERSON,
      { id: candidate },
      dso("youth"),
    );
    expect(person.data!.person.personIds).toEqual([candidate]);
  });
});
