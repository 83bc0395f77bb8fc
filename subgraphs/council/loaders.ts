import type { Sql } from "../shared/database";
import type { AssessmentCounts } from "../shared/rollups";
import { loaderByKey, loaderGroupedBy, loaderOfChildren, loaderOfPages } from "../shared/loaders";
import { AsbCaseRepository, type AsbCaseCount, type InterventionRow, type PartyRow } from "./repository";
import type { AsbCase } from "./types";

export interface CountsKey {
  lsoaCode: string;
  fromMonth: string;
  toMonth: string;
}

/** What a CaseAssessment id asks the council to count. */
export interface AssessmentKey {
  id: string;
  lsoaCodes: string[];
  baselineFrom: string;
  baselineTo: string;
  followUpFrom: string;
  followUpTo: string;
}

/** The council subgraph's per-request loaders; made fresh for every request. */
export function createCouncilLoaders(sql: Sql) {
  const asbCases = new AsbCaseRepository(sql);
  return {
    asbCases,
    asbCaseById: loaderByKey<string, AsbCase>(
      (ids) => asbCases.findByIds(ids),
      (c) => c.id,
    ),
    partiesByCase: loaderOfChildren<string, PartyRow>(
      (ids) => asbCases.partiesFor(ids),
      (r) => r.caseId,
    ),
    interventionsByCase: loaderOfChildren<string, InterventionRow>(
      (ids) => asbCases.interventionsFor(ids),
      (r) => r.caseId,
    ),
    asbCasesByPerson: loaderOfPages((ids, page) => asbCases.pagesForPeople(ids, page)),
    asbCaseCounts: loaderGroupedBy<CountsKey, AsbCaseCount[]>(
      (k) => `${k.fromMonth}:${k.toMonth}`,
      async (keys) => {
        const rows = await asbCases.countsFor(
          keys.map((k) => k.lsoaCode),
          keys[0].fromMonth,
          keys[0].toMonth,
        );
        const byCode = new Map<string, AsbCaseCount[]>();
        for (const row of rows) byCode.set(row.lsoaCode, [...(byCode.get(row.lsoaCode) ?? []), row]);
        return keys.map((k) => byCode.get(k.lsoaCode) ?? []);
      },
      (k) => `${k.lsoaCode}:${k.fromMonth}:${k.toMonth}`,
    ),
    // Every assessment's two windows in one statement, whatever their neighbourhoods and months.
    assessmentCounts: loaderGroupedBy<AssessmentKey, AssessmentCounts>(
      () => "all",
      (keys) => asbCases.assessmentCounts(keys),
      (k) => k.id,
    ),
  };
}

export type CouncilLoaders = ReturnType<typeof createCouncilLoaders>;
