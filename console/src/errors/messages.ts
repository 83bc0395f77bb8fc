import type { CombinedError } from "urql";

/** An error as the graph reports it (one entry of a response's `errors`). */
export interface GraphError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/** What went wrong, in plain words, and what the person can do about it. */
export interface Problem {
  code: string;
  title: string;
  detail: string;
  /** Seconds to wait before trying again (429). */
  retryAfterSeconds?: number;
  /** The person must sign in again (401). */
  signInAgain?: boolean;
  /** The part of the page it cost (the field path), when only part failed. */
  path?: string;
}

/** Why a field was withheld, as a person would say it (extensions.reason of FORBIDDEN). */
export const FORBIDDEN_REASONS: Record<string, { title: string; detail: string }> = {
  NO_AGREEMENT: {
    title: "No sharing agreement covers this",
    detail:
      "The agency that holds this information has no information sharing agreement in force with yours. " +
      "Your data-sharing officer can ask them to propose one.",
  },
  PURPOSE_NOT_COVERED: {
    title: "Not shared for this purpose",
    detail:
      "The sharing agreement does not cover the purpose you are working under. " +
      "If you are working for another purpose, switch to it; otherwise ask your data-sharing officer.",
  },
  CATEGORY_NOT_COVERED: {
    title: "This kind of information is not shared",
    detail:
      "The sharing agreement does not include this category of information. " +
      "Ask your data-sharing officer whether it should.",
  },
  CONSENT_REQUIRED: {
    title: "Needs the person's consent",
    detail:
      "The agreement shares this only with the person's consent, and the agency that holds it has not " +
      "recorded one for your agency and purpose. Their data-sharing officer can record it.",
  },
  CONSENT_WITHDRAWN: {
    title: "Consent withdrawn",
    detail: "The person withdrew their consent to share this with your agency, so it is not shown.",
  },
  ROLE_NOT_PERMITTED: {
    title: "Not available to your role",
    detail:
      "Your role cannot see this. Analysts see statistics only; ask a practitioner or your data-sharing officer.",
  },
  PURPOSE_REQUIRED: {
    title: "Choose a purpose",
    detail: "Say what you are working for (the purpose, at the top of the page) before looking at records.",
  },
};

const BY_CODE: Record<string, { title: string; detail: string }> = {
  PURPOSE_REQUIRED: FORBIDDEN_REASONS.PURPOSE_REQUIRED,
  AUDIT_UNAVAILABLE: {
    title: "Not shown: the audit could not be written",
    detail:
      "Every disclosure is recorded before it is shown, and the record could not be written just now, " +
      "so nothing was released. Try again in a minute; if it persists, tell the service desk.",
  },
  SUBGRAPH_UNAVAILABLE: {
    title: "One agency's service is not answering",
    detail: "What it holds is missing from this page. The rest is shown. Try again in a minute.",
  },
  DATABASE_UNAVAILABLE: {
    title: "A database is not answering",
    detail: "Some information could not be read just now. Try again in a minute.",
  },
  UNAUTHENTICATED: {
    title: "Please sign in again",
    detail: "Your sign-in has expired or was not accepted. Sign in again to carry on where you were.",
  },
  RATE_LIMITED: {
    title: "Too many requests",
    detail: "You have made a lot of requests in a short time.",
  },
  BAD_USER_INPUT: { title: "Check what you entered", detail: "" },
  NOT_FOUND: { title: "Not found", detail: "There is nothing here, or you cannot see it." },
  DEADLINE_EXCEEDED: {
    title: "That took too long",
    detail: "The request did not finish in time. Try again.",
  },
};

const SERVICE_NAMES: Record<string, string> = {
  police: "the police service",
  council: "the council's service",
  youth: "the youth service",
  housing: "the housing service",
  partnership: "the partnership's people index and cases",
  governance: "the agreements and audit service",
};

