import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import type { ConsentGiver, DataCategory, Purpose } from "../../generated/enums";
import {
  ConsoleAgreementsDocument,
  ConsoleConsentsDocument,
  RecordConsentDocument,
  WithdrawConsentDocument,
  type ConsoleConsentsQuery,
} from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { PURPOSE_NAMES } from "../../purpose/purposes";
import { Link, navigate } from "../../router";
import { apiFieldErrors, ChoiceField, Done, ErrorSummary, SelectField, TextField } from "../common/forms";
import { useSearchParam } from "../common/location";
import { PersonSearch } from "../common/PersonSearch";
import { CATEGORY_NAMES, enumWords, todayIso, when } from "../common/words";

type Person = NonNullable<ConsoleConsentsQuery["person"]>;

export const CONSENT_LABELS: Record<string, string> = {
  recipientAgencyId: "Shared with",
  purposes: "For these purposes",
  categories: "These categories of your agency's data",
  givenBy: "Given by",
  givenAt: "Date given",
  expiresAt: "Expires on",
  evidenceRef: "Evidence reference",
  personId: "Person",
  dateOfBirth: "Date of birth",
};

/**
 * Recording a consent: only for the DSO's own agency's data, to a partner that an agreement in
 * force has the agency share with. The under-13 rule is said before it is enforced.
 */
