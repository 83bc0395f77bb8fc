import type { Sql } from "../shared/database";
import { holdingsOver, idsOfKind, type Holdings } from "../shared/data-protection";
import { moveAside } from "../shared/erasure";
import type { ReportRow } from "../shared/reports-made";
import { IN_PAGE_OR_LAST, pagesByParent, type PageRequest } from "../shared/connection";
import { PERSON_GROUPS, personGroupsParam, type Page, type PersonGroup } from "../shared/loaders";
import { addMonths } from "../shared/months";
import { assessmentCounts, monthlyCells, type AssessmentCounts, type RollupCell } from "../shared/rollups";
import type { AssessmentWindows } from "../shared/sealed-assessment";
import { DataCategory, type RiskLevel } from "../shared/enums";
import {
  AsbCase,
  AsbCaseStatus,
  AsbCategory,
  AsbPartyRole,
  InterventionStatus,
  InterventionType,
} from "./types";

interface AsbCaseRow {
  id: string;
  reference: string;
  status: string;
  category: string;
  opened_at: Date;
  closed_at: Date | null;
  risk_level: string | null;
  description: string | null;
  street: string | null;
  lsoa_code: string | null;
  latitude: number | null;
  longitude: number | null;
  subject_ids: string[];
}

// The parties come with the case: the access rules ask for the consent of each (see AsbCase).
const CASE_COLUMNS = `c.id, c.reference, c.status, c.category, c.opened_at, c.closed_at, c.risk_level, c.description,
  c.street, c.lsoa_code, c.latitude, c.longitude,
  ARRAY(SELECT DISTINCT ap.person_id FROM asb_parties ap WHERE ap.case_id = c.id ORDER BY ap.person_id) AS subject_ids`;

function toAsbCase(row: AsbCaseRow): AsbCase {
  const located =
    row.street != null || row.lsoa_code != null || row.latitude != null || row.longitude != null;
  return Object.assign(new AsbCase(), {
    id: row.id,
    reference: row.reference,
    status: row.status as AsbCaseStatus,
    category: row.category as AsbCategory,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    riskLevel: row.risk_level as RiskLevel | null,
    description: row.description,
    location: located
      ? { street: row.street, lsoaCode: row.lsoa_code, latitude: row.latitude, longitude: row.longitude }
      : null,
    subjectIds: row.subject_ids,
  });
}

/** Months are calendar months in UTC: a month's window is [its first instant, the next month's). */
export function monthStart(month: string): Date {
  return new Date(`${month}-01T00:00:00.000Z`);
}

export function monthEnd(month: string): Date {
  return monthStart(addMonths(month, 1));
}

export interface AsbCaseSearch {
  lsoaCodes?: string[] | null;
  statuses?: AsbCaseStatus[] | null;
  categories?: AsbCategory[] | null;
  openedFromMonth?: string | null;
  openedToMonth?: string | null;
}

export type AsbCasePage = Page<AsbCase>;

export interface PartyRow {
  caseId: string;
  personId: string;
  role: AsbPartyRole;
}

export interface InterventionRow {
  caseId: string;
  type: InterventionType;
  issuedAt: Date;
  status: InterventionStatus;
}

/** A true count and its cell key; `total` rows (no category) are a month's total across kinds of ASB. */
export type AsbCaseCount = RollupCell<"category", AsbCategory>;

const SEARCH_CONDITIONS = `($1::text[] IS NULL OR c.lsoa_code = ANY($1))
          AND ($2::text[] IS NULL OR c.status = ANY($2))
          AND ($3::text[] IS NULL OR c.category = ANY($3))
          AND ($4::timestamptz IS NULL OR c.opened_at >= $4)
          AND ($5::timestamptz IS NULL OR c.opened_at < $5)`;

