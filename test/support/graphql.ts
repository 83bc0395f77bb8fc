import { issueDevToken } from "../../subgraphs/shared/auth";
import { loadConfig, type Config } from "../../subgraphs/shared/config";
import { textHeaderValue } from "../../subgraphs/shared/context";
import { Role } from "../../subgraphs/shared/enums";

/**
 * Tests send ad-hoc documents, in production mode too: trusted documents are off unless a test
 * turns them on (test/e2e/observability.test.ts).
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    DEV_KEYS_DIR: ".dev-keys",
    TRUSTED_DOCUMENTS: "off",
    // Set by global setup: the run's services log in with passwords derived from it.
    DATABASE_ROLE_SECRET: process.env.DATABASE_ROLE_SECRET,
    ...overrides,
  });
}

export interface As {
  agency: string;
  role?: Role;
  user?: string;
  purpose?: string;
  breakGlass?: string;
  requestId?: string;
  /** Which operation of a multi-operation document to run. */
  operationName?: string;
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

const tokens = new Map<string, Promise<string>>();

export function tokenFor(as: As): Promise<string> {
  const role = as.role ?? Role.PRACTITIONER;
  const user = as.user ?? `${as.agency}.${role.toLowerCase()}`;
  const key = `${as.agency}|${role}|${user}`;
  let token = tokens.get(key);
  if (!token) {
    token = issueDevToken(testConfig(), { agencyId: as.agency, role, userId: user });
    tokens.set(key, token);
  }
  return token;
}

/** Sends one GraphQL operation over HTTP, as a partner client would. */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  as?: As,
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (as) {
    headers.authorization = `Bearer ${await tokenFor(as)}`;
    if (as.purpose) headers["x-purpose"] = as.purpose;
    // Text travels as UTF-8, as a partner client sends it.
    if (as.breakGlass) headers["x-break-glass"] = textHeaderValue(as.breakGlass);
    if (as.requestId) headers["x-request-id"] = as.requestId;
  }
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables, operationName: as?.operationName }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  return { ...body, status: response.status };
}
