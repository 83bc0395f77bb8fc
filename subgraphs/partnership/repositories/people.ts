import type { PageRequest } from "../../shared/connection";
import type { Sql } from "../../shared/database";
import type { Page } from "../../shared/loaders";
import { Person } from "../types";

interface PersonRow {
  id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
}

export interface PersonReferenceRow {
  personId: string;
  agencyId: string;
  reference: string;
}

// Dates come back as text so no time zone can move a birthday.
const PERSON_COLUMNS = `p.id, p.given_name, p.family_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth`;

function toPerson(row: PersonRow): Person {
  return Object.assign(new Person(), {
    id: row.id,
    displayName: `${row.given_name} ${row.family_name}`,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
  });
}

/** `abc` → `abc%`, with LIKE's own wildcards taken literally. */
function prefixPattern(search: string): string {
  return `${search.toLowerCase().replace(/[\\%_]/g, "\\$&")}%`;
}

// Each branch matches one of the prefix indexes, so the planner can OR them together.
const NAME_MATCHES = `($1::text IS NULL
   OR lower(p.given_name) LIKE $1
   OR lower(p.family_name) LIKE $1
   OR lower(p.given_name || ' ' || p.family_name) LIKE $1)`;

/** All SQL over the people index. */
export class PeopleRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<Person[]> {
    const rows = await this.sql.many<PersonRow>(
      `SELECT ${PERSON_COLUMNS} FROM people p WHERE p.id = ANY($1)`,
      [ids],
    );
    return rows.map(toPerson);
  }

  /** Which of these ids are in the index. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.sql.many<{ id: string }>(`SELECT id FROM people WHERE id = ANY($1)`, [ids]);
    return new Set(rows.map((r) => r.id));
  }

  async referencesFor(personIds: readonly string[]): Promise<PersonReferenceRow[]> {
    return this.sql.many<PersonReferenceRow>(
      `SELECT person_id AS "personId", agency_id AS "agencyId", reference
         FROM person_references WHERE person_id = ANY($1) ORDER BY person_id, agency_id`,
      [personIds],
    );
  }

  /** People whose given name, family name or full name starts with `search`, by family name. */
  async search(search: string | null, page: PageRequest): Promise<Page<Person>> {
    const pattern = search ? prefixPattern(search) : null;
    const rows = await this.sql.many<PersonRow & { total: string }>(
      `SELECT ${PERSON_COLUMNS}, count(*) OVER () AS total
         FROM people p
        WHERE ${NAME_MATCHES}
        ORDER BY p.family_name, p.given_name, p.id
        OFFSET $2 LIMIT $3`,
      [pattern, page.offset, page.limit + 1],
    );
    let totalCount = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page.offset > 0) {
      // Paged past the end: the window count has no row to ride on.
      const row = await this.sql.one<{ total: string }>(
        `SELECT count(*) AS total FROM people p WHERE ${NAME_MATCHES}`,
        [pattern],
      );
      totalCount = Number(row?.total ?? 0);
    }
    return { items: rows.map(toPerson), totalCount };
  }
}

/** What erasing a person's data at one agency left in the people index. */
export interface Forgotten {
  /** Case links and report index entries removed. */
  unlinked: number;
  /** The person's index entry was anonymised: every agency has erased what it held. */
  anonymised: boolean;
}

/** How an anonymised person is named: the index keeps the id (cases point at it) and nothing else. */
export const ERASED_NAME = { given: "Erased", family: "person" } as const;

/**
 * After an agency erased a person's data (in its own store): the cases' links to the agency's
 * records deleted altogether, the person's report index entries at that agency, and, when the
 * agency keeps nothing about them (`dropReference`), its reference for them; once every agency
 * has erased what it held (`anonymise`: governance knows), the entry is anonymised and every
 * reference goes. One transaction (`tx`).
 */
export async function forgetAtAgency(
  tx: Sql,
  agencyId: string,
  personId: string,
  deleted: readonly { kind: string; id: string }[],
  dropReference: boolean,
  anonymise: boolean,
): Promise<Forgotten> {
  const deletedIds = deleted.map((d) => d.id);
  const links = await tx.exec(
    `DELETE FROM case_records WHERE agency_id = $1 AND record_id = ANY($2::text[])`,
    [agencyId, deletedIds],
  );
  const reports = await tx.exec(
    `DELETE FROM report_index WHERE agency_id = $1 AND ((person_id = $2 AND $4) OR record_id = ANY($3::text[]))`,
    [agencyId, personId, deletedIds, dropReference],
  );
  if (dropReference || anonymise) {
    await tx.exec(`DELETE FROM person_references WHERE person_id = $1 AND ($2 OR agency_id = $3)`, [
      personId,
      anonymise,
      agencyId,
    ]);
  }
  const anonymised = anonymise
    ? await tx.exec(
        `UPDATE people SET given_name = $2, family_name = $3, date_of_birth = NULL, home_lsoa = NULL WHERE id = $1`,
        [personId, ERASED_NAME.given, ERASED_NAME.family],
      )
    : 0;
  return { unlinked: links + reports, anonymised: anonymised > 0 };
}

/**
 * Before an agency deletes these records under retention: the cases' links to them and the
 * report index entries for them go (one transaction, `tx`). Done first, so that a run stopped
 * after it and before the deletion leaves no link to a record that is gone.
 */
export async function forgetRecords(
  tx: Sql,
  agencyId: string,
  recordIds: readonly string[],
): Promise<number> {
  const links = await tx.exec(
    `DELETE FROM case_records WHERE agency_id = $1 AND record_id = ANY($2::text[])`,
    [agencyId, recordIds],
  );
  const reports = await tx.exec(
    `DELETE FROM report_index WHERE agency_id = $1 AND record_id = ANY($2::text[])`,
    [agencyId, recordIds],
  );
  return links + reports;
}
