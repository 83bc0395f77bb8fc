import type { DataCategory } from "../../generated/enums";

/** An enum value as words: TENANCY_SUSTAINMENT → "Tenancy sustainment". */
export function enumWords(value: string | null | undefined): string {
  if (!value) return "";
  const text = value.toLowerCase().replace(/_/g, " ");
  return text[0].toUpperCase() + text.slice(1);
}

/** Every data category, in the words the register and the forms use. */
export const CATEGORY_NAMES: Record<DataCategory, string> = {
  IDENTITY: "Identity",
  INCIDENT_SUMMARY: "Incident summaries",
  INCIDENT_NARRATIVE: "Incident narratives",
  OFFENDING: "Offending",
  ASB_CASE: "ASB cases",
  RISK: "Risk assessments",
  EDUCATION: "Education",
  YOUTH_PROGRAMME: "Youth programmes",
  TENANCY: "Tenancies",
  FINANCIAL: "Financial (arrears)",
};

export const CATEGORIES = Object.keys(CATEGORY_NAMES) as DataCategory[];

/** A timestamp as a person in the UK reads it. */
export function when(value: string | null | undefined): string {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/London" });
}

/** Today in London, YYYY-MM-DD. */
export function todayIso(now = new Date()): string {
  return now.toLocaleDateString("en-CA", { timeZone: "Europe/London" });
}

/** Whole days from `from` to `to` (YYYY-MM-DD each). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
