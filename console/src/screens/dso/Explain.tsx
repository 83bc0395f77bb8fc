import { useState, type FormEvent } from "react";
import { useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import { ROLE_NAMES, ROLES } from "../../auth/session";
import type { DataCategory, Purpose, Role } from "../../generated/enums";
import { ConsoleAgenciesDocument, ConsoleExplainStaffAccessDocument } from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { PURPOSE_NAMES, PURPOSES } from "../../purpose/purposes";
import { apiFieldErrors, SelectField, TextField } from "../common/forms";
import { CATEGORIES, CATEGORY_NAMES, enumWords } from "../common/words";

interface Asked {
  personId: string;
  ownerAgencyId: string;
  category: DataCategory;
  agencyId: string;
  role: Role;
  purpose: Purpose;
}

/**
 * "Why can't they see it?": the access rules' own steps for one agency's staff, in a role and
 * under a purpose, for one category of a person's data held by one agency. Your agency must be
 * the one holding the data or the one asked about. Nothing is disclosed or recorded by asking.
 */
export function Explain() {
  const { session } = useAuth();
  const mine = session?.caller.agency ?? "";
  const [agencies] = useQuery({ query: ConsoleAgenciesDocument });
  const [personId, setPersonId] = useState("");
  const [agency, setAgency] = useState(mine);
  const [role, setRole] = useState<string>("PRACTITIONER");
  const [purpose, setPurpose] = useState<string>("ASB_CASE_MANAGEMENT");
  const [owner, setOwner] = useState("");
  const [category, setCategory] = useState("");
  const [asked, setAsked] = useState<Asked | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [result] = useQuery({
    query: ConsoleExplainStaffAccessDocument,
    variables: asked ?? {
      personId: "",
      ownerAgencyId: "",
      category: "IDENTITY",
      agencyId: "",
      role: "PRACTITIONER",
      purpose: "ASB_CASE_MANAGEMENT",
    },
    pause: !asked,
  });
  const { fields, problems } = apiFieldErrors(result.error, "");
  const agencyOptions = (agencies.data?.agencies ?? []).map((a) => ({ value: a.id, label: a.name }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!personId.trim())
      missing.personId = "Enter the person's id, for example per-000123 (find it on the People page)";
    if (!owner) missing.ownerAgencyId = "Choose the agency that holds the data";
    else if (owner !== mine && agency !== mine)
      missing.ownerAgencyId = "Your agency must hold the data or be the agency asked about";
    if (!category) missing.category = "Choose the kind of data";
    setLocal(missing);
    if (!Object.keys(missing).length)
      setAsked({
        personId: personId.trim(),
        ownerAgencyId: owner,
        category: category as DataCategory,
        agencyId: agency,
        role: role as Role,
        purpose: purpose as Purpose,
      });
  };
  const explanation = result.data?.explainStaffAccess;
  return (
    <>
      <h1 className="govuk-heading-l">Why can&apos;t they see it?</h1>
      <p className="govuk-body">
        How the sharing rules decide whether an agency&apos;s staff see one kind of a person&apos;s data held
        by an agency. Ask about your own agency&apos;s data, or about your own agency&apos;s staff. Nothing is
        shown or recorded by asking.
      </p>
      <form onSubmit={submit} noValidate aria-label="Explain access">
        <SelectField
          id="explain-agencyId"
          label="Staff of"
          value={agency}
          onChange={setAgency}
          error={fields.agencyId}
          options={agencyOptions}
        />
        <SelectField
          id="explain-role"
          label="In the role"
          value={role}
          onChange={setRole}
          options={ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r] }))}
        />
        <SelectField
          id="explain-purpose"
          label="Working for the purpose"
          value={purpose}
          onChange={setPurpose}
          options={PURPOSES.map((p) => ({ value: p, label: PURPOSE_NAMES[p] }))}
        />
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
          options={[{ value: "", label: "Choose an agency" }, ...agencyOptions]}
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
        <button type="submit" className="govuk-button">
          Explain
        </button>
      </form>
      <Problems problems={problems} />
      {asked && result.data && !explanation ? (
        <p className="govuk-body" role="status">
          There is nothing to explain to your agency here: ask about your own agency&apos;s data or staff.
        </p>
      ) : null}
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
