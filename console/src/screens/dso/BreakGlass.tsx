import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import type { BreakGlassOutcome } from "../../generated/enums";
import {
  ConsoleBreakGlassEventsDocument,
  ReviewBreakGlassDocument,
  type ConsoleBreakGlassEventsQuery,
} from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { PURPOSE_NAMES } from "../../purpose/purposes";
import { apiFieldErrors, ChoiceField, Done, TextField } from "../common/forms";
import { CATEGORY_NAMES, enumWords, when } from "../common/words";

type Event = ConsoleBreakGlassEventsQuery["breakGlassEvents"][number];

function ReviewForm({ event, onDone }: { event: Event; onDone(message: string): void }) {
  const [outcome, setOutcome] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [reviewed, review] = useMutation(ReviewBreakGlassDocument);
  const { fields, problems } = apiFieldErrors(reviewed.error, "");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!outcome.length) missing.outcome = "Say whether the access was justified";
    if (!note.trim()) missing.note = "Enter your reasons";
    setLocal(missing);
    if (Object.keys(missing).length) return;
    const r = await review({ id: event.id, outcome: outcome[0] as BreakGlassOutcome, note });
    if (!r.error) onDone(`Review recorded: ${outcome[0] === "JUSTIFIED" ? "justified" : "not justified"}.`);
  };
  const prefix = `review-${event.id}`;
  return (
    <form onSubmit={submit} noValidate aria-label={`Review the access by ${event.actor.userId}`}>
      <Problems problems={problems} />
      <ChoiceField
        id={`${prefix}-outcome`}
        label="Was it justified?"
        multiple={false}
        options={[
          { value: "JUSTIFIED", label: "Justified" },
          { value: "NOT_JUSTIFIED", label: "Not justified" },
        ]}
        selected={outcome}
        onChange={setOutcome}
        error={local.outcome ?? fields.outcome}
      />
      <TextField
        id={`${prefix}-note`}
        label="Your reasons"
        value={note}
        onChange={setNote}
        error={local.note ?? fields.note}
        multiline
      />
      <button type="submit" className="govuk-button" disabled={reviewed.fetching}>
        Record the review
      </button>
    </form>
  );
}

/** The break-glass review queue: emergency accesses to the agency's data, for its DSOs to judge. */
export function BreakGlass() {
  const [showReviewed, setShowReviewed] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [result, reload] = useQuery({
    query: ConsoleBreakGlassEventsDocument,
    variables: { reviewed: showReviewed },
  });
  const problems = result.error ? describeCombinedError(result.error) : [];
  const events = result.data?.breakGlassEvents ?? [];
  return (
    <>
      <h1 className="govuk-heading-l">Break-glass review</h1>
      <p className="govuk-body">
        Emergency accesses to your agency&apos;s data under safeguarding, which no agreement or consent
        covered. Review each: who, when, why, and what was released.
      </p>
      <div className="govuk-button-group">
        <button
          type="button"
          className="govuk-button govuk-button--secondary"
          aria-pressed={!showReviewed}
          onClick={() => setShowReviewed(false)}
        >
          Waiting for review
        </button>
        <button
          type="button"
          className="govuk-button govuk-button--secondary"
          aria-pressed={showReviewed}
          onClick={() => setShowReviewed(true)}
        >
          Reviewed
        </button>
      </div>
      {done ? <Done>{done}</Done> : null}
      <Problems problems={problems} />
      {result.data && !events.length ? (
        <p className="govuk-body">{showReviewed ? "None reviewed yet." : "Nothing is waiting for review."}</p>
      ) : null}
      {events.map((e) => (
        <div className="govuk-summary-card" key={e.id} data-break-glass={e.id}>
          <div className="govuk-summary-card__title-wrapper">
            <h2 className="govuk-summary-card__title">
              {e.actor.userId} ({enumWords(e.actor.role)}, {e.actor.agency.name}), {when(e.at)}
            </h2>
          </div>
          <div className="govuk-summary-card__content">
            <dl className="govuk-summary-list">
              {[
                ["Justification given", e.justification],
                ["Purpose", e.purpose ? PURPOSE_NAMES[e.purpose] : "None given"],
                ["About", e.people.map((p) => p.displayName ?? p.id).join(", ") || "No one named"],
                [
                  "What was released",
                  `${e.categories.map((c) => CATEGORY_NAMES[c]).join(", ")}: ${e.recordIds.length} record${e.recordIds.length === 1 ? "" : "s"} (${e.recordIds.join(", ")})`,
                ],
                ...(e.reviewed
                  ? [
                      [
                        "Review",
                        `${enumWords(e.outcome ?? "")} by ${e.reviewedBy ?? ""} on ${when(e.reviewedAt)}: ${e.reviewNote ?? ""}`,
                      ],
                    ]
                  : []),
              ].map(([k, v]) => (
                <div className="govuk-summary-list__row" key={k}>
                  <dt className="govuk-summary-list__key">{k}</dt>
                  <dd className="govuk-summary-list__value">{v}</dd>
                </div>
              ))}
            </dl>
            {!e.reviewed ? (
              <ReviewForm
                event={e}
                onDone={(m) => {
                  setDone(m);
                  reload({ requestPolicy: "network-only" });
                }}
              />
            ) : null}
          </div>
        </div>
      ))}
    </>
  );
}
