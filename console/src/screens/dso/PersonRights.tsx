import { useState, type FormEvent } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import {
  ConsoleErasurePlanDocument,
  ConsoleLegalHoldsDocument,
  ConsolePersonIdentityDocument,
  ConsoleSetLegalHoldDocument,
  ErasePersonDataDocument,
  RectifyPersonDocument,
  SubjectAccessExportDocument,
  type ErasePersonDataMutation,
  type SubjectAccessExportQuery,
} from "../../generated/graphql";
import { describeCombinedError, type Problem } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { AgencyName } from "../../layout/AgencyName";
import { Link, navigate } from "../../router";
import { downloadText } from "../common/csv";
import { apiFieldErrors, Done, ErrorSummary, TextField } from "../common/forms";
import { useSearchParam } from "../common/location";
import { PersonSearch } from "../common/PersonSearch";
import { CATEGORY_NAMES, when } from "../common/words";
import { UnderDataProtection } from "./DataProtectionPurpose";

type Export = SubjectAccessExportQuery["subjectAccessExport"];

/** The export's file name: whose, from which agency, when (no name of the person in it). */
export function exportFileName(e: Pick<Export, "agency" | "person" | "generatedAt">): string {
  return `subject-access-${e.person.id}-${e.agency.id}-${e.generatedAt.slice(0, 10)}.json`;
}

