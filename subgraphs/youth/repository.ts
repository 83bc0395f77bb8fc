import { randomUUID } from "node:crypto";
import { holdingsOver, idsOfKind, type Holdings } from "../shared/data-protection";
import { IN_PAGE_OR_LAST, pagesByParent, type PageRequest } from "../shared/connection";
import type { Sql } from "../shared/database";
import { moveAside } from "../shared/erasure";
import { DataCategory } from "../shared/enums";
import { PERSON_GROUPS, personGroupsParam, type Page, type PersonGroup } from "../shared/loaders";
import { monthlyCells, type RollupCell } from "../shared/rollups";
import { agencyRef } from "../shared/types";
import {
  Enrolment,
  Person,
  Programme,
  ProgrammeKind,
  Referral,
  ReferralStatus,
  ReferralStatusChange,
  School,
  SchoolPhase,
} from "./types";

interface SchoolRow {
  id: string;
  urn: string;
  name: string;
  phase: string;
  lsoa_code: string;
}

interface EnrolmentRow {
  id: string;
  person_id: string;
  school_id: string;
  year_group: number;
  academic_year: string;
  attendance_rate: number | null;
  suspensions: number;
  started_on: string;
  left_on: string | null;
}

interface ProgrammeRow {
  id: string;
  name: string;
  kind: string;
  provider: string;
  minimum_age: number | null;
  maximum_age: number | null;
}

interface ReferralRow {
  id: string;
  person_id: string;
  programme_id: string;
  programme_name: string;
  programme_kind: string;
  programme_provider: string;
  programme_minimum_age: number | null;
  programme_maximum_age: number | null;
  status: string;
  reason: string;
  referred_at: Date;
  referred_by_agency_id: string;
}

interface StatusChangeRow {
  referral_id: string;
  status: string;
  at: Date;
  note: string | null;
}

/** What every ranked page row carries: its parent, the parent's total and whether it is in the page. */
interface Ranked {
  person_id: string;
  position: string;
  total: string;
}

const SCHOOL_COLUMNS = `s.id, s.urn, s.name, s.phase, s.lsoa_code`;
// Dates as text: pg would turn them into local-midnight Dates and shift the day in other time zones.
const ENROLMENT_COLUMNS = `e.id, e.person_id, e.school_id, e.year_group, e.academic_year, e.attendance_rate, e.suspensions,
  e.started_on::text AS started_on, e.left_on::text AS left_on`;
const PROGRAMME_COLUMNS = `p.id, p.name, p.kind, p.provider, p.minimum_age, p.maximum_age`;
// The programme catalogue is small: it comes with each referral rather than in a second round trip.
const REFERRAL_COLUMNS = `r.id, r.person_id, r.programme_id, r.status, r.reason, r.referred_at, r.referred_by_agency_id,
  p.name AS programme_name, p.kind AS programme_kind, p.provider AS programme_provider,
  p.minimum_age AS programme_minimum_age, p.maximum_age AS programme_maximum_age`;

const person = (id: string): Person => Object.assign(new Person(), { id });

function toSchool(row: SchoolRow): School {
  return Object.assign(new School(), {
    id: row.id,
    urn: row.urn,
    name: row.name,
    phase: row.phase as SchoolPhase,
    lsoaCode: row.lsoa_code,
  });
}

function toEnrolment(row: EnrolmentRow): Enrolment {
  return Object.assign(new Enrolment(), {
    id: row.id,
    schoolId: row.school_id,
    yearGroup: row.year_group,
    academicYear: row.academic_year,
    attendanceRate: row.attendance_rate,
    suspensions: row.suspensions,
    startedOn: row.started_on,
    leftOn: row.left_on,
    person: person(row.person_id),
  });
}

function toProgramme(row: ProgrammeRow): Programme {
  return Object.assign(new Programme(), {
    id: row.id,
    name: row.name,
    kind: row.kind as ProgrammeKind,
    provider: row.provider,
    minimumAge: row.minimum_age,
    maximumAge: row.maximum_age,
  });
}

