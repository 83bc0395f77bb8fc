import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  GraphQLError,
  Kind,
  validate,
  type OperationDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Config } from "./config";
import { operationGuard, type CostCheck } from "./validation";

/**
 * The operation limits every service enforces alike: the gateway, and each subgraph, since a
 * subgraph can be called directly with a valid token. Read from the same variables everywhere
 * (`GATEWAY_MAX_*`, `GATEWAY_BODY_LIMIT_BYTES`), so set them on every service when changing them.
 */
export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
  bodyLimitBytes: number;
}

export function operationLimits(config: Config): OperationLimits {
  return {
    maxDepth: config.GATEWAY_MAX_DEPTH,
    maxAliases: config.GATEWAY_MAX_ALIASES,
    maxTokens: config.GATEWAY_MAX_TOKENS,
    maxCost: config.GATEWAY_MAX_COST,
    maxDirectives: 20,
    bodyLimitBytes: config.GATEWAY_BODY_LIMIT_BYTES,
  };
}

/** What an Apollo server needs to enforce the limits and refuse what cannot be planned. */
export interface OperationDefences<Ctx extends BaseContext> {
  validationRules: ValidationRule[];
  parseOptions: NonNullable<ApolloServerOptions<Ctx>["parseOptions"]>;
  plugins: ApolloServerPlugin<Ctx>[];
  bodyLimitBytes: number;
}

/** Armor's refusals without the "Syntax Error: " it puts before them (the syntax was fine). */
const reportPlainly = (context: ValidationContext | null, error: GraphQLError) =>
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, "")));

/**
 * graphql-armor's cost analysis of one operation (its weights: a list's `first` multiplies what
 * it selects), judged against `maxCost` after the arguments are checked (see `operationGuard`):
 * armor's own refusal, a validation error, came before them, so `first: 100000` was refused as
 * "Syntax Error: Query Cost limit ... exceeded" instead of naming `first`.
 */
function costLimit(maxCost: number): CostCheck {
  const [costRule] = new ApolloArmor({
    costLimit: {
      // Armor only measures; this decides, with a message saying what it found.
      maxCost: Number.POSITIVE_INFINITY,
      onAccept: [
        (context: ValidationContext | null, details: { n: number }) => {
          if (details.n <= maxCost) return;
          context?.reportError(
            new GraphQLError(`query cost ${Math.ceil(details.n)} exceeds the limit ${maxCost}`),
          );
        },
      ],
    },
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxTokens: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect().validationRules;
  // Apollo keeps parsed documents, so an operation asked again is the same node: judged once.
  const judged = new WeakMap<OperationDefinitionNode, string | null>();
  return (schema, operation, fragments) => {
    let refusal = judged.get(operation);
    if (refusal === undefined) {
      const document = { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } as const;
      refusal = validate(schema, document, [costRule])[0]?.message ?? null;
      judged.set(operation, refusal);
    }
    return refusal === null
      ? null
      : new GraphQLError(refusal, {
          extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } },
        });
  };
}

/**
 * Depth, alias and directive limits (graphql-armor) at validation; tokens, body size; then the
 * checks of `operationGuard` (an operation to run, arguments validated before any resolver, then
 * the cost). Tokens are limited by the parser itself (armor's token plugin throws outside
 * Apollo's parse error handling: a 500), and field suggestions are stripped by formatError, which
 * sees every error (armor's mask misses enum values and variables).
 */
export function operationDefences<Ctx extends BaseContext>(config: Config): OperationDefences<Ctx> {
  const limits = operationLimits(config);
  const refusal = { propagateOnRejection: false, onReject: [reportPlainly] };
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ...refusal },
    maxAliases: { n: limits.maxAliases, ...refusal },
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    maxDirectives: { n: limits.maxDirectives, ...refusal },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<Ctx>[]),
      operationGuard<Ctx>(costLimit(limits.maxCost)),
    ],
    bodyLimitBytes: limits.bodyLimitBytes,
  };
}
