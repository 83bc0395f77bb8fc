import { IN_PAGE_OR_LAST, pagesByParent, type PageRequest } from "../shared/connection";
import { holdingsOver, idsOfKind, type Holdings } from "../shared/data-protection";
import type { Sql } from "../shared/database";
import { moveAside } from "../shared/erasure";
import { DataCategory } from "../shared/enums";
import type { ReportRow } from "../shared/reports-made";
import { PERSON_GROUPS, personGroupsParam, type Page, type PersonGroup } from "../shared/loaders";
import { monthlyCells, type RollupCell } from "../shared/rollups";
import {
  ArrearsBand,
  HousingReport,
  OccupantRole,
  Property,
  Tenancy,
  TenancyAction,
  TenancyActionType,
  TenancyStatus,
  Tenure,
  personRef,
} from "./types";

interface PropertyRow {
  id: string;
  uprn: string;
  address: string;
  lsoa_code: string | null;
  latitude: number | null;
  longitude: number | null;
}

interface TenancyRow {
  id: string;
  property_id: string;
  status: string;
  tenure: string;
  start_date: string;
  end_date: string | null;
  arrears_band: string | null;
  subject_ids: string[];
  occupant_ids: string[];
}

interface HousingReportRow {
  id: string;
  person_id: string;
  property_id: string;
  reported_at: Date;
  description: string;
}

const PROPERTY_COLUMNS = `p.id, p.uprn, p.address, p.lsoa_code, p.latitude, p.longitude`;
// Dates as text: pg would turn a date into a local-midnight Date and shift it across time zones.
const TENANCY_COLUMNS = `t.id, t.property_id, t.status, t.tenure, t.start_date::text AS start_date,
  t.end_date::text AS end_date, t.arrears_band,
  ARRAY(SELECT DISTINCT o.person_id FROM tenancy_occupants o
         WHERE o.tenancy_id = t.id AND o.role IN ('TENANT', 'JOINT_TENANT') ORDER BY o.person_id) AS subject_ids,
  ARRAY(SELECT DISTINCT o.person_id FROM tenancy_occupants o WHERE o.tenancy_id = t.id ORDER BY o.person_id) AS occupant_ids`;
const REPORT_COLUMNS = `r.id, r.person_id, r.property_id, r.reported_at, r.description`;

function toProperty(row: PropertyRow): Property {
  return Object.assign(new Property(), {
    id: row.id,
    uprn: row.uprn,
    address: row.address,
    lsoaCode: row.lsoa_code,
    latitude: row.latitude,
    longitude: row.longitude,
  });
}

function toTenancy(row: TenancyRow): Tenancy {
  return Object.assign(new Tenancy(), {
    id: row.id,
    propertyId: row.property_id,
    status: row.status as TenancyStatus,
    tenure: row.tenure as Tenure,
    startDate: row.start_date,
    endDate: row.end_date,
    arrearsBand: row.arrears_band as ArrearsBand | null,
    subjectIds: row.subject_ids,
    occupantIds: row.occupant_ids,
  });
}

function toHousingReport(row: HousingReportRow): HousingReport {
  return Object.assign(new HousingReport(), {
    id: row.id,
    person: personRef(row.person_id),
    propertyId: row.property_id,
    reportedAt: row.reported_at,
    description: row.description,
  });
}

export interface OccupantRow {
  tenancyId: string;
  personId: string;
  role: OccupantRole;
}

/** A true count and its cell key; `total` rows (no type) are a month's total across action types. */
export type TenancyActionCount = RollupCell<"type", TenancyActionType>;

/** All SQL over the housing store. */
export class HousingRepository {
  constructor(private readonly sql: Sql) {}

  /** The reports tenants made to housing, for the community trigger. */
  async reportsMade(personIds: readonly string[] | null): Promise<ReportRow[]> {
    return this.sql.many<ReportRow>(
      `SELECT r.id, r.person_id AS "personId", r.reported_at AS "reportedAt"
         FROM housing_reports r
        WHERE $1::text[] IS NULL OR r.person_id = ANY($1)
        ORDER BY r.person_id, r.id`,
      [personIds],
    );
  }

  async propertiesByIds(ids: readonly string[]): Promise<Property[]> {
    const rows = await this.sql.many<PropertyRow>(
      `SELECT ${PROPERTY_COLUMNS} FROM properties p WHERE p.id = ANY($1)`,
      [ids],
    );
    return rows.map(toProperty);
  }

  async propertiesByUprns(uprns: readonly string[]): Promise<Property[]> {
    const rows = await this.sql.many<PropertyRow>(
      `SELECT ${PROPERTY_COLUMNS} FROM properties p WHERE p.uprn = ANY($1)`,
      [uprns],
    );
    return rows.map(toProperty);
  }

