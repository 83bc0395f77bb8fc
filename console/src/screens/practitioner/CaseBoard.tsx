import { useState, type FormEvent, type ReactNode } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import type { CaseRecordKind, CaseStage } from "../../generated/enums";
import {
  AddCaseActionDocument,
  AdvanceCaseDocument,
  ConsoleCaseBoardDocument,
  ConsoleCompleteCaseActionDocument,
  LinkCaseRecordDocument,
  type ConsoleCaseBoardQuery,
} from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { Link } from "../../router";
import { apiFieldErrors, Done, SelectField, TextField } from "../common/forms";
import { useSearchParam } from "../common/location";
import { Restricted } from "../common/restricted";
import { withheldAt, withheldByPath, Withheld, type WithheldByPath } from "../common/withheld";
import { enumWords, todayIso, when } from "../common/words";
import { HandOnOrCancel, UnlinkRecord } from "./ActionControls";
import { AddNote, CaseNotes } from "./CaseNotes";
import { CasePartnersForm, CasePeopleForm, ChangeHistory, CloseCase, OUTCOME_NAMES } from "./LeadControls";

type Case = NonNullable<ConsoleCaseBoardQuery["problemCase"]>;
const STAGES: CaseStage[] = ["SCANNING", "ANALYSIS", "RESPONSE", "ASSESSMENT", "CLOSED"];

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`board-${id}`} className="govuk-!-margin-bottom-8" data-board={id}>
      <h2 className="govuk-heading-m" id={`board-${id}`}>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A linked record: shown as its owner released it, or said to be unavailable, never silently dropped. */
function Linked<T extends { id: string }>({
  items,
  path,
  withheld,
  render,
  unlink,
}: {
  items: readonly (T | null)[];
  path: string;
  withheld: WithheldByPath;
  render(item: T): string;
  /** The way to unlink one shown (none on a closed case). */
  unlink?: (item: T, label: string) => ReactNode;
}) {
  return (
    <>
      {items.map((item, i) => {
        if (item)
          return (
            <li key={i} data-linked={item.id}>
              {render(item)}
              {unlink ? unlink(item, render(item)) : null}
            </li>
          );
        const problem = withheldAt(withheld, `${path}.${i}`);
        return (
          <li key={i}>
            {problem ? (
              <Withheld problem={problem} />
            ) : (
              <span className="govuk-hint">
                A linked record its holder no longer has, or could not give just now.
              </span>
            )}
          </li>
        );
      })}
    </>
  );
}

function AddAction({ board, onDone }: { board: Case; onDone(message: string): void }) {
  const agencies = [board.lead, ...board.partners].filter((a): a is NonNullable<typeof a> => Boolean(a));
  const [assigned, setAssigned] = useState("");
  const [description, setDescription] = useState("");
  const [dueOn, setDueOn] = useState(todayIso());
  const [added, add] = useMutation(AddCaseActionDocument);
  const { fields, problems } = apiFieldErrors(added.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await add({ caseId: board.id, input: { assignedAgencyId: assigned, description, dueOn } });
    if (!r.error) onDone("Action added.");
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Add an action">
      <h3 className="govuk-heading-s">Add an action</h3>
      <Problems problems={problems} />
      <TextField
        id="action-description"
        label="What is to be done"
        value={description}
        onChange={setDescription}
        error={fields.description}
      />
      <SelectField
        id="action-assignedAgencyId"
        label="Which agency does it"
        value={assigned}
        onChange={setAssigned}
        error={fields.assignedAgencyId}
        options={[
          { value: "", label: "Choose an agency" },
          ...agencies.map((a) => ({ value: a.id, label: a.name })),
        ]}
      />
      <TextField
        id="action-dueOn"
        type="date"
        label="Due on"
        value={dueOn}
        onChange={setDueOn}
        error={fields.dueOn}
      />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={added.fetching}>
        Add the action
      </button>
    </form>
  );
}

function LinkRecord({ board, onDone }: { board: Case; onDone(message: string): void }) {
  const [kind, setKind] = useState<string>("INCIDENT");
  const [id, setId] = useState("");
  const [linked, link] = useMutation(LinkCaseRecordDocument);
  const { fields, problems } = apiFieldErrors(linked.error, "record.");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await link({ caseId: board.id, record: { kind: kind as CaseRecordKind, id } });
    if (!r.error) onDone("Record linked. It shows on the board to each partner as its holder's rules allow.");
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Link a record">
      <h3 className="govuk-heading-s">Link a record</h3>
      <Problems problems={problems} />
      <SelectField
        id="link-kind"
        label="Kind of record"
        value={kind}
        onChange={setKind}
        error={fields.kind}
        options={[
          { value: "INCIDENT", label: "Police incident" },
          { value: "ASB_CASE", label: "Council ASB case" },
          { value: "TENANCY", label: "Housing tenancy" },
          { value: "REFERRAL", label: "Youth programme referral" },
        ]}
      />
      <TextField id="link-id" label="Its id" value={id} onChange={setId} error={fields.id} width={20} />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={linked.fetching}>
        Link the record
      </button>
    </form>
  );
}

