import type { ReactNode } from "react";
import type { CombinedError } from "urql";
import { describeGraphError, FORBIDDEN_REASONS, type GraphError, type Problem } from "../../errors/messages";

/**
 * Fields the graph withheld, by path ("person.tenancies.edges.0.node.arrearsBand"): a denied
 * field is null with an error at its path, and the page must say so, never show a blank.
 */
export type WithheldByPath = Map<string, Problem>;

export function withheldByPath(error: CombinedError | undefined): WithheldByPath {
  const map: WithheldByPath = new Map();
  for (const e of error?.graphQLErrors ?? []) {
    if (!e.path?.length) continue;
    map.set(e.path.join("."), describeGraphError(e as GraphError));
  }
  return map;
}

/** The problem at a path or at any path above it (a withheld record withholds its fields). */
export function withheldAt(map: WithheldByPath, path: string): Problem | undefined {
  let at = path;
  for (;;) {
    const found = map.get(at);
    if (found) return found;
    const cut = at.lastIndexOf(".");
    if (cut < 0) return undefined;
    at = at.slice(0, cut);
  }
}

/** A denial by the sharing rules (not a service that failed to answer). */
export function isDenial(problem: Problem): boolean {
  return problem.code in FORBIDDEN_REASONS || problem.code === "FORBIDDEN";
}

/** "Withheld" with the reason in plain words (or "Not available" when a service failed). */
export function Withheld({ problem }: { problem: Problem }) {
  return (
    <span className="console-withheld" data-withheld={problem.code}>
      <strong className="govuk-tag govuk-tag--grey">
        {isDenial(problem) ? "Withheld" : "Not available"}
      </strong>{" "}
      {problem.title}. <span className="govuk-body-s">{problem.detail}</span>
    </span>
  );
}

/**
 * One value of a record: shown; or withheld, saying why; or "Not recorded" when the holder has
 * nothing (null with no error).
 */
export function Value({
  value,
  path,
  withheld,
  render,
}: {
  value: unknown;
  path: string;
  withheld: WithheldByPath;
  render?: (value: never) => ReactNode;
}) {
  const problem = value === null || value === undefined ? withheldAt(withheld, path) : undefined;
  if (problem) return <Withheld problem={problem} />;
  if (value === null || value === undefined || value === "")
    return <span className="govuk-hint">Not recorded</span>;
  return <>{render ? render(value as never) : String(value)}</>;
}
