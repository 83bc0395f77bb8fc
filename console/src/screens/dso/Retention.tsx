import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import type { DataCategory, RetentionStart } from "../../generated/enums";
import {
  ConsoleLegalHoldsDocument,
  RetentionDueDocument,
  RetentionRulesDocument,
  SetRetentionRuleDocument,
} from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { Link } from "../../router";
import { apiFieldErrors, ChoiceField, Done, ErrorSummary, SelectField, TextField } from "../common/forms";
import { CATEGORIES, CATEGORY_NAMES, when } from "../common/words";
import { UnderDataProtection } from "./DataProtectionPurpose";

export const FROM_WORDS: Record<RetentionStart, string> = {
  CREATED: "from when the record was made",
  CLOSED: "from when it was closed (open records wait)",
  LAST_ACTIVITY: "from the last thing that happened on it",
};

export const RULE_LABELS: Record<string, string> = {
  category: "Category of records",
  retainForMonths: "Months kept",
  from: "Counted",
  basis: "Why this period",
};

/** Setting the agency's rule for one category (it replaces the rule the category has). */
export function RetentionRuleForm({ onDone }: { onDone(message: string): void }) {
  const [category, setCategory] = useState("");
  const [months, setMonths] = useState("");
  const [from, setFrom] = useState<string[]>([]);
  const [basis, setBasis] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const [result, setRule] = useMutation(SetRetentionRuleDocument);
  const api = apiFieldErrors(result.error);
  const fields = { ...api.fields, ...local };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!category) missing.category = "Choose the category of records";
    if (!/^\d+$/.test(months.trim())) missing.retainForMonths = "Enter a whole number of months, such as 72";
    if (!from.length) missing.from = "Choose from when the period is counted";
    if (!basis.trim()) missing.basis = "Enter why records are kept this long";
    setLocal(missing);
    if (Object.keys(missing).length) return;
    const r = await setRule({
      input: {
        category: category as DataCategory,
        retainForMonths: Number(months.trim()),
        from: from[0] as RetentionStart,
        basis,
      },
    });
    if (r.data) {
      const rule = r.data.setRetentionRule;
      onDone(
        `${CATEGORY_NAMES[rule.category]} records are now kept ${rule.retainForMonths} months ${FROM_WORDS[rule.from]}.`,
      );
    }
  };
  return (
    <section aria-labelledby="set-rule" className="govuk-!-margin-bottom-6">
      <h2 className="govuk-heading-m" id="set-rule">
        Set a rule
      </h2>
      <ErrorSummary errors={fields} labels={RULE_LABELS} idPrefix="rule" />
      <Problems problems={api.problems} />
      <form onSubmit={submit} noValidate aria-label="Set a retention rule">
        <SelectField
          id="rule-category"
          label={RULE_LABELS.category}
          hint="It replaces your agency's rule for that category, if it has one."
          value={category}
          onChange={setCategory}
          options={[
            { value: "", label: "Choose a category" },
            ...CATEGORIES.map((c) => ({ value: c, label: CATEGORY_NAMES[c] })),
          ]}
          error={fields.category}
        />
        <TextField
          id="rule-retainForMonths"
          label={RULE_LABELS.retainForMonths}
          hint="1 to 1200."
          value={months}
          onChange={setMonths}
          error={fields.retainForMonths}
          width={10}
        />
        <ChoiceField
          id="rule-from"
          label={RULE_LABELS.from}
          multiple={false}
          options={(Object.keys(FROM_WORDS) as RetentionStart[]).map((f) => ({
            value: f,
            label: FROM_WORDS[f][0].toUpperCase() + FROM_WORDS[f].slice(1),
          }))}
          selected={from}
          onChange={setFrom}
          error={fields.from}
        />
        <TextField
          id="rule-basis"
          label={RULE_LABELS.basis}
          hint="The law, policy or schedule it follows."
          value={basis}
          onChange={setBasis}
          error={fields.basis}
        />
        <button type="submit" className="govuk-button" disabled={result.fetching}>
          Set the rule
        </button>
      </form>
    </section>
  );
}

