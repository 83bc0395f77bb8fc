import { useState } from "react";
import { useQuery } from "urql";
import type { CaseActionStatus } from "../../generated/enums";
import { MyAgencyActionsDocument } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { Link } from "../../router";
import { SelectField } from "../common/forms";
import { enumWords } from "../common/words";

const STATUSES: CaseActionStatus[] = ["OPEN", "OVERDUE", "DONE", "CANCELLED"];
const PAGE = 50;

function tag(status: CaseActionStatus): string {
  return status === "OVERDUE"
    ? "govuk-tag--red"
    : status === "DONE"
      ? "govuk-tag--green"
      : status === "CANCELLED"
        ? "govuk-tag--grey"
        : "govuk-tag--blue";
}

/**
 * The actions assigned to the practitioner's agency on every case it leads or partners, by due
 * date (the graph's myAgencyActions): overdue is an open action past its due date.
 */
export function MyAgencyActions() {
  const [status, setStatus] = useState("");
  const [pages, setPages] = useState<(string | null)[]>([null]);
  return (
    <>
      <h1 className="govuk-heading-l">My agency&apos;s actions</h1>
      <p className="govuk-body">
        Actions assigned to your agency on every case it leads or partners, by due date. An open action past
        its due date is overdue.
      </p>
      <SelectField
        id="actions-status"
        label="Show"
        value={status}
        onChange={(s) => {
          setStatus(s);
          setPages([null]);
        }}
        options={[
          { value: "", label: "Every action" },
          ...STATUSES.map((s) => ({ value: s, label: `${enumWords(s)} only` })),
        ]}
      />
      {pages.map((after, i) => (
        <ActionsPage
          key={`${status}-${after ?? "first"}`}
          status={(status || null) as CaseActionStatus | null}
          after={after}
          first={i === 0}
          last={i === pages.length - 1}
          onMore={(cursor) => setPages((p) => [...p, cursor])}
        />
      ))}
    </>
  );
}

function ActionsPage({
  status,
  after,
  first,
  last,
  onMore,
}: {
  status: CaseActionStatus | null;
  after: string | null;
  first: boolean;
  last: boolean;
  onMore(cursor: string): void;
}) {
  const [result] = useQuery({ query: MyAgencyActionsDocument, variables: { status, first: PAGE, after } });
  const actions = result.data?.myAgencyActions;
  if (result.error) return <Problems problems={describeCombinedError(result.error)} />;
  if (!actions)
    return (
      <p className="govuk-body" role="status">
        Loading…
      </p>
    );
  return (
    <>
      {first ? (
        <p className="govuk-body" role="status" data-testid="actions-count">
          {actions.totalCount} {actions.totalCount === 1 ? "action" : "actions"}
          {status ? ` ${enumWords(status).toLowerCase()}` : ""}.
        </p>
      ) : null}
      {actions.edges.length ? (
        <table className="govuk-table" data-testid="agency-actions">
          <caption className="govuk-visually-hidden">Actions assigned to your agency, by due date</caption>
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
            {actions.edges.map(({ node }) => (
              <tr className="govuk-table__row" key={node.id} data-action={node.id}>
                <td className="govuk-table__cell">{node.description}</td>
                <td className="govuk-table__cell">
                  {node.case ? (
                    <Link className="govuk-link" to={`/case?id=${encodeURIComponent(node.case.id)}`}>
                      {node.case.reference}
                      <span className="govuk-visually-hidden">: {node.case.title}</span>
                    </Link>
                  ) : (
                    "A case your agency no longer works"
                  )}
                </td>
                <td className="govuk-table__cell">{node.dueOn}</td>
                <td className="govuk-table__cell">
                  <strong className={`govuk-tag ${tag(node.status)}`}>{enumWords(node.status)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : first ? (
        <p className="govuk-body">None.</p>
      ) : null}
      {last && actions.pageInfo.hasNextPage && actions.pageInfo.endCursor ? (
        <button
          type="button"
          className="govuk-button govuk-button--secondary"
          onClick={() => onMore(actions.pageInfo.endCursor!)}
        >
          Show more
        </button>
      ) : null}
    </>
  );
}
