import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import {
  ApproveAgreementDocument,
  ConsoleAgreementDocument,
  ConsoleRevokeAgreementDocument,
  SuspendAgreementDocument,
} from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { PURPOSE_NAMES } from "../../purpose/purposes";
import { Link } from "../../router";
import { apiFieldErrors, Done, TextField } from "../common/forms";
import { useSearchParam } from "../common/location";
import { CATEGORY_NAMES, enumWords, todayIso, when } from "../common/words";
import { statusColour } from "./Agreements";
import { AmendForm, Reinstatement, Reviews, ReviewForm, Versions } from "./AgreementLifecycle";
import { reviewFlag } from "./agreement-register";

/** Suspending or revoking: a reason is required and shown to both parties. */
function ReasonForm({
  id,
  action,
  onDone,
}: {
  id: string;
  action: "suspend" | "revoke";
  onDone(message: string): void;
}) {
  const [reason, setReason] = useState("");
  const [suspended, suspend] = useMutation(SuspendAgreementDocument);
  const [revoked, revoke] = useMutation(ConsoleRevokeAgreementDocument);
  const [local, setLocal] = useState<string | undefined>();
  const result = action === "suspend" ? suspended : revoked;
  const { fields, problems } = apiFieldErrors(result.error, "");
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setLocal("Enter why; both agencies will see it");
    setLocal(undefined);
    const done = action === "suspend" ? await suspend({ id, reason }) : await revoke({ id, reason });
    if (!done.error)
      onDone(
        action === "suspend"
          ? "The agreement is suspended: sharing under it stops now."
          : "The agreement is revoked for good.",
      );
  };
  const verb = action === "suspend" ? "Suspend" : "Revoke";
  return (
    <form
      onSubmit={submit}
      noValidate
      className="govuk-!-margin-bottom-6"
      aria-label={`${verb} the agreement`}
    >
      <Problems problems={problems} />
      <TextField
        id={`${action}-reason`}
        label={`Why ${action} it?`}
        hint="Both agencies see this reason."
        value={reason}
        onChange={setReason}
        error={local ?? fields.reason ?? fields.id}
        multiline
      />
      <button type="submit" className="govuk-button govuk-button--warning" disabled={result.fetching}>
        {verb} the agreement
      </button>
    </form>
  );
}

