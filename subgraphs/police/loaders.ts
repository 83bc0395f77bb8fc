import { monthlyCountsLoader, type AssessmentCounts } from "../shared/rollups";
import DataLoader from "dataloader";
import type { Sql } from "../shared/database";
import type { AssessmentWindows } from "../shared/sealed-assessment";
import { loaderByKey, loaderGroupedBy, loaderOfChildren, loaderOfPersonPages } from "../shared/loaders";
import {
  IncidentRepository,
  type IncidentPage,
  type InvolvementRow,
  type NearbyQuery,
  type OutcomeRow,
} from "./repository";
import type { Incident } from "./types";

export interface NearbyKey extends NearbyQuery {
  caseId: string;
  offset: number;
  limit: number;
}

export type AssessmentKey = AssessmentWindows & { id: string };

/** The police subgraph's per-request loaders; made fresh for every request. */
export function createPoliceLoaders(sql: Sql) {
  const incidents = new IncidentRepository(sql);
  return {
    incidents,
    incidentById: loaderByKey<string, Incident>(
      (ids) => incidents.findByIds(ids),
      (i) => i.id,
    ),
    involvementsByIncident: loaderOfChildren<string, InvolvementRow>(
      (ids) => incidents.involvementsFor(ids),
      (r) => r.incidentId,
    ),
    outcomesByIncident: loaderOfChildren<string, OutcomeRow>(
      (ids) => incidents.outcomesFor(ids),
      (r) => r.incidentId,
    ),
    incidentsByPerson: loaderOfPersonPages((groups, page) => incidents.pagesForPeople(groups, page)),
    nearbyIncidents: loaderGroupedBy<NearbyKey, IncidentPage>(
      (k) => `${k.offset}:${k.limit}`,
      (keys) => incidents.nearby(keys, keys[0]),
      (k) =>
        `${k.caseId}:${k.latitude}:${k.longitude}:${k.fromMonth}:${k.toMonth}:${k.radiusMetres}:${k.offset}:${k.limit}`,
    ),
    incidentCounts: monthlyCountsLoader((codes, from, to) => incidents.countsFor(codes, from, to)),
    assessmentCounts: new DataLoader<AssessmentKey, AssessmentCounts, string>(
      (keys) => incidents.assessmentCounts(keys),
      {
        cacheKeyFn: (k) => k.id,
      },
    ),
  };
}

export type PoliceLoaders = ReturnType<typeof createPoliceLoaders>;
