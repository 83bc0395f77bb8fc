import type { Sql } from "../shared/database";
import { loaderByKey, loaderGroupedBy, loaderOfChildren, loaderOfPages } from "../shared/loaders";
import { YouthRepository, type ReferralCount } from "./repository";
import type { Enrolment, Programme, Referral, ReferralStatusChange, School } from "./types";

export interface ReferralCountsKey {
  lsoaCode: string;
  fromMonth: string;
  toMonth: string;
}

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
    enrolmentsByPerson: loaderOfPages((ids, page) => youth.enrolmentPagesForPeople(ids, page)),
    referralsByPerson: loaderOfPages((ids, page) => youth.referralPagesForPeople(ids, page)),
    historyByReferral: loaderOfChildren<string, ReferralStatusChange>(
      (ids) => youth.historiesOf(ids),
      (c) => c.referralId,
    ),
    referralCounts: loaderGroupedBy<ReferralCountsKey, ReferralCount[]>(
      (k) => `${k.fromMonth}:${k.toMonth}`,
      async (keys) => {
        const rows = await youth.countsFor(
          keys.map((k) => k.lsoaCode),
          keys[0].fromMonth,
          keys[0].toMonth,
        );
        const byCode = new Map<string, ReferralCount[]>();
        for (const row of rows) {
          const group = byCode.get(row.lsoaCode);
          if (group) group.push(row);
          else byCode.set(row.lsoaCode, [row]);
        }
        return keys.map((k) => byCode.get(k.lsoaCode) ?? []);
      },
      (k) => `${k.lsoaCode}:${k.fromMonth}:${k.toMonth}`,
    ),
  };
}

export type YouthLoaders = ReturnType<typeof createYouthLoaders>;
