import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import type { CaseRecordKind } from "../../generated/enums";
import {
  CancelCaseActionDocument,
  ReassignCaseActionDocument,
  UnlinkCaseRecordDocument,
} from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { SelectField, TextField } from "../common/forms";
import { formErrors, requiredText } from "./caseForms";

interface Agency {
  id: string;
  name: string;
}

/**
 * Handing an open action to the lead or another partner, or cancelling it, each with a why:
 * offered only to the agency the action is assigned to (the only one the graph lets).
 */
export function HandOnOrCancel({
  action,
  agencies,
  onDone,
}: {
  action: { id: string; description: string; assignedAgency: Agency | null };
  /** The case's lead and partners. */
  agencies: readonly Agency[];
  onDone(message: string): void;
}) {
  const prefix = `action-${action.id}`;
  const others = agencies.filter((a) => a.id !== action.assignedAgency?.id);
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<{ to?: string; note?: string; reason?: string }>({});
  const [reassigned, reassign] = useMutation(ReassignCaseActionDocument);
  const [cancelled, cancel] = useMutation(CancelCaseActionDocument);
  const handOn = formErrors(reassigned.error);
  const stop = formErrors(cancelled.error);
  const submitHandOn = async (e: FormEvent) => {
    e.preventDefault();
    const checks = {
      to: to ? undefined : "Choose the agency to do it",
      note: requiredText(note, "Enter why it is handed on"),
    };
    setLocal(checks);
    if (checks.to || checks.note) return;
    const r = await reassign({ actionId: action.id, assignedAgencyId: to, note });
    if (!r.error) onDone(`Action handed to ${others.find((a) => a.id === to)?.name ?? to}.`);
  };
  const submitCancel = async (e: FormEvent) => {
    e.preventDefault();
    const missing = requiredText(reason, "Enter why it is cancelled");
    setLocal({ reason: missing });
    if (missing) return;
    const r = await cancel({ actionId: action.id, reason });
    if (!r.error) onDone("Action cancelled.");
  };
  return (
    <details className="govuk-details govuk-!-margin-bottom-0" data-action-controls={action.id}>
      <summary className="govuk-details__summary">
        <span className="govuk-details__summary-text">
          Hand on or cancel<span className="govuk-visually-hidden">: {action.description}</span>
        </span>
      </summary>
      <div className="govuk-details__text">
        {others.length ? (
          <form onSubmit={submitHandOn} noValidate aria-label={`Hand on: ${action.description}`}>
            <Problems problems={handOn.problems} />
            <SelectField
              id={`${prefix}-to`}
              label="Hand it to"
              value={to}
              onChange={setTo}
              error={local.to ?? handOn.fields.assignedAgencyId}
              options={[
                { value: "", label: "Choose an agency" },
                ...others.map((a) => ({ value: a.id, label: a.name })),
              ]}
            />
            <TextField
              id={`${prefix}-note`}
              label="Why"
              value={note}
              onChange={setNote}
              error={local.note ?? handOn.fields.note}
              multiline
            />
            <button
              type="submit"
              className="govuk-button govuk-button--secondary"
              disabled={reassigned.fetching}
            >
              Hand it on
            </button>
          </form>
        ) : null}
        <form onSubmit={submitCancel} noValidate aria-label={`Cancel: ${action.description}`}>
          <Problems problems={stop.problems} />
          <TextField
            id={`${prefix}-reason`}
            label="Why cancel it"
            hint="It stays on the case as cancelled, with this reason."
            value={reason}
            onChange={setReason}
            error={local.reason ?? stop.fields.reason}
            multiline
          />
          <button type="submit" className="govuk-button govuk-button--warning" disabled={cancelled.fetching}>
            Cancel the action
          </button>
        </form>
      </div>
    </details>
  );
}

/** Unlinking a linked record, with the reason (kept in the case's events). */
export function UnlinkRecord({
  caseId,
  kind,
  recordId,
  label,
  onDone,
}: {
  caseId: string;
  kind: CaseRecordKind;
  recordId: string;
  /** The record as the board names it. */
  label: string;
  onDone(message: string): void;
}) {
  const id = `unlink-${kind}-${recordId}`;
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const [unlinked, unlink] = useMutation(UnlinkCaseRecordDocument);
  const { fields, problems } = formErrors(unlinked.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = requiredText(reason, "Enter why it is unlinked");
    setLocal(missing);
    if (missing) return;
    const r = await unlink({ caseId, record: { kind, id: recordId }, reason });
    if (!r.error) onDone("Record unlinked.");
  };
  return (
    <details className="govuk-details govuk-!-margin-bottom-2" data-unlink={recordId}>
      <summary className="govuk-details__summary">
        <span className="govuk-details__summary-text">
          Unlink<span className="govuk-visually-hidden">: {label}</span>
        </span>
      </summary>
      <div className="govuk-details__text">
        <form onSubmit={submit} noValidate aria-label={`Unlink: ${label}`}>
          <Problems problems={problems} />
          <TextField
            id={`${id}-reason`}
            label="Why unlink it"
            value={reason}
            onChange={setReason}
            error={local ?? fields.reason ?? fields.record}
            multiline
          />
          <button type="submit" className="govuk-button govuk-button--secondary" disabled={unlinked.fetching}>
            Unlink the record
          </button>
        </form>
      </div>
    </details>
  );
}
