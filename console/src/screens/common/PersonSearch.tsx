import { useState, type FormEvent, type ReactNode } from "react";
import { useQuery } from "urql";
import { ConsoleFindPeopleDocument } from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { apiFieldErrors, TextField } from "./forms";
import { enumWords } from "./words";

interface Search {
  search: string | null;
  dateOfBirth: string | null;
  reference: string | null;
}

/**
 * Find a person in the partnership's people index by the start of their name, their date of
 * birth or your agency's own reference for them (every one given must match). `action` says what
 * to do with one found.
 */
export function PersonSearch({
  action,
}: {
  action(person: { id: string; displayName?: string | null }): ReactNode;
}) {
  const [name, setName] = useState("");
  const [dateOfBirth, setDateOfBirth] = useState("");
  const [reference, setReference] = useState("");
  const [asked, setAsked] = useState<Search | null>(null);
  const [local, setLocal] = useState<string | undefined>();
  const [result] = useQuery({
    query: ConsoleFindPeopleDocument,
    variables: asked ?? {},
    pause: !asked,
  });
  const { fields, problems } = apiFieldErrors(result.error, "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() && !dateOfBirth && !reference.trim()) {
      setLocal("Enter a name, a date of birth or your agency's reference");
      return;
    }
    setLocal(undefined);
    setAsked({
      search: name.trim() || null,
      dateOfBirth: dateOfBirth || null,
      reference: reference.trim() || null,
    });
  };
  const people = result.data?.people;
  return (
    <section aria-labelledby="find-person" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="find-person">
        Find a person
      </h2>
      <form onSubmit={submit} noValidate aria-label="Find a person">
        <TextField
          id="find-name"
          label="Name, or its start"
          value={name}
          onChange={setName}
          error={local ?? fields.search}
          width={20}
        />
        <TextField
          id="find-dob"
          type="date"
          label="Date of birth"
          value={dateOfBirth}
          onChange={setDateOfBirth}
          error={fields.dateOfBirth}
        />
        <TextField
          id="find-reference"
          label="Your agency's reference for them"
          hint="Exactly as your records have it. Other agencies' references find no one."
          value={reference}
          onChange={setReference}
          error={fields.reference}
          width={20}
        />
        <button type="submit" className="govuk-button govuk-button--secondary">
          Search
        </button>
      </form>
      <Problems problems={problems} />
      {people ? (
        people.edges.length ? (
          <table className="govuk-table" data-testid="people-found">
            <caption className="govuk-table__caption govuk-table__caption--s">
              {people.totalCount} {people.totalCount === 1 ? "person" : "people"} found
              {people.totalCount > people.edges.length
                ? ` (the first ${people.edges.length} shown: narrow the search)`
                : ""}
            </caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                <th scope="col" className="govuk-table__header">
                  Name
                </th>
                <th scope="col" className="govuk-table__header">
                  Date of birth
                </th>
                <th scope="col" className="govuk-table__header">
                  <span className="govuk-visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {people.edges.map(({ node }) => (
                <tr className="govuk-table__row" key={node.id}>
                  <td className="govuk-table__cell">{node.displayName ?? node.id}</td>
                  <td className="govuk-table__cell">
                    {node.dateOfBirth ?? "Not known"}{" "}
                    {node.ageBand ? <span className="govuk-body-s">({enumWords(node.ageBand)})</span> : null}
                  </td>
                  <td className="govuk-table__cell">{action(node)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="govuk-body" role="status">
            No one in the people index matches.
          </p>
        )
      ) : null}
    </section>
  );
}
