import { CATEGORY_NAMES } from "./words";
import type { DataCategory } from "../../generated/enums";

export interface RestrictedRow {
  agency?: { id: string; name: string } | null;
  category: DataCategory;
  count: number;
  contact: string;
}

/**
 * "Held but restricted": records an agency holds that the rules withhold from the caller, where an
 * agreement for the purpose exists between the two (otherwise the graph says nothing, and neither
 * does this). Shown as such, never as an empty list.
 */
export function Restricted({
  rows,
  what,
}: {
  rows: readonly RestrictedRow[] | null | undefined;
  what: string;
}) {
  if (!rows?.length) return null;
  return (
    <div className="govuk-inset-text console-restricted" data-testid="restricted">
      {rows.map((r, i) => (
        <p className="govuk-body" key={`${r.agency?.id ?? "?"}-${r.category}-${i}`}>
          <strong className="govuk-tag govuk-tag--yellow">Held but restricted</strong>{" "}
          {r.agency?.name ?? "Another agency"} holds {r.count} {r.count === 1 ? "record" : "records"} of{" "}
          {what} ({CATEGORY_NAMES[r.category].toLowerCase()}) that the sharing rules withhold from you. To ask
          for access, contact {r.contact}.
        </p>
      ))}
    </div>
  );
}
