import type { ApolloServerPlugin } from "@apollo/server";
import { getNamedType, GraphQLError, type GraphQLObjectType, type GraphQLResolveInfo } from "graphql";
import type { MiddlewareFn } from "type-graphql";
import type { Connection } from "../connection";
import type { RequestContext } from "../context";
import { log } from "../logger";
import { agencyRef } from "../types";
import type { DataCategory } from "../enums";
import type { AccessDecision } from "./decision";
import { StaleFactsError, type AccessQuestion } from "./guard";
import type { PolicyIndex } from "./policies";

/** Whom a record is about: set on records listed under a person, else the person itself. */
const SUBJECT = Symbol("subject");
type Subjected = { [SUBJECT]?: string | null; id?: unknown };

function subjectOf(root: unknown, parentType: string): string | null {
  const record = root as Subjected | null;
  if (record && record[SUBJECT] !== undefined) return record[SUBJECT] ?? null;
  if (parentType === "Person" && typeof record?.id === "string") return record.id;
  return null;
}

function tag(value: unknown, subject: string | null): void {
  if (Array.isArray(value)) for (const item of value) tag(item, subject);
  else if (value && typeof value === "object") (value as Subjected)[SUBJECT] = subject;
}

function idsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(idsOf);
  const id = (value as Subjected | null)?.id;
  return typeof id === "string" ? [id] : [];
}

function isConnection(value: unknown): value is Connection<Subjected> {
  return !!value && typeof value === "object" && Array.isArray((value as Connection<unknown>).edges);
}

/**
 * The one place access rules are enforced, for every field of every subgraph that owns
 * agency data. It reads only what the schema declares (`@Category`, `@Aggregate`):
 * - an aggregate field needs the STATISTICS rules;
 * - a field of a categorised record is null with a FORBIDDEN error when its category is denied;
 * - a connection of categorised records withholds them when denied for want of an agreement
 *   or consent, and says so in `restricted` where an agreement for the purpose exists;
 * - a categorised record returned directly is null with a FORBIDDEN error when denied.
 * Every disclosure of another agency's data, and every denial, is noted for the audit.
 */
export function enforceAccess(index: PolicyIndex, ownerAgencyId: string): MiddlewareFn<RequestContext> {
  const slow = enforceField(index, ownerAgencyId);
  // Per field (parent type, then field name), worked out once: the category whose permission
  // lets it take the fast path, or null when it must always take the slow one.
  const fastCategories = new Map<GraphQLObjectType, Map<string, DataCategory | null>>();
  const fastCategoryOf = (info: GraphQLResolveInfo): DataCategory | null => {
    let fields = fastCategories.get(info.parentType);
    if (!fields) fastCategories.set(info.parentType, (fields = new Map()));
    let category = fields.get(info.fieldName);
    if (category === undefined) {
      const parent = info.parentType.name;
      const fieldKey = `${parent}.${info.fieldName}`;
      const returned = getNamedType(info.returnType).name;
      const declared =
        index.fieldCategory.get(fieldKey) ??
        (info.fieldName === "id" ? undefined : index.typeCategory.get(parent));
      // Only plain values of a categorised record: not aggregates, records, connections or people.
      const plain =
        !index.aggregate.has(fieldKey) &&
        !index.aggregate.has(returned) &&
        !index.typeCategory.has(returned) &&
        !index.connectionNode.has(returned) &&
        returned !== "Person";
      category = declared && plain ? declared : null;
      fields.set(info.fieldName, category);
    }
    return category;
  };
  return (action, next) => {
    // Fast path, without an await: a plain value of a record whose category this request has
    // already decided and permitted (the other fields of the same incident, say).
    const { root, info, context } = action;
    const category = fastCategoryOf(info);
    if (
      category &&
      context.access.permittedAgain(
        { ownerAgencyId, category, personId: subjectOf(root, info.parentType.name) },
        idsOf(root),
      )
    ) {
      return next();
    }
    return slow(action, next);
  };
}