/** Subject access: everything the agency holds about the person and every disclosure of it, as a file. */
export function SubjectAccess({ personId }: { personId: string }) {
  const client = useClient();
  const [made, setMade] = useState<Export | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    const result = await client
      .query(SubjectAccessExportDocument, { personId }, { requestPolicy: "network-only" })
      .toPromise();
    setBusy(false);
    setProblems(result.error ? describeCombinedError(result.error) : []);
    setMade(result.data?.subjectAccessExport ?? null);
  };
  const download = (e: Export) =>
    downloadText(exportFileName(e), `${JSON.stringify(e.document, null, 2)}\n`, "application/json");
  return (
    <section aria-labelledby="subject-access" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="subject-access">
        Subject access
      </h2>
      <p className="govuk-body">
        Everything your agency holds about them, with every disclosure of it the audit records, as one JSON
        file to give them. Other people named in the records are shown only by their part. Making the export
        is itself recorded in the audit.
      </p>
      <Problems problems={problems} />
      <button type="button" className="govuk-button govuk-button--secondary" onClick={run} disabled={busy}>
        Make a subject access export
      </button>
      {made ? (
        <div data-testid="export">
          <dl className="govuk-summary-list">
            {[
              ["Records your agency holds", String(made.recordCount)],
              ["Disclosures and refusals recorded", String(made.disclosureCount)],
              ["Made", when(made.generatedAt)],
            ].map(([key, value]) => (
              <div className="govuk-summary-list__row" key={key}>
                <dt className="govuk-summary-list__key">{key}</dt>
                <dd className="govuk-summary-list__value">{value}</dd>
              </div>
            ))}
          </dl>
          <button type="button" className="govuk-button" onClick={() => download(made)}>
            Download the export (JSON)
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** The people index's identity of the person, its corrections, and a correction with evidence. */
export function Rectification({ personId }: { personId: string }) {
  const [identity, reload] = useQuery({ query: ConsolePersonIdentityDocument, variables: { personId } });
  const [displayName, setDisplayName] = useState("");
  const [dateOfBirth, setDateOfBirth] = useState("");
  const [evidenceRef, setEvidenceRef] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const [result, rectify] = useMutation(RectifyPersonDocument);
  const api = apiFieldErrors(result.error);
  const fields = { ...api.fields, ...local };
  const person = identity.data?.person;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!displayName.trim() && !dateOfBirth) missing.displayName = "Enter the correct name or date of birth";
    if (!evidenceRef.trim()) missing.evidenceRef = "Enter the evidence for the correction";
    setLocal(missing);
    if (Object.keys(missing).length) return;
    const r = await rectify({
      personId,
      input: {
        evidenceRef,
        ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
        ...(dateOfBirth ? { dateOfBirth } : {}),
      },
    });
    if (!r.error) {
      setDone("Corrected: the values replaced are kept in the history below.");
      setDisplayName("");
      setDateOfBirth("");
      setEvidenceRef("");
      reload({ requestPolicy: "network-only" });
    }
  };
  return (
    <section aria-labelledby="rectification" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="rectification">
        Rectification
      </h2>
      {identity.error ? <Problems problems={describeCombinedError(identity.error)} /> : null}
      {done ? <Done>{done}</Done> : null}
      {person ? (
        <p className="govuk-body" data-testid="identity">
          In the people index: <strong>{person.displayName ?? person.id}</strong>, born{" "}
          {person.dateOfBirth ?? "(not known)"}.
        </p>
      ) : null}
      <ErrorSummary
        errors={fields}
        labels={{
          displayName: "Correct name",
          dateOfBirth: "Correct date of birth",
          evidenceRef: "Evidence",
        }}
        idPrefix="rectify"
      />
      <Problems problems={api.problems} />
      <form onSubmit={submit} noValidate aria-label="Correct their identity">
        <TextField
          id="rectify-displayName"
          label="Correct name"
          hint="Given name then family name; leave empty to keep it."
          value={displayName}
          onChange={setDisplayName}
          error={fields.displayName}
          width={30}
        />
        <TextField
          id="rectify-dateOfBirth"
          type="date"
          label="Correct date of birth"
          hint="Leave empty to keep it."
          value={dateOfBirth}
          onChange={setDateOfBirth}
          error={fields.dateOfBirth}
        />
        <TextField
          id="rectify-evidenceRef"
          label="Evidence"
          hint="What you saw, for example the reference of a passport check. No copy of the document."
          value={evidenceRef}
          onChange={setEvidenceRef}
          error={fields.evidenceRef}
          width={30}
        />
        <button type="submit" className="govuk-button govuk-button--secondary" disabled={result.fetching}>
          Correct their identity
        </button>
      </form>
      <h3 className="govuk-heading-s">Earlier identities</h3>
      {person?.identityHistory?.length ? (
        <table className="govuk-table" data-testid="identity-history">
          <caption className="govuk-visually-hidden">What their identity was before each correction</caption>
          <thead className="govuk-table__head">
            <tr className="govuk-table__row">
              {["Name then", "Date of birth then", "Replaced", "By", "Evidence"].map((h) => (
                <th scope="col" className="govuk-table__header" key={h}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="govuk-table__body">
            {person.identityHistory.map((h) => (
              <tr className="govuk-table__row" key={h.replacedAt}>
                <td className="govuk-table__cell">{h.displayName}</td>
                <td className="govuk-table__cell">{h.dateOfBirth ?? "Not known"}</td>
                <td className="govuk-table__cell">{when(h.replacedAt)}</td>
                <td className="govuk-table__cell">
                  {h.replacedByUser}, {h.replacedBy.name}
                </td>
                <td className="govuk-table__cell">{h.evidenceRef}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="govuk-body">Never corrected.</p>
      )}
    </section>
  );
}

/** A legal hold on the person's records at the DSO's agency: placed, or lifted. */
export function LegalHoldPanel({ personId }: { personId: string }) {
  const [holds, reload] = useQuery({ query: ConsoleLegalHoldsDocument });
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<string | undefined>();
  const [result, setHold] = useMutation(ConsoleSetLegalHoldDocument);
  const hold = holds.data?.legalHolds.find((h) => h.person.id === personId);
  const problems = [
    ...(holds.error ? describeCombinedError(holds.error) : []),
    ...(result.error ? describeCombinedError(result.error) : []),
  ];
  const change = async (next: string | null) => {
    if (next !== null && !next.trim()) return setLocal("Enter why the records must be kept");
    setLocal(undefined);
    const r = await setHold({ personId, reason: next });
    if (!r.error) {
      setReason("");
      reload({ requestPolicy: "network-only" });
    }
  };
  return (
    <section aria-labelledby="legal-hold" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="legal-hold">
        Legal hold
      </h2>
      <Problems problems={problems} />
      {hold ? (
        <>
          <p className="govuk-body" data-testid="hold">
            Everything your agency holds about them is kept, whatever erasure or retention say:{" "}
            <strong>{hold.reason}</strong> (placed by {hold.placedBy}, {when(hold.placedAt)}).
          </p>
          <button
            type="button"
            className="govuk-button govuk-button--secondary"
            onClick={() => change(null)}
            disabled={result.fetching}
          >
            Lift the hold
          </button>
        </>
      ) : holds.data ? (
        <form
          noValidate
          aria-label="Place a legal hold"
          onSubmit={(e) => {
            e.preventDefault();
            void change(reason);
          }}
        >
          <TextField
            id="hold-reason"
            label="Why must their records be kept?"
            hint="A claim, an inquiry, a court order's reference. No hold is in place now."
            value={reason}
            onChange={setReason}
            error={local}
            width={30}
          />
          <button type="submit" className="govuk-button govuk-button--secondary" disabled={result.fetching}>
            Place a legal hold
          </button>
        </form>
      ) : null}
    </section>
  );
}

type Erased = ErasePersonDataMutation["erasePersonData"];

/**
 * Erasure in two steps: the request (its reference and ground), then a confirmation that names,
 * before anything goes, each record that will be erased and each that will be kept and why (the
 * graph's own plan: the same decision the erasure then makes). After it, what was kept and why.
 */
export function Erasure({ personId, agencyId }: { personId: string; agencyId: string }) {
  const agencyName = <AgencyName id={agencyId} />;
  const [step, setStep] = useState<"request" | "confirm" | "done">("request");
  const [requestRef, setRequestRef] = useState("");
  const [reason, setReason] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Erased | null>(null);
  const [plan] = useQuery({
    query: ConsoleErasurePlanDocument,
    variables: { personId },
    pause: step !== "confirm",
    requestPolicy: "network-only",
  });
  const [result, erase] = useMutation(ErasePersonDataDocument);
  const api = apiFieldErrors(result.error, "");
  const fields = { ...api.fields, ...local };
  const cont = (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!requestRef.trim()) missing.requestRef = "Enter the erasure request's reference";
    if (!reason.trim()) missing.reason = "Enter the ground for erasure";
    setLocal(missing);
    if (!Object.keys(missing).length) setStep("confirm");
  };
  const confirm = async () => {
    const r = await erase({ personId, requestRef, reason });
    if (r.data) {
      setOutcome(r.data.erasePersonData);
      setStep("done");
    }
  };
  const p = plan.data?.erasurePlan;
  const going = p?.records.filter((r) => !r.keptBecause.length) ?? [];
  const kept = p?.records.filter((r) => r.keptBecause.length) ?? [];
  const recordWords = (r: { kind: string; id: string; categories: readonly string[] }) =>
    `${r.kind.toLowerCase().replace(/_/g, " ")} ${r.id} (${r.categories
      .map((c) => CATEGORY_NAMES[c as keyof typeof CATEGORY_NAMES] ?? c)
      .join(", ")})`;
  return (
    <section aria-labelledby="erasure" className="govuk-!-margin-bottom-6" data-testid="erasure">
      <h2 className="govuk-heading-m" id="erasure">
        Erasure
      </h2>
      {step === "request" ? (
        <>
          <p className="govuk-body">
            Erases what {agencyName} holds about them, except what a retention rule or a legal hold keeps. You
            will see what will go and what is kept before anything is erased. Other agencies&apos; data is
            theirs to erase.
          </p>
          <ErrorSummary
            errors={fields}
            labels={{ requestRef: "Erasure request reference", reason: "Ground for erasure" }}
            idPrefix="erase"
          />
          <form onSubmit={cont} noValidate aria-label="Erasure request">
            <TextField
              id="erase-requestRef"
              label="Erasure request reference"
              hint="Your agency's reference for the request. No personal data."
              value={requestRef}
              onChange={setRequestRef}
              error={fields.requestRef}
              width={20}
            />
            <TextField
              id="erase-reason"
              label="Ground for erasure"
              hint="For example: UK GDPR article 17(1)(a), no longer necessary."
              value={reason}
              onChange={setReason}
              error={fields.reason}
              multiline
            />
            <button type="submit" className="govuk-button govuk-button--warning">
              Continue to check what will be erased
            </button>
          </form>
        </>
      ) : null}
      {step === "confirm" ? (
        <div data-testid="erasure-confirmation">
          {plan.error ? <Problems problems={describeCombinedError(plan.error)} /> : null}
          <Problems problems={api.problems} />
          {plan.fetching ? (
            <p className="govuk-body" role="status">
              Working out what would be erased…
            </p>
          ) : null}
          {p ? (
            <>
              <h3 className="govuk-heading-s" id="will-go">
                What will be erased: {p.eraseRecords} record{p.eraseRecords === 1 ? "" : "s"}
              </h3>
              {going.length ? (
                <ul className="govuk-list govuk-list--bullet" aria-labelledby="will-go" data-testid="will-go">
                  {going.map((r) => (
                    <li key={`${r.kind}:${r.id}`}>{recordWords(r)}</li>
                  ))}
                </ul>
              ) : (
                <p className="govuk-body">Nothing: everything is kept, for the reasons below.</p>
              )}
              <h3 className="govuk-heading-s" id="kept">
                What is kept, and why: {p.retainRecords} record{p.retainRecords === 1 ? "" : "s"}
              </h3>
              {kept.length ? (
                <ul className="govuk-list govuk-list--bullet" aria-labelledby="kept" data-testid="kept">
                  {kept.map((r) => (
                    <li key={`${r.kind}:${r.id}`}>
                      {recordWords(r)}: kept by {r.keptBecause.join("; ")}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="govuk-body">Nothing is kept: no retention rule or legal hold applies.</p>
              )}
              <div className="govuk-warning-text">
                <span className="govuk-warning-text__icon" aria-hidden="true">
                  !
                </span>
                <strong className="govuk-warning-text__text">
                  <span className="govuk-visually-hidden">Warning</span>
                  Erasure cannot be undone. Request {requestRef}.
                </strong>
              </div>
              <div className="govuk-button-group">
                <button
                  type="button"
                  className="govuk-button govuk-button--warning"
                  onClick={confirm}
                  disabled={result.fetching}
                >
                  Erase {p.eraseRecords} record{p.eraseRecords === 1 ? "" : "s"} now
                </button>
                <button
                  type="button"
                  className="govuk-button govuk-button--secondary"
                  onClick={() => setStep("request")}
                >
                  Go back
                </button>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
      {step === "done" && outcome ? (
        <div data-testid="erasure-outcome">
          <Done>
            Erased {outcome.erasedRecords} record{outcome.erasedRecords === 1 ? "" : "s"} at {agencyName};
            kept {outcome.retainedRecords}.
          </Done>
          {outcome.retainedBecause.length ? (
            <>
              <h3 className="govuk-heading-s">Kept because</h3>
              <ul className="govuk-list govuk-list--bullet" data-testid="retained-because">
                {outcome.retainedBecause.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </>
          ) : (
            <p className="govuk-body">Nothing was kept.</p>
          )}
        </div>
      ) : null}
    </section>
  );
}

/** A person's data-protection rights, handled by a DSO for their own agency's data. */
export function PersonRights() {
  const personId = useSearchParam("person");
  const { session } = useAuth();
  const agency = session?.caller.agency ?? "";
  return (
    <>
      <h1 className="govuk-heading-l">A person&apos;s rights</h1>
      <p className="govuk-body">
        Subject access, erasure and rectification for the data your agency holds, and legal holds. Each agency
        is the controller of its own data: another agency&apos;s is theirs to answer for.
      </p>
      <UnderDataProtection>
        {!personId ? (
          <PersonSearch
            action={(p) => (
              <button
                type="button"
                className="govuk-button govuk-button--secondary govuk-!-margin-0"
                onClick={() => navigate(`/rights?person=${encodeURIComponent(p.id)}`)}
              >
                Their rights<span className="govuk-visually-hidden"> ({p.displayName ?? p.id})</span>
              </button>
            )}
          />
        ) : (
          <>
            <Link className="govuk-back-link" to="/rights">
              Find another person
            </Link>
            <SubjectAccess key={`s-${personId}`} personId={personId} />
            <Rectification key={`r-${personId}`} personId={personId} />
            <LegalHoldPanel key={`h-${personId}`} personId={personId} />
            <Erasure key={`e-${personId}`} personId={personId} agencyId={agency} />
          </>
        )}
      </UnderDataProtection>
    </>
  );
}
