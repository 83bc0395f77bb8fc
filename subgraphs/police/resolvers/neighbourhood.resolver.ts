import { neighbourhoodStatisticResolver } from "../../shared/neighbourhood-statistics";
import type { PoliceLoaders } from "../loaders";
import { IncidentStat, Neighbourhood } from "../types";

export const NeighbourhoodIncidentStatsResolver = neighbourhoodStatisticResolver<PoliceLoaders, "category">({
  neighbourhood: Neighbourhood,
  stat: IncidentStat,
  cellsField: "incidentStats",
  totalsField: "incidentMonthTotals",
  kindField: "category",
  loader: (loaders) => loaders.incidentCounts,
  description:
    "Monthly incident counts by crime type; perturbed by the cell-key method (fixed noise of at most 5 either way, never 1 to 4; cells released as 0 are left out).",
  counted: "incidents",
});
