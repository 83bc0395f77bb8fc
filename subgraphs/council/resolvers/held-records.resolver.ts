import { heldRecordsResolver } from "../../shared/subject-access";
import type { CouncilLoaders } from "../loaders";

/** What council holds about a person, for its own data-sharing officer's subject access export. */
export const HeldRecordsResolver = heldRecordsResolver<CouncilLoaders>("council", (ctx, personId) =>
  ctx.loaders.asbCases.heldAbout(personId),
);
