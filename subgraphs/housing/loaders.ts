import { monthlyCountsLoader } from "../shared/rollups";
import type { Sql } from "../shared/database";
import { loaderByKey, loaderOfChildren, loaderOfPersonPages } from "../shared/loaders";
import { HousingRepository, type OccupantRow } from "./repository";
import type { HousingReport, Property, Tenancy, TenancyAction } from "./types";

/** The housing subgraph's per-request loaders; made fresh for every request. */
export function createHousingLoaders(sql: Sql) {
  const housing = new HousingRepository(sql);
  return {
    housing,
    propertyById: loaderByKey<string, Property>(
      (ids) => housing.propertiesByIds(ids),
      (p) => p.id,
    ),
    propertyByUprn: loaderByKey<string, Property>(
      (uprns) => housing.propertiesByUprns(uprns),
      (p) => p.uprn,
    ),
    tenancyById: loaderByKey<string, Tenancy>(
      (ids) => housing.tenanciesByIds(ids),
      (t) => t.id,
    ),
    housingReportById: loaderByKey<string, HousingReport>(
      (ids) => housing.housingReportsByIds(ids),
      (r) => r.id,
    ),
    occupantsByTenancy: loaderOfChildren<string, OccupantRow>(
      (ids) => housing.occupantsFor(ids),
      (o) => o.tenancyId,
    ),
    actionsByTenancy: loaderOfChildren<string, TenancyAction>(
      (ids) => housing.actionsFor(ids),
      (a) => a.tenancyId,
    ),
    tenanciesByPerson: loaderOfPersonPages((groups, page) => housing.tenancyPagesForPeople(groups, page)),
    housingReportsByPerson: loaderOfPersonPages((groups, page) => housing.reportPagesForPeople(groups, page)),
    tenancyActionCounts: monthlyCountsLoader((codes, from, to) => housing.actionCountsFor(codes, from, to)),
  };
}

export type HousingLoaders = ReturnType<typeof createHousingLoaders>;
