import { useState, type FormEvent } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useQuery } from "urql";
import { NeighbourhoodDashboardDocument, type NeighbourhoodDashboardQuery } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { cellsOf, chartRows, MEASURES, toCsv, words, type Cell, type MeasureId } from "./dashboard-data";
import { NeighbourhoodPicker } from "./NeighbourhoodPicker";
import { PerturbationNote } from "./PerturbationNote";

/** GOV.UK colours, told apart by more than hue where a chart has few series. */
const COLOURS = [
  "#1d70b8",
  "#d4351c",
  "#00703c",
  "#f47738",
  "#4c2c92",
  "#b58840",
  "#5694ca",
  "#912b88",
  "#28a197",
  "#505a5f",
  "#f499be",
  "#85994b",
  "#003078",
  "#6f72af",
];

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

interface Choice {
  codes: string[];
  fromMonth: string;
  toMonth: string;
}

interface FieldErrors {
  codes?: string;
  fromMonth?: string;
  toMonth?: string;
}

function validate(
  codes: string[],
  fromMonth: string,
  toMonth: string,
): { choice?: Choice; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!codes.length) errors.codes = "Choose at least one neighbourhood";
  if (!MONTH.test(fromMonth)) errors.fromMonth = "Enter the first month as YYYY-MM, for example 2019-01";
  if (!MONTH.test(toMonth)) errors.toMonth = "Enter the last month as YYYY-MM, for example 2019-06";
  else if (MONTH.test(fromMonth) && toMonth < fromMonth)
    errors.toMonth = "The last month must be after the first";
  return Object.keys(errors).length ? { errors } : { choice: { codes, fromMonth, toMonth }, errors };
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function MeasureView({
  id,
  cells,
  place,
  placeName,
}: {
  id: MeasureId;
  cells: Cell[];
  place: string;
  placeName: string;
}) {
  const measure = MEASURES.find((m) => m.id === id)!;
  const { rows, categories } = chartRows(cells);
  const months = rows.map((r) => String(r.month));
  const headingId = `${place}-${id}`;
  return (
    <section className="govuk-!-margin-bottom-6" aria-labelledby={headingId} data-measure={id}>
      <h3 className="govuk-heading-s" id={headingId}>
        {measure.title} ({measure.agency})
      </h3>
      <PerturbationNote />
      {cells.length === 0 ? (
        <p className="govuk-body">No counts were released for these months.</p>
      ) : (
        <>
          <figure className="govuk-!-margin-0">
            <div className="console-chart" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={rows} accessibilityLayer={false}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="month" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend formatter={(value: string) => words(value)} />
                  {categories.map((c, i) => (
                    <Bar
                      key={c}
                      dataKey={c}
                      name={c}
                      stackId="a"
                      fill={COLOURS[i % COLOURS.length]}
                      isAnimationActive={false}
                    />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
            <figcaption className="govuk-body-s">
              Chart of {measure.title.toLowerCase()} per month; the table below has the same numbers.
            </figcaption>
          </figure>
          <details className="govuk-details">
            <summary className="govuk-details__summary">
              <span className="govuk-details__summary-text">Table of {measure.title.toLowerCase()}</span>
            </summary>
            <div className="govuk-details__text console-table-wrap">
              <PerturbationNote />
              <table className="govuk-table" data-testid={`table-${place}-${id}`}>
                <caption className="govuk-table__caption govuk-table__caption--s">
                  {measure.title}, {placeName} (perturbed counts)
                </caption>
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    <th scope="col" className="govuk-table__header">
                      {words(measure.of)}
                    </th>
                    {months.map((m) => (
                      <th scope="col" className="govuk-table__header govuk-table__header--numeric" key={m}>
                        {m}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {categories.map((c) => (
                    <tr className="govuk-table__row" key={c}>
                      <th scope="row" className="govuk-table__header" data-category={c}>
                        {words(c)}
                      </th>
                      {months.map((m) => {
                        const cell = cells.find((x) => x.month === m && x.category === c);
                        return (
                          <td className="govuk-table__cell govuk-table__cell--numeric" key={m} data-month={m}>
                            {cell === undefined ? "" : cell.count === null ? "withheld" : cell.count}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

function Results({ data }: { data: NeighbourhoodDashboardQuery }) {
  const all = data.neighbourhoods.flatMap((n) => MEASURES.flatMap((m) => cellsOf(n, m.id) ?? []));
  return (
    <>
      <button
        type="button"
        className="govuk-button govuk-button--secondary"
        onClick={() => download("neighbourhood-dashboard.csv", toCsv(all))}
      >
        Download the numbers as CSV
      </button>
      {data.neighbourhoods.map((n) => (
        <section key={n.code} aria-labelledby={`n-${n.code}`} data-neighbourhood={n.code}>
          <h2 className="govuk-heading-m" id={`n-${n.code}`}>
            {n.name}{" "}
            <span className="govuk-caption-m">
              {n.code}, {n.localAuthority}
            </span>
          </h2>
          {MEASURES.map((m) => {
            const cells = cellsOf(n, m.id);
            return cells ? (
              <MeasureView key={m.id} id={m.id} cells={cells} place={n.code} placeName={n.name} />
            ) : (
              <section key={m.id} data-measure={m.id}>
                <h3 className="govuk-heading-s">
                  {m.title} ({m.agency})
                </h3>
                <p className="govuk-body">Not available: see the problem named at the top of the page.</p>
              </section>
            );
          })}
        </section>
      ))}
    </>
  );
}

/** The analysts' neighbourhood dashboard: monthly perturbed counts from every agency. */
export function Dashboard() {
  const [codes, setCodes] = useState<string[]>(["E01032739", "E01032740"]);
  const [fromMonth, setFromMonth] = useState("2019-01");
  const [toMonth, setToMonth] = useState("2019-06");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [choice, setChoice] = useState<Choice | null>(null);
  const [result] = useQuery({
    query: NeighbourhoodDashboardDocument,
    variables: choice ?? { codes: [], fromMonth: "", toMonth: "" },
    pause: !choice,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = validate(codes, fromMonth, toMonth);
    setErrors(checked.errors);
    if (checked.choice) setChoice(checked.choice);
  };

  const problems = result.error ? describeCombinedError(result.error) : [];
  const names = new Map(result.data?.neighbourhoods.map((n, i) => [i, n.name]) ?? []);
  const describePath = (path: string) => {
    const [, index, field] = path.split(".");
    const measure = MEASURES.find((m) => m.id === field);
    return measure
      ? `${measure.title.toLowerCase()} for ${names.get(Number(index)) ?? "a neighbourhood"}`
      : path;
  };
  const field = (name: keyof FieldErrors) => (errors[name] ? " govuk-form-group--error" : "");

  return (
    <>
      <h1 className="govuk-heading-l">Neighbourhood dashboard</h1>
      <p className="govuk-body">
        Monthly counts from each agency for the neighbourhoods and months you choose.
      </p>
      <form onSubmit={submit} noValidate>
        <NeighbourhoodPicker selected={codes} onChange={setCodes} error={errors.codes} />
        <div className={`govuk-form-group${field("fromMonth")}`}>
          <label className="govuk-label govuk-label--s" htmlFor="dashboard-from">
            First month
          </label>
          <div className="govuk-hint" id="dashboard-from-hint">
            YYYY-MM
          </div>
          {errors.fromMonth ? (
            <p className="govuk-error-message" id="dashboard-from-error">
              <span className="govuk-visually-hidden">Error:</span> {errors.fromMonth}
            </p>
          ) : null}
          <input
            className={`govuk-input govuk-input--width-10${errors.fromMonth ? " govuk-input--error" : ""}`}
            id="dashboard-from"
            value={fromMonth}
            aria-describedby={`dashboard-from-hint${errors.fromMonth ? " dashboard-from-error" : ""}`}
            onChange={(e) => setFromMonth(e.target.value)}
          />
        </div>
        <div className={`govuk-form-group${field("toMonth")}`}>
          <label className="govuk-label govuk-label--s" htmlFor="dashboard-to">
            Last month
          </label>
          <div className="govuk-hint" id="dashboard-to-hint">
            YYYY-MM
          </div>
          {errors.toMonth ? (
            <p className="govuk-error-message" id="dashboard-to-error">
              <span className="govuk-visually-hidden">Error:</span> {errors.toMonth}
            </p>
          ) : null}
          <input
            className={`govuk-input govuk-input--width-10${errors.toMonth ? " govuk-input--error" : ""}`}
            id="dashboard-to"
            value={toMonth}
            aria-describedby={`dashboard-to-hint${errors.toMonth ? " dashboard-to-error" : ""}`}
            onChange={(e) => setToMonth(e.target.value)}
          />
        </div>
        <button type="submit" className="govuk-button">
          Show the dashboard
        </button>
      </form>
      {result.fetching ? (
        <p className="govuk-body" role="status">
          Loading…
        </p>
      ) : null}
      <Problems problems={problems} partial={Boolean(result.data)} describePath={describePath} />
      {result.data && !result.fetching ? <Results data={result.data} /> : null}
    </>
  );
}
