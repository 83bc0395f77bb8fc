import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import type { CaseOutcome } from "../../generated/enums";
import {
  CloseCaseDocument,
  ConsoleAgenciesDocument,
  SetCasePartnersDocument,
  SetCasePeopleDocument,
  type ConsoleCaseBoardQuery,
} from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { ChoiceField, SelectField, TextField } from "../common/forms";
import { PersonSearch } from "../common/PersonSearch";
import { enumWords, when } from "../common/words";
import { CASE_PERSON_ROLES, formErrors, requiredText } from "./caseForms";

type Case = NonNullable<ConsoleCaseBoardQuery["problemCase"]>;

/** How a case can end, in the words the closing form offers (the graph's CaseOutcome). */
export const OUTCOME_NAMES: Record<CaseOutcome, { label: string; hint: string }> = {
  RESOLVED: { label: "Resolved", hint: "The problem stopped." },
  REDUCED: { label: "Reduced", hint: "It continues, but less; the partners judge it manageable." },
  NOT_RESOLVED: { label: "Not resolved", hint: "The response did not work; the problem continues." },
  NO_FURTHER_ACTION: {
    label: "No further action",
    hint: "Nothing more the partnership can do (no evidence, no engagement).",
  },
  TRANSFERRED: { label: "Transferred", hint: "Handed to another process or body, such as a MARAC." },
  DUPLICATE: { label: "Duplicate", hint: "The same problem is worked in another case." },
};

/**
 * Closing the case with its outcome and a note, from any open stage: offered to the lead agency
 * only (the board shows partners who may). Its open actions end with it, as the form says.
 */
export function CloseCase({ board, onDone }: { board: Case; onDone(message: string): void }) {
  const [outcome, setOutcome] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<{ outcome?: string; note?: string }>({});
  const [closed, close] = useMutation(CloseCaseDocument);
  const { fields, problems } = formErrors(closed.error);
  const open = board.actions.filter((a) => a.status === "OPEN" || a.status === "OVERDUE").length;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checks = {
      outcome: outcome.length ? undefined : "Choose how the case ended",
      note: requiredText(note, "Enter why the case closes"),
    };
    setLocal(checks);
    if (checks.outcome || checks.note) return;
    const r = await close({ caseId: board.id, outcome: outcome[0] as CaseOutcome, note });
    if (!r.error)
      onDone(`The case is closed: ${OUTCOME_NAMES[outcome[0] as CaseOutcome].label.toLowerCase()}.`);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Close the case">
      <h3 className="govuk-heading-s">Close the case</h3>
      <Problems problems={problems} />
      <ChoiceField
        id="close-outcome"
        label="How did the case end?"
        hint={
          open
            ? `Its ${open} open action${open === 1 ? "" : "s"} will be cancelled with this outcome and note as the reason.`
            : undefined
        }
        multiple={false}
        options={(Object.keys(OUTCOME_NAMES) as CaseOutcome[]).map((o) => ({
          value: o,
          label: OUTCOME_NAMES[o].label,
          hint: OUTCOME_NAMES[o].hint,
        }))}
        selected={outcome}
        onChange={setOutcome}
        error={local.outcome ?? fields.outcome}
      />
      <TextField
        id="close-note"
        label="Why it closes"
        value={note}
        onChange={setNote}
        error={local.note ?? fields.note}
        multiline
      />
      <button type="submit" className="govuk-button govuk-button--warning" disabled={closed.fetching}>
        Close the case
      </button>
    </form>
  );
}

