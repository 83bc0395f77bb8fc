import { neighbourhoodStatisticResolver } from "../../shared/neighbourhood-statistics";
import type { CouncilLoaders } from "../loaders";
import { AsbCaseStat, Neighbourhood } from "../types";

export const NeighbourhoodAsbCaseStatsResolver = neighbourhoodStatisticResolver<CouncilLoaders, "category">({
  neighbourhood: Neighbourhood,
  stat: AsbCaseStat,
  cellsField: "asbCaseStats",
  totalsField: "asbCaseMonthTotals",
  kindField: "category",
  loader: (loaders) => loaders.asbCaseCounts,
  description:
    "ASB cases opened per month and kind of ASB; months and kinds with none are left out; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  counted: "ASB cases opened",
});