function MoveStage({ board, onDone }: { board: Case; onDone(message: string): void }) {
  // Closing is not a move: the lead closes a case with its outcome (Closing, below).
  const offered = STAGES.filter((s) => s !== board.stage && s !== "CLOSED");
  const next = STAGES[STAGES.indexOf(board.stage) + 1];
  const [stage, setStage] = useState<string>(next && next !== "CLOSED" ? next : (offered[0] ?? ""));
  const [note, setNote] = useState("");
  const [moved, move] = useMutation(AdvanceCaseDocument);
  const { fields, problems } = apiFieldErrors(moved.error, "");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await move({ caseId: board.id, stage: stage as CaseStage, note });
    if (!r.error) onDone(`The case is now at ${enumWords(stage).toLowerCase()}.`);
  };
  if (board.stage === "CLOSED") return <p className="govuk-body">The case is closed: it does not move.</p>;
  return (
    <form onSubmit={submit} noValidate aria-label="Move the stage">
      <h3 className="govuk-heading-s">Move the stage</h3>
      <Problems problems={problems} />
      <SelectField
        id="stage-stage"
        label="Move to"
        hint="Forward one stage at a time; back to an earlier stage with a note saying why. The lead agency closes the case, with its outcome."
        value={stage}
        onChange={setStage}
        error={fields.stage}
        options={offered.map((s) => ({ value: s, label: enumWords(s) }))}
      />
      <TextField id="stage-note" label="Note" value={note} onChange={setNote} error={fields.note} multiline />
      <button type="submit" className="govuk-button govuk-button--secondary" disabled={moved.fetching}>
        Move the case
      </button>
    </form>
  );
}

