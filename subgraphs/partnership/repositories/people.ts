import type { PageRequest } from "../../shared/connection";
import type { Sql } from "../../shared/database";
import { beginPrepare, discardErasure, moveAside, undoErasure } from "../../shared/erasure";
import type { Page } from "../../shared/loaders";
import { agencyRef } from "../../shared/types";
import { Person, PersonIdentityChange } from "../types";

interface PersonRow {
  id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  person_ids: string[];
  merged_into: string | null;
}

export interface PersonReferenceRow {
  personId: string;
  agencyId: string;
  reference: string;
}

// Dates come back as text so no time zone can move a birthday.
const PERSON_COLUMNS = `p.id, p.given_name, p.family_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth`;

/**
 * The merges in force (person_merges, issue 20) as they bear on person `p`: whom it is merged into, and
 * whose records are its own: itself and everyone merged into it, through merges of merges; none for a
 * person merged into another (its records are listed under the survivor). Read in the person's own
 * statement, so resolving people costs no statement more.
 */
const MERGE_COLUMNS = `
  (SELECT m.survivor_id FROM person_merges m WHERE m.merged_id = p.id AND m.split_at IS NULL) AS merged_into,
  ARRAY(WITH RECURSIVE g(id) AS (
          SELECT p.id WHERE NOT EXISTS (SELECT 1 FROM person_merges m WHERE m.merged_id = p.id AND m.split_at IS NULL)
          UNION SELECT m.merged_id FROM g JOIN person_merges m ON m.survivor_id = g.id AND m.split_at IS NULL)
        SELECT g.id FROM g ORDER BY g.id = p.id DESC, g.id) AS person_ids`;

function toPerson(row: PersonRow): Person {
  return Object.assign(new Person(), {
    id: row.id,
    displayName: `${row.given_name} ${row.family_name}`,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
    personIds: row.person_ids,
    mergedIntoId: row.merged_into,
  });
}

