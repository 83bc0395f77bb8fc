import type { Sql } from "../../shared/database";

export interface ReviewCandidateRow {
  personId: string;
  reports: number;
  agencyIds: string[];
  firstReportAt: Date;
  lastReportAt: Date;
  /** Reports within the busiest window per agency asked for (`tallyAgencyIds`); an agency with none is absent. */
  byAgency: Record<string, number>;
}

export interface ReviewCandidateQuery {
  windowMonths: number;
  threshold: number;
  /** Agencies whose reports the caller may not know of: left out before counting. */
  excludeAgencyIds?: readonly string[];
  /**
   * Agencies whose reports within each candidate's busiest window are counted one by one (counted
   * or not towards the threshold), for the answer's counts per agency.
   */
  tallyAgencyIds?: readonly string[];
}

/** All SQL over the report index that agencies feed. */
export class ReportRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * People with at least `threshold` reports in some span [t, t + windowMonths), t being one of
   * their reports: a window function counts, for each report, the reports that follow it within
   * the span; each person's busiest span (the earliest on a tie) is then described.
   */
  /** The agencies whose reports the index holds. */
  async reportingAgencies(): Promise<string[]> {
    const rows = await this.sql.many<{ agency_id: string }>(
      `SELECT DISTINCT agency_id FROM report_index ORDER BY 1`,
    );
    return rows.map((r) => r.agency_id);
  }

  async reviewCandidates(query: ReviewCandidateQuery): Promise<ReviewCandidateRow[]> {
    const rows = await this.sql.many<{
      person_id: string;
      reports: string;
      agency_ids: string[];
      first_report_at: Date;
      last_report_at: Date;
      by_agency: Record<string, number>;
    }>(
      `WITH window_length AS (SELECT make_interval(months => $1) AS span),
       visible AS (
         SELECT r.person_id, r.agency_id, r.reported_at
           FROM report_index r
          WHERE r.agency_id <> ALL($3::text[])
       ),
       spans AS (
         -- RANGE frames are inclusive; one microsecond less makes the span's end exclusive.
         SELECT v.person_id, v.reported_at AS span_start,
                count(*) OVER (PARTITION BY v.person_id ORDER BY v.reported_at
                               RANGE BETWEEN CURRENT ROW
                                     AND make_interval(months => $1) - interval '1 microsecond' FOLLOWING) AS reports
           FROM visible v
       ),
       busiest AS (
         SELECT DISTINCT ON (s.person_id) s.person_id, s.span_start, s.reports
           FROM spans s
          WHERE s.reports >= $2
          ORDER BY s.person_id, s.reports DESC, s.span_start
       )
       SELECT b.person_id, b.reports,
              array_agg(DISTINCT v.agency_id ORDER BY v.agency_id) AS agency_ids,
              min(v.reported_at) AS first_report_at,
              max(v.reported_at) AS last_report_at,
              (SELECT coalesce(jsonb_object_agg(t.agency_id, t.n), '{}'::jsonb)
                 FROM (SELECT r.agency_id, count(*) AS n
                         FROM report_index r
                        WHERE r.person_id = b.person_id
                          AND r.agency_id = ANY($4::text[])
                          AND r.reported_at >= b.span_start
                          AND r.reported_at < b.span_start + (SELECT span FROM window_length)
                        GROUP BY r.agency_id) t) AS by_agency
         FROM busiest b
         -- Candidates are people of the index; a report fed before its person was indexed waits.
         JOIN people p ON p.id = b.person_id
         JOIN visible v ON v.person_id = b.person_id
                       AND v.reported_at >= b.span_start
                       AND v.reported_at < b.span_start + (SELECT span FROM window_length)
        GROUP BY b.person_id, b.reports, b.span_start
        ORDER BY b.reports DESC, b.person_id`,
      [query.windowMonths, query.threshold, query.excludeAgencyIds ?? [], query.tallyAgencyIds ?? []],
    );
    return rows.map((r) => ({
      personId: r.person_id,
      reports: Number(r.reports),
      agencyIds: r.agency_ids,
      firstReportAt: r.first_report_at,
      lastReportAt: r.last_report_at,
      byAgency: Object.fromEntries(Object.entries(r.by_agency).map(([agency, n]) => [agency, Number(n)])),
    }));
  }
}