/** The case board: who and what the case is about, who does what, and what each partner holds. */
export function CaseBoard() {
  const id = useSearchParam("id") ?? "";
  const { session } = useAuth();
  const [done, setDone] = useState<string | null>(null);
  // Each change done starts the forms afresh (the same message twice still does).
  const [round, setRound] = useState(0);
  const [result, reload] = useQuery({ query: ConsoleCaseBoardDocument, variables: { id }, pause: !id });
  const [completion, complete] = useMutation(ConsoleCompleteCaseActionDocument);
  const board = result.data?.problemCase;
  const withheld = withheldByPath(result.error);
  const mine = session?.caller.agency;
  const isLead = Boolean(board?.lead && board.lead.id === mine);
  const closed = board?.stage === "CLOSED";
  const names = new Map<string, string>();
  for (const a of [
    board?.lead,
    ...(board?.partners ?? []),
    ...(board?.actions ?? []).map((x) => x.assignedAgency),
  ])
    if (a) names.set(a.id, a.name);
  for (const c of board?.changes ?? []) if (c.by.agency) names.set(c.by.agency.id, c.by.agency.name);
  const agencyName = (agencyId: string) => names.get(agencyId) ?? agencyId;
  const personName = (personId: string) =>
    board?.people.find((p) => p.person.id === personId)?.person.displayName ?? personId;
  const currentRisk = new Map<string, { level: string; at: string }>();
  // Newest first: a person's first is their current level.
  for (const a of board?.riskAssessments ?? [])
    if (!currentRisk.has(a.person.id)) currentRisk.set(a.person.id, { level: a.level, at: a.at });
  const caseAgencies = [board?.lead, ...(board?.partners ?? [])].filter((a): a is NonNullable<typeof a> =>
    Boolean(a),
  );
  const problems = [
    ...(result.error ? describeCombinedError(result.error) : []),
    ...(completion.error ? describeCombinedError(completion.error) : []),
  ];
  const finished = (message: string) => {
    setDone(message);
    setRound((r) => r + 1);
    reload({ requestPolicy: "network-only" });
  };
  if (!id) return <p className="govuk-body">No case chosen: pick one on the Cases page.</p>;
  return (
    <>
      <Link className="govuk-back-link" to="/cases">
        Cases
      </Link>
      {done ? <Done>{done}</Done> : null}
      <Problems problems={problems} partial={Boolean(board)} />
      {result.data && !board ? (
        <h1 className="govuk-heading-l">No such case, or not one your agency works</h1>
      ) : null}
      {board ? (
        <>
          <span className="govuk-caption-l">
            {board.reference}, opened {when(board.openedAt)}
          </span>
          <h1 className="govuk-heading-l">{board.title}</h1>
          <p className="govuk-body">
            <strong className="govuk-tag govuk-tag--blue" data-testid="case-stage">
              {enumWords(board.stage)}
            </strong>{" "}
            {board.problemType},{" "}
            <span data-testid="case-risk">{enumWords(board.riskLevel).toLowerCase()} risk</span>. Led by{" "}
            {board.lead?.name ?? "an agency not named just now"}
            {board.partners.length
              ? ` with ${board.partners.map((p) => p?.name ?? "an agency not named just now").join(", ")}`
              : ""}
            . In {board.neighbourhoods.map((n) => n.name).join(", ")}.
          </p>
          {closed ? (
            <div className="govuk-inset-text" data-testid="case-outcome">
              Closed {board.closedAt ? when(board.closedAt) : ""} with the outcome{" "}
              <strong>{board.outcome ? OUTCOME_NAMES[board.outcome].label : "not recorded"}</strong>. A closed
              case takes notes only.
            </div>
          ) : null}
          <Section title="People" id="people">
            {board.people.length ? (
              <ul className="govuk-list">
                {board.people.map((p) => {
                  const risk = currentRisk.get(p.person.id);
                  return (
                    <li key={p.person.id} data-person={p.person.id}>
                      <Link className="govuk-link" to={`/person?id=${encodeURIComponent(p.person.id)}`}>
                        {p.person.displayName ?? p.person.id}
                      </Link>{" "}
                      ({p.role.toLowerCase()}).{" "}
                      {risk
                        ? `Victim risk: ${enumWords(risk.level).toLowerCase()}, assessed ${when(risk.at)}.`
                        : "Victim risk not assessed."}{" "}
                      <Link
                        className="govuk-link"
                        to={`/case/risk?case=${encodeURIComponent(board.id)}&person=${encodeURIComponent(p.person.id)}`}
                      >
                        {closed ? "Risk assessments" : "Assess victim risk"}
                        <span className="govuk-visually-hidden">
                          {" "}
                          of {p.person.displayName ?? p.person.id}
                        </span>
                      </Link>
                    </li>
                  );
                })}
              </ul>
            ) : (
              <p className="govuk-body">No one is named on the case.</p>
            )}
            {!closed && isLead ? (
              <CasePeopleForm
                // Afresh after each change and once the board shows who is on the case now.
                key={`p-${round}-${board.people.map((p) => `${p.person.id}:${p.role}`).join()}`}
                board={board}
                onDone={finished}
              />
            ) : null}
          </Section>
          <Section title="Partners" id="partners">
            <p className="govuk-body">
              Led by {board.lead?.name ?? "an agency not named just now"}
              {board.partners.length
                ? `, with ${board.partners.map((p) => p?.name ?? "an agency not named just now").join(", ")}.`
                : "; no partners."}
            </p>
            {closed ? null : isLead ? (
              <CasePartnersForm
                key={`r-${round}-${board.partners.map((p) => p?.id).join()}`}
                board={board}
                onDone={finished}
              />
            ) : (
              <p className="govuk-body" data-testid="lead-only">
                Only the lead agency, {board.lead?.name ?? "which leads the case"}, changes the case&apos;s
                people and partners and closes it.
              </p>
            )}
          </Section>
          <Section title="Actions" id="actions">
            {board.actions.length ? (
              <table className="govuk-table" data-testid="case-actions">
                <caption className="govuk-visually-hidden">Actions</caption>
                <thead className="govuk-table__head">
                  <tr className="govuk-table__row">
                    {["Action", "Agency", "Due", "Status", ""].map((h, i) => (
                      <th scope="col" className="govuk-table__header" key={i}>
                        {h || <span className="govuk-visually-hidden">Action to take</span>}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody className="govuk-table__body">
                  {board.actions.map((a) => (
                    <tr className="govuk-table__row" key={a.id}>
                      <td className="govuk-table__cell">{a.description}</td>
                      <td className="govuk-table__cell">{a.assignedAgency?.name ?? "Not named just now"}</td>
                      <td className="govuk-table__cell">{a.dueOn}</td>
                      <td className="govuk-table__cell">
                        {enumWords(a.status)}
                        {a.completedAt ? (
                          <div className="govuk-body-s">
                            {when(a.completedAt)} by {a.completedBy}
                          </div>
                        ) : null}
                        {a.cancelledAt ? (
                          <div className="govuk-body-s">
                            {when(a.cancelledAt)}: {a.cancelReason}
                          </div>
                        ) : null}
                      </td>
                      <td className="govuk-table__cell">
                        {(a.status === "OPEN" || a.status === "OVERDUE") &&
                        !closed &&
                        a.assignedAgency?.id === mine ? (
                          <>
                            <button
                              type="button"
                              className="govuk-button govuk-button--secondary govuk-!-margin-0"
                              disabled={completion.fetching}
                              onClick={async () => {
                                const r = await complete({ caseId: board.id, actionId: a.id });
                                if (!r.error) finished("Action marked done.");
                              }}
                            >
                              Mark done<span className="govuk-visually-hidden">: {a.description}</span>
                            </button>
                            <HandOnOrCancel
                              key={`h-${round}`}
                              action={a}
                              agencies={caseAgencies}
                              onDone={finished}
                            />
                          </>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="govuk-body">No actions yet.</p>
            )}
            {closed ? null : <AddAction key={`a-${round}`} board={board} onDone={finished} />}
          </Section>
          <Section title="Linked records" id="linked">
            <Restricted rows={board.restricted} what="records linked to this case" />
            <ul className="govuk-list govuk-list--bullet">
              <Linked
                items={board.linkedIncidents}
                path="problemCase.linkedIncidents"
                withheld={withheld}
                unlink={
                  closed
                    ? undefined
                    : (item, label) => (
                        <UnlinkRecord
                          key={`u-${round}`}
                          caseId={board.id}
                          kind="INCIDENT"
                          recordId={item.id}
                          label={label}
                          onDone={finished}
                        />
                      )
                }
                render={(i) =>
                  `Police incident ${i.reference}, ${i.month}: ${enumWords(i.category)}${i.outcome ? `, ${enumWords(i.outcome).toLowerCase()}` : ""}`
                }
              />
              <Linked
                items={board.linkedAsbCases}
                path="problemCase.linkedAsbCases"
                withheld={withheld}
                unlink={
                  closed
                    ? undefined
                    : (item, label) => (
                        <UnlinkRecord
                          key={`u-${round}`}
                          caseId={board.id}
                          kind="ASB_CASE"
                          recordId={item.id}
                          label={label}
                          onDone={finished}
                        />
                      )
                }
                render={(c) =>
                  `Council ASB case ${c.reference}: ${enumWords(c.category)}, ${enumWords(c.status).toLowerCase()}`
                }
              />
              <Linked
                items={board.linkedTenancies}
                path="problemCase.linkedTenancies"
                withheld={withheld}
                unlink={
                  closed
                    ? undefined
                    : (item, label) => (
                        <UnlinkRecord
                          key={`u-${round}`}
                          caseId={board.id}
                          kind="TENANCY"
                          recordId={item.id}
                          label={label}
                          onDone={finished}
                        />
                      )
                }
                render={(t) =>
                  `Housing tenancy ${t.id}: ${enumWords(t.tenure)}, ${enumWords(t.status).toLowerCase()} since ${t.startDate}`
                }
              />
              <Linked
                items={board.linkedReferrals}
                path="problemCase.linkedReferrals"
                withheld={withheld}
                unlink={
                  closed
                    ? undefined
                    : (item, label) => (
                        <UnlinkRecord
                          key={`u-${round}`}
                          caseId={board.id}
                          kind="REFERRAL"
                          recordId={item.id}
                          label={label}
                          onDone={finished}
                        />
                      )
                }
                render={(r) =>
                  `Referral to ${r.programme.name}: ${enumWords(r.status).toLowerCase()} (${r.reason})`
                }
              />
            </ul>
            {!board.linkedIncidents.length &&
            !board.linkedAsbCases.length &&
            !board.linkedTenancies.length &&
            !board.linkedReferrals.length &&
            !board.restricted.length ? (
              <p className="govuk-body">
                None you may see. Records linked by partners show here as their holders&apos; rules allow.
              </p>
            ) : null}
            {closed ? null : <LinkRecord key={`l-${round}`} board={board} onDone={finished} />}
          </Section>
          <Section title="Stage history" id="stages">
            <ol className="govuk-list govuk-list--number">
              {board.stageHistory.map((s, i) => (
                <li key={i}>
                  {s.from ? `${enumWords(s.from)} → ` : ""}
                  {enumWords(s.to)}, {when(s.at)} by {s.by} ({s.agency?.name ?? "agency not named just now"}):{" "}
                  {s.note}
                </li>
              ))}
            </ol>
            <MoveStage key={`s-${round}`} board={board} onDone={finished} />
          </Section>
          <Section title="Notes" id="notes">
            <AddNote key={`n-${round}`} caseId={board.id} onDone={finished} />
            <CaseNotes key={`nl-${round}`} caseId={board.id} agencyName={agencyName} />
          </Section>
          <Section title="Changes by the lead agency" id="changes">
            <ChangeHistory board={board} personName={personName} agencyName={agencyName} />
          </Section>
          {!closed && isLead ? (
            <Section title="Closing" id="closing">
              <CloseCase key={`c-${round}`} board={board} onDone={finished} />
            </Section>
          ) : null}
        </>
      ) : null}
    </>
  );
}
