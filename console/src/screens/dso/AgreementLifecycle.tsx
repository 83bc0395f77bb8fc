import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import type { DataCategory, Purpose } from "../../generated/enums";
import {
  AmendAgreementDocument,
  ConsoleAgreementsDocument,
  RecordAgreementReviewDocument,
  ReinstateAgreementDocument,
  type ConsoleAgreementQuery,
} from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { AGREEMENT_PURPOSE_OPTIONS } from "../../purpose/purposes";
import { Link, navigate } from "../../router";
import { apiFieldErrors, ChoiceField, ErrorSummary, TextField } from "../common/forms";
import { CATEGORIES, CATEGORY_NAMES, enumWords, when } from "../common/words";
import { statusColour } from "./Agreements";

export type AgreementInFull = NonNullable<ConsoleAgreementQuery["agreement"]>;

/**
 * A suspended agreement is in force again only once a DSO of each party approves reinstating it:
 * who has, who has not, and (for a party's DSO who has not) the approval with a note both see.
 */
export function Reinstatement({
  agreement,
  mine,
  onDone,
}: {
  agreement: AgreementInFull;
  mine: string | undefined;
  onDone(message: string): void;
}) {
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const [result, reinstate] = useMutation(ReinstateAgreementDocument);
  const { fields, problems } = apiFieldErrors(result.error, "");
  const parties = [agreement.provider, agreement.recipient];
  const approvedBy = new Map(agreement.reinstatementApprovals.map((a) => [a.agency.id, a]));
  const party = parties.some((p) => p.id === mine);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) return setLocal("Enter why it may be in force again; both agencies will see it");
    setLocal(undefined);
    const done = await reinstate({ id: agreement.id, note });
    if (!done.error)
      onDone(
        done.data?.reinstateAgreement.status === "ACTIVE"
          ? "Reinstated: both agencies have approved, and the agreement is in force again."
          : "Approved for your agency: the other agency must approve reinstating it too.",
      );
  };
  return (
    <section aria-labelledby="reinstatement" data-testid="reinstatement">
      <h2 className="govuk-heading-m" id="reinstatement">
        Reinstating it
      </h2>
      <p className="govuk-body">
        Nothing is shared under it while it is suspended. It is in force again once a data-sharing officer of
        each agency has approved reinstating it.
      </p>
      <ul className="govuk-list">
        {parties.map((p) => {
          const approval = approvedBy.get(p.id);
          return (
            <li key={p.id} data-party={p.id}>
              <strong className={`govuk-tag ${approval ? "govuk-tag--green" : "govuk-tag--grey"}`}>
                {approval ? "Approved" : "Not yet approved"}
              </strong>{" "}
              {p.name}
              {approval ? `: ${approval.approvedBy}, ${when(approval.approvedAt)}` : ""}
            </li>
          );
        })}
      </ul>
      {party && mine && !approvedBy.has(mine) ? (
        <form onSubmit={submit} noValidate aria-label="Approve reinstating the agreement">
          <Problems problems={problems} />
          <TextField
            id="reinstate-note"
            label="Why may it be in force again?"
            hint="Both agencies see this note."
            value={note}
            onChange={setNote}
            error={local ?? fields.note ?? fields.id}
            multiline
          />
          <button type="submit" className="govuk-button" disabled={result.fetching}>
            Approve reinstating it for your agency
          </button>
        </form>
      ) : null}
    </section>
  );
}

export const AMEND_LABELS: Record<string, string> = {
  title: "Title",
  purposes: "Purposes",
  categories: "Categories shared",
  consentRequiredFor: "Shared only with the person's consent",
  lawfulBasis: "Lawful basis",
  validTo: "Last day in force",
  reviewDate: "Review date",
  note: "Why it changes",
};

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

/**
 * Amending an agreement in force: a new version, a draft both agencies approve; the version in
 * force stays in force until then. Only the terms that differ from it are sent.
 */
