import { reportsMadeResolver } from "../../shared/reports-made";
import type { HousingLoaders } from "../loaders";

/** The reports tenants made to housing, for partnership's community trigger. */
export const ReportsMadeResolver = reportsMadeResolver<HousingLoaders>("housing", (ctx, personIds) =>
  ctx.loaders.housing.reportsMade(personIds),
);