function toReferral(row: ReferralRow): Referral {
  return Object.assign(new Referral(), {
    id: row.id,
    status: row.status as ReferralStatus,
    reason: row.reason,
    referredAt: row.referred_at,
    referredByAgency: agencyRef(row.referred_by_agency_id),
    programme: toProgramme({
      id: row.programme_id,
      name: row.programme_name,
      kind: row.programme_kind,
      provider: row.programme_provider,
      minimum_age: row.programme_minimum_age,
      maximum_age: row.programme_maximum_age,
    }),
    person: person(row.person_id),
  });
}

function toStatusChange(row: StatusChangeRow): ReferralStatusChange {
  return Object.assign(new ReferralStatusChange(), {
    referralId: row.referral_id,
    status: row.status as ReferralStatus,
    at: row.at,
    note: row.note,
  });
}

/** A true count and its cell key; `total` rows (no kind) are a month's total across programme kinds. */
export type ReferralCount = RollupCell<"kind", ProgrammeKind>;

export interface NewReferral {
  personId: string;
  programmeId: string;
  reason: string;
  referredByAgencyId: string;
}

/** What writing a referral came to. */
export type CreatedReferral =
  | { kind: "created"; referral: Referral }
  | { kind: "no-programme" }
  | { kind: "duplicate"; openReferralId: string };

/** All SQL over the youth store. */
export class YouthRepository {
  constructor(private readonly sql: Sql) {}

  async schoolsByIds(ids: readonly string[]): Promise<School[]> {
    const rows = await this.sql.many<SchoolRow>(
      `SELECT ${SCHOOL_COLUMNS} FROM schools s WHERE s.id = ANY($1)`,
      [ids],
    );
    return rows.map(toSchool);
  }

  async schools(): Promise<School[]> {
    const rows = await this.sql.many<SchoolRow>(
      `SELECT ${SCHOOL_COLUMNS} FROM schools s ORDER BY s.name, s.id`,
    );
    return rows.map(toSchool);
  }

  async enrolmentsByIds(ids: readonly string[]): Promise<Enrolment[]> {
    const rows = await this.sql.many<EnrolmentRow>(
      `SELECT ${ENROLMENT_COLUMNS} FROM enrolments e WHERE e.id = ANY($1)`,
      [ids],
    );
    return rows.map(toEnrolment);
  }

  /** A page of enrolments, latest first, for each of many people, in one statement. */
  async enrolmentPagesForPeople(
    groups: readonly PersonGroup[],
    page: PageRequest,
  ): Promise<Map<string, Page<Enrolment>>> {
    const rows = await this.sql.many<EnrolmentRow & Ranked & { parent_id: string }>(
      `SELECT * FROM (
         SELECT ${ENROLMENT_COLUMNS}, g.parent_id,
                row_number() OVER (PARTITION BY g.parent_id ORDER BY e.started_on DESC, e.id) AS position,
                count(*) OVER (PARTITION BY g.parent_id) AS total
           FROM ${PERSON_GROUPS} JOIN enrolments e ON e.person_id = g.person_id
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY parent_id, position`,
      [personGroupsParam(groups), page.offset, page.limit + 1],
    );
    return pagesByParent(rows, (r) => r.parent_id, page, toEnrolment);
  }

  async programmesByIds(ids: readonly string[]): Promise<Programme[]> {
    const rows = await this.sql.many<ProgrammeRow>(
      `SELECT ${PROGRAMME_COLUMNS} FROM programmes p WHERE p.id = ANY($1)`,
      [ids],
    );
    return rows.map(toProgramme);
  }

  /** Programmes, of one kind when given, by name. */
  async programmes(kind: ProgrammeKind | null): Promise<Programme[]> {
    const rows = await this.sql.many<ProgrammeRow>(
      `SELECT ${PROGRAMME_COLUMNS} FROM programmes p WHERE ($1::text IS NULL OR p.kind = $1) ORDER BY p.name, p.id`,
      [kind],
    );
    return rows.map(toProgramme);
  }

  async referralsByIds(ids: readonly string[]): Promise<Referral[]> {
    const rows = await this.sql.many<ReferralRow>(
      `SELECT ${REFERRAL_COLUMNS} FROM referrals r JOIN programmes p ON p.id = r.programme_id WHERE r.id = ANY($1)`,
      [ids],
    );
    return rows.map(toReferral);
  }