function searchValues(filter: AsbCaseSearch): unknown[] {
  return [
    filter.lsoaCodes ?? null,
    filter.statuses ?? null,
    filter.categories ?? null,
    filter.openedFromMonth ? monthStart(filter.openedFromMonth) : null,
    filter.openedToMonth ? monthEnd(filter.openedToMonth) : null,
  ];
}

/** All SQL over the council store. */
export class AsbCaseRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * The reports people made to the council, for the community trigger: each ASB case a person is a
   * victim or complainant in, once per person, when the case was opened.
   */
  async reportsMade(personIds: readonly string[] | null): Promise<ReportRow[]> {
    return this.sql.many<ReportRow>(
      `SELECT DISTINCT ON (p.person_id, c.id) c.id, p.person_id AS "personId", c.opened_at AS "reportedAt"
         FROM asb_parties p JOIN asb_cases c ON c.id = p.case_id
        WHERE p.role IN ('VICTIM', 'COMPLAINANT') AND ($1::text[] IS NULL OR p.person_id = ANY($1))
        ORDER BY p.person_id, c.id`,
      [personIds],
    );
  }

  async findByIds(ids: readonly string[]): Promise<AsbCase[]> {
    const rows = await this.sql.many<AsbCaseRow>(
      `SELECT ${CASE_COLUMNS} FROM asb_cases c WHERE c.id = ANY($1)`,
      [ids],
    );
    return rows.map(toAsbCase);
  }

  /** One statement: the page and the total come back together. Newest first. */
  async search(filter: AsbCaseSearch, page: PageRequest): Promise<AsbCasePage> {
    const rows = await this.sql.many<AsbCaseRow & { total: string }>(
      `SELECT ${CASE_COLUMNS}, count(*) OVER () AS total
         FROM asb_cases c
        WHERE ${SEARCH_CONDITIONS}
        ORDER BY c.opened_at DESC, c.id
        OFFSET $6 LIMIT $7`,
      [...searchValues(filter), page.offset, page.limit + 1],
    );
    // Past the last page no row carries the total, so count separately.
    const totalCount = rows.length ? Number(rows[0].total) : page.offset > 0 ? await this.count(filter) : 0;
    return { items: rows.map(toAsbCase), totalCount };
  }

  private async count(filter: AsbCaseSearch): Promise<number> {
    const row = await this.sql.one<{ total: string }>(
      `SELECT count(*) AS total FROM asb_cases c WHERE ${SEARCH_CONDITIONS}`,
      searchValues(filter),
    );
    return Number(row?.total ?? 0);
  }

  /** A page of cases for each of many people (cases they are a party to), in one statement. */
  async pagesForPeople(groups: readonly PersonGroup[], page: PageRequest): Promise<Map<string, AsbCasePage>> {
    const rows = await this.sql.many<AsbCaseRow & { parent_id: string; position: string; total: string }>(
      `SELECT * FROM (
         SELECT ${CASE_COLUMNS}, p.parent_id,
                row_number() OVER (PARTITION BY p.parent_id ORDER BY c.opened_at DESC, c.id) AS position,
                count(*) OVER (PARTITION BY p.parent_id) AS total
           FROM (SELECT DISTINCT g.parent_id, a.case_id
                   FROM ${PERSON_GROUPS} JOIN asb_parties a ON a.person_id = g.person_id) p
           JOIN asb_cases c ON c.id = p.case_id
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY parent_id, position`,
      [personGroupsParam(groups), page.offset, page.limit + 1],
    );
    return pagesByParent(rows, (r) => r.parent_id, page, toAsbCase);
  }

  async partiesFor(caseIds: readonly string[]): Promise<PartyRow[]> {
    return this.sql.many<PartyRow>(
      `SELECT case_id AS "caseId", person_id AS "personId", role
         FROM asb_parties WHERE case_id = ANY($1) ORDER BY case_id, id`,
      [caseIds],
    );
  }

  /** Interventions in the order they were used: the escalation of the case. */
  async interventionsFor(caseIds: readonly string[]): Promise<InterventionRow[]> {
    return this.sql.many<InterventionRow>(
      `SELECT case_id AS "caseId", type, issued_at AS "issuedAt", status
         FROM asb_interventions WHERE case_id = ANY($1) ORDER BY case_id, issued_at, id`,
      [caseIds],
    );
  }

  /**
   * Cases opened per neighbourhood, month and kind of ASB (only non-zero cells), and each month's
   * total (category null) as a cell of its own, each with its cell key.
   */
  async countsFor(lsoaCodes: readonly string[], fromMonth: string, toMonth: string): Promise<AsbCaseCount[]> {
    return monthlyCells<"category", AsbCategory>(this.sql, lsoaCodes, fromMonth, toMonth, "category");
  }

  /** Cases opened in each assessment's neighbourhoods in its two windows, from the rollup. */
  assessmentCounts(assessments: readonly AssessmentWindows[]): Promise<AssessmentCounts[]> {
    return assessmentCounts(this.sql, assessments);
  }
}

