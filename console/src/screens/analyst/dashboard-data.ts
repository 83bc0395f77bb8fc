import type { NeighbourhoodDashboardQuery } from "../../generated/graphql";

type Neighbourhood = NeighbourhoodDashboardQuery["neighbourhoods"][number];

/** One released number: a neighbourhood's count of one category in one month, from one agency. */
export interface Cell {
  code: string;
  neighbourhood: string;
  measure: MeasureId;
  month: string;
  category: string;
  /** null when the graph withheld it (the field's error says why). */
  count: number | null;
}

export type MeasureId = "incidentStats" | "asbCaseStats" | "tenancyActionStats" | "referralStats";

/** The dashboard's four measures: which agency's records each counts, in the partnership's words. */
export const MEASURES: { id: MeasureId; title: string; agency: string; of: string }[] = [
  { id: "incidentStats", title: "Incidents by crime type", agency: "Police", of: "crime type" },
  { id: "asbCaseStats", title: "Anti-social behaviour cases by category", agency: "Council", of: "category" },
  { id: "tenancyActionStats", title: "Tenancy actions by type", agency: "Housing", of: "action type" },
  {
    id: "referralStats",
    title: "Referrals by programme kind",
    agency: "Youth services",
    of: "programme kind",
  },
];

/** Every cell of one neighbourhood's measure (null: the measure as a whole was not released). */
export function cellsOf(n: Neighbourhood, measure: MeasureId): Cell[] | null {
  const stats = n[measure];
  if (!stats) return null;
  return stats.map((s) => ({
    code: n.code,
    neighbourhood: n.name,
    measure,
    month: s.month,
    category: "category" in s ? s.category : "type" in s ? s.type : s.kind,
    count: s.count,
  }));
}

/** "ANTI_SOCIAL_BEHAVIOUR" → "Anti social behaviour". */
export function words(value: string): string {
  const lower = value.toLowerCase().replace(/_/g, " ");
  return lower[0].toUpperCase() + lower.slice(1);
}

/** Rows for a chart: one per month, a key per category. */
export function chartRows(cells: Cell[]): { rows: Record<string, string | number>[]; categories: string[] } {
  const categories = [...new Set(cells.map((c) => c.category))].sort();
  const months = [...new Set(cells.map((c) => c.month))].sort();
  const rows = months.map((month) => {
    const row: Record<string, string | number> = { month };
    for (const c of cells) if (c.month === month && c.count !== null) row[c.category] = c.count;
    return row;
  });
  return { rows, categories };
}

function csvField(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  // Quoted when needed, and a leading =, +, - or @ neutralised so a spreadsheet never runs it.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_NOTE =
  "Counts are perturbed by disclosure control: small counts come out as 0 or as 5 and up, and cells need not add up to totals. They are not exact.";

/** The same numbers as the charts and tables, one line per cell; withheld cells are empty. */
export function toCsv(cells: Cell[]): string {
  const header = ["neighbourhood_code", "neighbourhood", "agency", "measure", "month", "category", "count"];
  const lines = cells.map((c) => {
    const measure = MEASURES.find((m) => m.id === c.measure)!;
    return [c.code, c.neighbourhood, measure.agency, measure.title, c.month, c.category, c.count]
      .map(csvField)
      .join(",");
  });
  return `${[`# ${CSV_NOTE}`, header.join(","), ...lines].join("\r\n")}\r\n`;
}
