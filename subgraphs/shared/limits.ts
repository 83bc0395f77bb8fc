import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { ValidationRule } from "graphql";
import type { Config } from "./config";
import { operationGuard } from "./validation";

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

/**
 * Depth, alias, cost and directive limits (graphql-armor), tokens, body size, and the checks of
 * `operationGuard` (an operation to run, arguments validated before any resolver). Tokens are
 * limited by the parser itself (armor's token plugin throws outside Apollo's parse error
 * handling: a 500), and field suggestions are stripped by formatError, which sees every error
 * (armor's mask misses enum values and variables).
 */
export function operationDefences<Ctx extends BaseContext>(config: Config): OperationDefences<Ctx> {
  const limits = operationLimits(config);
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { enabled: false },
    costLimit: { maxCost: limits.maxCost },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    plugins: [...(armor.plugins as ApolloServerPlugin<Ctx>[]), operationGuard<Ctx>()],
    bodyLimitBytes: limits.bodyLimitBytes,
  };
}
