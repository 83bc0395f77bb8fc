import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../../auth/AuthContext";
import { ConsoleAgenciesDocument, OpenCaseDocument } from "../../generated/graphql";
import { Problems } from "../../errors/Problems";
import { Link, navigate } from "../../router";
import { apiFieldErrors, ChoiceField, ErrorSummary, TextField } from "../common/forms";

export const OPEN_CASE_LABELS: Record<string, string> = {
  title: "Title",
  problemType: "Kind of problem",
  neighbourhoodCodes: "Neighbourhoods",
  partnerAgencyIds: "Partner agencies",
  people: "People",
};

/** Opening a problem-solving case, led by your agency, at scanning. */
export function OpenCase() {
  const { session } = useAuth();
  const [agencies] = useQuery({ query: ConsoleAgenciesDocument });
  const [title, setTitle] = useState("");
  const [problemType, setProblemType] = useState("");
  const [codes, setCodes] = useState("");
  const [partners, setPartners] = useState<string[]>([]);
  const [opened, open] = useMutation(OpenCaseDocument);
  const { fields, problems } = apiFieldErrors(opened.error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await open({
      input: {
        title,
        problemType,
        neighbourhoodCodes: codes
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((c) => c.toUpperCase()),
        partnerAgencyIds: partners,
        people: [],
      },
    });
    const id = r.data?.openCase.id;
    if (id) navigate(`/case?id=${encodeURIComponent(id)}`);
  };
  return (
    <>
      <Link className="govuk-back-link" to="/cases">
        Cases
      </Link>
      <h1 className="govuk-heading-l">Open a case</h1>
      <ErrorSummary errors={fields} labels={OPEN_CASE_LABELS} idPrefix="case" />
      <Problems problems={problems} />
      <form onSubmit={submit} noValidate aria-label="Open a case">
        <TextField
          id="case-title"
          label={OPEN_CASE_LABELS.title}
          value={title}
          onChange={setTitle}
          error={fields.title}
        />
        <TextField
          id="case-problemType"
          label={OPEN_CASE_LABELS.problemType}
          hint="For example: Youth nuisance, Drug dealing, Neighbour dispute"
          value={problemType}
          onChange={setProblemType}
          error={fields.problemType}
          width={20}
        />
        <TextField
          id="case-neighbourhoodCodes"
          label={OPEN_CASE_LABELS.neighbourhoodCodes}
          hint="LSOA codes, separated by commas, for example E01032739"
          value={codes}
          onChange={setCodes}
          error={fields.neighbourhoodCodes}
        />
        <ChoiceField
          id="case-partnerAgencyIds"
          label={OPEN_CASE_LABELS.partnerAgencyIds}
          hint="Your agency leads it."
          multiple
          options={(agencies.data?.agencies ?? [])
            .filter((a) => a.id !== session?.caller.agency)
            .map((a) => ({ value: a.id, label: a.name }))}
          selected={partners}
          onChange={setPartners}
          error={fields.partnerAgencyIds}
        />
        <button type="submit" className="govuk-button" disabled={opened.fetching}>
          Open the case
        </button>
      </form>
    </>
  );
}
