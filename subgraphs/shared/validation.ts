import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { CURSOR_PROBLEM, decodeCursor, pageSizeProblem } from "./connection";
import { badInput } from "./errors";
import { EARLIEST_YEAR, LATEST_YEAR, monthProblem } from "./months";

/**
 * One check for every argument of every field, in every service, before any resolver runs: no
 * resolver has to remember it, and nothing malformed reaches SQL (where it would come back as
 * PostgreSQL's own message). What it knows:
 * - every string (String, ID, and the strings inside `_entities` representations): well-formed
 *   Unicode, no NUL or other control character but tab and line breaks, bounded length;
 * - every `ID`: the shape of the partnership's ids (letters, digits, `-`, `_`, `.`, `:`);
 * - a String argument or input field whose name ends in `Month`: a month `YYYY-MM` within range;
 * - a String argument named `after`: a cursor the graph issued;
 * - an Int argument named `first`: a page size (every `first` in the graph is one), refused here
 *   before the operation's cost is judged, since a huge page makes a huge cost;
 * - every `Date` / `DateTime`: within the years records can have.
 * A failure is `BAD_USER_INPUT` naming the argument (`filter.fromMonth`, `representations[0].id`).
 */

const MAX_ID_LENGTH = 128;
const MAX_STRING_LENGTH = 20_000;
const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Half a surrogate pair: not text, and PostgreSQL would store a replacement character instead. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const DATE_SCALARS = new Set(["Date", "DateTime"]);

function yearProblem(year: number): string | null {
  return year >= EARLIEST_YEAR && year <= LATEST_YEAR
    ? null
    : `must fall between the years ${EARLIEST_YEAR} and ${LATEST_YEAR}`;
}

function stringProblem(value: string, max: number): string | null {
  if (value.includes("\u0000")) return "must not contain a NUL character";
  if (CONTROL.test(value)) return "must not contain control characters";
  if (LONE_SURROGATE.test(value)) return "must be well-formed Unicode text";
  if (value.length > max) return `must be at most ${max} characters`;
  return null;
}

/** Why `value`, given for an input of `type` named `name`, is refused; null when it is fine. */
function scalarProblem(value: unknown, type: GraphQLNamedType, name: string): string | null {
  if (typeof value === "string") {
    const text = stringProblem(value, type.name === "ID" ? MAX_ID_LENGTH : MAX_STRING_LENGTH);
    if (text) return text;
    // The gateway's Date and DateTime pass the text through (subgraphs parse it): the year here.
    if (DATE_SCALARS.has(type.name)) {
      const year = /^([+-]?\d+)-/.exec(value)?.[1];
      return year === undefined ? null : yearProblem(Number(year));
    }
    if (type.name === "ID" && !ID_SHAPE.test(value)) return "is not an id";
    if (type.name === "String" && name.endsWith("Month")) return monthProblem(value);
    if (type.name === "String" && name === "after" && value !== "" && decodeCursor(value) === null)
      return CURSOR_PROBLEM;
    return null;
  }
  if (typeof value === "number" && type.name === "Int" && name === "first") return pageSizeProblem(value);
  if (value instanceof Date) return yearProblem(value.getUTCFullYear());
  // A scalar holding structure (`_Any`): every string in it obeys the string rules.
  return anyProblem(value);
}

function anyProblem(value: unknown, depth = 0): string | null {
  if (depth > 10) return "is nested too deeply";
  if (typeof value === "string") return stringProblem(value, MAX_STRING_LENGTH);
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = anyProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const problem = stringProblem(key, MAX_ID_LENGTH) ?? anyProblem(item, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}

/** Throws BAD_USER_INPUT for the first value in `value` (of input `type`) that is refused. */
function checkValue(value: unknown, type: GraphQLInputType, path: string, name: string): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return checkValue(value, nullable.ofType, path, name);
    value.forEach((item, i) => checkValue(item, nullable.ofType, `${path}[${i}]`, name));
    return;
  }
  if (isInputObjectType(nullable)) {
    const fields = nullable.getFields();
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (field) checkValue(item, field.type, `${path}.${key}`, key);
    }
    return;
  }
  const problem = scalarProblem(value, nullable as GraphQLNamedType, name);
  // `representations[0]` names the element; its strings are within it.
  if (problem) throw badInput(path, problem);
}

/** The key fields of an entity type (`@key(fields: "id")`), from its definition; null when it has none. */
function keyFields(type: GraphQLNamedType | null | undefined): string[][] | null {
  if (!isObjectType(type)) return null;
  const keys = (type.astNode?.directives ?? [])
    .filter((d) => d.name.value === "key")
    .map((d) => {
      const fields = d.arguments?.find((a) => a.name.value === "fields")?.value;
      return fields?.kind === Kind.STRING ? fields.value.split(/\s+/).filter(Boolean) : [];
    });
  return keys.length ? keys : null;
}

/**
 * `_entities` representations name an entity of this subgraph and carry one of its keys as
 * text: anything else would reach the library (an "internal" error quoting it) or a loader.
 */
