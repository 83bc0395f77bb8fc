import type { Sql } from "../shared/database";
import { holdingsOver, idsOfKind, type Holdings } from "../shared/data-protection";
import { moveAside } from "../shared/erasure";
import { DataCategory } from "../shared/enums";
import type { ReportRow } from "../shared/reports-made";
import { IN_PAGE_OR_LAST, pagesByParent, type PageRequest } from "../shared/connection";
import { copyRows } from "../shared/demo/bulk";
import { PERSON_GROUPS, personGroupsParam, type Page, type PersonGroup } from "../shared/loaders";
import type { AssessmentWindows } from "../shared/sealed-assessment";
import {
  assessmentCounts,
  monthlyCells,
  windowCounts,
  type AssessmentCounts,
  type RollupCell,
} from "../shared/rollups";
import { CELL_KEY_SQL, cellKeyOf } from "../shared/statistics";
import { LATEST_OUTCOME } from "./outcome";
import { CrimeCategory, Incident, InvolvementRole } from "./types";

interface IncidentRow {
  id: string;
  record_key: string;
  reference: string;
  month: string;
  occurred_at: Date | null;
  category: string;
  outcome: string | null;
  street: string | null;
  lsoa_code: string | null;
  latitude: number | null;
  longitude: number | null;
  summary: string | null;
  narrative: string | null;
  subject_ids: string[];
}

const INCIDENT_COLUMNS = `i.id, i.record_key, i.reference, i.month, i.occurred_at, i.category, ${LATEST_OUTCOME} AS outcome, i.street, i.lsoa_code,
  i.latitude, i.longitude, i.summary, i.narrative,
  ARRAY(SELECT DISTINCT v.person_id FROM involvements v WHERE v.incident_id = i.id ORDER BY v.person_id) AS subject_ids`;

function toIncident(row: IncidentRow): Incident {
  return Object.assign(new Incident(), {
    id: row.id,
    recordKey: row.record_key,
    reference: row.reference,
    month: row.month,
    occurredAt: row.occurred_at,
    category: row.category as CrimeCategory,
    outcome: row.outcome,
    location: {
      street: row.street,
      lsoaCode: row.lsoa_code,
      latitude: row.latitude,
      longitude: row.longitude,
    },
    summary: row.summary,
    narrative: row.narrative,
    subjectIds: row.subject_ids,
  });
}

export interface IncidentSearch {
  lsoaCodes?: string[] | null;
  fromMonth?: string | null;
  toMonth?: string | null;
  categories?: CrimeCategory[] | null;
}

/** A page of incidents; a search's also carries the cell key of every incident it counts. */
export type IncidentPage = Page<Incident> & { cellKey?: number };

export interface InvolvementRow {
  incidentId: string;
  personId: string;
  role: InvolvementRole;
}

export interface NearbyQuery {
  latitude: number;
  longitude: number;
  fromMonth: string;
  toMonth: string;
  radiusMetres: number;
}

/** A true count and its cell key; `total` rows (no category) are a month's total across crime types. */
export type IncidentCount = RollupCell<"category", CrimeCategory>;

/** One police.uk row as the importer writes it. */
export interface ImportedIncident {
  id: string;
  sourceKey: string;
  reference: string;
  month: string;
  category: CrimeCategory;
  outcome: string | null;
  street: string | null;
  lsoaCode: string | null;
  latitude: number | null;
  longitude: number | null;
  summary: string;
  source: string;
}

/** One outcome of a crime, from a police.uk outcome file. */
export interface ImportedOutcome {
  /** The Crime ID, lower case (an incident's source_key). */
  crimeId: string;
  month: string;
  outcome: string;
  /** Its line in its file: orders two outcomes of one month. */
  line: number;
  source: string;
}

/** One entry of an incident's outcome history. */
export interface OutcomeRow {
  incidentId: string;
  month: string;
  outcome: string;
}

