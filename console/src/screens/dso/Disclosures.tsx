import { useState } from "react";
import { useQuery } from "urql";
import { ConsoleDisclosuresDocument, type ConsoleDisclosuresQuery } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { PURPOSE_NAMES } from "../../purpose/purposes";
import { Link, navigate } from "../../router";
import { downloadText, toCsvText } from "../common/csv";
import { SelectField } from "../common/forms";
import { useSearchParam } from "../common/location";
import { PersonSearch } from "../common/PersonSearch";
import { CATEGORY_NAMES, enumWords, when } from "../common/words";

type Row = ConsoleDisclosuresQuery["disclosures"]["edges"][number]["node"];

/** Under what the data was released (or why refused), in words. */
export function basisWords(row: Row): string {
  if (row.decision === "DENIED")
    return `Refused${row.reason ? `: ${enumWords(row.reason).toLowerCase()}` : ""}`;
  if (row.breakGlass) return "Break-glass (emergency access)";
  if (row.consent)
    return `Consent ${row.consent.id}${row.agreement ? ` under ${row.agreement.reference}` : ""}`;
  if (row.agreement) return `Agreement ${row.agreement.reference}`;
  return enumWords(row.basis ?? "");
}

export function disclosuresCsv(rows: readonly Row[]): string {
  return toCsvText(
    [
      "when",
      "user",
      "role",
      "agency",
      "purpose",
      "operation",
      "categories",
      "records",
      "decision",
      "basis",
      "agreement",
      "consent",
      "break_glass",
    ],
    rows.map((r) => [
      r.at,
      r.actor.userId,
      r.actor.role,
      r.actor.agency.id,
      r.purpose ?? "",
      r.operationName ?? "",
      r.categories,
      r.recordIds,
      r.decision,
      r.decision === "DENIED" ? (r.reason ?? "") : (r.basis ?? ""),
      r.agreement?.reference ?? "",
      r.consent?.id ?? "",
      r.breakGlass ? "yes" : "no",
    ]),
  );
}

/** Who saw (or was refused) your agency's data about one person: when, why, on what basis. */
export function Disclosures() {
  const personId = useSearchParam("person");
  const [agency, setAgency] = useState("");
  const [decision, setDecision] = useState("");
  const [purpose, setPurpose] = useState("");
  const [result] = useQuery({
    query: ConsoleDisclosuresDocument,
    variables: { personId: personId ?? "" },
    pause: !personId,
  });
  const problems = result.error ? describeCombinedError(result.error) : [];
  const all = result.data?.disclosures.edges.map((e) => e.node) ?? [];
  const rows = all.filter(
    (r) =>
      (!agency || r.actor.agency.id === agency) &&
      (!decision || r.decision === decision) &&
      (!purpose || r.purpose === purpose),
  );
  const agencies = [...new Map(all.map((r) => [r.actor.agency.id, r.actor.agency.name])).entries()];
  const purposes = [
    ...new Set(all.map((r) => r.purpose).filter((p): p is NonNullable<typeof p> => Boolean(p))),
  ];
  return (
    <>
      <h1 className="govuk-heading-l">Disclosures register</h1>
      <p className="govuk-body">
        Who saw, or was refused, your agency&apos;s data about one person: when, why and on what basis.
      </p>
      {!personId ? (
        <PersonSearch
          action={(p) => (
            <button
              type="button"
              className="govuk-button govuk-button--secondary govuk-!-margin-0"
              onClick={() => navigate(`/disclosures?person=${encodeURIComponent(p.id)}`)}
            >
              Disclosures<span className="govuk-visually-hidden"> about {p.displayName ?? p.id}</span>
            </button>
          )}
        />
      ) : (
        <Link className="govuk-back-link" to="/disclosures">
          Find another person
        </Link>
      )}
      <Problems problems={problems} />
      {result.data ? (
        <>
          <div className="console-filters">
            <SelectField
              id="disclosures-agency"
              label="Agency that asked"
              value={agency}
              onChange={setAgency}
              options={[
                { value: "", label: "Any agency" },
                ...agencies.map(([id, name]) => ({ value: id, label: name })),
              ]}
            />
            <SelectField
              id="disclosures-decision"
              label="Decision"
              value={decision}
              onChange={setDecision}
              options={[
                { value: "", label: "Released or refused" },
                { value: "PERMITTED", label: "Released" },
                { value: "DENIED", label: "Refused" },
              ]}
            />
            <SelectField
              id="disclosures-purpose"
              label="Purpose"
              value={purpose}
              onChange={setPurpose}
              options={[
                { value: "", label: "Any purpose" },
                ...purposes.map((p) => ({ value: p, label: PURPOSE_NAMES[p] })),
              ]}
            />
          </div>
          <button
            type="button"
            className="govuk-button govuk-button--secondary"
            onClick={() => downloadText(`disclosures-${personId}.csv`, disclosuresCsv(rows))}
          >
            Download these as CSV
          </button>
          <table className="govuk-table" data-testid="disclosures">
            <caption className="govuk-table__caption govuk-table__caption--s">
              {rows.length} of {result.data.disclosures.totalCount} records
              {result.data.disclosures.pageInfo.hasNextPage
                ? " (the newest 500; narrow with the filters)"
                : ""}
            </caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {["When", "Who", "Why", "What", "Decision and basis"].map((h) => (
                  <th scope="col" className="govuk-table__header" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {rows.map((r) => (
                <tr className="govuk-table__row" key={r.id}>
                  <td className="govuk-table__cell">{when(r.at)}</td>
                  <td className="govuk-table__cell">
                    {r.actor.userId}
                    <div className="govuk-body-s">
                      {enumWords(r.actor.role)}, {r.actor.agency.name}
                    </div>
                  </td>
                  <td className="govuk-table__cell">
                    {r.purpose ? PURPOSE_NAMES[r.purpose] : "No purpose"}
                    {r.operationName ? <div className="govuk-body-s">{r.operationName}</div> : null}
                  </td>
                  <td className="govuk-table__cell">
                    {r.categories.map((c) => CATEGORY_NAMES[c]).join(", ")}
                    <div className="govuk-body-s">
                      {r.recordIds.length} record{r.recordIds.length === 1 ? "" : "s"}
                    </div>
                  </td>
                  <td className="govuk-table__cell">
                    <strong
                      className={`govuk-tag ${r.decision === "DENIED" ? "govuk-tag--red" : "govuk-tag--green"}`}
                    >
                      {r.decision === "DENIED" ? "Refused" : "Released"}
                    </strong>
                    <div className="govuk-body-s">{basisWords(r)}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </>
  );
}
