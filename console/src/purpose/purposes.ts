import type { Purpose, Role } from "../generated/enums";

/** Every purpose, in words a person uses (the graph's enum, so a new one fails the build here). */
export const PURPOSE_NAMES: Record<Purpose, string> = {
  ASB_CASE_MANAGEMENT: "Managing an anti-social behaviour case",
  SAFEGUARDING: "Safeguarding",
  CRIME_PREVENTION: "Crime prevention",
  YOUTH_DIVERSION: "Youth diversion",
  TENANCY_SUSTAINMENT: "Tenancy sustainment",
  STATISTICS: "Statistics",
};

export const PURPOSES = Object.keys(PURPOSE_NAMES) as Purpose[];

/** Analysts work only under STATISTICS; everyone else under any purpose but it. */
export function purposesFor(role: Role): Purpose[] {
  return role === "ANALYST" ? ["STATISTICS"] : PURPOSES.filter((p) => p !== "STATISTICS");
}

export function defaultPurpose(role: Role): Purpose {
  return role === "ANALYST"
    ? "STATISTICS"
    : role === "DATA_SHARING_OFFICER"
      ? "SAFEGUARDING"
      : "CRIME_PREVENTION";
}