function checkRepresentations(schema: GraphQLSchema, representations: unknown): void {
  if (!Array.isArray(representations)) return;
  representations.forEach((representation, i) => {
    const path = `representations[${i}]`;
    const given = representation as Record<string, unknown> | null;
    if (!given || typeof given !== "object" || Array.isArray(given))
      throw badInput(path, "must be an object with __typename and the entity's key");
    if (typeof given.__typename !== "string")
      throw badInput(`${path}.__typename`, "must name an entity type");
    const keys = keyFields(schema.getType(given.__typename));
    if (!keys)
      throw badInput(`${path}.__typename`, `${JSON.stringify(given.__typename)} is not an entity here`);
    const hasKey = keys.some((fields) =>
      fields.every((f) => typeof given[f] === "string" && (given[f] as string).length > 0),
    );
    if (!hasKey)
      throw badInput(path, `must carry the key of ${given.__typename} (${keys[0].join(", ")}) as text`);
    // The other fields it carries (`@external` ones the router passes in) must be of their types.
    const fields = (schema.getType(given.__typename) as GraphQLObjectType).getFields();
    for (const [name, value] of Object.entries(given)) {
      const field = fields[name];
      if (field) checkRepresented(value, field.type, `${path}.${name}`);
    }
  });
}

/** Throws BAD_USER_INPUT unless `value` (a field of a representation) is a value of output `type`. */
function checkRepresented(value: unknown, type: GraphQLOutputType, path: string): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) throw badInput(path, "must be a list");
    value.forEach((item, i) => checkRepresented(item, nullable.ofType, `${path}[${i}]`));
    return;
  }
  if (isObjectType(nullable)) {
    if (typeof value !== "object" || Array.isArray(value))
      throw badInput(path, `must be a value of type ${nullable.name}`);
    const fields = nullable.getFields();
    for (const [name, item] of Object.entries(value as Record<string, unknown>))
      if (fields[name]) checkRepresented(item, fields[name].type, `${path}.${name}`);
    return;
  }
  if (!isLeafType(nullable)) return;
  // Dates travel as text; a number would be taken as a timestamp by the scalar but not by resolvers.
  if (DATE_SCALARS.has(nullable.name) && typeof value !== "string")
    throw badInput(path, `must be a value of type ${nullable.name}`);
  let parsed: unknown;
  try {
    parsed = nullable.parseValue(value);
  } catch {
    throw badInput(path, `must be a value of type ${nullable.name}`);
  }
  if (parsed === undefined || (typeof parsed === "number" && !Number.isFinite(parsed)))
    throw badInput(path, `must be a value of type ${nullable.name}`);
  const problem = DATE_SCALARS.has(nullable.name) ? scalarProblem(value, nullable, path) : null;
  if (problem) throw badInput(path, problem);
}

/** Checks every argument of every field the operation selects, through fragments. */
export function checkArguments(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): void {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const field = parent.getFields()[selection.name.value];
        if (!field) continue;
        if (field.args.length && selection.arguments?.length) {
          const values = getArgumentValues(field, selection, variables);
          for (const arg of field.args) checkValue(values[arg.name], arg.type, arg.name, arg.name);
          if (field.name === "_entities" && parent === schema.getQueryType())
            checkRepresentations(schema, values.representations);
        }
        if (selection.selectionSet) walk(selection.selectionSet, getNamedType(field.type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, on ?? undefined);
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (seen.has(name) || !fragment) continue;
        seen.add(name);
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
      }
    }
  };
  walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}

/** A refusal before execution, as HTTP 400 (Apollo takes the status from `extensions.http`). */
function badRequest(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** Why an operation costs too much to run (an error to answer with), or null when it may run. */
export type CostCheck = (
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: FragmentDefinitionNode[],
) => GraphQLError | null;

/**
 * Refuses, with HTTP 400, what cannot be planned or run (no operation matching `operationName`,
 * several operations and none named, a subscription or any root type the schema lacks), then
 * checks every argument, then the operation's cost (`tooCostly`): in that order, so a page too
 * large is named as such rather than as the cost it makes. Runs after validation and before
 * execution, in every service.
 */
export function operationGuard<Ctx extends BaseContext>(tooCostly: CostCheck): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) {
            throw request.operationName
              ? badRequest(
                  `operationName: no operation named "${request.operationName.slice(0, 100)}" in the document`,
                  "OPERATION_RESOLUTION_FAILURE",
                )
              : badRequest(
                  "operationName: the document holds several operations; name the one to run",
                  "OPERATION_RESOLUTION_FAILURE",
                );
          }
          if (operation.operation === "subscription" || !schema.getRootType(operation.operation)) {
            throw badRequest(`${operation.operation} operations are not served`, "BAD_REQUEST");
          }
          const coerced = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions)
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          // Variables that do not coerce are refused by execution (a 400 naming the variable).
          if (!coerced.errors) {
            try {
              checkArguments(schema, operation, fragments, coerced.coerced);
            } catch (error) {
              if (error instanceof GraphQLError && error.extensions.code === "BAD_USER_INPUT")
                throw new GraphQLError(error.message, {
                  extensions: { ...error.extensions, http: { status: 400 } },
                });
              // Anything else (a missing required variable) is execution's to report.
            }
          }
          const costly = tooCostly(schema, operation, Object.values(fragments));
          if (costly) throw costly;
        },
      };
    },
  };
}