function RetentionPages() {
  const [done, setDone] = useState<string | null>(null);
  const [rules, reloadRules] = useQuery({ query: RetentionRulesDocument });
  const [after, setAfter] = useState<string[]>([]);
  const [due, reloadDue] = useQuery({
    query: RetentionDueDocument,
    variables: { first: 50, after: after[after.length - 1] ?? null },
  });
  const [holds] = useQuery({ query: ConsoleLegalHoldsDocument });
  const problems = [rules.error, due.error, holds.error].flatMap((e) => (e ? describeCombinedError(e) : []));
  return (
    <>
      {done ? <Done>{done}</Done> : null}
      <Problems problems={problems} partial={Boolean(rules.data || due.data || holds.data)} />
      <h2 className="govuk-heading-m">Your agency&apos;s rules</h2>
      {rules.data ? (
        rules.data.retentionRules.length ? (
          <table className="govuk-table" data-testid="retention-rules">
            <caption className="govuk-visually-hidden">Retention rules</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {["Category", "Kept", "Why"].map((h) => (
                  <th scope="col" className="govuk-table__header" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {rules.data.retentionRules.map((r) => (
                <tr className="govuk-table__row" key={r.id} data-category={r.category}>
                  <td className="govuk-table__cell">{CATEGORY_NAMES[r.category]}</td>
                  <td className="govuk-table__cell">
                    {r.retainForMonths} months {FROM_WORDS[r.from]}
                  </td>
                  <td className="govuk-table__cell">{r.basis}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="govuk-body">No rules: nothing is due, and erasure keeps nothing for retention.</p>
        )
      ) : null}
      <RetentionRuleForm
        onDone={(message) => {
          setDone(message);
          reloadRules({ requestPolicy: "network-only" });
          reloadDue({ requestPolicy: "network-only" });
        }}
      />
      <h2 className="govuk-heading-m">What is due</h2>
      <p className="govuk-body">
        Records whose period has run out; <code>npm run retention</code> erases or anonymises them. A legal
        hold keeps a person&apos;s records out of this list.
      </p>
      {due.data ? (
        <>
          <table className="govuk-table" data-testid="retention-due">
            <caption className="govuk-table__caption govuk-table__caption--s">
              {due.data.retentionDue.totalCount} record{due.data.retentionDue.totalCount === 1 ? "" : "s"} due
            </caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {["Record", "Category", "Due since"].map((h) => (
                  <th scope="col" className="govuk-table__header" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {due.data.retentionDue.edges.map(({ node }) => (
                <tr className="govuk-table__row" key={`${node.kind}:${node.id}`}>
                  <td className="govuk-table__cell">
                    {node.kind.toLowerCase().replace(/_/g, " ")} {node.id}
                  </td>
                  <td className="govuk-table__cell">{CATEGORY_NAMES[node.category]}</td>
                  <td className="govuk-table__cell">{when(node.dueSince)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="govuk-button-group">
            {after.length ? (
              <button
                type="button"
                className="govuk-button govuk-button--secondary"
                onClick={() => setAfter(after.slice(0, -1))}
              >
                Previous 50
              </button>
            ) : null}
            {due.data.retentionDue.pageInfo.hasNextPage && due.data.retentionDue.pageInfo.endCursor ? (
              <button
                type="button"
                className="govuk-button govuk-button--secondary"
                onClick={() => setAfter([...after, due.data!.retentionDue.pageInfo.endCursor!])}
              >
                Next 50
              </button>
            ) : null}
          </div>
        </>
      ) : null}
      <h2 className="govuk-heading-m">Legal holds</h2>
      {holds.data ? (
        holds.data.legalHolds.length ? (
          <table className="govuk-table" data-testid="legal-holds">
            <caption className="govuk-visually-hidden">Legal holds your agency has placed</caption>
            <thead className="govuk-table__head">
              <tr className="govuk-table__row">
                {["Person", "Why", "Placed"].map((h) => (
                  <th scope="col" className="govuk-table__header" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="govuk-table__body">
              {holds.data.legalHolds.map((h) => (
                <tr className="govuk-table__row" key={h.person.id}>
                  <td className="govuk-table__cell">
                    <Link className="govuk-link" to={`/rights?person=${encodeURIComponent(h.person.id)}`}>
                      {h.person.displayName ?? h.person.id}
                    </Link>
                  </td>
                  <td className="govuk-table__cell">{h.reason}</td>
                  <td className="govuk-table__cell">
                    {h.placedBy}, {when(h.placedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="govuk-body">
            No legal holds. Place one from a person&apos;s page in{" "}
            <Link className="govuk-link" to="/rights">
              A person&apos;s rights
            </Link>
            .
          </p>
        )
      ) : null}
    </>
  );
}

/** Retention at the DSO's agency: its rules, setting one, what is due, and its legal holds. */
export function Retention() {
  return (
    <>
      <h1 className="govuk-heading-l">Retention</h1>
      <p className="govuk-body">
        How long your agency keeps each category of records, and from when. Records inside their period are
        kept against erasure; records past it are due to be erased.
      </p>
      <UnderDataProtection>
        <RetentionPages />
      </UnderDataProtection>
    </>
  );
}