/** What the demo seed needs to know of an incident to involve people in it. */
export interface SeedIncident {
  id: string;
  month: string;
  category: CrimeCategory;
  lsoaCode: string | null;
  street: string | null;
}

/** Details the demo seed adds to an incident that has people involved. */
export interface IncidentDetails {
  id: string;
  occurredAt: Date;
  summary: string;
  narrative: string;
}

type Cell = string | number | Date | null;

/** The column order of rows given to `copyIncidents`. */
export const GENERATED_COLUMNS = [
  "id",
  "source_key",
  "reference",
  "month",
  "occurred_at",
  "category",
  "outcome",
  "street",
  "lsoa_code",
  "latitude",
  "longitude",
  "summary",
  "narrative",
  "source",
  "record_key",
];

/** All SQL over the police store. */
export class IncidentRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * The reports people made to police, for the community trigger: each incident a person is
   * involved in as victim or reporter, once per person (a victim who also reported it made one
   * report), at the time it occurred (an incident known only by its month: that month's first day).
   */
  async reportsMade(personIds: readonly string[] | null): Promise<ReportRow[]> {
    return this.sql.many<ReportRow>(
      `SELECT DISTINCT ON (v.person_id, i.id) i.id, v.person_id AS "personId",
              coalesce(i.occurred_at, (i.month || '-01T12:00:00Z')::timestamptz) AS "reportedAt"
         FROM involvements v JOIN incidents i ON i.id = v.incident_id
        WHERE v.role IN ('VICTIM', 'REPORTER') AND ($1::text[] IS NULL OR v.person_id = ANY($1))
        ORDER BY v.person_id, i.id`,
      [personIds],
    );
  }

  async findByIds(ids: readonly string[]): Promise<Incident[]> {
    const rows = await this.sql.many<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE i.id = ANY($1)`,
      [ids],
    );
    return rows.map(toIncident);
  }

  /** The page and the total, side by side. */
  async search(filter: IncidentSearch, page: PageRequest): Promise<IncidentPage> {
    // The page and the total as two statements side by side: a total over the page query
    // (count(*) OVER ()) would force every match to be read and sorted; apart, the page walks
    // an index newest first and stops, and the total comes from the rollup. A later page starts
    // after the (month, id) its cursor carries (keyset), so it costs what the first does; a
    // cursor with an offset only (issued before keyset cursors) still skips rows.
    // Months are compared as the column's own type (bpchar): compared as text, the column is
    // cast and no index can bound the months, so every incident of the neighbourhoods is read.
    const where = `($2::bpchar IS NULL OR i.month >= $2::bpchar)
            AND ($3::bpchar IS NULL OR i.month <= $3::bpchar)
            AND ($4::text[] IS NULL OR i.category = ANY($4))
            AND ($7::bpchar IS NULL OR (i.month, i.id) < ($7::bpchar, $8::text))`;
    // Named neighbourhoods: each one's newest incidents along (lsoa_code, month, id), at most a
    // page's worth each, then merged; one ordered scan per neighbourhood however many it holds.
    const pageSql = filter.lsoaCodes
      ? `SELECT ${INCIDENT_COLUMNS}
           FROM unnest($1::text[]) AS n(lsoa_code)
           CROSS JOIN LATERAL (
             SELECT * FROM incidents i
              WHERE i.lsoa_code = n.lsoa_code AND ${where}
              ORDER BY i.month DESC, i.id DESC
              LIMIT $5::bigint + $6::bigint) i
          ORDER BY i.month DESC, i.id DESC
          OFFSET $5 LIMIT $6`
      : `SELECT ${INCIDENT_COLUMNS}
           FROM incidents i
          WHERE $1::text[] IS NULL AND ${where}
          ORDER BY i.month DESC, i.id DESC
          OFFSET $5 LIMIT $6`;
    const [rows, counted] = await Promise.all([
      this.sql.many<IncidentRow>(pageSql, [
        filter.lsoaCodes ? [...new Set(filter.lsoaCodes)] : null,
        filter.fromMonth ?? null,
        filter.toMonth ?? null,
        filter.categories ?? null,
        page.after ? 0 : page.offset,
        page.limit + 1,
        page.after?.month ?? null,
        page.after?.id ?? null,
      ]),
      this.count(filter),
    ]);
    return { items: rows.map(toIncident), ...counted };
  }

  /**
   * How many incidents match, and their cell key (for counts the access rules withhold): from the
   * rollup when the search names its neighbourhoods (every filter then maps onto rollup cells),
   * else from the rows.
   */
  private async count(filter: IncidentSearch): Promise<{ totalCount: number; cellKey: number }> {
    if (filter.lsoaCodes) {
      const [counted] = await windowCounts(this.sql, [
        {
          lsoaCodes: filter.lsoaCodes,
          fromMonth: filter.fromMonth ?? "0000-01",
          toMonth: filter.toMonth ?? "9999-12",
          kinds: filter.categories ?? null,
        },
      ]);
      return { totalCount: counted.count, cellKey: counted.cellKey };
    }
    const row = await this.sql.one<{ total: string; cell_key: string | null }>(
      `SELECT count(*) AS total, ${CELL_KEY_SQL("i")} AS cell_key FROM incidents i
        WHERE ($1::text[] IS NULL OR i.lsoa_code = ANY($1))
          AND ($2::bpchar IS NULL OR i.month >= $2::bpchar)
          AND ($3::bpchar IS NULL OR i.month <= $3::bpchar)
          AND ($4::text[] IS NULL OR i.category = ANY($4))`,
      [filter.lsoaCodes ?? null, filter.fromMonth ?? null, filter.toMonth ?? null, filter.categories ?? null],
    );
    return { totalCount: Number(row?.total ?? 0), cellKey: cellKeyOf(row?.cell_key ?? null) };
  }

  /** A page of incidents for each of many people, in one statement. */
  async pagesForPeople(
    groups: readonly PersonGroup[],
    page: PageRequest,
  ): Promise<Map<string, IncidentPage>> {
    const rows = await this.sql.many<IncidentRow & { parent_id: string; position: string; total: string }>(
      `SELECT * FROM (
         SELECT ${INCIDENT_COLUMNS}, p.parent_id,
                row_number() OVER (PARTITION BY p.parent_id ORDER BY i.month DESC, i.id) AS position,
                count(*) OVER (PARTITION BY p.parent_id) AS total
           FROM (SELECT DISTINCT g.parent_id, v.incident_id
                   FROM ${PERSON_GROUPS} JOIN involvements v ON v.person_id = g.person_id) p
           JOIN incidents i ON i.id = p.incident_id
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY parent_id, position`,
      [personGroupsParam(groups), page.offset, page.limit + 1],
    );
    return pagesByParent(rows, (r) => r.parent_id, page, toIncident);
  }

  async involvementsFor(incidentIds: readonly string[]): Promise<InvolvementRow[]> {
    return this.sql.many<InvolvementRow>(
      `SELECT incident_id AS "incidentId", person_id AS "personId", role
         FROM involvements WHERE incident_id = ANY($1) ORDER BY incident_id, id`,
      [incidentIds],
    );
  }

  /**
   * Incidents within a radius and a month window of each of many points, in one statement:
   * a bounding box that the (latitude, longitude) index serves, then the exact distance.
   */
  async nearby(queries: readonly NearbyQuery[], page: PageRequest): Promise<IncidentPage[]> {
    const rows = await this.sql.many<IncidentRow & { query_index: number; total: string; cell_key: string }>(
      `SELECT * FROM (
         SELECT ${INCIDENT_COLUMNS}, q.query_index,
                row_number() OVER (PARTITION BY q.query_index ORDER BY i.month DESC, i.id) AS position,
                count(*) OVER (PARTITION BY q.query_index) AS total,
                sum(i.record_key) OVER (PARTITION BY q.query_index) % 1 AS cell_key
           FROM unnest($1::float8[], $2::float8[], $3::text[], $4::text[], $5::float8[])
                  WITH ORDINALITY AS q(lat, lng, from_month, to_month, radius, query_index)
           JOIN incidents i
             ON i.latitude BETWEEN q.lat - q.radius / 111320.0 AND q.lat + q.radius / 111320.0
            AND i.longitude BETWEEN q.lng - q.radius / (111320.0 * cos(radians(q.lat)))
                                AND q.lng + q.radius / (111320.0 * cos(radians(q.lat)))
            AND i.month BETWEEN q.from_month AND q.to_month
            AND 2 * 6371000 * asin(sqrt(
                  power(sin(radians(i.latitude - q.lat) / 2), 2) +
                  cos(radians(q.lat)) * cos(radians(i.latitude)) * power(sin(radians(i.longitude - q.lng) / 2), 2)
                )) <= q.radius
       ) ranked
       WHERE position > $6 AND position <= $6 + $7
       ORDER BY query_index, position`,
      [
        queries.map((q) => q.latitude),
        queries.map((q) => q.longitude),
        queries.map((q) => q.fromMonth),
        queries.map((q) => q.toMonth),
        queries.map((q) => q.radiusMetres),
        page.offset,
        page.limit + 1,
      ],
    );
    const pages: IncidentPage[] = queries.map(() => ({ items: [], totalCount: 0 }));
    for (const row of rows) {
      const entry = pages[Number(row.query_index) - 1];
      entry.totalCount = Number(row.total);
      entry.cellKey = cellKeyOf(row.cell_key);
      entry.items.push(toIncident(row));
    }
    return pages;
  }

  /**
   * Monthly counts per neighbourhood and crime type, and each month's total (category null) as
   * a cell of its own, each with its cell key (the fractional part of its records' key sum).
   */
  async countsFor(
    lsoaCodes: readonly string[],
    fromMonth: string,
    toMonth: string,
  ): Promise<IncidentCount[]> {
    return monthlyCells<"category", CrimeCategory>(this.sql, lsoaCodes, fromMonth, toMonth, "category");
  }

  /**
   * Writes police.uk rows in one statement: new keys are inserted, changed rows updated, and
   * identical rows left alone (so a re-import writes nothing). The summary of an incident an
   * officer has written up (narrative set) is theirs and kept.
   */
  async upsertImported(rows: readonly ImportedIncident[]): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const written = await this.sql.many<{ inserted: boolean }>(
      `INSERT INTO incidents AS t (id, source_key, reference, month, category, outcome, street, lsoa_code, latitude, longitude, summary, source)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::float8[], $10::float8[], $11::text[], $12::text[])
       ON CONFLICT (source_key) DO UPDATE SET
         reference = EXCLUDED.reference, month = EXCLUDED.month, category = EXCLUDED.category, outcome = EXCLUDED.outcome,
         street = EXCLUDED.street, lsoa_code = EXCLUDED.lsoa_code, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
         source = EXCLUDED.source,
         summary = CASE WHEN t.narrative IS NULL THEN EXCLUDED.summary ELSE t.summary END
       WHERE (t.reference, t.month::text, t.category, t.outcome, t.street, t.lsoa_code, t.latitude, t.longitude, t.source)
             IS DISTINCT FROM
             (EXCLUDED.reference, EXCLUDED.month::text, EXCLUDED.category, EXCLUDED.outcome, EXCLUDED.street, EXCLUDED.lsoa_code,
              EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.source)
          OR (t.narrative IS NULL AND t.summary IS DISTINCT FROM EXCLUDED.summary)
       RETURNING (xmax = 0) AS inserted`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.sourceKey),
        rows.map((r) => r.reference),
        rows.map((r) => r.month),
        rows.map((r) => r.category),
        rows.map((r) => r.outcome),
        rows.map((r) => r.street),
        rows.map((r) => r.lsoaCode),
        rows.map((r) => r.latitude),
        rows.map((r) => r.longitude),
        rows.map((r) => r.summary),
        rows.map((r) => r.source),
      ],
    );
    const inserted = written.filter((w) => w.inserted).length;
    return { inserted, updated: written.length - inserted };
  }

  /**
   * Writes outcome-file rows in one statement, keyed by crime, month and outcome type: new ones
   * inserted, a known one moved to the line and file it was read from last, identical ones left
   * alone (so a re-import writes nothing). Incidents are not touched: the rollups count none of this.
   */
  async upsertOutcomes(rows: readonly ImportedOutcome[]): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const written = await this.sql.many<{ inserted: boolean }>(
      `INSERT INTO incident_outcomes AS t (crime_id, month, outcome, line, source)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
       ON CONFLICT (crime_id, month, outcome) DO UPDATE SET line = EXCLUDED.line, source = EXCLUDED.source
       WHERE (t.line, t.source) IS DISTINCT FROM (EXCLUDED.line, EXCLUDED.source)
       RETURNING (xmax = 0) AS inserted`,
      [
        rows.map((r) => r.crimeId),
        rows.map((r) => r.month),
        rows.map((r) => r.outcome),
        rows.map((r) => r.line),
        rows.map((r) => r.source),
      ],
    );
    const inserted = written.filter((w) => w.inserted).length;
    return { inserted, updated: written.length - inserted };
  }

  /** How many of these Crime IDs have no incident (yet): their outcomes wait for it. */
  async crimesNotImported(crimeIds: readonly string[]): Promise<number> {
    const row = await this.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM unnest($1::text[]) AS c(id)
        WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.source_key = c.id)`,
      [crimeIds],
    );
    return Number(row?.n ?? 0);
  }

  /** The outcome history of each of many incidents, oldest first, in one statement. */
  async outcomesFor(incidentIds: readonly string[]): Promise<OutcomeRow[]> {
    return this.sql.many<OutcomeRow>(
      `SELECT i.id AS "incidentId", o.month::text AS month, o.outcome
         FROM incidents i JOIN incident_outcomes o ON o.crime_id = i.source_key
        WHERE i.id = ANY($1)
        ORDER BY i.id, o.month, o.line`,
      [incidentIds],
    );
  }

  /** Incidents in each assessment's neighbourhoods in its two windows, from the rollup. */
  assessmentCounts(assessments: readonly AssessmentWindows[]): Promise<AssessmentCounts[]> {
    return assessmentCounts(this.sql, assessments);
  }

  /** Imported (police.uk) incidents, in id order so the seed is deterministic. */
  async importedIncidents(): Promise<SeedIncident[]> {
    return this.sql.many<SeedIncident>(
      `SELECT id, month, category, lsoa_code AS "lsoaCode", street
         FROM incidents WHERE source LIKE 'police.uk:%' ORDER BY id`,
    );
  }

  /** Incident counts per neighbourhood, to place generated incidents where incidents happen. */
  async countsByNeighbourhood(): Promise<Map<string, number>> {
    const rows = await this.sql.many<{ lsoa_code: string; count: string }>(
      `SELECT lsoa_code, count(*) AS count FROM incidents WHERE lsoa_code IS NOT NULL GROUP BY lsoa_code`,
    );
    return new Map(rows.map((r) => [r.lsoa_code, Number(r.count)]));
  }

  /** Removes what an earlier demo seed added, so seeding again gives the same result. */
  async clearDemo(): Promise<void> {
    await this.sql.exec(`DELETE FROM involvements`);
    await this.sql.exec(`DELETE FROM incidents WHERE source = 'demo'`);
    await this.sql.exec(
      `UPDATE incidents SET narrative = NULL, occurred_at = NULL WHERE narrative IS NOT NULL OR occurred_at IS NOT NULL`,
    );
  }

  /** Adds when-it-happened, a summary and the officer's account to incidents, in one statement. */
  async addDetails(details: readonly IncidentDetails[]): Promise<number> {
    if (!details.length) return 0;
    return this.sql.exec(
      `UPDATE incidents i SET occurred_at = d.occurred_at, summary = d.summary, narrative = d.narrative
         FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[]) AS d(id, occurred_at, summary, narrative)
        WHERE i.id = d.id`,
      [
        details.map((d) => d.id),
        details.map((d) => d.occurredAt),
        details.map((d) => d.summary),
        details.map((d) => d.narrative),
      ],
    );
  }

  /** Gives the demo's incidents the record keys its seed fixes (shared/demo/random.ts, demoRecordKey). */
  async setRecordKeys(keys: readonly { id: string; key: string }[]): Promise<number> {
    if (!keys.length) return 0;
    return this.sql.exec(
      `UPDATE incidents i SET record_key = k.key
         FROM unnest($1::text[], $2::numeric[]) AS k(id, key)
        WHERE i.id = k.id`,
      [keys.map((k) => k.id), keys.map((k) => k.key)],
    );
  }

  /** Bulk-loads generated incidents with COPY (the large demo has a million). */
  copyIncidents(rows: Iterable<Cell[]>): Promise<number> {
    return copyRows(this.sql, "incidents", GENERATED_COLUMNS, rows);
  }

  /** Bulk-loads involvements with COPY: rows of [incident id, person id, role]. */
  copyInvolvements(rows: Iterable<[string, string, InvolvementRole]>): Promise<number> {
    return copyRows(this.sql, "involvements", ["incident_id", "person_id", "role"], rows);
  }
}

