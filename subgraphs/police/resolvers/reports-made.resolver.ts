import { reportsMadeResolver } from "../../shared/reports-made";
import type { PoliceLoaders } from "../loaders";

/** The reports people made to police (as victim or reporter), for partnership's community trigger. */
export const ReportsMadeResolver = reportsMadeResolver<PoliceLoaders>("police", (ctx, personIds) =>
  ctx.loaders.incidents.reportsMade(personIds),
);