export function AmendForm({ agreement, onCancel }: { agreement: AgreementInFull; onCancel(): void }) {
  const [title, setTitle] = useState(agreement.title);
  const [purposes, setPurposes] = useState<string[]>([...agreement.purposes]);
  const [categories, setCategories] = useState<string[]>([...agreement.categories]);
  const [consentRequiredFor, setConsentRequiredFor] = useState<string[]>([...agreement.consentRequiredFor]);
  const [lawfulBasis, setLawfulBasis] = useState(agreement.lawfulBasis);
  const [validTo, setValidTo] = useState(agreement.validTo);
  const [reviewDate, setReviewDate] = useState(agreement.reviewDate);
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [result, amend] = useMutation(AmendAgreementDocument);
  const api = apiFieldErrors(result.error);
  const fields = { ...api.fields, ...local };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) return setLocal({ note: "Enter why it changes; both agencies will see it" });
    setLocal({});
    const done = await amend({
      id: agreement.id,
      input: {
        note,
        ...(title !== agreement.title ? { title } : {}),
        ...(!same(purposes, agreement.purposes) ? { purposes: purposes as Purpose[] } : {}),
        ...(!same(categories, agreement.categories) ? { categories: categories as DataCategory[] } : {}),
        ...(!same(consentRequiredFor, agreement.consentRequiredFor)
          ? { consentRequiredFor: consentRequiredFor as DataCategory[] }
          : {}),
        ...(lawfulBasis !== agreement.lawfulBasis ? { lawfulBasis } : {}),
        ...(validTo !== agreement.validTo ? { validTo } : {}),
        ...(reviewDate !== agreement.reviewDate ? { reviewDate } : {}),
      },
    });
    const id = done.data?.amendAgreement.id;
    if (id) navigate(`/agreement?id=${encodeURIComponent(id)}`);
  };
  return (
    <section aria-labelledby="amend" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="amend">
        Amend it
      </h2>
      <p className="govuk-body">
        The amendment is a new version (version {agreement.version + 1}), a draft both agencies approve.
        Version {agreement.version} stays in force until the new one is, and is then superseded. The agencies
        and the first day in force stay as they are.
      </p>
      <ErrorSummary errors={fields} labels={AMEND_LABELS} idPrefix="amend" />
      <Problems problems={api.problems} />
      <form onSubmit={submit} noValidate aria-label="Amend the agreement">
        <TextField
          id="amend-title"
          label={AMEND_LABELS.title}
          value={title}
          onChange={setTitle}
          error={fields.title}
        />
        <ChoiceField
          id="amend-purposes"
          label={AMEND_LABELS.purposes}
          multiple
          options={AGREEMENT_PURPOSE_OPTIONS}
          selected={purposes}
          onChange={setPurposes}
          error={fields.purposes}
        />
        <ChoiceField
          id="amend-categories"
          label={AMEND_LABELS.categories}
          multiple
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] }))}
          selected={categories}
          onChange={setCategories}
          error={fields.categories}
        />
        <ChoiceField
          id="amend-consentRequiredFor"
          label={AMEND_LABELS.consentRequiredFor}
          multiple
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] }))}
          selected={consentRequiredFor}
          onChange={setConsentRequiredFor}
          error={fields.consentRequiredFor}
        />
        <TextField
          id="amend-lawfulBasis"
          label={AMEND_LABELS.lawfulBasis}
          value={lawfulBasis}
          onChange={setLawfulBasis}
          error={fields.lawfulBasis}
        />
        <TextField
          id="amend-validTo"
          type="date"
          label={AMEND_LABELS.validTo}
          hint="A later day renews it."
          value={validTo}
          onChange={setValidTo}
          error={fields.validTo}
        />
        <TextField
          id="amend-reviewDate"
          type="date"
          label={AMEND_LABELS.reviewDate}
          value={reviewDate}
          onChange={setReviewDate}
          error={fields.reviewDate}
        />
        <TextField
          id="amend-note"
          label={AMEND_LABELS.note}
          hint="Both agencies see this note."
          value={note}
          onChange={setNote}
          error={fields.note}
          multiline
        />
        <div className="govuk-button-group">
          <button type="submit" className="govuk-button" disabled={result.fetching}>
            Propose version {agreement.version + 1}
          </button>
          <button type="button" className="govuk-button govuk-button--secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/** A periodic review: what it found and when the next one is. */
