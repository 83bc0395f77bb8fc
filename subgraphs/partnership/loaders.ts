import type { Sql } from "../shared/database";
import { loaderByKey, loaderOfChildren, loaderOfPages } from "../shared/loaders";
import { AgencyRepository } from "./repositories/agencies";
import {
  CaseRepository,
  type CaseActionRow,
  type CaseEventRecordRow,
  type CaseNoteRow,
  type CasePersonRow,
  type CaseRecordRow,
  type CaseStageChangeRow,
  type RiskAssessmentRow,
} from "./repositories/cases";
import { CaseChangeKind } from "./types";
import { NeighbourhoodRepository } from "./repositories/neighbourhoods";
import { PeopleRepository, type PersonReferenceRow } from "./repositories/people";
import { ReportRepository } from "./repositories/reports";
import type { Neighbourhood, Person, PersonIdentityChange, ProblemCase } from "./types";

/** The partnership subgraph's per-request loaders; made fresh for every request. */
export function createPartnershipLoaders(sql: Sql) {
  const people = new PeopleRepository(sql);
  const neighbourhoods = new NeighbourhoodRepository(sql);
  const cases = new CaseRepository(sql);
  return {
    people,
    neighbourhoods,
    cases,
    agencies: new AgencyRepository(sql),
    reports: new ReportRepository(sql),
    personById: loaderByKey<string, Person>(
      (ids) => people.findByIds(ids),
      (p) => p.id,
    ),
    identityHistoryByPerson: loaderOfChildren<string, PersonIdentityChange>(
      (ids) => people.identityHistoryFor(ids),
      (c) => c.personId,
    ),
    referencesByPerson: loaderOfChildren<string, PersonReferenceRow>(
      (ids) => people.referencesFor(ids),
      (r) => r.personId,
    ),
    neighbourhoodByCode: loaderByKey<string, Neighbourhood>(
      (codes) => neighbourhoods.findByCodes(codes),
      (n) => n.code,
    ),
    caseById: loaderByKey<string, ProblemCase>(
      (ids) => cases.findByIds(ids),
      (c) => c.id,
    ),
    peopleByCase: loaderOfChildren<string, CasePersonRow>(
      (ids) => cases.peopleFor(ids),
      (r) => r.caseId,
    ),
    actionsByCase: loaderOfChildren<string, CaseActionRow>(
      (ids) => cases.actionsFor(ids),
      (r) => r.caseId,
    ),
    stageChangesByCase: loaderOfChildren<string, CaseStageChangeRow>(
      (ids) => cases.stageChangesFor(ids),
      (r) => r.caseId,
    ),
    recordsByCase: loaderOfChildren<string, CaseRecordRow>(
      (ids) => cases.recordsFor(ids),
      (r) => r.caseId,
    ),
    notesByCase: loaderOfPages<CaseNoteRow>((ids, page) => cases.notePagesFor(ids, page)),
    riskAssessmentsByCase: loaderOfChildren<string, RiskAssessmentRow>(
      (ids) => cases.riskAssessmentsFor(ids),
      (r) => r.caseId,
    ),
    changesByCase: loaderOfChildren<string, CaseEventRecordRow>(
      (ids) => cases.eventsFor(ids, Object.values(CaseChangeKind)),
      (r) => r.caseId,
    ),
  };
}

export type PartnershipLoaders = ReturnType<typeof createPartnershipLoaders>;

/** After a change to a case, later reads in the same request must see it. */
export function forgetCase(loaders: PartnershipLoaders, caseId: string): void {
  loaders.caseById.clear(caseId);
  loaders.peopleByCase.clear(caseId);
  loaders.actionsByCase.clear(caseId);
  loaders.stageChangesByCase.clear(caseId);
  loaders.recordsByCase.clear(caseId);
  // Keyed by page as well as case: dropped whole.
  loaders.notesByCase.clearAll();
  loaders.riskAssessmentsByCase.clear(caseId);
  loaders.changesByCase.clear(caseId);
}
