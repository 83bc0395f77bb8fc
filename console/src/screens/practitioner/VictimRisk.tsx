import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { AssessVictimRiskDocument, ConsoleVictimRiskDocument } from "../../generated/graphql";
import { describeCombinedError } from "../../errors/messages";
import { Problems } from "../../errors/Problems";
import { Link } from "../../router";
import { Done, ErrorSummary, type FieldErrors } from "../common/forms";
import { useSearchParam } from "../common/location";
import { enumWords, when } from "../common/words";
import { formErrors } from "./caseForms";

type Answers = Record<string, boolean | undefined>;

/** One yes/no question, a GOV.UK inline radios fieldset. */
function Question({
  code,
  text,
  answer,
  error,
  onChange,
}: {
  code: string;
  text: string;
  answer: boolean | undefined;
  error?: string;
  onChange(answer: boolean): void;
}) {
  const id = `risk-${code}`;
  return (
    <div className={`govuk-form-group${error ? " govuk-form-group--error" : ""}`} data-question={code}>
      <fieldset className="govuk-fieldset" aria-describedby={error ? `${id}-error` : undefined}>
        <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">{text}</legend>
        {error ? (
          <p className="govuk-error-message" id={`${id}-error`}>
            <span className="govuk-visually-hidden">Error:</span> {error}
          </p>
        ) : null}
        <div className="govuk-radios govuk-radios--inline govuk-radios--small">
          {[true, false].map((value) => {
            const inputId = value ? id : `${id}-no`;
            return (
              <div className="govuk-radios__item" key={String(value)}>
                <input
                  className="govuk-radios__input"
                  id={inputId}
                  name={id}
                  type="radio"
                  value={value ? "yes" : "no"}
                  checked={answer === value}
                  onChange={() => onChange(value)}
                />
                <label className="govuk-label govuk-radios__label" htmlFor={inputId}>
                  {value ? "Yes" : "No"}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

/**
 * A victim risk assessment of one person on a case: every published question answered yes or no
 * (the graph computes the score and the level), and the person's assessments so far.
 */
export function VictimRisk() {
  const caseId = useSearchParam("case") ?? "";
  const personId = useSearchParam("person") ?? "";
  const [result, reload] = useQuery({
    query: ConsoleVictimRiskDocument,
    variables: { caseId, personId },
    pause: !caseId || !personId,
  });
  const [answers, setAnswers] = useState<Answers>({});
  const [unanswered, setUnanswered] = useState<FieldErrors>({});
  const [assessed, assess] = useMutation(AssessVictimRiskDocument);
  const [done, setDone] = useState<string | null>(null);
  const { fields, problems } = formErrors(assessed.error);
  const questions = result.data?.victimRiskQuestions ?? [];
  const board = result.data?.problemCase;
  const person = board?.people.find((p) => p.person.id === personId);
  const name = person?.person.displayName ?? personId;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Every question needs an answer: a partial assessment would score low for want of asking.
    const missing: FieldErrors = {};
    for (const q of questions) if (answers[q.code] === undefined) missing[q.code] = "Answer yes or no";
    setUnanswered(missing);
    if (Object.keys(missing).length) return;
    const r = await assess({
      caseId,
      personId,
      answers: questions.map((q) => ({ question: q.code, answer: answers[q.code] === true })),
    });
    const made = r.data?.assessVictimRisk;
    if (made) {
      setDone(`Assessed: a score of ${made.score}, ${enumWords(made.level).toLowerCase()} risk.`);
      setAnswers({});
      reload({ requestPolicy: "network-only" });
    }
  };
  if (!caseId || !personId)
    return <p className="govuk-body">No case or person chosen: open the case board and pick a person.</p>;
  const labels = Object.fromEntries(questions.map((q) => [q.code, q.text]));
  return (
    <>
      <Link className="govuk-back-link" to={`/case?id=${encodeURIComponent(caseId)}`}>
        Back to the case
      </Link>
      {done ? <Done>{done}</Done> : null}
      {result.error ? (
        <Problems problems={describeCombinedError(result.error)} partial={Boolean(board)} />
      ) : null}
      {result.data && !board ? (
        <h1 className="govuk-heading-l">No such case, or not one your agency works</h1>
      ) : null}
      {board ? (
        <>
          <span className="govuk-caption-l">
            {board.reference}: {board.title}
          </span>
          <h1 className="govuk-heading-l">Victim risk: {name}</h1>
          <p className="govuk-body">
            The case&apos;s risk level is{" "}
            <strong className="govuk-tag govuk-tag--blue" data-testid="case-risk-level">
              {enumWords(board.riskLevel)}
            </strong>
            : the highest current level of its people.
          </p>
          {!person ? (
            <p className="govuk-body">This person is not on the case.</p>
          ) : board.stage === "CLOSED" ? (
            <p className="govuk-body">The case is closed: it takes no new assessments.</p>
          ) : (
            <form onSubmit={submit} noValidate aria-label="Assess victim risk">
              <h2 className="govuk-heading-m">New assessment</h2>
              <p className="govuk-body">
                Ask the person each question and record their answer. Each yes adds its weight to the score;
                15 or more is high risk, 8 to 14 medium, below 8 standard.
              </p>
              <ErrorSummary errors={unanswered} labels={labels} idPrefix="risk" />
              <Problems problems={problems} />
              {fields.answers ? <p className="govuk-error-message">{fields.answers}</p> : null}
              {questions.map((q) => (
                <Question
                  key={q.code}
                  code={q.code}
                  text={q.text}
                  answer={answers[q.code]}
                  error={unanswered[q.code]}
                  onChange={(answer) => setAnswers((a) => ({ ...a, [q.code]: answer }))}
                />
              ))}
              <button type="submit" className="govuk-button" disabled={assessed.fetching}>
                Record the assessment
              </button>
            </form>
          )}
          <h2 className="govuk-heading-m">Assessments so far</h2>
          {board.riskAssessments.length ? (
            <table className="govuk-table" data-testid="risk-history">
              <caption className="govuk-visually-hidden">Assessments of {name}, newest first</caption>
              <thead className="govuk-table__head">
                <tr className="govuk-table__row">
                  {["When", "By", "Score", "Level", "Answered yes"].map((h) => (
                    <th scope="col" className="govuk-table__header" key={h}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="govuk-table__body">
                {board.riskAssessments.map((a, i) => (
                  <tr className="govuk-table__row" key={a.id} data-assessment={a.id}>
                    <td className="govuk-table__cell">
                      {when(a.at)}
                      {i === 0 ? <div className="govuk-body-s">Current</div> : null}
                    </td>
                    <td className="govuk-table__cell">
                      {a.assessedBy.userId} ({a.assessedBy.agency?.name ?? "agency not named just now"})
                    </td>
                    <td className="govuk-table__cell">{a.score}</td>
                    <td className="govuk-table__cell">{enumWords(a.level)}</td>
                    <td className="govuk-table__cell">
                      {a.answers.filter((x) => x.answer).length
                        ? a.answers
                            .filter((x) => x.answer)
                            .map((x) => enumWords(x.question).toLowerCase())
                            .join(", ")
                        : "None"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="govuk-body">None yet.</p>
          )}
        </>
      ) : null}
    </>
  );
}