/** Who is in the case and their parts: the lead changes them with a note. */
export function CasePeopleForm({ board, onDone }: { board: Case; onDone(message: string): void }) {
  const [people, setPeople] = useState(
    board.people.map((p) => ({
      personId: p.person.id,
      name: p.person.displayName ?? p.person.id,
      role: p.role,
    })),
  );
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const [changed, change] = useMutation(SetCasePeopleDocument);
  const { fields, problems } = formErrors(changed.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = requiredText(note, "Enter why the people change");
    setLocal(missing);
    if (missing) return;
    const r = await change({
      caseId: board.id,
      people: people.map(({ personId, role }) => ({ personId, role })),
      note,
    });
    if (!r.error) onDone("The case's people are changed.");
  };
  const roleOptions = [
    ...CASE_PERSON_ROLES.map((r) => ({ value: r, label: enumWords(r) })),
    { value: "", label: "Remove from the case" },
  ];
  return (
    <div data-testid="people-form">
      <h3 className="govuk-heading-s">Change the people</h3>
      <Problems problems={problems} />
      <details className="govuk-details">
        <summary className="govuk-details__summary">
          <span className="govuk-details__summary-text">Find a person to add</span>
        </summary>
        <div className="govuk-details__text">
          <PersonSearch
            action={(p) =>
              people.some((x) => x.personId === p.id) ? (
                <span className="govuk-body-s">On the list</span>
              ) : (
                <button
                  type="button"
                  className="govuk-button govuk-button--secondary govuk-!-margin-0"
                  onClick={() =>
                    setPeople((list) => [
                      ...list,
                      { personId: p.id, name: p.displayName ?? p.id, role: "VICTIM" },
                    ])
                  }
                >
                  Add<span className="govuk-visually-hidden"> {p.displayName ?? p.id}</span> to the list
                </button>
              )
            }
          />
        </div>
      </details>
      <form onSubmit={submit} noValidate aria-label="Change the people">
        {people.length ? (
          people.map((p, i) => (
            <SelectField
              key={p.personId}
              id={`people-${i}-role`}
              label={`${p.name}: part in the case`}
              value={p.role}
              onChange={(role) =>
                setPeople((list) =>
                  role ? list.map((x, j) => (j === i ? { ...x, role } : x)) : list.filter((_, j) => j !== i),
                )
              }
              error={fields[`people[${i}].role`]}
              options={roleOptions}
            />
          ))
        ) : (
          <p className="govuk-body">No one on the list: find a person to add.</p>
        )}
        {fields.people ? <p className="govuk-error-message">{fields.people}</p> : null}
        <TextField
          id="people-note"
          label="Why"
          hint="Recorded in the case's changes, with who was on it before and after."
          value={note}
          onChange={setNote}
          error={local ?? fields.note}
          multiline
        />
        <button type="submit" className="govuk-button govuk-button--secondary" disabled={changed.fetching}>
          Save the people
        </button>
      </form>
    </div>
  );
}

/** Which agencies work the case with the lead: the lead changes them with a note. */
export function CasePartnersForm({ board, onDone }: { board: Case; onDone(message: string): void }) {
  const [agencies] = useQuery({ query: ConsoleAgenciesDocument });
  const [partners, setPartners] = useState(board.partners.flatMap((p) => (p ? [p.id] : [])));
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const [changed, change] = useMutation(SetCasePartnersDocument);
  const { fields, problems } = formErrors(changed.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = requiredText(note, "Enter why the partners change");
    setLocal(missing);
    if (missing) return;
    const r = await change({ caseId: board.id, partnerAgencyIds: partners, note });
    if (!r.error) onDone("The case's partners are changed.");
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Change the partners">
      <h3 className="govuk-heading-s">Change the partners</h3>
      <Problems problems={problems} />
      <ChoiceField
        id="partners-partnerAgencyIds"
        label="Partner agencies"
        hint="A partner removed no longer sees the case. One with open actions stays until they are done, handed on or cancelled."
        multiple
        options={(agencies.data?.agencies ?? [])
          .filter((a) => a.id !== board.lead?.id)
          .map((a) => ({ value: a.id, label: a.name }))}
        selected={partners}
        onChange={setPartners}
        error={fields.partnerAgencyIds}
      />
      <TextField
        id="partners-note"
        label="Why"
        value={note}
        onChange={setNote}
        error={local ?? fields.note}
        multiline
      />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={changed.fetching}>
        Save the partners
      </button>
    </form>
  );
}

/** The lead's changes (people, partners, closing), newest first: who, when, why, before and after. */
export function ChangeHistory({
  board,
  personName,
  agencyName,
}: {
  board: Case;
  personName(id: string): string;
  agencyName(id: string): string;
}) {
  if (!board.changes.length) return <p className="govuk-body">No changes to its people or partners yet.</p>;
  const show = (kind: string, values: readonly string[]) => {
    if (!values.length) return "none";
    if (kind === "PEOPLE")
      return values
        .map((v) => {
          const [id, role] = v.split(":");
          return `${personName(id)} (${(role ?? "").toLowerCase()})`;
        })
        .join(", ");
    if (kind === "PARTNERS") return values.map(agencyName).join(", ");
    return values.map((v) => enumWords(v)).join(", ");
  };
  const what: Record<string, string> = { PEOPLE: "People", PARTNERS: "Partners", CLOSED: "Closed" };
  return (
    <table className="govuk-table" data-testid="case-changes">
      <caption className="govuk-visually-hidden">Changes to the case, newest first</caption>
      <thead className="govuk-table__head">
        <tr className="govuk-table__row">
          {["What", "When and who", "Before", "After", "Why"].map((h) => (
            <th scope="col" className="govuk-table__header" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="govuk-table__body">
        {board.changes.map((c, i) => (
          <tr className="govuk-table__row" key={i}>
            <td className="govuk-table__cell">{what[c.kind] ?? enumWords(c.kind)}</td>
            <td className="govuk-table__cell">
              {when(c.at)}, {c.by.userId} ({c.by.agency?.name ?? "agency not named just now"})
            </td>
            <td className="govuk-table__cell">{show(c.kind, c.before)}</td>
            <td className="govuk-table__cell">{show(c.kind, c.after)}</td>
            <td className="govuk-table__cell">{c.note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
