import { neighbourhoodStatisticResolver } from "../../shared/neighbourhood-statistics";
import type { HousingLoaders } from "../loaders";
import { TenancyActionStat, Neighbourhood } from "../types";

export const NeighbourhoodTenancyActionStatsResolver = neighbourhoodStatisticResolver<HousingLoaders, "type">(
  {
    neighbourhood: Neighbourhood,
    stat: TenancyActionStat,
    cellsField: "tenancyActionStats",
    totalsField: "tenancyActionMonthTotals",
    kindField: "type",
    loader: (loaders) => loaders.tenancyActionCounts,
    description:
      "Monthly counts of tenancy actions on homes in the neighbourhood, by type; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
    counted: "tenancy actions",
  },
);
