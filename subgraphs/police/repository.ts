import type { Sql } from "../shared/database";
import type { PageRequest } from "../shared/connection";
import type { Page } from "../shared/loaders";
import { CrimeCategory, Incident, InvolvementRole } from "./types";

interface IncidentRow {
  id: string;
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
}

const INCIDENT_COLUMNS = `i.id, i.reference, i.month, i.occurred_at, i.category, i.outcome, i.street, i.lsoa_code,
  i.latitude, i.longitude, i.summary, i.narrative`;

function toIncident(row: IncidentRow): Incident {
  return Object.assign(new Incident(), {
    id: row.id,
    reference: row.reference,
    month: row.month,
    occurredAt: row.occurred_at,
    category: row.category as CrimeCategory,
    outcome: row.outcome,
    location: { street: row.street, lsoaCode: row.lsoa_code, latitude: row.latitude, longitude: row.longitude },
    summary: row.summary,
    narrative: row.narrative,
  });
}

export interface IncidentSearch {
  lsoaCodes?: string[] | null;
  fromMonth?: string | null;
  toMonth?: string | null;
  categories?: CrimeCategory[] | null;
}

export type IncidentPage = Page<Incident>;

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

export interface IncidentCount {
  lsoaCode: string;
  month: string;
  category: CrimeCategory;
  count: number;
}

/** All SQL over the police store. */
export class IncidentRepository {
  constructor(private readonly sql: Sql) {}

  async findByIds(ids: readonly string[]): Promise<Incident[]> {
    const rows = await this.sql.many<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE i.id = ANY($1)`, [
      ids,
    ]);
    return rows.map(toIncident);
  }

  /** One statement: the page and the total come back together. */
  async search(filter: IncidentSearch, page: PageRequest): Promise<IncidentPage> {
    const rows = await this.sql.many<IncidentRow & { total: string }>(
      `SELECT ${INCIDENT_COLUMNS}, count(*) OVER () AS total
         FROM incidents i
        WHERE ($1::text[] IS NULL OR i.lsoa_code = ANY($1))
          AND ($2::text IS NULL OR i.month >= $2)
          AND ($3::text IS NULL OR i.month <= $3)
          AND ($4::text[] IS NULL OR i.category = ANY($4))
        ORDER BY i.month DESC, i.id
        OFFSET $5 LIMIT $6`,
      [filter.lsoaCodes ?? null, filter.fromMonth ?? null, filter.toMonth ?? null, filter.categories ?? null, page.offset, page.limit + 1],
    );
    const totalCount = rows.length ? Number(rows[0].total) : page.offset > 0 ? await this.count(filter) : 0;
    return { items: rows.map(toIncident), totalCount };
  }

  private async count(filter: IncidentSearch): Promise<number> {
    const row = await this.sql.one<{ total: string }>(
      `SELECT count(*) AS total FROM incidents i
        WHERE ($1::text[] IS NULL OR i.lsoa_code = ANY($1))
          AND ($2::text IS NULL OR i.month >= $2)
          AND ($3::text IS NULL OR i.month <= $3)
          AND ($4::text[] IS NULL OR i.category = ANY($4))`,
      [filter.lsoaCodes ?? null, filter.fromMonth ?? null, filter.toMonth ?? null, filter.categories ?? null],
    );
    return Number(row?.total ?? 0);
  }

  /** A page of incidents for each of many people, in one statement. */
  async pagesForPeople(personIds: readonly string[], page: PageRequest): Promise<Map<string, IncidentPage>> {
    const rows = await this.sql.many<IncidentRow & { person_id: string; total: string }>(
      `SELECT * FROM (
         SELECT ${INCIDENT_COLUMNS}, p.person_id,
                row_number() OVER (PARTITION BY p.person_id ORDER BY i.month DESC, i.id) AS position,
                count(*) OVER (PARTITION BY p.person_id) AS total
           FROM (SELECT DISTINCT person_id, incident_id FROM involvements WHERE person_id = ANY($1)) p
           JOIN incidents i ON i.id = p.incident_id
       ) ranked
       WHERE position > $2 AND position <= $2 + $3
       ORDER BY person_id, position`,
      [personIds, page.offset, page.limit + 1],
    );
    const pages = new Map<string, IncidentPage>();
    for (const row of rows) {
      let entry = pages.get(row.person_id);
      if (!entry) pages.set(row.person_id, (entry = { items: [], totalCount: Number(row.total) }));
      entry.items.push(toIncident(row));
    }
    return pages;
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
    const rows = await this.sql.many<IncidentRow & { query_index: number; total: string }>(
      `SELECT * FROM (
         SELECT ${INCIDENT_COLUMNS}, q.query_index,
                row_number() OVER (PARTITION BY q.query_index ORDER BY i.month DESC, i.id) AS position,
                count(*) OVER (PARTITION BY q.query_index) AS total
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
      entry.items.push(toIncident(row));
    }
    return pages;
  }

  /** Monthly counts per neighbourhood and crime type. */
  async countsFor(lsoaCodes: readonly string[], fromMonth: string, toMonth: string): Promise<IncidentCount[]> {
    const rows = await this.sql.many<{ lsoa_code: string; month: string; category: string; count: string }>(
      `SELECT lsoa_code, month, category, count(*) AS count
         FROM incidents
        WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3
        GROUP BY lsoa_code, month, category
        ORDER BY lsoa_code, month, category`,
      [lsoaCodes, fromMonth, toMonth],
    );
    return rows.map((r) => ({ lsoaCode: r.lsoa_code, month: r.month, category: r.category as CrimeCategory, count: Number(r.count) }));
  }
}
