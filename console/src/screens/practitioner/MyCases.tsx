import { useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import { ConsoleMyCasesDocument } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { Link } from "../../router";
import { enumWords } from "../common/words";

/** A practitioner's cases (those their agency leads or partners) and their agency's open and overdue actions. */
export function MyCases() {
  const { session } = useAuth();
  const mine = session?.caller.agency;
  const [result] = useQuery({ query: ConsoleMyCasesDocument });
  const problems = result.error ? describeCombinedError(result.error) : [];
  const cases = result.data?.problemCases.edges.map((e) => e.node) ?? [];
  const actions = cases
    .flatMap((c) => c.actions.map((a) => ({ ...a, case: c })))
    .filter((a) => a.assignedAgency?.id === mine && (a.status === "OPEN" || a.status === "OVERDUE"))
    .sort((a, b) =>
      a.status === b.status ? a.dueOn.localeCompare(b.dueOn) : a.status === "OVERDUE" ? -1 : 1,
    );
  return (
    <>
      <h1 className="govuk-heading-l">Cases</h1>
      <Link to="/cases/open" className="govuk-button" role="button" draggable={false}>
        Open a case
      </Link>
      <Problems problems={problems} partial={Boolean(result.data)} />
      {result.fetching ? (
        <p className="govuk-body" role="status">
          Loading…
        </p>
      ) : null}
      {result.data ? (
        <>
          <h2 className="govuk-heading-m">Your agency&apos;s actions</h2>
          {actions.length ? (
            <table className="govuk-table" data-testid="my-actions">
              <caption className="govuk-visually-hidden">
                Open and overdue actions assigned to your agency
              </caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {["Action", "Case", "Due", "Status"].map((h) => (
                    <th scope="col" className="govuk-table__header" key={h}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {actions.map((a) => (
                  <tr className="govuk-table__row" key={a.id}>
                    <td className="govuk-table__cell">{a.description}</td>
                    <td className="govuk-table__cell">
                      <Link className="govuk-link" to={`/case?id=${encodeURIComponent(a.case.id)}`}>
                        {a.case.reference}
                      </Link>
                    </td>
                    <td className="govuk-table__cell">{a.dueOn}</td>
                    <td className="govuk-table__cell">
                      <strong
                        className={`govuk-tag ${a.status === "OVERDUE" ? "govuk-tag--red" : "govuk-tag--blue"}`}
                      >
                        {enumWords(a.status)}
                      </strong>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="govuk-body">No open actions are assigned to your agency.</p>
          )}
          <p className="govuk-body">
            <Link className="govuk-link" to="/my-actions">
              All your agency&apos;s actions
            </Link>
            , done and cancelled ones too.
          </p>
          <h2 className="govuk-heading-m">Cases your agency works</h2>
          {cases.length ? (
            <table className="govuk-table" data-testid="my-cases">
              <caption className="govuk-visually-hidden">Cases your agency leads or partners</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {["Case", "Problem", "Stage", "Risk", "Lead"].map((h) => (
                    <th scope="col" className="govuk-table__header" key={h}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {cases.map((c) => (
                  <tr className="govuk-table__row" key={c.id}>
                    <td className="govuk-table__cell">
                      <Link className="govuk-link" to={`/case?id=${encodeURIComponent(c.id)}`}>
                        {c.reference}
                      </Link>
                      <div>{c.title}</div>
                    </td>
                    <td className="govuk-table__cell">{c.problemType}</td>
                    <td className="govuk-table__cell">{enumWords(c.stage)}</td>
                    <td className="govuk-table__cell">{enumWords(c.riskLevel)}</td>
                    <td className="govuk-table__cell">{c.lead?.name ?? "Not known"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="govuk-body">Your agency leads or partners no case yet.</p>
          )}
        </>
      ) : null}
    </>
  );
}
