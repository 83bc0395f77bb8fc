import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { AddCaseNoteDocument, CaseNotesDocument } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { TextField } from "../common/forms";
import { when } from "../common/words";
import { formErrors, requiredText } from "./caseForms";

/** Notes shown per page; older ones a click away. */
export const NOTES_PAGE = 10;

function NotesPage({
  caseId,
  after,
  agencyName,
  onOlder,
  last,
}: {
  caseId: string;
  after: string | null;
  agencyName(id: string): string;
  onOlder(cursor: string): void;
  last: boolean;
}) {
  const [result] = useQuery({ query: CaseNotesDocument, variables: { caseId, first: NOTES_PAGE, after } });
  const notes = result.data?.problemCase?.notes;
  if (result.error) return <Problems problems={describeCombinedError(result.error)} partial />;
  if (!notes)
    return result.fetching ? (
      <p className="govuk-body" role="status">
        Loading notes…
      </p>
    ) : null;
  return (
    <>
      {after === null && !notes.edges.length ? <p className="govuk-body">No notes yet.</p> : null}
      {notes.edges.length ? (
        <ul className="govuk-list console-case-notes">
          {notes.edges.map(({ node }) => (
            <li key={node.id} className="console-case-note" data-note={node.id}>
              <p className="govuk-body-s govuk-!-margin-bottom-1">
                <strong>{node.author.userId}</strong>,{" "}
                {node.author.agency ? agencyName(node.author.agency.id) : "an agency not named just now"},{" "}
                {when(node.at)}
              </p>
              <p className="govuk-body console-case-note__text">{node.text}</p>
            </li>
          ))}
        </ul>
      ) : null}
      {last && notes.pageInfo.hasNextPage && notes.pageInfo.endCursor ? (
        <button
          type="button"
          className="govuk-button govuk-button--secondary"
          onClick={() => onOlder(notes.pageInfo.endCursor!)}
        >
          Show older notes
        </button>
      ) : null}
    </>
  );
}

/** Adding a note: kept as written, seen by the case's lead and partners. */
export function AddNote({ caseId, onDone }: { caseId: string; onDone(message: string): void }) {
  const [text, setText] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const [added, add] = useMutation(AddCaseNoteDocument);
  const { fields, problems } = formErrors(added.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = requiredText(text, "Enter the note");
    setLocal(missing);
    if (missing) return;
    const r = await add({ caseId, text });
    if (!r.error) onDone("Note added.");
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Add a note">
      <h3 className="govuk-heading-s">Add a note</h3>
      <Problems problems={problems} />
      <TextField
        id="note-text"
        label="Note"
        hint="The case's lead and partners see it. Notes are kept as written: they cannot be edited."
        value={text}
        onChange={setText}
        error={local ?? fields.text}
        multiline
      />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={added.fetching}>
        Add the note
      </button>
    </form>
  );
}

/** The case's notes, newest first, a page at a time. */
export function CaseNotes({ caseId, agencyName }: { caseId: string; agencyName(id: string): string }) {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  return (
    <div data-testid="case-notes">
      {pages.map((after, i) => (
        <NotesPage
          key={after ?? "first"}
          caseId={caseId}
          after={after}
          agencyName={agencyName}
          last={i === pages.length - 1}
          onOlder={(cursor) => setPages((p) => [...p, cursor])}
        />
      ))}
    </div>
  );
}
