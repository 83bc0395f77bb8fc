import { useState } from "react";
import { useQuery } from "urql";
import { ConsoleNeighbourhoodsDocument } from "../../generated/graphql";

const SHOWN = 25;

/**
 * Neighbourhoods to tick, found by part of a name, code or local authority. The ones ticked stay
 * at the top whatever is searched, so a choice is never hidden.
 */
export function NeighbourhoodPicker({
  selected,
  onChange,
  error,
}: {
  selected: string[];
  onChange(codes: string[]): void;
  error?: string;
}) {
  const [result] = useQuery({ query: ConsoleNeighbourhoodsDocument });
  const [search, setSearch] = useState("");
  const all = result.data?.neighbourhoodList ?? [];
  const wanted = search.trim().toLowerCase();
  const matches = all.filter(
    (n) =>
      !selected.includes(n.code) &&
      (!wanted || `${n.name} ${n.code} ${n.localAuthority}`.toLowerCase().includes(wanted)),
  );
  const chosen = selected.map(
    (code) => all.find((n) => n.code === code) ?? { code, name: code, localAuthority: "" },
  );
  const shown = [...chosen, ...matches.slice(0, SHOWN)];
  const toggle = (code: string) =>
    onChange(selected.includes(code) ? selected.filter((c) => c !== code) : [...selected, code]);

  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`}>
      <fieldset
        className="govuk-fieldset"
        aria-describedby={`dashboard-codes-hint${error ? " dashboard-codes-error" : ""}`}
      >
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Neighbourhoods</legend>
        <div className="govuk-hint" id="dashboard-codes-hint">
          Tick the neighbourhoods (LSOAs) to show. {selected.length} chosen.
        </div>
        {error ? (
          <p className="govuk-error-message" id="dashboard-codes-error">
            <span className="govuk-visually-hidden">Error:</span> {error}
          </p>
        ) : null}
        <label className="govuk-label" htmlFor="dashboard-search">
          Find a neighbourhood by name, code or local authority
        </label>
        <input
          className="govuk-input govuk-input--width-20 govuk-!-margin-bottom-3"
          id="dashboard-search"
          type="search"
          value={search}
          autoComplete="off"
          onChange={(e) => setSearch(e.target.value)}
        />
        {result.fetching ? <p className="govuk-body-s">Loading neighbourhoods…</p> : null}
        <div
          className="govuk-checkboxes govuk-checkboxes--small console-picker"
          data-module="govuk-checkboxes"
        >
          {shown.map((n) => (
            <div className="govuk-checkboxes__item" key={n.code}>
              <input
                className="govuk-checkboxes__input"
                id={`neighbourhood-${n.code}`}
                type="checkbox"
                value={n.code}
                checked={selected.includes(n.code)}
                onChange={() => toggle(n.code)}
              />
              <label className="govuk-label govuk-checkboxes__label" htmlFor={`neighbourhood-${n.code}`}>
                {n.name}{" "}
                <span className="govuk-hint govuk-!-display-inline">
                  {n.code}
                  {n.localAuthority ? `, ${n.localAuthority}` : ""}
                </span>
              </label>
            </div>
          ))}
        </div>
        {matches.length > SHOWN ? (
          <p className="govuk-body-s">
            {matches.length - SHOWN} more match: type more of the name to narrow the list.
          </p>
        ) : null}
        {result.data && wanted && matches.length === 0 ? (
          <p className="govuk-body-s">No other neighbourhood matches “{search.trim()}”.</p>
        ) : null}
      </fieldset>
    </div>
  );
}