/**
 * What police hold about people, for data protection: an incident per person involved in it
 * (a suspect's part is OFFENDING, anyone else's INCIDENT_SUMMARY). Incidents about no one (the
 * police.uk street-level data) are not personal data and are left to their own schedule.
 */
export const policeHoldings: Holdings = holdingsOver({
  agencyId: "police",
  kinds: {
    INCIDENT: {
      type: "Incident",
      categories: [DataCategory.INCIDENT_SUMMARY, DataCategory.INCIDENT_NARRATIVE],
    },
  },
  heldSql: `
    SELECT 'INCIDENT'::text AS kind, i.id, CASE WHEN v.role = 'SUSPECT' THEN 'OFFENDING' ELSE 'INCIDENT_SUMMARY' END AS category,
           v.person_id, coalesce(i.occurred_at, (i.month || '-01')::timestamptz) AS created_at,
           coalesce(i.occurred_at, (i.month || '-01')::timestamptz) AS closed_at,
           coalesce(i.occurred_at, (i.month || '-01')::timestamptz) AS last_activity_at
      FROM involvements v JOIN incidents i ON i.id = v.incident_id`,
  // Each incident with its own columns, its outcome history, and everyone involved by role only.
  contentsSql: `
    SELECT 'INCIDENT'::text AS kind, i.id, to_jsonb(i) - 'record_key' AS fields,
           (SELECT jsonb_agg(jsonb_build_object('role', v.role, 'subject', v.person_id = $1) ORDER BY v.id)
              FROM involvements v WHERE v.incident_id = i.id) AS people,
           jsonb_build_object('outcomes', coalesce(
             (SELECT jsonb_agg(jsonb_build_object('month', o.month, 'outcome', o.outcome) ORDER BY o.month, o.line)
                FROM incident_outcomes o WHERE o.crime_id = i.source_key), '[]'::jsonb)) AS parts
      FROM incidents i
     WHERE i.id IN (SELECT v.incident_id FROM involvements v WHERE v.person_id = $1)`,
  expireDeletes: [],
  // The person's part goes; the incident (a street-level event) stays, about whoever else it names.
  async eraseAbout(tx, erasureId, personId, records) {
    const moved = await moveAside(
      tx,
      erasureId,
      "involvements",
      `person_id = $1 AND incident_id = ANY($2::text[])`,
      [personId, idsOfKind(records, "INCIDENT")],
    );
    return { erased: moved.length, deleted: [] };
  },
  // An expired incident goes back to what police.uk publishes (its month, place, category and
  // outcome, and the published summary): no one involved, and neither the officer's account
  // (INCIDENT_NARRATIVE, which is about the people in it and expires with them) nor the exact time.
  async expire(tx, records) {
    const ids = idsOfKind(records, "INCIDENT");
    const erased = await tx.exec(`DELETE FROM involvements WHERE incident_id = ANY($1::text[])`, [ids]);
    // The definer's function (ErasureThroughDefinerFunctions1796583231004): the service may not
    // update an incident's columns itself.
    await tx.one(`SELECT incidents_back_to_published($1::text[])`, [ids]);
    return { erased, deleted: [] };
  },
});

