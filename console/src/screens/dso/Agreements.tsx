import { useState } from "react";
import { useQuery } from "urql";
import type { AgreementStatus } from "../../generated/enums";
import {
  AgreementsDueForReviewDocument,
  ConsoleAgenciesDocument,
  ConsoleAgreementsDocument,
} from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { PURPOSE_NAMES, PURPOSES } from "../../purpose/purposes";
import { Link } from "../../router";
import { SelectField, TextField } from "../common/forms";
import { CATEGORY_NAMES, enumWords, todayIso } from "../common/words";
import { filterRegister, reviewFlag } from "./agreement-register";

const STATUSES: AgreementStatus[] = ["DRAFT", "ACTIVE", "SUSPENDED", "EXPIRED", "REVOKED", "SUPERSEDED"];

/** The agreements register: every information sharing agreement, filtered, review dates flagged. */
export function Agreements() {
  const [status, setStatus] = useState("");
  const [partner, setPartner] = useState("");
  const [purpose, setPurpose] = useState("");
  const [withinText, setWithinText] = useState("30");
  const within = /^\d{1,4}$/.test(withinText) ? Number(withinText) : null;
  const [due] = useQuery({
    query: AgreementsDueForReviewDocument,
    variables: { withinDays: within ?? 30 },
    pause: within === null,
  });
  const [result] = useQuery({
    query: ConsoleAgreementsDocument,
    variables: { status: (status || null) as AgreementStatus | null },
  });
  const [agencies] = useQuery({ query: ConsoleAgenciesDocument });
  const today = todayIso();
  const rows = filterRegister(result.data?.agreements ?? [], partner, purpose);
  const dueIds = new Set((due.data?.agreementsDueForReview ?? []).map((a) => a.id));
  const problems = [
    ...(result.error ? describeCombinedError(result.error) : []),
    ...(due.error ? describeCombinedError(due.error) : []),
  ];

  return (
    <>
      <h1 className="govuk-heading-l">Agreements register</h1>
      <p className="govuk-body">
        Information sharing agreements between the partnership&apos;s agencies. Review dates that have passed
        or fall within the days you choose (30 unless you change it) are highlighted.
      </p>
      <Link to="/agreements/propose" className="govuk-button" role="button" draggable={false}>
        Propose an agreement
      </Link>
      <section aria-labelledby="due-for-review" data-testid="due-for-review">
        <h2 className="govuk-heading-m" id="due-for-review">
          Due for review
        </h2>
        <TextField
          id="due-within"
          label="Reviews due within how many days?"
          hint="Passed review dates are always included."
          value={withinText}
          onChange={setWithinText}
          error={within === null ? "Enter a whole number of days, such as 30" : undefined}
          width={10}
        />
        {due.data ? (
          due.data.agreementsDueForReview.length ? (
            <ul className="govuk-list">
              {due.data.agreementsDueForReview.map((a) => {
                const flag = reviewFlag(a, today, within ?? 30);
                return (
                  <li key={a.id} data-due={a.reference}>
                    <Link className="govuk-link" to={`/agreement?id=${encodeURIComponent(a.id)}`}>
                      {a.reference}
                    </Link>{" "}
                    {a.title}: review {a.reviewDate}{" "}
                    {flag ? (
                      <strong
                        className={`govuk-tag ${flag.kind === "overdue" ? "govuk-tag--red" : "govuk-tag--yellow"}`}
                      >
                        {flag.text}
                      </strong>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="govuk-body">No agreement has a review due within {within} days.</p>
          )
        ) : null}
      </section>
      <div className="console-filters">
        <SelectField
          id="filter-status"
          label="Status"
          value={status}
          onChange={setStatus}
          options={[
            { value: "", label: "Any status" },
            ...STATUSES.map((s) => ({ value: s, label: enumWords(s) })),
          ]}
        />
        <SelectField
          id="filter-partner"
          label="Partner agency"
          value={partner}
          onChange={setPartner}
          options={[
            { value: "", label: "Any agency" },
            ...(agencies.data?.agencies ?? []).map((a) => ({ value: a.id, label: a.name })),
          ]}
        />
        <SelectField
          id="filter-purpose"
          label="Purpose"
          value={purpose}
          onChange={setPurpose}
          options={[
            { value: "", label: "Any purpose" },
            ...PURPOSES.map((p) => ({ value: p, label: PURPOSE_NAMES[p] })),
          ]}
        />
      </div>
      <Problems problems={problems} />
      {result.fetching ? (
        <p className="govuk-body" role="status">
          Loading…
        </p>
      ) : null}
      {result.data ? (
        <table className="govuk-table" data-testid="agreements">
          <caption className="govuk-table__caption govuk-table__caption--m">
            {rows.length} agreement{rows.length === 1 ? "" : "s"}
          </caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              <th scope="col" className="govuk-table__header">
                Agreement
              </th>
              <th scope="col" className="govuk-table__header">
                From → to
              </th>
              <th scope="col" className="govuk-table__header">
                Purposes and categories
              </th>
              <th scope="col" className="govuk-table__header">
                Status
              </th>
              <th scope="col" className="govuk-table__header">
                Review
              </th>
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {rows.map((a) => {
              const flag = reviewFlag(a, today, within ?? 30);
              return (
                <tr
                  className={`govuk-table__row${flag ? ` console-review-${flag.kind}` : ""}`}
                  key={a.id}
                  data-agreement={a.reference}
                  data-version={a.version}
                  data-due-for-review={dueIds.has(a.id) ? "yes" : undefined}
                >
                  <td className="govuk-table__cell">
                    <Link className="govuk-link" to={`/agreement?id=${encodeURIComponent(a.id)}`}>
                      {a.reference}
                    </Link>
                    {a.version > 1 ? <span className="govuk-body-s"> (version {a.version})</span> : null}
                    <br />
                    {a.title}
                  </td>
                  <td className="govuk-table__cell">
                    {a.provider.name} → {a.recipient.name}
                  </td>
                  <td className="govuk-table__cell">
                    {a.purposes.map((p) => PURPOSE_NAMES[p]).join(", ")}
                    <br />
                    <span className="govuk-body-s">
                      {a.categories.map((c) => CATEGORY_NAMES[c]).join(", ")}
                    </span>
                  </td>
                  <td className="govuk-table__cell">
                    <strong className={`govuk-tag ${statusColour(a.status)}`}>{enumWords(a.status)}</strong>
                  </td>
                  <td className="govuk-table__cell">
                    {a.reviewDate}
                    {flag ? (
                      <>
                        <br />
                        <strong
                          className={`govuk-tag ${flag.kind === "overdue" ? "govuk-tag--red" : "govuk-tag--yellow"}`}
                          data-review={flag.kind}
                        >
                          {flag.text}
                        </strong>
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

export function statusColour(status: AgreementStatus): string {
  return {
    DRAFT: "govuk-tag--grey",
    ACTIVE: "govuk-tag--green",
    SUSPENDED: "govuk-tag--orange",
    EXPIRED: "govuk-tag--grey",
    REVOKED: "govuk-tag--red",
    SUPERSEDED: "govuk-tag--grey",
  }[status];
}
