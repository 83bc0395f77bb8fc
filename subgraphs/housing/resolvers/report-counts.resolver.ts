import { reportCountsResolver } from "../../shared/report-counts";
import type { HousingLoaders } from "../loaders";

/** How many reports people made to housing, counted for the case review threshold notice (the service identity only). */
export const ReportCountsResolver = reportCountsResolver<HousingLoaders>("housing", (ctx, personIds) =>
  ctx.loaders.housing.reportsMade(personIds),
);