/** `abc` → `abc%`, with LIKE's own wildcards taken literally. */
function prefixPattern(search: string): string {
  return `${search.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;
}

// Each name branch matches one of the prefix indexes, so the planner can OR them together; each
// filter is skipped when its parameter is null.
const MATCHES = `($1::text IS NULL
   OR lower(p.given_name) LIKE $1
   OR lower(p.family_name) LIKE $1
   OR lower(p.given_name || ' ' || p.family_name) LIKE $1)
  AND ($2::date IS NULL OR p.date_of_birth = $2::date)
  AND ($3::text IS NULL OR EXISTS (
        SELECT 1 FROM person_references r
         WHERE r.person_id = p.id AND r.agency_id = $3::text AND r.reference = $4::text))`;

/** What a people search asks for; every filter given must match. */
export interface PeopleSearch {
  /** Start of a given, family or full name. */
  name: string | null;
  /** YYYY-MM-DD. */
  dateOfBirth: string | null;
  /** One agency's own reference for the person. */
  reference: { agencyId: string; reference: string } | null;
}

interface IdentityChangeRow {
  person_id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  replaced_at: Date;
  replaced_by_agency_id: string;
  replaced_by: string;
  evidence_ref: string;
  holder_agency_ids: string[];
}

/** The agencies whose own reference for the person the index holds. */
const HOLDERS = `ARRAY(SELECT r.agency_id FROM person_references r WHERE r.person_id = p.id ORDER BY r.agency_id)`;

/** All SQL over the people index. */
export class PeopleRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<Person[]> {
    const rows = await this.sql.many<PersonRow>(
      `SELECT ${PERSON_COLUMNS}, ${MERGE_COLUMNS} FROM people p WHERE p.id = ANY($1)`,
      [ids],
    );
    return rows.map(toPerson);
  }

  /** Which of these ids are in the index. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.sql.many<{ id: string }>(`SELECT id FROM people WHERE id = ANY($1)`, [ids]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The person as the rectification's rules read it (the agencies that hold records about them),
   * locked for update inside a transaction; null when the index has no such person.
   */
  async lockForRectification(personId: string): Promise<{ holderAgencyIds: string[] } | null> {
    const row = await this.sql.one<{ holder_agency_ids: string[] }>(
      `SELECT ${HOLDERS} AS holder_agency_ids FROM people p WHERE p.id = $1 FOR UPDATE OF p`,
      [personId],
    );
    return row ? { holderAgencyIds: row.holder_agency_ids } : null;
  }

  /**
   * Corrects a person's identity, keeping the values replaced in the history, on the row locked by
   * lockForRectification (call both in one transaction).
   */
  async rectify(
    personId: string,
    correction: { givenName: string | null; familyName: string | null; dateOfBirth: string | null },
    by: { agencyId: string; userId: string; evidenceRef: string; requestId: string; at: Date },
  ): Promise<void> {
    await this.sql.exec(
      `INSERT INTO person_identity_history (person_id, given_name, family_name, date_of_birth, replaced_at,
                                            replaced_by_agency_id, replaced_by, evidence_ref, request_id)
       SELECT p.id, p.given_name, p.family_name, p.date_of_birth, $2, $3, $4, $5, $6 FROM people p WHERE p.id = $1`,
      [personId, by.at, by.agencyId, by.userId, by.evidenceRef, by.requestId],
    );
    await this.sql.exec(
      `UPDATE people SET given_name = coalesce($2, given_name), family_name = coalesce($3, family_name),
                         date_of_birth = coalesce($4::date, date_of_birth)
        WHERE id = $1`,
      [personId, correction.givenName, correction.familyName, correction.dateOfBirth],
    );
  }

  /** The identity each person had before each rectification, oldest first. */
  async identityHistoryFor(personIds: readonly string[]): Promise<PersonIdentityChange[]> {
    const rows = await this.sql.many<IdentityChangeRow>(
      `SELECT h.person_id, h.given_name, h.family_name, to_char(h.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
              h.replaced_at, h.replaced_by_agency_id, h.replaced_by, h.evidence_ref, ${HOLDERS} AS holder_agency_ids
         FROM person_identity_history h JOIN people p ON p.id = h.person_id
        WHERE h.person_id = ANY($1) ORDER BY h.person_id, h.id`,
      [personIds],
    );
    return rows.map((r) =>
      Object.assign(new PersonIdentityChange(), {
        personId: r.person_id,
        displayName: `${r.given_name} ${r.family_name}`,
        dateOfBirth: r.date_of_birth,
        replacedAt: r.replaced_at,
        replacedBy: agencyRef(r.replaced_by_agency_id),
        replacedByUser: r.replaced_by,
        evidenceRef: r.evidence_ref,
        holderAgencyIds: r.holder_agency_ids,
      }),
    );
  }

  async referencesFor(personIds: readonly string[]): Promise<PersonReferenceRow[]> {
    return this.sql.many<PersonReferenceRow>(
      `SELECT person_id AS "personId", agency_id AS "agencyId", reference
         FROM person_references WHERE person_id = ANY($1) ORDER BY person_id, agency_id`,
      [personIds],
    );
  }

  /** People matching every filter given (a name's start, a date of birth, a reference), by family name. */
  async search(search: PeopleSearch, page: PageRequest): Promise<Page<Person>> {
    const filters = [
      search.name ? prefixPattern(search.name) : null,
      search.dateOfBirth,
      search.reference?.agencyId ?? null,
      search.reference?.reference ?? null,
    ];
    const rows = await this.sql.many<PersonRow & { total: string }>(
      `SELECT p.*, ${MERGE_COLUMNS} FROM (
         SELECT ${PERSON_COLUMNS}, count(*) OVER () AS total
           FROM people p
          WHERE ${MATCHES}
          ORDER BY p.family_name, p.given_name, p.id
          OFFSET $5 LIMIT $6) p
        ORDER BY p.family_name, p.given_name, p.id`,
      [...filters, page.offset, page.limit + 1],
    );
    let totalCount = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page.offset > 0) {
      // Paged past the end: the window count has no row to ride on.
      const row = await this.sql.one<{ total: string }>(
        `SELECT count(*) AS total FROM people p WHERE ${MATCHES}`,
        filters,
      );
      totalCount = Number(row?.total ?? 0);
    }
    return { items: rows.map(toPerson), totalCount };
  }
}

/** How an anonymised person is named: the index keeps the id (cases point at it) and nothing else. */
export const ERASED_NAME = { given: "Erased", family: "person" } as const;

/**
 * An agency's erasure, first phase in the people index (shared/erasure.ts), in one transaction
 * (`tx`): the cases' links to the agency's records deleted altogether and, when the agency keeps
 * nothing about the person (`dropReference`), its reference for them, moved aside. Returns how many
 * links.
 */
export async function setAsideForErasure(
  tx: Sql,
  erasureId: string,
  agencyId: string,
  personId: string,
  deleted: readonly { kind: string; id: string }[],
  dropReference: boolean,
): Promise<number> {
  await beginPrepare(tx, erasureId);
  const links = await moveAside(
    tx,
    erasureId,
    "case_records",
    `agency_id = $1 AND record_id = ANY($2::text[])`,
    [agencyId, deleted.map((d) => d.id)],
  );
  if (dropReference)
    await moveAside(tx, erasureId, "person_references", `person_id = $1 AND agency_id = $2`, [
      personId,
      agencyId,
    ]);
  return links.length;
}

/**
 * Ends an agency's erasure in the people index, in one transaction (`tx`): undone, what it moved
 * aside is put back; decided, it is dropped, and once every agency has erased what it held
 * (`anonymise`: governance decided so) the entry keeps its id and nothing else: no name, date of
 * birth, home area, reference or identity history. Returns whether the entry was anonymised.
 */
export async function settleErasureHere(
  tx: Sql,
  erasureId: string,
  personId: string,
  decided: boolean,
  anonymise: boolean,
): Promise<boolean> {
  if (!decided) {
    await undoErasure(tx, erasureId);
    return false;
  }
  await discardErasure(tx, erasureId);
  if (!anonymise) return false;
  await tx.exec(`DELETE FROM person_references WHERE person_id = $1`, [personId]);
  await tx.exec(`DELETE FROM person_identity_history WHERE person_id = $1`, [personId]);
  const anonymised = await tx.exec(
    `UPDATE people SET given_name = $2, family_name = $3, date_of_birth = NULL, home_lsoa = NULL WHERE id = $1`,
    [personId, ERASED_NAME.given, ERASED_NAME.family],
  );
  return anonymised > 0;
}

/**
 * Before an agency deletes these records under retention: the cases' links to them go (one
 * transaction, `tx`). Done first, so that a run stopped
 * after it and before the deletion leaves no link to a record that is gone.
 */
export async function forgetRecords(
  tx: Sql,
  agencyId: string,
  recordIds: readonly string[],
): Promise<number> {
  return tx.exec(`DELETE FROM case_records WHERE agency_id = $1 AND record_id = ANY($2::text[])`, [
    agencyId,
    recordIds,
  ]);
}