export function RecordConsentForm({ person, onDone }: { person: Person; onDone(message: string): void }) {
  const { session } = useAuth();
  const mine = session?.caller.agency ?? "";
  const [active] = useQuery({ query: ConsoleAgreementsDocument, variables: { status: "ACTIVE" } });
  const shares = (active.data?.agreements ?? []).filter((a) => a.provider.id === mine);
  const [recipient, setRecipient] = useState("");
  const [purposes, setPurposes] = useState<string[]>([]);
  const [categories, setCategories] = useState<string[]>([]);
  const [givenBy, setGivenBy] = useState<string[]>(
    person.ageBand === "UNDER_13" ? ["PARENT_OR_GUARDIAN"] : ["SELF"],
  );
  const [givenAt, setGivenAt] = useState(todayIso());
  const [expiresAt, setExpiresAt] = useState("");
  const [evidenceRef, setEvidenceRef] = useState("");
  const [recorded, record] = useMutation(RecordConsentDocument);
  const { fields, problems } = apiFieldErrors(recorded.error);
  const chosen = shares.filter((a) => a.recipient.id === recipient);
  const purposeOptions = [...new Set(chosen.flatMap((a) => a.purposes))];
  const categoryOptions = [...new Set(chosen.flatMap((a) => a.categories))];
  const askConsent = new Set(chosen.flatMap((a) => a.consentRequiredFor));
  const recipients = [...new Map(shares.map((a) => [a.recipient.id, a.recipient.name])).entries()];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const today = todayIso();
    const result = await record({
      input: {
        personId: person.id,
        recipientAgencyId: recipient,
        purposes: purposes as Purpose[],
        categories: categories as DataCategory[],
        givenBy: givenBy[0] as ConsentGiver,
        // A consent given today is given now; an earlier one, at the start of its day.
        givenAt: givenAt === today ? new Date().toISOString() : givenAt ? `${givenAt}T00:00:00Z` : "",
        expiresAt: expiresAt ? `${expiresAt}T23:59:59Z` : null,
        evidenceRef,
      },
    });
    if (!result.error)
      onDone(
        `Consent recorded: ${recipients.find(([id]) => id === recipient)?.[1] ?? recipient} may now be shown what it covers.`,
      );
  };

  if (active.data && !shares.length)
    return (
      <p className="govuk-body">
        Your agency shares its data with no partner under an agreement in force, so there is nothing a consent
        could open.
      </p>
    );
  return (
    <form onSubmit={submit} noValidate aria-label="Record a consent">
      <h2 className="govuk-heading-m">Record a consent</h2>
      <p className="govuk-body">
        A consent lets a partner see your agency&apos;s data about {person.displayName ?? "this person"} where
        your agreement with them shares it only with consent. It covers only your agency&apos;s data, and only
        partners an agreement in force shares it with.
      </p>
      <div className="govuk-warning-text">
        <span className="govuk-warning-text__icon" aria-hidden="true">
          !
        </span>
        <strong className="govuk-warning-text__text">
          <span className="govuk-visually-hidden">Warning</span>
          Someone who was under 13 when the consent was given cannot give it themselves: a parent or guardian
          must.
          {person.ageBand === "UNDER_13" ? ` ${person.displayName ?? "This person"} is under 13 today.` : ""}
          {!person.dateOfBirth ? " The people index does not know this person's date of birth." : ""}
        </strong>
      </div>
      <ErrorSummary errors={fields} labels={CONSENT_LABELS} idPrefix="consent" />
      <Problems problems={problems} />
      <SelectField
        id="consent-recipientAgencyId"
        label={CONSENT_LABELS.recipientAgencyId}
        value={recipient}
        onChange={(value) => {
          setRecipient(value);
          setPurposes([]);
          setCategories([]);
        }}
        options={[
          { value: "", label: "Choose a partner" },
          ...recipients.map(([id, name]) => ({ value: id, label: name })),
        ]}
        error={fields.recipientAgencyId}
      />
      {recipient ? (
        <>
          <ChoiceField
            id="consent-purposes"
            label={CONSENT_LABELS.purposes}
            multiple
            options={purposeOptions.map((p) => ({ value: p, label: PURPOSE_NAMES[p] }))}
            selected={purposes}
            onChange={setPurposes}
            error={fields.purposes}
          />
          <ChoiceField
            id="consent-categories"
            label={CONSENT_LABELS.categories}
            hint="Those your agreements with this partner share; marked where they are shared only with consent."
            multiple
            options={categoryOptions.map((c) => ({
              value: c,
              label: CATEGORY_NAMES[c],
              hint: askConsent.has(c) ? "Shared only with consent" : undefined,
            }))}
            selected={categories}
            onChange={setCategories}
            error={fields.categories}
          />
        </>
      ) : null}
      <ChoiceField
        id="consent-givenBy"
        label={CONSENT_LABELS.givenBy}
        multiple={false}
        options={[
          {
            value: "SELF",
            label: "The person themselves",
            hint: "Only if they were 13 or over when they gave it.",
          },
          { value: "PARENT_OR_GUARDIAN", label: "A parent or guardian" },
        ]}
        selected={givenBy}
        onChange={setGivenBy}
        error={fields.givenBy ?? fields.dateOfBirth}
      />
      <TextField
        id="consent-givenAt"
        type="date"
        label={CONSENT_LABELS.givenAt}
        value={givenAt}
        onChange={setGivenAt}
        error={fields.givenAt}
      />
      <TextField
        id="consent-expiresAt"
        type="date"
        label={CONSENT_LABELS.expiresAt}
        hint="Optional: leave empty if it lasts until withdrawn."
        value={expiresAt}
        onChange={setExpiresAt}
        error={fields.expiresAt}
      />
      <TextField
        id="consent-evidenceRef"
        label={CONSENT_LABELS.evidenceRef}
        hint="Where the signed form or recording is kept, for example a document number."
        value={evidenceRef}
        onChange={setEvidenceRef}
        error={fields.evidenceRef}
        width={20}
      />
      <button type="submit" className="govuk-button" disabled={recorded.fetching}>
        Record the consent
      </button>
    </form>
  );
}