  async tenanciesByIds(ids: readonly string[]): Promise<Tenancy[]> {
    const rows = await this.sql.many<TenancyRow>(
      `SELECT ${TENANCY_COLUMNS} FROM tenancies t WHERE t.id = ANY($1)`,
      [ids],
    );
    return rows.map(toTenancy);
  }

  async housingReportsByIds(ids: readonly string[]): Promise<HousingReport[]> {
    const rows = await this.sql.many<HousingReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM housing_reports r WHERE r.id = ANY($1)`,
      [ids],
    );
    return rows.map(toHousingReport);
  }

  /**
   * A page of tenancies for each of many people (as occupant in any role), in one statement:
   * current tenancies first, then the newest.
   */
  async tenancyPagesForPeople(
    groups: readonly PersonGroup[],
    page: PageRequest,
  ): Promise<Map<string, Page<Tenancy>>> {
    const rows = await this.sql.many<TenancyRow & { parent_id: string; position: string; total: string }>(
      `SELECT * FROM (
         SELECT ${TENANCY_COLUMNS}, o.parent_id,
                row_number() OVER (PARTITION BY o.parent_id ORDER BY t.status = 'ENDED', t.start_date DESC, t.id) AS position,
                count(*) OVER (PARTITION BY o.parent_id) AS total
           FROM (SELECT DISTINCT g.parent_id, x.tenancy_id
                   FROM ${PERSON_GROUPS} JOIN tenancy_occupants x ON x.person_id = g.person_id) o
           JOIN tenancies t ON t.id = o.tenancy_id
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY parent_id, position`,
      [personGroupsParam(groups), page.offset, page.limit + 1],
    );
    return pagesByParent(rows, (r) => r.parent_id, page, toTenancy);
  }

  /** A page of housing reports for each of many people, newest first, in one statement. */
  async reportPagesForPeople(
    groups: readonly PersonGroup[],
    page: PageRequest,
  ): Promise<Map<string, Page<HousingReport>>> {
    const rows = await this.sql.many<
      HousingReportRow & { parent_id: string; position: string; total: string }
    >(
      `SELECT * FROM (
         SELECT ${REPORT_COLUMNS}, g.parent_id,
                row_number() OVER (PARTITION BY g.parent_id ORDER BY r.reported_at DESC, r.id) AS position,
                count(*) OVER (PARTITION BY g.parent_id) AS total
           FROM ${PERSON_GROUPS} JOIN housing_reports r ON r.person_id = g.person_id
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY parent_id, position`,
      [personGroupsParam(groups), page.offset, page.limit + 1],
    );
    return pagesByParent(rows, (r) => r.parent_id, page, toHousingReport);
  }

  async occupantsFor(tenancyIds: readonly string[]): Promise<OccupantRow[]> {
    return this.sql.many<OccupantRow>(
      `SELECT tenancy_id AS "tenancyId", person_id AS "personId", role
         FROM tenancy_occupants
        WHERE tenancy_id = ANY($1)
        ORDER BY tenancy_id, CASE role WHEN 'TENANT' THEN 0 WHEN 'JOINT_TENANT' THEN 1 ELSE 2 END, id`,
      [tenancyIds],
    );
  }

  /** The actions on many tenancies, oldest first, in one statement. */
  async actionsFor(tenancyIds: readonly string[]): Promise<TenancyAction[]> {
    const rows = await this.sql.many<{
      id: string;
      tenancy_id: string;
      type: string;
      taken_at: Date;
      note: string | null;
    }>(
      `SELECT id, tenancy_id, type, taken_at, note
         FROM tenancy_actions
        WHERE tenancy_id = ANY($1)
        ORDER BY tenancy_id, taken_at, id`,
      [tenancyIds],
    );
    return rows.map((r) =>
      Object.assign(new TenancyAction(), {
        id: r.id,
        tenancyId: r.tenancy_id,
        type: r.type as TenancyActionType,
        takenAt: r.taken_at,
        note: r.note,
      }),
    );
  }

  /**
   * Monthly tenancy action counts per neighbourhood (the property's LSOA) and type, and each
   * month's total (type null) as a cell of its own, each with its cell key. Months are UTC
   * calendar months; the range is turned into instants so the taken_at index serves it.
   */
  async actionCountsFor(
    lsoaCodes: readonly string[],
    fromMonth: string,
    toMonth: string,
  ): Promise<TenancyActionCount[]> {
    return monthlyCells<"type", TenancyActionType>(this.sql, lsoaCodes, fromMonth, toMonth, "type");
  }
}

/** A tenancy among `$1` left with no occupant (erasure deletes it). */
const EMPTIED = `SELECT t.id FROM tenancies t WHERE t.id = ANY($1::text[])
   AND NOT EXISTS (SELECT 1 FROM tenancy_occupants o WHERE o.tenancy_id = t.id)`;

/** What housing holds about people: a tenancy per occupant, and the reports people made. */
export const housingHoldings: Holdings = holdingsOver({
  agencyId: "housing",
  kinds: {
    TENANCY: { type: "Tenancy", categories: [DataCategory.TENANCY, DataCategory.FINANCIAL] },
    HOUSING_REPORT: { type: "HousingReport", categories: [DataCategory.TENANCY] },
  },
  heldSql: `
    SELECT 'TENANCY'::text AS kind, t.id, 'TENANCY'::text AS category, o.person_id,
           t.start_date::timestamptz AS created_at, t.end_date::timestamptz AS closed_at,
           greatest(t.start_date::timestamptz, t.end_date::timestamptz,
                    (SELECT max(a.taken_at) FROM tenancy_actions a WHERE a.tenancy_id = t.id)) AS last_activity_at
      FROM tenancy_occupants o JOIN tenancies t ON t.id = o.tenancy_id
    UNION ALL
    SELECT 'HOUSING_REPORT'::text, r.id, 'TENANCY'::text, r.person_id, r.reported_at, r.reported_at, r.reported_at
      FROM housing_reports r`,
  // Tenancies with the property, the actions taken and every occupant by role only; the reports made.
  contentsSql: `
    SELECT 'TENANCY'::text AS kind, t.id,
           (to_jsonb(t) - 'record_key') || jsonb_build_object('property', to_jsonb(p) - 'record_key') AS fields,
           (SELECT jsonb_agg(jsonb_build_object('role', o.role, 'subject', o.person_id = $1) ORDER BY o.id)
              FROM tenancy_occupants o WHERE o.tenancy_id = t.id) AS people,
           jsonb_build_object('actions', coalesce(
             (SELECT jsonb_agg(to_jsonb(a) - 'tenancy_id' ORDER BY a.taken_at, a.id)
                FROM tenancy_actions a WHERE a.tenancy_id = t.id), '[]'::jsonb)) AS parts
      FROM tenancies t JOIN properties p ON p.id = t.property_id
     WHERE t.id IN (SELECT o.tenancy_id FROM tenancy_occupants o WHERE o.person_id = $1)
    UNION ALL
    SELECT 'HOUSING_REPORT'::text, h.id,
           (to_jsonb(h) - 'record_key') || jsonb_build_object('property', to_jsonb(p) - 'record_key'),
           jsonb_build_array(jsonb_build_object('role', 'REPORTER', 'subject', true)),
           '{}'::jsonb
      FROM housing_reports h JOIN properties p ON p.id = h.property_id
     WHERE h.person_id = $1`,
  expireDeletes: ["TENANCY", "HOUSING_REPORT"],
  // The person's place in a tenancy goes; a tenancy left with no one goes with its actions (moved
  // aside before the tenancy, which would take them with it); their reports go.
  async eraseAbout(tx, erasureId, personId, records) {
    const tenancies = idsOfKind(records, "TENANCY");
    const occupants = await moveAside(
      tx,
      erasureId,
      "tenancy_occupants",
      `person_id = $1 AND tenancy_id = ANY($2::text[])`,
      [personId, tenancies],
    );
    await moveAside(tx, erasureId, "tenancy_actions", `tenancy_id IN (${EMPTIED})`, [tenancies]);
    const emptied = await moveAside<{ id: string }>(tx, erasureId, "tenancies", `id IN (${EMPTIED})`, [
      tenancies,
    ]);
    const reports = await moveAside<{ id: string }>(
      tx,
      erasureId,
      "housing_reports",
      `person_id = $1 AND id = ANY($2::text[])`,
      [personId, idsOfKind(records, "HOUSING_REPORT")],
    );
    return {
      erased: occupants.length + reports.length,
      deleted: [...emptied.map((t) => `TENANCY:${t.id}`), ...reports.map((r) => `HOUSING_REPORT:${r.id}`)],
    };
  },
  async expire(tx, records) {
    const tenancies = await tx.many<{ id: string }>(
      `DELETE FROM tenancies WHERE id = ANY($1::text[]) RETURNING id`,
      [idsOfKind(records, "TENANCY")],
    );
    const reports = await tx.many<{ id: string }>(
      `DELETE FROM housing_reports WHERE id = ANY($1::text[]) RETURNING id`,
      [idsOfKind(records, "HOUSING_REPORT")],
    );
    const deleted = [
      ...tenancies.map((t) => `TENANCY:${t.id}`),
      ...reports.map((r) => `HOUSING_REPORT:${r.id}`),
    ];
    return { erased: deleted.length, deleted };
  },
});

type IngestWritten = { inserted: boolean }[];
const ingestCounts = (rows: IngestWritten) => {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
};

/**
 * What `npm run ingest` writes for housing, by source key (properties by UPRN, the national key:
 * a property already held, from the seed or another source, is the same property). New rows are
 * inserted, changed ones updated, unchanged ones untouched (so the rollup sees real changes only).
 */
export class HousingIngestRepository {
  constructor(private readonly sql: Sql) {}

  async upsertProperties(
    rows: readonly {
      id: string;
      sourceKey: string;
      uprn: string;
      address: string;
      lsoaCode: string | null;
      latitude: number | null;
      longitude: number | null;
    }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const columns = "source_key, address, lsoa_code, latitude, longitude";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO properties AS t (id, uprn, ${columns})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[])
         ON CONFLICT (uprn) DO UPDATE SET (${columns}) = (${excluded})
         WHERE (${current}) IS DISTINCT FROM (${excluded})
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.uprn),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.address),
          rows.map((r) => r.lsoaCode),
          rows.map((r) => r.latitude),
          rows.map((r) => r.longitude),
        ],
      ),
    );
  }

  async upsertTenancies(
    rows: readonly {
      id: string;
      sourceKey: string;
      propertyKey: string;
      status: string;
      tenure: string;
      startDate: string;
      endDate: string | null;
      arrearsBand: string | null;
    }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const columns = "property_id, status, tenure, start_date, end_date, arrears_band";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO tenancies AS t (id, source_key, ${columns})
         SELECT u.id, u.source_key, p.id, u.status, u.tenure, u.start_date, u.end_date, u.arrears_band
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[], $8::text[])
                AS u (id, source_key, property_key, status, tenure, start_date, end_date, arrears_band)
           JOIN properties p ON p.source_key = u.property_key
         ON CONFLICT (source_key) DO UPDATE SET (${columns}) = (${excluded})
         WHERE (${current}) IS DISTINCT FROM (${excluded})
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.propertyKey),
          rows.map((r) => r.status),
          rows.map((r) => r.tenure),
          rows.map((r) => r.startDate),
          rows.map((r) => r.endDate),
          rows.map((r) => r.arrearsBand),
        ],
      ),
    );
  }

  async upsertOccupants(
    rows: readonly { sourceKey: string; tenancyKey: string; personId: string; role: string }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO tenancy_occupants AS t (source_key, tenancy_id, person_id, role)
         SELECT u.source_key, y.id, u.person_id, u.role
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u (source_key, tenancy_key, person_id, role)
           JOIN tenancies y ON y.source_key = u.tenancy_key
         ON CONFLICT (source_key) DO UPDATE SET (tenancy_id, person_id, role) =
           (EXCLUDED.tenancy_id, EXCLUDED.person_id, EXCLUDED.role)
         WHERE (t.tenancy_id, t.person_id, t.role) IS DISTINCT FROM (EXCLUDED.tenancy_id, EXCLUDED.person_id, EXCLUDED.role)
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.tenancyKey),
          rows.map((r) => r.personId),
          rows.map((r) => r.role),
        ],
      ),
    );
  }

  async upsertActions(
    rows: readonly {
      id: string;
      sourceKey: string;
      tenancyKey: string;
      type: string;
      takenAt: Date;
      note: string | null;
    }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO tenancy_actions AS t (id, source_key, tenancy_id, type, taken_at, note)
         SELECT u.id, u.source_key, y.id, u.type, u.taken_at, u.note
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                AS u (id, source_key, tenancy_key, type, taken_at, note)
           JOIN tenancies y ON y.source_key = u.tenancy_key
         ON CONFLICT (source_key) DO UPDATE SET (tenancy_id, type, taken_at, note) =
           (EXCLUDED.tenancy_id, EXCLUDED.type, EXCLUDED.taken_at, EXCLUDED.note)
         WHERE (t.tenancy_id, t.type, t.taken_at, t.note) IS DISTINCT FROM
               (EXCLUDED.tenancy_id, EXCLUDED.type, EXCLUDED.taken_at, EXCLUDED.note)
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.tenancyKey),
          rows.map((r) => r.type),
          rows.map((r) => r.takenAt),
          rows.map((r) => r.note),
        ],
      ),
    );
  }
}