/** One agreement: what it shares and why, its approvals, and what a party's DSO may do with it. */
export function AgreementDetail() {
  const id = useSearchParam("id") ?? "";
  const { session } = useAuth();
  const [done, setDone] = useState<string | null>(null);
  const [action, setAction] = useState<"suspend" | "revoke" | "amend" | "review" | null>(null);
  const [result, reload] = useQuery({ query: ConsoleAgreementDocument, variables: { id }, pause: !id });
  // Another agreement (a new version after amending): its own page, nothing left open.
  useEffect(() => setAction(null), [id]);
  const [approval, approve] = useMutation(ApproveAgreementDocument);
  const agreement = result.data?.agreement;
  const mine = session?.caller.agency;
  const party = agreement && (agreement.provider.id === mine || agreement.recipient.id === mine);
  const approved = agreement?.approvals.some((a) => a.agency.id === mine);
  const problems = [
    ...(result.error ? describeCombinedError(result.error) : []),
    ...(approval.error ? describeCombinedError(approval.error) : []),
  ];
  const finished = (message: string) => {
    setDone(message);
    setAction(null);
    reload({ requestPolicy: "network-only" });
  };

  if (!id) return <p className="govuk-body">No agreement chosen: pick one in the register.</p>;
  const flag = agreement ? reviewFlag(agreement, todayIso()) : null;
  return (
    <>
      <Link className="govuk-back-link" to="/agreements">
        Agreements register
      </Link>
      {done ? <Done>{done}</Done> : null}
      <Problems problems={problems} />
      {result.data && !agreement ? <h1 className="govuk-heading-l">No such agreement</h1> : null}
      {agreement ? (
        <>
          <span className="govuk-caption-l">
            {agreement.reference}, version {agreement.version}
          </span>
          <h1 className="govuk-heading-l">{agreement.title}</h1>
          <p className="govuk-body">
            <strong className={`govuk-tag ${statusColour(agreement.status)}`} data-testid="agreement-status">
              {enumWords(agreement.status)}
            </strong>{" "}
            {agreement.statusNote}
          </p>
          {/* Asked afresh for each agreement and status: another version may have changed with it. */}
          <Versions key={`${agreement.id}:${agreement.status}`} agreement={agreement} />
          <dl className="govuk-summary-list">
            {[
              ["Provider (holds the data)", agreement.provider.name],
              ["Recipient", agreement.recipient.name],
              ["Purposes", agreement.purposes.map((p) => PURPOSE_NAMES[p]).join(", ")],
              ["Categories shared", agreement.categories.map((c) => CATEGORY_NAMES[c]).join(", ")],
              [
                "Shared only with the person's consent",
                agreement.consentRequiredFor.length
                  ? agreement.consentRequiredFor.map((c) => CATEGORY_NAMES[c]).join(", ")
                  : "None: every category above is shared without asking for consent",
              ],
              ["Lawful basis", agreement.lawfulBasis],
              ["In force", `${agreement.validFrom} to ${agreement.validTo}`],
              ["Review date", `${agreement.reviewDate}${flag ? ` (${flag.text.toLowerCase()})` : ""}`],
              ...(agreement.supersedes
                ? [
                    [
                      "Amends",
                      <Link
                        key="amends"
                        className="govuk-link"
                        to={`/agreement?id=${encodeURIComponent(agreement.supersedes.id)}`}
                      >
                        Version {agreement.supersedes.version} (
                        {enumWords(agreement.supersedes.status).toLowerCase()})
                      </Link>,
                    ],
                  ]
                : []),
              ...(agreement.suspendedReason ? [["Why suspended", agreement.suspendedReason]] : []),
              ...(agreement.revokedReason ? [["Why revoked", agreement.revokedReason]] : []),
            ].map(([key, value]) => (
              <div className="govuk-summary-list__row" key={String(key)}>
                <dt className="govuk-summary-list__key">{key}</dt>
                <dd className="govuk-summary-list__value">{value}</dd>
              </div>
            ))}
          </dl>
          <h2 className="govuk-heading-m">Approvals</h2>
          {agreement.approvals.length ? (
            <table className="govuk-table" data-testid="approvals">
              <caption className="govuk-visually-hidden">Approvals history</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  <th scope="col" className="govuk-table__header">
                    Agency
                  </th>
                  <th scope="col" className="govuk-table__header">
                    Approved by
                  </th>
                  <th scope="col" className="govuk-table__header">
                    When
                  </th>
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {agreement.approvals.map((a) => (
                  <tr className="govuk-table__row" key={a.agency.id}>
                    <td className="govuk-table__cell">{a.agency.name}</td>
                    <td className="govuk-table__cell">{a.approvedBy}</td>
                    <td className="govuk-table__cell">{when(a.approvedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="govuk-body">Neither agency has approved it yet.</p>
          )}
          {agreement.status === "SUSPENDED" ? (
            <Reinstatement agreement={agreement} mine={mine} onDone={finished} />
          ) : null}
          <Reviews reviews={agreement.reviews} />
          {party ? (
            <>
              <h2 className="govuk-heading-m">What you can do</h2>
              <div className="govuk-button-group">
                {agreement.status === "DRAFT" && !approved ? (
                  <button
                    type="button"
                    className="govuk-button"
                    disabled={approval.fetching}
                    onClick={async () => {
                      const r = await approve({ id });
                      if (!r.error)
                        finished(
                          r.data?.approveAgreement.status === "ACTIVE"
                            ? "Approved: both agencies have approved, and the agreement is in force."
                            : "Approved for your agency: the other agency must approve too.",
                        );
                    }}
                  >
                    Approve for your agency
                  </button>
                ) : null}
                {agreement.status === "ACTIVE" || agreement.status === "SUSPENDED" ? (
                  <button
                    type="button"
                    className="govuk-button govuk-button--secondary"
                    onClick={() => setAction("review")}
                  >
                    Record a review
                  </button>
                ) : null}
                {agreement.status === "ACTIVE" ? (
                  <button
                    type="button"
                    className="govuk-button govuk-button--secondary"
                    onClick={() => setAction("amend")}
                  >
                    Amend
                  </button>
                ) : null}
                {agreement.status === "ACTIVE" ? (
                  <button
                    type="button"
                    className="govuk-button govuk-button--secondary"
                    onClick={() => setAction("suspend")}
                  >
                    Suspend
                  </button>
                ) : null}
                {agreement.status !== "REVOKED" && agreement.status !== "SUPERSEDED" ? (
                  <button
                    type="button"
                    className="govuk-button govuk-button--warning"
                    onClick={() => setAction("revoke")}
                  >
                    Revoke
                  </button>
                ) : null}
              </div>
              {action === "suspend" || action === "revoke" ? (
                <ReasonForm key={action} id={id} action={action} onDone={finished} />
              ) : null}
              {action === "amend" ? (
                <AmendForm agreement={agreement} onCancel={() => setAction(null)} />
              ) : null}
              {action === "review" ? <ReviewForm id={id} onDone={finished} /> : null}
            </>
          ) : (
            <p className="govuk-body">Only the data-sharing officers of its two agencies can change it.</p>
          )}
        </>
      ) : null}
    </>
  );
}
