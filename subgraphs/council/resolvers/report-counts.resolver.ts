import { reportCountsResolver } from "../../shared/report-counts";
import type { CouncilLoaders } from "../loaders";

/** How many reports people made to the council, counted for the case review threshold notice (the service identity only). */
export const ReportCountsResolver = reportCountsResolver<CouncilLoaders>("council", (ctx, personIds) =>
  ctx.loaders.asbCases.reportsMade(personIds),
);
