import { releasedFor } from "../support/cell-key";
import { startTestFederation, type TestFederation } from "../support/federation";

/**
 * A case's assessment compares incidents (police) and ASB cases (council) in its
 * neighbourhoods before and after it opened; here the figures the graph gives are checked
 * against the engine applied to the seeded rows (true count and record keys) in each agency's own database.
 */
let fed: TestFederation;
beforeAll(async () => {
  fed = await startTestFederation();
}, 180_000);
afterAll(() => fed?.stop());

const BOARD = `query CaseBoard($id: ID!, $w: Int!) { problemCase(id: $id) {
  assessment(windowMonths: $w) {
    baselineFrom baselineTo followUpFrom followUpTo
    incidentsBefore incidentsAfter asbCasesBefore asbCasesAfter suppressed
  }
} }`;

test.each([3, 6])(
  "the seeded cases' assessments over %i months equal the rows in police and council",
  async (w) => {
    const cases = await fed.stores.partnership.sql.many<{ id: string; codes: string[]; lead: string }>(
      `SELECT c.id, c.lead_agency_id AS lead, array_agg(n.lsoa_code ORDER BY n.lsoa_code) AS codes
       FROM problem_cases c JOIN case_neighbourhoods n ON n.case_id = c.id
      WHERE c.reference LIKE 'PSC-2019-%' GROUP BY c.id ORDER BY c.id`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const c of cases) {
      const res = await fed.query<{
        problemCase: { assessment: Record<string, string | number | boolean | null> };
      }>(BOARD, { id: c.id, w }, { agency: c.lead, purpose: "ASB_CASE_MANAGEMENT" });
      expect(res.errors).toBeUndefined();
      const a = res.data!.problemCase.assessment;
      // What the engine must release: the true count and cell key of the rows themselves.
      const incidents = async (from: unknown, to: unknown) =>
        releasedFor(
          (
            await fed.stores.police.sql.many<{ key: string }>(
              `SELECT record_key::text AS key FROM incidents WHERE lsoa_code = ANY($1) AND month BETWEEN $2 AND $3`,
              [c.codes, from, to],
            )
          ).map((r) => r.key),
        );
      const asbCases = async (from: unknown, to: unknown) =>
        releasedFor(
          (
            await fed.stores.council.sql.many<{ key: string }>(
              `SELECT record_key::text AS key FROM asb_cases WHERE lsoa_code = ANY($1)
                AND to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM') BETWEEN $2 AND $3`,
              [c.codes, from, to],
            )
          ).map((r) => r.key),
        );
      const expected = {
        incidentsBefore: await incidents(a.baselineFrom, a.baselineTo),
        incidentsAfter: await incidents(a.followUpFrom, a.followUpTo),
        asbCasesBefore: await asbCases(a.baselineFrom, a.baselineTo),
        asbCasesAfter: await asbCases(a.followUpFrom, a.followUpTo),
      };
      expect({ case: c.id, ...a }).toMatchObject({ case: c.id, ...expected, suppressed: false });
    }
  },
);