function retryText(seconds: number | undefined): string {
  if (!seconds || !Number.isFinite(seconds)) return "Wait a moment, then try again.";
  return seconds < 90
    ? `Try again in ${Math.ceil(seconds)} second${Math.ceil(seconds) === 1 ? "" : "s"}.`
    : `Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

/** One error of a response, in plain words. */
export function describeGraphError(error: GraphError): Problem {
  const code = typeof error.extensions?.code === "string" ? error.extensions.code : "UNKNOWN";
  const path = error.path?.length ? error.path.join(".") : undefined;
  if (code === "FORBIDDEN") {
    const reason = typeof error.extensions?.reason === "string" ? error.extensions.reason : "";
    // A change refused to this caller (a partner closing a case, another agency's action): the
    // graph names who may make it, which says more than "not for your role".
    const onlyWho = /^only (.+) may change this \w+$/.exec(error.message)?.[1];
    if (reason === "ROLE_NOT_PERMITTED" && onlyWho)
      return {
        code: reason,
        title: "Not yours to change",
        detail: `Only ${onlyWho} may do this. Nothing was changed.`,
        path,
      };
    const known = FORBIDDEN_REASONS[reason] ?? {
      title: "You cannot see this",
      detail: "The sharing rules withhold it from you. Your data-sharing officer can explain why.",
    };
    return { code: reason || code, ...known, path };
  }
  if (code === "RATE_LIMITED") {
    const seconds = Number(error.extensions?.retryAfterSeconds);
    return {
      code,
      title: BY_CODE.RATE_LIMITED.title,
      detail: retryText(seconds),
      retryAfterSeconds: seconds,
      path,
    };
  }
  if (code === "SUBGRAPH_UNAVAILABLE") {
    const service = SERVICE_NAMES[String(error.extensions?.serviceName)] ?? "One agency's service";
    return {
      code,
      title: `${service[0].toUpperCase()}${service.slice(1)} is not answering`,
      detail: BY_CODE.SUBGRAPH_UNAVAILABLE.detail,
      path,
    };
  }
  if (code === "UNAUTHENTICATED") return { code, ...BY_CODE.UNAUTHENTICATED, signInAgain: true, path };
  if (code === "BAD_USER_INPUT")
    return { code, title: BY_CODE.BAD_USER_INPUT.title, detail: error.message, path };
  const known = BY_CODE[code];
  if (known) return { code, ...known, path };
  return {
    code,
    title: "Something went wrong",
    detail: "The request could not be completed. Try again; if it keeps happening, tell the service desk.",
    path,
  };
}

/** What a failed request says, from the HTTP answer when there is no GraphQL one (401, 429). */
export function describeHttpFailure(status: number, retryAfter: string | null): Problem | undefined {
  if (status === 401) return { code: "UNAUTHENTICATED", ...BY_CODE.UNAUTHENTICATED, signInAgain: true };
  if (status === 429) {
    const seconds = retryAfter === null ? undefined : Number(retryAfter);
    return {
      code: "RATE_LIMITED",
      title: BY_CODE.RATE_LIMITED.title,
      detail: retryText(seconds),
      retryAfterSeconds: seconds,
    };
  }
  return undefined;
}

/** Every problem of a failed or partly failed urql result, each said once. */
export function describeCombinedError(error: CombinedError): Problem[] {
  const response = error.response as Response | undefined;
  const problems: Problem[] = [];
  const http = response
    ? describeHttpFailure(response.status, response.headers?.get("retry-after") ?? null)
    : undefined;
  if (http) problems.push(http);
  for (const e of error.graphQLErrors) {
    const problem = describeGraphError(e as GraphError);
    if (
      !problems.some((p) => p.code === problem.code && p.path === problem.path && p.title === problem.title)
    )
      problems.push(problem);
  }
  if (!problems.length && error.networkError)
    problems.push({
      code: "NETWORK",
      title: "Cannot reach the service",
      detail: "Check your connection, then try again.",
    });
  return problems;
}
