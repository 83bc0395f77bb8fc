import { neighbourhoodStatisticResolver } from "../../shared/neighbourhood-statistics";
import type { YouthLoaders } from "../loaders";
import { ReferralStat, Neighbourhood } from "../types";

export const NeighbourhoodReferralStatsResolver = neighbourhoodStatisticResolver<YouthLoaders, "kind">({
  neighbourhood: Neighbourhood,
  stat: ReferralStat,
  cellsField: "referralStats",
  totalsField: "referralMonthTotals",
  kindField: "kind",
  loader: (loaders) => loaders.referralCounts,
  description:
    "Monthly referrals to youth programmes by programme kind, counted by the young person's home " +
    "neighbourhood when referred; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  counted: "referrals to youth programmes",
});