  /** A page of referrals, newest first, for each of many people, in one statement. */
  async referralPagesForPeople(
    groups: readonly PersonGroup[],
    page: PageRequest,
  ): Promise<Map<string, Page<Referral>>> {
    const rows = await this.sql.many<ReferralRow & Ranked & { parent_id: string }>(
      `SELECT * FROM (
         SELECT ${REFERRAL_COLUMNS}, g.parent_id,
                row_number() OVER (PARTITION BY g.parent_id ORDER BY r.referred_at DESC, r.id) AS position,
                count(*) OVER (PARTITION BY g.parent_id) AS total
           FROM ${PERSON_GROUPS} JOIN referrals r ON r.person_id = g.person_id
           JOIN programmes p ON p.id = r.programme_id
       ) ranked
       WHERE ${IN_PAGE_OR_LAST}
       ORDER BY parent_id, position`,
      [personGroupsParam(groups), page.offset, page.limit + 1],
    );
    return pagesByParent(rows, (r) => r.parent_id, page, toReferral);
  }

  /** The status histories of many referrals, oldest step first. */
  async historiesOf(referralIds: readonly string[]): Promise<ReferralStatusChange[]> {
    const rows = await this.sql.many<StatusChangeRow>(
      `SELECT referral_id, status, at, note FROM referral_status_changes
        WHERE referral_id = ANY($1) ORDER BY referral_id, at, id`,
      [referralIds],
    );
    return rows.map(toStatusChange);
  }

  /**
   * Referrals per neighbourhood (home LSOA when referred), month referred and programme kind,
   * and each month's total (kind null) as a cell of its own, each with its cell key.
   */
  async countsFor(
    lsoaCodes: readonly string[],
    fromMonth: string,
    toMonth: string,
  ): Promise<ReferralCount[]> {
    return monthlyCells<"kind", ProgrammeKind>(this.sql, lsoaCodes, fromMonth, toMonth, "kind");
  }