/** An incident as a records-system export gives it (shared/ingest). */
export interface IngestedIncident {
  id: string;
  sourceKey: string;
  reference: string;
  month: string;
  occurredAt: Date;
  category: string;
  outcome: string | null;
  street: string | null;
  lsoaCode: string | null;
  latitude: number | null;
  longitude: number | null;
  summary: string;
  narrative: string | null;
  source: string;
}

/**
 * What `npm run ingest` writes for the police, by source key: new keys inserted, changed rows
 * updated, unchanged rows untouched (so the rollup triggers see only real changes).
 */
export class PoliceIngestRepository {
  constructor(private readonly sql: Sql) {}

  async upsertIncidents(rows: readonly IngestedIncident[]): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const columns =
      "reference, month, occurred_at, category, outcome, street, lsoa_code, latitude, longitude, summary, narrative, source";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    const written = await this.sql.many<{ inserted: boolean }>(
      `INSERT INTO incidents AS t (id, source_key, ${columns})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
                            $8::text[], $9::text[], $10::float8[], $11::float8[], $12::text[], $13::text[], $14::text[])
       ON CONFLICT (source_key) DO UPDATE SET (${columns}) = (${excluded})
       WHERE (${current}) IS DISTINCT FROM (${excluded})
       RETURNING (xmax = 0) AS inserted`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.sourceKey),
        rows.map((r) => r.reference),
        rows.map((r) => r.month),
        rows.map((r) => r.occurredAt),
        rows.map((r) => r.category),
        rows.map((r) => r.outcome),
        rows.map((r) => r.street),
        rows.map((r) => r.lsoaCode),
        rows.map((r) => r.latitude),
        rows.map((r) => r.longitude),
        rows.map((r) => r.summary),
        rows.map((r) => r.narrative),
        rows.map((r) => r.source),
      ],
    );
    const inserted = written.filter((w) => w.inserted).length;
    return { inserted, updated: written.length - inserted };
  }

  async upsertInvolvements(
    rows: readonly { sourceKey: string; incidentKey: string; personId: string; role: string }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const written = await this.sql.many<{ inserted: boolean }>(
      `INSERT INTO involvements AS t (source_key, incident_id, person_id, role)
       SELECT u.source_key, i.id, u.person_id, u.role
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u (source_key, incident_key, person_id, role)
         JOIN incidents i ON i.source_key = u.incident_key
       ON CONFLICT (source_key) DO UPDATE SET (incident_id, person_id, role) =
         (EXCLUDED.incident_id, EXCLUDED.person_id, EXCLUDED.role)
       WHERE (t.incident_id, t.person_id, t.role) IS DISTINCT FROM (EXCLUDED.incident_id, EXCLUDED.person_id, EXCLUDED.role)
       RETURNING (xmax = 0) AS inserted`,
      [
        rows.map((r) => r.sourceKey),
        rows.map((r) => r.incidentKey),
        rows.map((r) => r.personId),
        rows.map((r) => r.role),
      ],
    );
    const inserted = written.filter((w) => w.inserted).length;
    return { inserted, updated: written.length - inserted };
  }
}
