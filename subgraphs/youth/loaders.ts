import { monthlyCountsLoader } from "../shared/rollups";
import type { Sql } from "../shared/database";
import { loaderByKey, loaderOfChildren, loaderOfPersonPages } from "../shared/loaders";
import { YouthRepository } from "./repository";
import type { Enrolment, Programme, Referral, ReferralStatusChange, School } from "./types";

/** The youth subgraph's per-request loaders; made fresh for every request. */
export function createYouthLoaders(sql: Sql) {
  const youth = new YouthRepository(sql);
  return {
    youth,
    schoolById: loaderByKey<string, School>(
      (ids) => youth.schoolsByIds(ids),
      (s) => s.id,
    ),
    enrolmentById: loaderByKey<string, Enrolment>(
      (ids) => youth.enrolmentsByIds(ids),
      (e) => e.id,
    ),
    programmeById: loaderByKey<string, Programme>(
      (ids) => youth.programmesByIds(ids),
      (p) => p.id,
    ),
    referralById: loaderByKey<string, Referral>(
      (ids) => youth.referralsByIds(ids),
      (r) => r.id,
    ),
    enrolmentsByPerson: loaderOfPersonPages((groups, page) => youth.enrolmentPagesForPeople(groups, page)),
    referralsByPerson: loaderOfPersonPages((groups, page) => youth.referralPagesForPeople(groups, page)),
    historyByReferral: loaderOfChildren<string, ReferralStatusChange>(
      (ids) => youth.historiesOf(ids),
      (c) => c.referralId,
    ),
    referralCounts: monthlyCountsLoader((codes, from, to) => youth.countsFor(codes, from, to)),
  };
}

export type YouthLoaders = ReturnType<typeof createYouthLoaders>;
