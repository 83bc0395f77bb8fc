import { reportCountsResolver } from "../../shared/report-counts";
import type { PoliceLoaders } from "../loaders";

/** How many reports people made to police, counted for the case review threshold notice (the service identity only). */
export const ReportCountsResolver = reportCountsResolver<PoliceLoaders>("police", (ctx, personIds) =>
  ctx.loaders.incidents.reportsMade(personIds),
);
