import { heldRecordsResolver } from "../../shared/subject-access";
import type { HousingLoaders } from "../loaders";

/** What housing holds about a person, for its own data-sharing officer's subject access export. */
export const HeldRecordsResolver = heldRecordsResolver<HousingLoaders>("housing", (ctx, personId) =>
  ctx.loaders.housing.heldAbout(personId),
);
