import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import type { DataCategory, Purpose } from "../../generated/enums";
import { ConsoleAgenciesDocument, ProposeAgreementDocument } from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { AGREEMENT_PURPOSE_OPTIONS } from "../../purpose/purposes";
import { Link, navigate } from "../../router";
import { apiFieldErrors, ChoiceField, ErrorSummary, SelectField, TextField } from "../common/forms";
import { CATEGORIES, CATEGORY_NAMES, todayIso } from "../common/words";

export const PROPOSE_LABELS: Record<string, string> = {
  title: "Title",
  providerAgencyId: "Provider (the agency that holds the data)",
  recipientAgencyId: "Recipient",
  purposes: "Purposes",
  categories: "Categories shared",
  consentRequiredFor: "Shared only with the person's consent",
  lawfulBasis: "Lawful basis",
  validFrom: "First day in force",
  validTo: "Last day in force",
  reviewDate: "Review date",
};

function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/**
 * Proposing an agreement (as DRAFT; both agencies' DSOs then approve it). The graph checks the
 * terms; its messages are shown next to the fields they are about.
 */
export function ProposeAgreement() {
  const { session } = useAuth();
  const today = todayIso();
  const [agencies] = useQuery({ query: ConsoleAgenciesDocument });
  const [title, setTitle] = useState("");
  const [provider, setProvider] = useState(session?.caller.agency ?? "");
  const [recipient, setRecipient] = useState("");
  const [purposes, setPurposes] = useState<string[]>([]);
  const [categories, setCategories] = useState<string[]>([]);
  const [consentRequiredFor, setConsentRequiredFor] = useState<string[]>([]);
  const [lawfulBasis, setLawfulBasis] = useState("");
  const [validFrom, setValidFrom] = useState(today);
  const [validTo, setValidTo] = useState(addMonths(today, 12));
  const [reviewDate, setReviewDate] = useState(addMonths(today, 6));
  const [proposed, propose] = useMutation(ProposeAgreementDocument);
  const { fields, problems } = apiFieldErrors(proposed.error);

  const agencyOptions = [
    { value: "", label: "Choose an agency" },
    ...(agencies.data?.agencies ?? []).map((a) => ({ value: a.id, label: a.name })),
  ];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await propose({
      input: {
        title,
        providerAgencyId: provider,
        recipientAgencyId: recipient,
        purposes: purposes as Purpose[],
        categories: categories as DataCategory[],
        consentRequiredFor: consentRequiredFor as DataCategory[],
        lawfulBasis,
        validFrom,
        validTo,
        reviewDate,
      },
    });
    const id = result.data?.proposeAgreement.id;
    if (id) navigate(`/agreement?id=${encodeURIComponent(id)}`);
  };

  return (
    <>
      <Link className="govuk-back-link" to="/agreements">
        Agreements register
      </Link>
      <h1 className="govuk-heading-l">Propose an agreement</h1>
      <p className="govuk-body">
        It starts as a draft. It comes into force once a data-sharing officer of each agency has approved it,
        from its first day.
      </p>
      <ErrorSummary errors={fields} labels={PROPOSE_LABELS} idPrefix="propose" />
      <Problems problems={problems} />
      <form onSubmit={submit} noValidate aria-label="Propose an agreement">
        <TextField
          id="propose-title"
          label={PROPOSE_LABELS.title}
          value={title}
          onChange={setTitle}
          error={fields.title}
        />
        <SelectField
          id="propose-providerAgencyId"
          label={PROPOSE_LABELS.providerAgencyId}
          value={provider}
          onChange={setProvider}
          options={agencyOptions}
          error={fields.providerAgencyId}
        />
        <SelectField
          id="propose-recipientAgencyId"
          label={PROPOSE_LABELS.recipientAgencyId}
          value={recipient}
          onChange={setRecipient}
          options={agencyOptions}
          error={fields.recipientAgencyId}
        />
        <ChoiceField
          id="propose-purposes"
          label={PROPOSE_LABELS.purposes}
          hint="What the recipient may use the data for."
          multiple
          options={AGREEMENT_PURPOSE_OPTIONS}
          selected={purposes}
          onChange={setPurposes}
          error={fields.purposes}
        />
        <ChoiceField
          id="propose-categories"
          label={PROPOSE_LABELS.categories}
          multiple
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] }))}
          selected={categories}
          onChange={setCategories}
          error={fields.categories}
        />
        <ChoiceField
          id="propose-consentRequiredFor"
          label={PROPOSE_LABELS.consentRequiredFor}
          hint="Of the categories shared, those shared only where the person has consented (recorded by the provider)."
          multiple
          options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] }))}
          selected={consentRequiredFor}
          onChange={setConsentRequiredFor}
          error={fields.consentRequiredFor}
        />
        <TextField
          id="propose-lawfulBasis"
          label={PROPOSE_LABELS.lawfulBasis}
          hint="For example: UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115"
          value={lawfulBasis}
          onChange={setLawfulBasis}
          error={fields.lawfulBasis}
        />
        <TextField
          id="propose-validFrom"
          type="date"
          label={PROPOSE_LABELS.validFrom}
          value={validFrom}
          onChange={setValidFrom}
          error={fields.validFrom}
        />
        <TextField
          id="propose-validTo"
          type="date"
          label={PROPOSE_LABELS.validTo}
          value={validTo}
          onChange={setValidTo}
          error={fields.validTo}
        />
        <TextField
          id="propose-reviewDate"
          type="date"
          label={PROPOSE_LABELS.reviewDate}
          hint="Between the first and last day in force."
          value={reviewDate}
          onChange={setReviewDate}
          error={fields.reviewDate}
        />
        <button type="submit" className="govuk-button" disabled={proposed.fetching}>
          Propose the agreement
        </button>
      </form>
    </>
  );
}
