import type { Sql } from "../../shared/database";
import type { ReportMadeTo } from "../../shared/reports-made";

export interface ReviewCandidateRow {
  personId: string;
  reports: number;
  agencyIds: string[];
  /** Where the busiest window starts (the first report in it). */
  spanStart: Date;
  firstReportAt: Date;
  lastReportAt: Date;
  /** Reports within the busiest window per agency that counted; an agency with none is absent. */
  byAgency: Record<string, number>;
}

export interface ReviewCandidateQuery {
  windowMonths: number;
  threshold: number;
  /** The reports that count, as their owners released them (nothing is stored here). */
  reports: readonly ReportMadeTo[];
}

/** Columns of reports passed in, for `unnest`: one array per column. */
function columns(reports: readonly ReportMadeTo[]): [string[], string[], Date[]] {
  return [reports.map((r) => r.personId), reports.map((r) => r.agencyId), reports.map((r) => r.reportedAt)];
}

/**
 * All SQL over the reports the agencies hold, asked of them for the request and passed in as
 * arrays: the partnership store keeps no copy of them, only the people index they are joined to.
 */
export class ReportRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * People with at least `threshold` reports in some span [t, t + windowMonths), t being one of
   * their reports: a window function counts, for each report, the reports that follow it within
   * the span; each person's busiest span (the earliest on a tie) is then described.
   */
  async reviewCandidates(query: ReviewCandidateQuery): Promise<ReviewCandidateRow[]> {
    const [people, agencies, times] = columns(query.reports);
    const rows = await this.sql.many<{
      person_id: string;
      reports: string;
      agency_ids: string[];
      span_start: Date;
      first_report_at: Date;
      last_report_at: Date;
      by_agency: Record<string, number>;
    }>(
      `WITH window_length AS (SELECT make_interval(months => $1) AS span),
       visible AS (
         SELECT r.person_id, r.agency_id, r.reported_at
           FROM unnest($3::text[], $4::text[], $5::timestamptz[]) AS r(person_id, agency_id, reported_at)
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
       ),
       within AS (
         SELECT b.person_id, b.reports, b.span_start, v.agency_id, v.reported_at
           FROM busiest b
           JOIN visible v ON v.person_id = b.person_id
                         AND v.reported_at >= b.span_start
                         AND v.reported_at < b.span_start + (SELECT span FROM window_length)
       )
       SELECT w.person_id, w.reports, w.span_start,
              array_agg(DISTINCT w.agency_id ORDER BY w.agency_id) AS agency_ids,
              min(w.reported_at) AS first_report_at,
              max(w.reported_at) AS last_report_at,
              (SELECT jsonb_object_agg(t.agency_id, t.n)
                 FROM (SELECT x.agency_id, count(*) AS n FROM within x
                        WHERE x.person_id = w.person_id GROUP BY x.agency_id) t) AS by_agency
         FROM within w
         -- Candidates are people of the index: a report about someone not indexed (yet) waits.
         JOIN people p ON p.id = w.person_id
        GROUP BY w.person_id, w.reports, w.span_start
        ORDER BY w.reports DESC, w.person_id`,
      [query.windowMonths, query.threshold, people, agencies, times],
    );
    return rows.map((r) => ({
      personId: r.person_id,
      reports: Number(r.reports),
      agencyIds: r.agency_ids,
      spanStart: r.span_start,
      firstReportAt: r.first_report_at,
      lastReportAt: r.last_report_at,
      byAgency: Object.fromEntries(Object.entries(r.by_agency).map(([agency, n]) => [agency, Number(n)])),
    }));
  }

  /**
   * Reports (of agencies that do not count towards the threshold) within each candidate's busiest
   * window, per person and agency: shown beside the candidate's count where the rules release them.
   */
  async reportsWithin(
    windowMonths: number,
    spans: readonly { personId: string; spanStart: Date }[],
    reports: readonly ReportMadeTo[],
  ): Promise<{ personId: string; agencyId: string; reports: number }[]> {
    if (!spans.length || !reports.length) return [];
    const [people, agencies, times] = columns(reports);
    const rows = await this.sql.many<{ person_id: string; agency_id: string; n: string }>(
      `SELECT r.person_id, r.agency_id, count(*) AS n
         FROM unnest($2::text[], $3::timestamptz[]) AS s(person_id, span_start)
         JOIN unnest($4::text[], $5::text[], $6::timestamptz[]) AS r(person_id, agency_id, reported_at)
           ON r.person_id = s.person_id
          AND r.reported_at >= s.span_start
          AND r.reported_at < s.span_start + make_interval(months => $1)
        GROUP BY r.person_id, r.agency_id`,
      [windowMonths, spans.map((s) => s.personId), spans.map((s) => s.spanStart), people, agencies, times],
    );
    return rows.map((r) => ({ personId: r.person_id, agencyId: r.agency_id, reports: Number(r.n) }));
  }
}
