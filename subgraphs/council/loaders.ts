import type { Sql } from "../shared/database";
import { monthlyCountsLoader, type AssessmentCounts } from "../shared/rollups";
import { loaderByKey, loaderGroupedBy, loaderOfChildren, loaderOfPersonPages } from "../shared/loaders";
import { AsbCaseRepository, type InterventionRow, type PartyRow } from "./repository";
import type { AsbCase } from "./types";

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
    asbCasesByPerson: loaderOfPersonPages((groups, page) => asbCases.pagesForPeople(groups, page)),
    asbCaseCounts: monthlyCountsLoader((codes, from, to) => asbCases.countsFor(codes, from, to)),
    // Every assessment's two windows in one statement, whatever their neighbourhoods and months.
    assessmentCounts: loaderGroupedBy<AssessmentKey, AssessmentCounts>(
      () => "all",
      (keys) => asbCases.assessmentCounts(keys),
      (k) => k.id,
    ),
  };
}

export type CouncilLoaders = ReturnType<typeof createCouncilLoaders>;
