import { GraphQLError, type ASTNode } from "graphql";
import type { AccessReason } from "./access/decision";

/** Bad input: names the argument so a client can point at it. Nothing has been written. */
export function badInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, {
    extensions: { code: "BAD_USER_INPUT", argument },
  });
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: "NOT_FOUND" } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
}

/**
 * The error a denied field or operation carries: `extensions.code` FORBIDDEN and the reason.
 * Given the field (`at`), it is located already, so graphql-js does not wrap it in a second
 * error. A denial is an answer, not a fault: no stack trace is taken (each cost more than the
 * rest of the field's enforcement).
 */
export function forbidden(
  reason: AccessReason,
  message: string,
  at?: { nodes: readonly ASTNode[]; path: ReadonlyArray<string | number> },
): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, { ...at, extensions: { code: "FORBIDDEN", reason } });
  } finally {
    Error.stackTraceLimit = limit;
  }
}