/** Consents: find a person, see the consents that concern your agency, record and withdraw. */
export function Consents() {
  const personId = useSearchParam("person");
  const [done, setDone] = useState<string | null>(null);
  const [result, reload] = useQuery({
    query: ConsoleConsentsDocument,
    variables: { personId: personId ?? "" },
    pause: !personId,
  });
  const [withdrawal, withdraw] = useMutation(WithdrawConsentDocument);
  const person = result.data?.person;
  const problems = [
    ...(result.error ? describeCombinedError(result.error) : []),
    ...(withdrawal.error ? describeCombinedError(withdrawal.error) : []),
  ];
  const finished = (message: string) => {
    setDone(message);
    reload({ requestPolicy: "network-only" });
  };
  return (
    <>
      <h1 className="govuk-heading-l">Consents</h1>
      {!personId ? (
        <PersonSearch
          action={(p) => (
            <button
              type="button"
              className="govuk-button govuk-button--secondary govuk-!-margin-0"
              onClick={() => navigate(`/consents?person=${encodeURIComponent(p.id)}`)}
            >
              Consents<span className="govuk-visually-hidden"> of {p.displayName ?? p.id}</span>
            </button>
          )}
        />
      ) : (
        <Link className="govuk-back-link" to="/consents">
          Find another person
        </Link>
      )}
      {done ? <Done>{done}</Done> : null}
      <Problems problems={problems} />
      {person ? (
        <>
          <h2 className="govuk-heading-m" data-testid="consent-person">
            {person.displayName}{" "}
            <span className="govuk-caption-m">
              {person.dateOfBirth ? `born ${person.dateOfBirth}` : "date of birth not known"}
            </span>
          </h2>
          {person.consents?.length ? (
            <table className="govuk-table" data-testid="consents">
              <caption className="govuk-table__caption govuk-table__caption--s">
                Consents that concern your agency
              </caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {["Status", "From → to", "Purposes", "Categories", "Given", "Evidence", ""].map((h, i) => (
                    <th scope="col" className="govuk-table__header" key={i}>
                      {h || <span className="govuk-visually-hidden">Action</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {person.consents.map((c) => (
                  <tr className="govuk-table__row" key={c.id} data-consent={c.id}>
                    <td className="govuk-table__cell">
                      <strong
                        className={`govuk-tag ${c.status === "ACTIVE" ? "govuk-tag--green" : "govuk-tag--grey"}`}
                      >
                        {enumWords(c.status)}
                      </strong>
                      {c.withdrawnAt ? <div className="govuk-body-s">{when(c.withdrawnAt)}</div> : null}
                    </td>
                    <td className="govuk-table__cell">
                      {c.recordedByAgency.name} → {c.recipient.name}
                    </td>
                    <td className="govuk-table__cell">
                      {c.purposes.map((p) => PURPOSE_NAMES[p]).join(", ")}
                    </td>
                    <td className="govuk-table__cell">
                      {c.categories.map((x) => CATEGORY_NAMES[x]).join(", ")}
                    </td>
                    <td className="govuk-table__cell">
                      {when(c.givenAt)} by {c.givenBy === "SELF" ? "the person" : "a parent or guardian"}
                      {c.expiresAt ? <div className="govuk-body-s">expires {when(c.expiresAt)}</div> : null}
                    </td>
                    <td className="govuk-table__cell">{c.evidenceRef}</td>
                    <td className="govuk-table__cell">
                      {c.status === "ACTIVE" ? (
                        <button
                          type="button"
                          className="govuk-button govuk-button--warning govuk-!-margin-0"
                          disabled={withdrawal.fetching}
                          onClick={async () => {
                            const r = await withdraw({ id: c.id });
                            if (!r.error)
                              finished(
                                `Consent withdrawn: ${c.recipient.name} no longer sees what it covered, from the next request.`,
                              );
                          }}
                        >
                          Withdraw
                          <span className="govuk-visually-hidden"> the consent to {c.recipient.name}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="govuk-body">No consents concern your agency for this person.</p>
          )}
          <RecordConsentForm key={done ?? "form"} person={person} onDone={finished} />
        </>
      ) : null}
    </>
  );
}
