import type { Problem } from "./messages";

/**
 * A page's problems, GOV.UK error-summary style: each title and what to do. `partial` says the
 * rest of the page is shown and names what is missing.
 */
export function Problems({
  problems,
  partial = false,
  describePath = (path: string) => path,
}: {
  problems: Problem[];
  partial?: boolean;
  describePath?: (path: string) => string;
}) {
  if (!problems.length) return null;
  return (
    <div className={partial ? "govuk-warning-text console-problems" : "govuk-error-summary"} role="alert">
      <div className={partial ? "" : "govuk-error-summary__body"}>
        <h2 className={partial ? "govuk-heading-s" : "govuk-error-summary__title"}>
          {partial ? "Part of this page could not be shown" : "There is a problem"}
        </h2>
        <ul className="govuk-list">
          {problems.map((p, i) => (
            <li key={`${p.code}-${p.path ?? ""}-${i}`} data-code={p.code}>
              <strong>{p.title}</strong>
              {p.path ? <> (missing: {describePath(p.path)})</> : null}
              {p.detail ? <>. {p.detail}</> : null}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
