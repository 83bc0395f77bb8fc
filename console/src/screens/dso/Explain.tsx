import { useMemo, useState, type FormEvent } from "react";
import { useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import type { DataCategory, Purpose } from "../../generated/enums";
import { ConsoleAgenciesDocument, ExplainAccessDocument } from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { usePurpose } from "../../purpose/PurposeContext";
import { PURPOSE_NAMES, PURPOSES } from "../../purpose/purposes";
import { apiFieldErrors, SelectField, TextField } from "../common/forms";
import { CATEGORIES, CATEGORY_NAMES, enumWords } from "../common/words";

interface Asked {
  personId: string;
  ownerAgencyId: string;
  category: DataCategory;
  purpose: Purpose;
}

/**
 * "Why can't they see it?": the access rules' own steps for one person, one category of one
 * agency's data, under one purpose, as your agency's staff would be decided. Explains only:
 * nothing is disclosed or recorded.
 */
export function Explain() {
  const { session } = useAuth();
  const { purpose: current } = usePurpose();
  const [agencies] = useQuery({ query: ConsoleAgenciesDocument });
  const [personId, setPersonId] = useState("");
  const [owner, setOwner] = useState("");
  const [category, setCategory] = useState("");
  const [purpose, setPurpose] = useState<string>(current);
  const [asked, setAsked] = useState<Asked | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  // The question's purpose, sent as this one request's x-purpose (the page's purpose stays as it is).
  const context = useMemo(
    () => ({
      fetchOptions: {
        headers: { authorization: `Bearer ${session?.token ?? ""}`, "x-purpose": asked?.purpose ?? current },
      },
    }),
    [session?.token, asked?.purpose, current],
  );
  const [result] = useQuery({
    query: ExplainAccessDocument,
    variables: asked ?? { personId: "", ownerAgencyId: "", category: "IDENTITY" },
    pause: !asked,
    context,
  });
  const { fields, problems } = apiFieldErrors(result.error, "");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!personId.trim())
      missing.personId = "Enter the person's id, for example per-000123 (find it on the People page)";
    if (!owner) missing.ownerAgencyId = "Choose the agency that holds the data";
    if (!category) missing.category = "Choose the kind of data";
    setLocal(missing);
    if (!Object.keys(missing).length)
      setAsked({
        personId: personId.trim(),
        ownerAgencyId: owner,
        category: category as DataCategory,
        purpose: purpose as Purpose,
      });
  };
  const explanation = result.data?.explainAccess;
  return (
    <>
      <h1 className="govuk-heading-l">Why can&apos;t they see it?</h1>
      <p className="govuk-body">
        How the sharing rules decide whether staff of your agency ({session?.caller.agency}) see one kind of
        another agency&apos;s data about a person, under a purpose. Nothing is shown or recorded by asking.
      </p>
      <form onSubmit={submit} noValidate aria-label="Explain access">
        <TextField
          id="explain-personId"
          label="Person id"
          value={personId}
          onChange={setPersonId}
          error={local.personId ?? fields.personId}
          width={20}
        />
        <SelectField
          id="explain-ownerAgencyId"
          label="Agency that holds the data"
          value={owner}
          onChange={setOwner}
          error={local.ownerAgencyId ?? fields.ownerAgencyId}
          options={[
            { value: "", label: "Choose an agency" },
            ...(agencies.data?.agencies ?? []).map((a) => ({ value: a.id, label: a.name })),
          ]}
        />
        <SelectField
          id="explain-category"
          label="Kind of data"
          value={category}
          onChange={setCategory}
          error={local.category ?? fields.category}
          options={[
            { value: "", label: "Choose a category" },
            ...CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] })),
          ]}
        />
        <SelectField
          id="explain-purpose"
          label="Purpose"
          value={purpose}
          onChange={setPurpose}
          options={PURPOSES.filter((p) => p !== "STATISTICS").map((p) => ({
            value: p,
            label: PURPOSE_NAMES[p],
          }))}
        />
        <button type="submit" className="govuk-button">
          Explain
        </button>
      </form>
      <Problems problems={problems} />
      {explanation && asked ? (
        <section aria-labelledby="explanation" data-testid="explanation">
          <h2 className="govuk-heading-m" id="explanation">
            {explanation.decision === "PERMITTED" ? "They can see it" : "They cannot see it"}
          </h2>
          <p className="govuk-body">
            <strong
              className={`govuk-tag ${explanation.decision === "PERMITTED" ? "govuk-tag--green" : "govuk-tag--red"}`}
            >
              {explanation.decision === "PERMITTED"
                ? "Permitted"
                : `Denied${explanation.reason ? `: ${enumWords(explanation.reason)}` : ""}`}
            </strong>
            {explanation.agreement ? ` under agreement ${explanation.agreement.reference}` : ""}
            {explanation.consent ? `, with consent ${explanation.consent.id}` : ""}
          </p>
          <ol className="govuk-list govuk-list--number">
            {explanation.steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </section>
      ) : null}
    </>
  );
}
