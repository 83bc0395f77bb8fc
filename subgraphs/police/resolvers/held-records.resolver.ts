import { heldRecordsResolver } from "../../shared/subject-access";
import type { PoliceLoaders } from "../loaders";

/** What police holds about a person, for its own data-sharing officer's subject access export. */
export const HeldRecordsResolver = heldRecordsResolver<PoliceLoaders>("police", (ctx, personId) =>
  ctx.loaders.incidents.heldAbout(personId),
);