/** A case among `$1` left with no party (erasure deletes it). */
const PARTYLESS = `SELECT c.id FROM asb_cases c WHERE c.id = ANY($1::text[])
   AND NOT EXISTS (SELECT 1 FROM asb_parties p WHERE p.case_id = c.id)`;

/** What the council holds about people: an ASB case per party to it. */
export const councilHoldings: Holdings = holdingsOver({
  agencyId: "council",
  kinds: { ASB_CASE: { type: "AsbCase", categories: [DataCategory.ASB_CASE, DataCategory.RISK] } },
  heldSql: `
    SELECT 'ASB_CASE'::text AS kind, c.id, 'ASB_CASE'::text AS category, p.person_id,
           c.opened_at AS created_at, c.closed_at,
           greatest(c.opened_at, c.closed_at,
                    (SELECT max(n.issued_at) FROM asb_interventions n WHERE n.case_id = c.id)) AS last_activity_at
      FROM asb_parties p JOIN asb_cases c ON c.id = p.case_id`,
  // Each case with its own columns, its interventions, and every party by role only.
  contentsSql: `
    SELECT 'ASB_CASE'::text AS kind, c.id, to_jsonb(c) - 'record_key' AS fields,
           (SELECT jsonb_agg(jsonb_build_object('role', p.role, 'subject', p.person_id = $1) ORDER BY p.id)
              FROM asb_parties p WHERE p.case_id = c.id) AS people,
           jsonb_build_object('interventions', coalesce(
             (SELECT jsonb_agg(to_jsonb(n) - 'case_id' ORDER BY n.issued_at, n.id)
                FROM asb_interventions n WHERE n.case_id = c.id), '[]'::jsonb)) AS parts
      FROM asb_cases c
     WHERE c.id IN (SELECT p.case_id FROM asb_parties p WHERE p.person_id = $1)`,
  expireDeletes: ["ASB_CASE"],
  // The person's part goes; a case left with no party at all goes with its interventions (moved
  // aside before the case, which would take them with it).
  async eraseAbout(tx, erasureId, personId, records) {
    const ids = idsOfKind(records, "ASB_CASE");
    const parties = await moveAside(
      tx,
      erasureId,
      "asb_parties",
      `person_id = $1 AND case_id = ANY($2::text[])`,
      [personId, ids],
    );
    await moveAside(tx, erasureId, "asb_interventions", `case_id IN (${PARTYLESS})`, [ids]);
    const cases = await moveAside<{ id: string }>(tx, erasureId, "asb_cases", `id IN (${PARTYLESS})`, [ids]);
    return { erased: parties.length, deleted: cases.map((c) => `ASB_CASE:${c.id}`) };
  },
  async expire(tx, records) {
    const deleted = await tx.many<{ id: string }>(
      `DELETE FROM asb_cases WHERE id = ANY($1::text[]) RETURNING id`,
      [idsOfKind(records, "ASB_CASE")],
    );
    return { erased: deleted.length, deleted: deleted.map((d) => `ASB_CASE:${d.id}`) };
  },
});

