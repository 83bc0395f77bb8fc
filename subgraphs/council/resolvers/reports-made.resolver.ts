import { reportsMadeResolver } from "../../shared/reports-made";
import type { CouncilLoaders } from "../loaders";

/** The reports people made to the council (ASB victims and complainants), for the community trigger. */
export const ReportsMadeResolver = reportsMadeResolver<CouncilLoaders>("council", (ctx, personIds) =>
  ctx.loaders.asbCases.reportsMade(personIds),
);