export function ReviewForm({ id, onDone }: { id: string; onDone(message: string): void }) {
  const [nextReviewDate, setNextReviewDate] = useState("");
  const [note, setNote] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [result, record] = useMutation(RecordAgreementReviewDocument);
  const api = apiFieldErrors(result.error, "");
  const fields = { ...api.fields, ...local };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!nextReviewDate) missing.nextReviewDate = "Enter the date of the next review";
    if (!note.trim()) missing.note = "Enter what the review found";
    setLocal(missing);
    if (Object.keys(missing).length) return;
    const done = await record({ id, nextReviewDate, note });
    if (!done.error)
      onDone(`Review recorded: the next review is due on ${done.data?.recordAgreementReview.reviewDate}.`);
  };
  return (
    <section aria-labelledby="record-review" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="record-review">
        Record a review
      </h2>
      <ErrorSummary
        errors={fields}
        labels={{ nextReviewDate: "Next review date", note: "What the review found" }}
        idPrefix="review"
      />
      <Problems problems={api.problems} />
      <form onSubmit={submit} noValidate aria-label="Record a review">
        <TextField
          id="review-note"
          label="What the review found"
          hint="Both agencies see this."
          value={note}
          onChange={setNote}
          error={fields.note}
          multiline
        />
        <TextField
          id="review-nextReviewDate"
          type="date"
          label="Next review date"
          hint="After today, and not after the agreement's last day in force."
          value={nextReviewDate}
          onChange={setNextReviewDate}
          error={fields.nextReviewDate}
        />
        <button type="submit" className="govuk-button" disabled={result.fetching}>
          Record the review
        </button>
      </form>
    </section>
  );
}

/** The reviews recorded so far, oldest first. */
export function Reviews({ reviews }: { reviews: AgreementInFull["reviews"] }) {
  return (
    <>
      <h2 className="govuk-heading-m">Reviews</h2>
      {reviews.length ? (
        <table className="govuk-table" data-testid="reviews">
          <caption className="govuk-visually-hidden">Reviews of the agreement</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {["When", "By", "Found", "Next review"].map((h) => (
                <th scope="col" className="govuk-table__header" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {reviews.map((r) => (
              <tr className="govuk-table__row" key={r.at}>
                <td className="govuk-table__cell">{when(r.at)}</td>
                <td className="govuk-table__cell">
                  {r.by.userId}, {r.by.agency.name}
                </td>
                <td className="govuk-table__cell">{r.note}</td>
                <td className="govuk-table__cell">{r.nextReviewDate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="govuk-body">No review recorded yet.</p>
      )}
    </>
  );
}

/**
 * Every version of the agreement (they share its reference): which is in force, which is a draft
 * amendment of it, which are superseded.
 */
export function Versions({ agreement }: { agreement: AgreementInFull }) {
  const [all] = useQuery({ query: ConsoleAgreementsDocument, variables: { status: null } });
  const versions = (all.data?.agreements ?? [])
    .filter((a) => a.reference === agreement.reference)
    .sort((a, b) => a.version - b.version);
  const newer = versions.filter((v) => v.version > agreement.version);
  const inForceNote =
    agreement.supersedes && agreement.status === "DRAFT"
      ? `Version ${agreement.supersedes.version} (${enumWords(agreement.supersedes.status).toLowerCase()}) stays in force until this version is active; it is then superseded.`
      : agreement.status === "ACTIVE" && newer.some((v) => v.status === "DRAFT")
        ? `In force until the amendment (version ${newer.find((v) => v.status === "DRAFT")!.version}) is active.`
        : agreement.status === "SUPERSEDED" && newer.length
          ? `Superseded by version ${newer[newer.length - 1].version}.`
          : null;
  return (
    <>
      {inForceNote ? (
        <div className="govuk-inset-text" data-testid="version-note">
          {inForceNote}
        </div>
      ) : null}
      {versions.length > 1 ? (
        <>
          <h2 className="govuk-heading-m">Versions</h2>
          <ul className="govuk-list" data-testid="versions">
            {versions.map((v) => (
              <li key={v.id}>
                {v.id === agreement.id ? (
                  <strong>Version {v.version} (this one)</strong>
                ) : (
                  <Link className="govuk-link" to={`/agreement?id=${encodeURIComponent(v.id)}`}>
                    Version {v.version}
                  </Link>
                )}{" "}
                <strong className={`govuk-tag ${statusColour(v.status)}`}>{enumWords(v.status)}</strong>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
