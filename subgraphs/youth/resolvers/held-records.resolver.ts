import { heldRecordsResolver } from "../../shared/subject-access";
import type { YouthLoaders } from "../loaders";

/** What youth holds about a person, for its own data-sharing officer's subject access export. */
export const HeldRecordsResolver = heldRecordsResolver<YouthLoaders>("youth", (ctx, personId) =>
  ctx.loaders.youth.heldAbout(personId),
);