/** A case as an import gives it (shared/ingest); `id` is derived from its source key. */
export interface IngestedCase {
  id: string;
  sourceKey: string;
  reference: string;
  status: string;
  category: string;
  openedAt: Date;
  closedAt: Date | null;
  riskLevel: string | null;
  description: string | null;
  street: string | null;
  lsoaCode: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** A party or intervention: its case by the case's source key. */
export interface IngestedCaseChild {
  sourceKey: string;
  caseKey: string;
}

type Written = { inserted: boolean }[];
const counted = (rows: Written) => {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
};

/**
 * What `npm run ingest` writes, by source key: new keys are inserted, changed rows updated, and
 * unchanged rows not touched (the rollup triggers see only real changes). A case's record key is
 * drawn once, when it is inserted.
 */
export class CouncilIngestRepository {
  constructor(private readonly sql: Sql) {}

  async upsertCases(rows: readonly IngestedCase[]): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const columns =
      "reference, status, category, opened_at, closed_at, risk_level, description, street, lsoa_code, latitude, longitude";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    return counted(
      await this.sql.many(
        `INSERT INTO asb_cases AS t (id, source_key, ${columns})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                              $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::float8[])
         ON CONFLICT (source_key) DO UPDATE SET (${columns}) = (${excluded})
         WHERE (${current}) IS DISTINCT FROM (${excluded})
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.reference),
          rows.map((r) => r.status),
          rows.map((r) => r.category),
          rows.map((r) => r.openedAt),
          rows.map((r) => r.closedAt),
          rows.map((r) => r.riskLevel),
          rows.map((r) => r.description),
          rows.map((r) => r.street),
          rows.map((r) => r.lsoaCode),
          rows.map((r) => r.latitude),
          rows.map((r) => r.longitude),
        ],
      ),
    );
  }

  async upsertParties(
    rows: readonly (IngestedCaseChild & { personId: string; role: string })[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    return counted(
      await this.sql.many(
        `INSERT INTO asb_parties AS t (source_key, case_id, person_id, role)
         SELECT u.source_key, c.id, u.person_id, u.role
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u (source_key, case_key, person_id, role)
           JOIN asb_cases c ON c.source_key = u.case_key
         ON CONFLICT (source_key) DO UPDATE SET (case_id, person_id, role) = (EXCLUDED.case_id, EXCLUDED.person_id, EXCLUDED.role)
         WHERE (t.case_id, t.person_id, t.role) IS DISTINCT FROM (EXCLUDED.case_id, EXCLUDED.person_id, EXCLUDED.role)
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.caseKey),
          rows.map((r) => r.personId),
          rows.map((r) => r.role),
        ],
      ),
    );
  }

  async upsertInterventions(
    rows: readonly (IngestedCaseChild & { type: string; issuedAt: Date; status: string })[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    return counted(
      await this.sql.many(
        `INSERT INTO asb_interventions AS t (source_key, case_id, type, issued_at, status)
         SELECT u.source_key, c.id, u.type, u.issued_at, u.status
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
                AS u (source_key, case_key, type, issued_at, status)
           JOIN asb_cases c ON c.source_key = u.case_key
         ON CONFLICT (source_key) DO UPDATE SET (case_id, type, issued_at, status) =
           (EXCLUDED.case_id, EXCLUDED.type, EXCLUDED.issued_at, EXCLUDED.status)
         WHERE (t.case_id, t.type, t.issued_at, t.status) IS DISTINCT FROM
               (EXCLUDED.case_id, EXCLUDED.type, EXCLUDED.issued_at, EXCLUDED.status)
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.caseKey),
          rows.map((r) => r.type),
          rows.map((r) => r.issuedAt),
          rows.map((r) => r.status),
        ],
      ),
    );
  }
}
