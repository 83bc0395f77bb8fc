import type { Purpose, Role } from "../generated/enums";

/** Every purpose, in words a person uses (the graph's enum, so a new one fails the build here). */
export const PURPOSE_NAMES: Record<Purpose, string> = {
  ASB_CASE_MANAGEMENT: "Managing an anti-social behaviour case",
  SAFEGUARDING: "Safeguarding",
  CRIME_PREVENTION: "Crime prevention",
  YOUTH_DIVERSION: "Youth diversion",
  TENANCY_SUSTAINMENT: "Tenancy sustainment",
  STATISTICS: "Statistics",
  DATA_PROTECTION: "Data protection (a person's rights, retention)",
};

export const PURPOSES = Object.keys(PURPOSE_NAMES) as Purpose[];

/**
 * What an agreement may share data for, as the propose and amend forms offer it: not STATISTICS
 * (analysts see perturbed counts, never shared records) and not DATA_PROTECTION (a data-sharing
 * officer's own work, which the graph refuses in agreements and amendments).
 */
export const AGREEMENT_PURPOSE_OPTIONS = PURPOSES.filter(
  (p) => p !== "STATISTICS" && p !== "DATA_PROTECTION",
).map((p) => ({ value: p, label: PURPOSE_NAMES[p] }));

/**
 * Analysts work only under STATISTICS; everyone else under any purpose but it, and DATA_PROTECTION
 * is a data-sharing officer's own (the graph refuses its work to anyone else).
 */
export function purposesFor(role: Role): Purpose[] {
  if (role === "ANALYST") return ["STATISTICS"];
  return PURPOSES.filter(
    (p) => p !== "STATISTICS" && (p !== "DATA_PROTECTION" || role === "DATA_SHARING_OFFICER"),
  );
}

export function defaultPurpose(role: Role): Purpose {
  return role === "ANALYST"
    ? "STATISTICS"
    : role === "DATA_SHARING_OFFICER"
      ? "SAFEGUARDING"
      : "CRIME_PREVENTION";
}