  /**
   * Records a referral and the first step of its history together. Returns null (and writes
   * nothing) when the programme does not exist.
   */
  /**
   * Writes a referral unless the person already has an open one (REFERRED, ACCEPTED or ACTIVE) to
   * the same programme that the referrer may know of: any, for youth services (`ownerAgencyId`),
   * else the referrer's own; refusing on another partner's referral would tell the referrer that
   * youth services hold one, which the access rules may not let it see. The check and the insert
   * hold a lock on the (person, programme) pair, so two referrals sent at once cannot both pass.
   */
  async createReferral(input: NewReferral, ownerAgencyId: string): Promise<CreatedReferral> {
    return this.sql.transaction(async (tx) => {
      await tx.exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `referral:${input.personId}:${input.programmeId}`,
      ]);
      const open = await tx.one<{ id: string }>(
        `SELECT id FROM referrals
          WHERE person_id = $1 AND programme_id = $2 AND status IN ('REFERRED', 'ACCEPTED', 'ACTIVE')
            AND ($3 = $4 OR referred_by_agency_id = $3)
          ORDER BY referred_at LIMIT 1`,
        [input.personId, input.programmeId, input.referredByAgencyId, ownerAgencyId],
      );
      if (open) return { kind: "duplicate", openReferralId: open.id };
      // Live referrals carry no neighbourhood: the person's home is the partnership's to know.
      const row = await tx.one<ReferralRow>(
        `WITH created AS (
           INSERT INTO referrals (id, person_id, programme_id, status, reason, referred_at, referred_by_agency_id, lsoa_code)
           SELECT $1, $2, p.id, 'REFERRED', $4, now(), $5, NULL FROM programmes p WHERE p.id = $3
           RETURNING *
         )
         SELECT ${REFERRAL_COLUMNS} FROM created r JOIN programmes p ON p.id = r.programme_id`,
        [`ref-${randomUUID()}`, input.personId, input.programmeId, input.reason, input.referredByAgencyId],
      );
      if (!row) return { kind: "no-programme" };
      await tx.exec(
        `INSERT INTO referral_status_changes (referral_id, status, at, note) VALUES ($1, 'REFERRED', $2, NULL)`,
        [row.id, row.referred_at],
      );
      return { kind: "created", referral: toReferral(row) };
    });
  }

  /**
   * Moves a referral to a new status and appends the step to its history, in one transaction.
   * `check` sees the current status under a row lock and throws to refuse (nothing is written).
   * Returns null when there is no such referral.
   */
  async changeStatus(
    id: string,
    status: ReferralStatus,
    note: string | null,
    check: (current: ReferralStatus) => void,
  ): Promise<Referral | null> {
    return this.sql.transaction(async (tx) => {
      const current = await tx.one<{ status: string }>(
        `SELECT status FROM referrals WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!current) return null;
      check(current.status as ReferralStatus);
      const row = await tx.one<ReferralRow>(
        `WITH changed AS (UPDATE referrals SET status = $2 WHERE id = $1 RETURNING *)
         SELECT ${REFERRAL_COLUMNS} FROM changed r JOIN programmes p ON p.id = r.programme_id`,
        [id, status],
      );
      await tx.exec(
        `INSERT INTO referral_status_changes (referral_id, status, at, note) VALUES ($1, $2, now(), $3)`,
        [id, status, note],
      );
      return toReferral(row!);
    });
  }
}

/** Expired enrolments and referrals go whole (a referral with its status history). */
async function deleteYouthRecords(tx: Sql, records: readonly { kind: string; id: string }[]) {
  const enrolments = await tx.many<{ id: string }>(
    `DELETE FROM enrolments WHERE id = ANY($1::text[]) RETURNING id`,
    [idsOfKind(records, "ENROLMENT")],
  );
  const referrals = await tx.many<{ id: string }>(
    `DELETE FROM referrals WHERE id = ANY($1::text[]) RETURNING id`,
    [idsOfKind(records, "REFERRAL")],
  );
  const deleted = [
    ...enrolments.map((e) => `ENROLMENT:${e.id}`),
    ...referrals.map((r) => `REFERRAL:${r.id}`),
  ];
  return { erased: deleted.length, deleted };
}

/** What youth services hold about young people: enrolments and programme referrals, one person each. */
export const youthHoldings: Holdings = holdingsOver({
  agencyId: "youth",
  kinds: {
    ENROLMENT: { type: "Enrolment", categories: [DataCategory.EDUCATION] },
    REFERRAL: { type: "Referral", categories: [DataCategory.YOUTH_PROGRAMME] },
  },
  heldSql: `
    SELECT 'ENROLMENT'::text AS kind, e.id, 'EDUCATION'::text AS category, e.person_id,
           e.started_on::timestamptz AS created_at, e.left_on::timestamptz AS closed_at,
           coalesce(e.left_on, e.started_on)::timestamptz AS last_activity_at
      FROM enrolments e
    UNION ALL
    SELECT 'REFERRAL'::text, r.id, 'YOUTH_PROGRAMME'::text, r.person_id, r.referred_at,
           CASE WHEN r.status IN ('COMPLETED', 'DECLINED', 'WITHDRAWN')
                THEN coalesce((SELECT max(s.at) FROM referral_status_changes s WHERE s.referral_id = r.id), r.referred_at) END,
           greatest(r.referred_at, (SELECT max(s.at) FROM referral_status_changes s WHERE s.referral_id = r.id))
      FROM referrals r`,
  // Enrolments with the school's name; referrals with the programme's name and status history.
  contentsSql: `
    SELECT 'ENROLMENT'::text AS kind, e.id,
           (to_jsonb(e) - 'record_key') || jsonb_build_object('school_name', s.name) AS fields,
           jsonb_build_array(jsonb_build_object('role', 'PUPIL', 'subject', true)) AS people,
           '{}'::jsonb AS parts
      FROM enrolments e JOIN schools s ON s.id = e.school_id
     WHERE e.person_id = $1
    UNION ALL
    SELECT 'REFERRAL'::text, r.id,
           (to_jsonb(r) - 'record_key') || jsonb_build_object('programme_name', g.name),
           jsonb_build_array(jsonb_build_object('role', 'YOUNG_PERSON', 'subject', true)),
           jsonb_build_object('statusHistory', coalesce(
             (SELECT jsonb_agg(to_jsonb(h) - 'referral_id' ORDER BY h.at, h.id)
                FROM referral_status_changes h WHERE h.referral_id = r.id), '[]'::jsonb))
      FROM referrals r JOIN programmes g ON g.id = r.programme_id
     WHERE r.person_id = $1`,
  expireDeletes: ["ENROLMENT", "REFERRAL"],
  // Each is about the person alone: it goes whole (a referral's history moved aside before it).
  async eraseAbout(tx, erasureId, personId, records) {
    const referralIds = idsOfKind(records, "REFERRAL");
    const own = `person_id = $1 AND id = ANY($2::text[])`;
    await moveAside(
      tx,
      erasureId,
      "referral_status_changes",
      `referral_id IN (SELECT id FROM referrals WHERE ${own})`,
      [personId, referralIds],
    );
    const referrals = await moveAside<{ id: string }>(tx, erasureId, "referrals", own, [
      personId,
      referralIds,
    ]);
    const enrolments = await moveAside<{ id: string }>(tx, erasureId, "enrolments", own, [
      personId,
      idsOfKind(records, "ENROLMENT"),
    ]);
    const deleted = [
      ...enrolments.map((e) => `ENROLMENT:${e.id}`),
      ...referrals.map((r) => `REFERRAL:${r.id}`),
    ];
    return { erased: deleted.length, deleted };
  },
  expire: deleteYouthRecords,
});

type IngestWritten = { inserted: boolean }[];
const ingestCounts = (rows: IngestWritten) => {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
};

export interface IngestedReferral {
  id: string;
  sourceKey: string;
  programmeKey: string;
  personId: string;
  status: string;
  reason: string;
  referredAt: Date;
  referredByAgencyId: string;
  lsoaCode: string | null;
  /** When the current status was reached, if the source says. */
  statusAt: Date | null;
}

/**
 * What `npm run ingest` writes for youth services, by source key (schools by URN, the national
 * key). New rows are inserted, changed ones updated, unchanged ones untouched; a referral keeps
 * its status history: its first status, and every change an import brings.
 */
export class YouthIngestRepository {
  constructor(private readonly sql: Sql) {}

  async upsertSchools(
    rows: readonly {
      id: string;
      sourceKey: string;
      urn: string;
      name: string;
      phase: string;
      lsoaCode: string;
    }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO schools AS t (id, urn, source_key, name, phase, lsoa_code)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (urn) DO UPDATE SET (source_key, name, phase, lsoa_code) =
           (EXCLUDED.source_key, EXCLUDED.name, EXCLUDED.phase, EXCLUDED.lsoa_code)
         WHERE (t.source_key, t.name, t.phase, t.lsoa_code) IS DISTINCT FROM
               (EXCLUDED.source_key, EXCLUDED.name, EXCLUDED.phase, EXCLUDED.lsoa_code)
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.urn),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.name),
          rows.map((r) => r.phase),
          rows.map((r) => r.lsoaCode),
        ],
      ),
    );
  }

  /** Enrolments; attendance and suspensions come from attendance returns, never overwritten here. */
  async upsertEnrolments(
    rows: readonly {
      id: string;
      sourceKey: string;
      schoolKey: string;
      personId: string;
      yearGroup: number;
      academicYear: string;
      startedOn: string;
      leftOn: string | null;
    }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const columns = "person_id, school_id, year_group, academic_year, started_on, left_on";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO enrolments AS t (id, source_key, ${columns})
         SELECT u.id, u.source_key, u.person_id, s.id, u.year_group, u.academic_year, u.started_on, u.left_on
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::date[], $8::date[])
                AS u (id, source_key, school_key, person_id, year_group, academic_year, started_on, left_on)
           JOIN schools s ON s.source_key = u.school_key
         ON CONFLICT (source_key) DO UPDATE SET (${columns}) = (${excluded})
         WHERE (${current}) IS DISTINCT FROM (${excluded})
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.schoolKey),
          rows.map((r) => r.personId),
          rows.map((r) => r.yearGroup),
          rows.map((r) => r.academicYear),
          rows.map((r) => r.startedOn),
          rows.map((r) => r.leftOn),
        ],
      ),
    );
  }

  /** Attendance returns: an enrolment's attendance (and suspensions, when given) as of the return. */
  async updateAttendance(
    rows: readonly { enrolmentKey: string; attendanceRate: number; suspensions: number | null }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const updated = await this.sql.exec(
      `UPDATE enrolments t SET attendance_rate = u.rate, suspensions = coalesce(u.suspensions, t.suspensions)
         FROM unnest($1::text[], $2::float8[], $3::int[]) AS u (enrolment_key, rate, suspensions)
        WHERE t.source_key = u.enrolment_key
          AND (t.attendance_rate, t.suspensions) IS DISTINCT FROM (u.rate, coalesce(u.suspensions, t.suspensions))`,
      [rows.map((r) => r.enrolmentKey), rows.map((r) => r.attendanceRate), rows.map((r) => r.suspensions)],
    );
    return { inserted: 0, updated };
  }

  async upsertProgrammes(
    rows: readonly {
      id: string;
      sourceKey: string;
      name: string;
      kind: string;
      provider: string;
      minimumAge: number | null;
      maximumAge: number | null;
    }[],
  ): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const columns = "name, kind, provider, minimum_age, maximum_age";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    return ingestCounts(
      await this.sql.many(
        `INSERT INTO programmes AS t (id, source_key, ${columns})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[])
         ON CONFLICT (source_key) DO UPDATE SET (${columns}) = (${excluded})
         WHERE (${current}) IS DISTINCT FROM (${excluded})
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.sourceKey),
          rows.map((r) => r.name),
          rows.map((r) => r.kind),
          rows.map((r) => r.provider),
          rows.map((r) => r.minimumAge),
          rows.map((r) => r.maximumAge),
        ],
      ),
    );
  }

  async upsertReferrals(rows: readonly IngestedReferral[]): Promise<{ inserted: number; updated: number }> {
    if (!rows.length) return { inserted: 0, updated: 0 };
    const keys = rows.map((r) => r.sourceKey);
    const before = new Map(
      (
        await this.sql.many<{ source_key: string; status: string }>(
          `SELECT source_key, status FROM referrals WHERE source_key = ANY($1::text[])`,
          [keys],
        )
      ).map((r) => [r.source_key, r.status]),
    );
    const columns = "person_id, programme_id, status, reason, referred_at, referred_by_agency_id, lsoa_code";
    const excluded = columns.replace(/(\w+)/g, "EXCLUDED.$1");
    const current = columns.replace(/(\w+)/g, "t.$1");
    const written = await this.sql.many<{ inserted: boolean; id: string; source_key: string }>(
      `INSERT INTO referrals AS t (id, source_key, ${columns})
       SELECT u.id, u.source_key, u.person_id, p.id, u.status, u.reason, u.referred_at, u.referred_by, u.lsoa_code
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                     $8::text[], $9::text[])
              AS u (id, source_key, programme_key, person_id, status, reason, referred_at, referred_by, lsoa_code)
         JOIN programmes p ON p.source_key = u.programme_key
       ON CONFLICT (source_key) DO UPDATE SET (${columns}) = (${excluded})
       WHERE (${current}) IS DISTINCT FROM (${excluded})
       RETURNING (xmax = 0) AS inserted, t.id, t.source_key`,
      [
        rows.map((r) => r.id),
        keys,
        rows.map((r) => r.programmeKey),
        rows.map((r) => r.personId),
        rows.map((r) => r.status),
        rows.map((r) => r.reason),
        rows.map((r) => r.referredAt),
        rows.map((r) => r.referredByAgencyId),
        rows.map((r) => r.lsoaCode),
      ],
    );
    // The history: a new referral starts REFERRED when it was made (then its current status, if
    // another); a changed status is a new entry, when the source says it was reached or now.
    const byKey = new Map(rows.map((r) => [r.sourceKey, r]));
    const history: { referralId: string; status: string; at: Date | null; note: string }[] = [];
    for (const w of written) {
      const row = byKey.get(w.source_key)!;
      const note = `imported from ${w.source_key.slice(0, w.source_key.indexOf(":"))}`;
      if (w.inserted) {
        history.push({ referralId: w.id, status: "REFERRED", at: row.referredAt, note });
        if (row.status !== "REFERRED")
          history.push({ referralId: w.id, status: row.status, at: row.statusAt, note });
      } else if (before.get(w.source_key) !== row.status)
        history.push({ referralId: w.id, status: row.status, at: row.statusAt, note });
    }
    if (history.length)
      await this.sql.exec(
        `INSERT INTO referral_status_changes (referral_id, status, at, note)
         SELECT referral_id, status, coalesce(at, now()), note
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS h (referral_id, status, at, note)`,
        [
          history.map((h) => h.referralId),
          history.map((h) => h.status),
          history.map((h) => h.at),
          history.map((h) => h.note),
        ],
      );
    return ingestCounts(written);
  }
}