function enforceField(index: PolicyIndex, ownerAgencyId: string): MiddlewareFn<RequestContext> {
  return async ({ root, info, context }, next) => {
    const guard = context.access;
    const parent = info.parentType.name;
    const fieldKey = `${parent}.${info.fieldName}`;
    const returned = getNamedType(info.returnType).name;

    if (index.aggregate.has(fieldKey) || index.aggregate.has(returned)) {
      // Checked where aggregates are entered, not again for each of their cells.
      if (!index.aggregate.has(parent)) {
        const caseWork = index.caseWork.has(fieldKey) || index.caseWork.has(returned);
        const question: AccessQuestion = {
          ownerAgencyId,
          category: null,
          personId: null,
          aggregate: true,
          caseWork,
        };
        const decision = await guard.decide(question);
        if (!decision.permitted) {
          guard.record(question, decision, []);
          throw guard.error(decision, fieldKey, info);
        }
      }
      return next();
    }

    // A record's id is the caller's handle on it, not a disclosure: stubs arrive with it.
    const category =
      index.fieldCategory.get(fieldKey) ??
      (info.fieldName === "id" ? undefined : index.typeCategory.get(parent));
    let disclosed: { question: AccessQuestion; decision: AccessDecision } | undefined;
    if (category) {
      const question: AccessQuestion = { ownerAgencyId, category, personId: subjectOf(root, parent) };
      const decision = await guard.decide(question);
      guard.record(question, decision, idsOf(root));
      if (!decision.permitted) throw guard.error(decision, fieldKey, info);
      disclosed = { question, decision };
    }

    const result: unknown = await next();
    if (result === null || result === undefined) return result;

    // A record that names a person (an incident's involvement, a case's party) discloses something
    // about them too: the audit names them, so "who saw what about this person" finds it.
    if (disclosed && returned === "Person") {
      for (const personId of idsOf(result))
        guard.record({ ...disclosed.question, personId }, disclosed.decision, []);
    }

    const node = index.connectionNode.get(returned);
    const nodeCategory = node ? index.typeCategory.get(node) : undefined;
    if (nodeCategory && isConnection(result))
      return withhold(result, nodeCategory, root, info, context, ownerAgencyId);

    const returnedCategory = index.typeCategory.get(returned);
    if (returnedCategory && returned !== parent) {
      const subject = subjectOf(root, parent);
      const question: AccessQuestion = { ownerAgencyId, category: returnedCategory, personId: subject };
      const decision = await guard.decide(question);
      guard.record(question, decision, idsOf(result));
      if (!decision.permitted) throw guard.error(decision, fieldKey, info);
      tag(result, subject);
    }
    return result;
  };
}

async function withhold(
  connection: Connection<Subjected>,
  category: NonNullable<AccessQuestion["category"]>,
  root: unknown,
  info: GraphQLResolveInfo,
  context: RequestContext,
  ownerAgencyId: string,
): Promise<Connection<Subjected>> {
  const guard = context.access;
  const subject = subjectOf(root, info.parentType.name);
  const question: AccessQuestion = { ownerAgencyId, category, personId: subject };
  const decision = await guard.decide(question);
  const nodes = connection.edges.map((e) => e.node);
  guard.record(question, decision, idsOf(nodes));
  if (decision.permitted) {
    tag(connection.edges, subject);
    tag(nodes, subject);
    return connection;
  }
  if (!guard.isRecordLevel(decision))
    throw guard.error(decision, `${info.parentType.name}.${info.fieldName}`, info);
  // Left out; signposted only where an agreement for the purpose exists between the agencies.
  const contact = connection.totalCount > 0 ? await guard.signposting(ownerAgencyId) : null;
  return {
    edges: [],
    pageInfo: { hasNextPage: false, endCursor: null },
    totalCount: 0,
    restricted: contact
      ? [
          ...connection.restricted,
          { agency: agencyRef(ownerAgencyId), category, count: connection.totalCount, contact },
        ]
      : connection.restricted,
  };
}

/** The operation name the client gave (the gateway suffixes `__<subgraph>__<n>`). */
export function clientOperationName(name: string | null | undefined): string | null {
  return name ? name.replace(/__[a-z]+__\d+$/, "") : null;
}

/**
 * Writes the request's audit records before the response leaves the subgraph; when they
 * cannot be written, nothing is released (fail closed).
 */
export function auditBeforeResponse(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          // Apollo Server gives each operation a shallow copy of the context; the guard is shared.
          const { access } = requestContext.contextValue;
          access.operationName = clientOperationName(requestContext.operationName);
          if (requestContext.operation?.operation === "mutation") access.requireFreshFacts();
        },
        async willSendResponse(requestContext) {
          const { contextValue: context, response } = requestContext;
          try {
            await context.access.flush();
          } catch (error) {
            if (error instanceof StaleFactsError) {
              // Nothing was written; the HTTP front runs the request again on fresh facts. This
              // answer is thrown away, but is emptied so that it could never leak if it were not.
              log("info", error.message, { subgraph: context.subgraph, requestId: context.requestId });
              if (response.body.kind === "single") {
                response.body.singleResult.data = null;
                response.body.singleResult.errors = [
                  { message: error.message, extensions: { code: "ACCESS_FACTS_CHANGED" } },
                ];
              }
              return;
            }
            log("error", "audit write failed: response withheld", {
              subgraph: context.subgraph,
              requestId: context.requestId,
              error: (error as Error).message,
            });
            if (response.body.kind === "single") {
              const withheld = new GraphQLError(
                "audit unavailable: the disclosure could not be recorded, so no data was released",
                {
                  extensions: { code: "AUDIT_UNAVAILABLE" },
                },
              );
              response.body.singleResult.data = null;
              response.body.singleResult.errors = [
                { message: withheld.message, extensions: withheld.extensions },
              ];
            }
          }
        },
      };
    },
  };
}
