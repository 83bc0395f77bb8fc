import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from "graphql";
import type { GraphQLHttpRequest, HttpRefusal } from "../subgraphs/shared/http";
import { log } from "../subgraphs/shared/logger";

/**
 * Apollo's persisted query manifest (what Apollo Client's generate-persisted-query-manifest writes
 * and GraphOS Router's safelisting reads): each operation's id is the SHA-256 of its body.
 */
export interface TrustedDocumentsManifest {
  format: "apollo-persisted-query-manifest";
  version: 1;
  operations: { id: string; name: string; type: "query" | "mutation" | "subscription"; body: string }[];
}

export type TrustedDocumentsMode = "off" | "allow" | "require";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** One operation and the fragments it uses, directly or through other fragments. */
function documentFor(
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
): string {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return print({ kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] });
}

/**
 * Where trusted operations live, from the repository's root: the partner dashboards' contract and
 * the partnership console's own operations (which it sends by id, so it works under `require`).
 */
export const TRUSTED_DOCUMENT_DIRS = ["test/contract", "console/src/operations"] as const;

/** The manifest of every operation in the `.graphql` files of `dirs` (each read if it exists). */
export function buildManifest(dirs: string | readonly string[]): TrustedDocumentsManifest {
  const folders = typeof dirs === "string" ? [dirs] : dirs;
  const definitions = folders
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((file) => file.endsWith(".graphql"))
        .sort()
        .flatMap((file) => parse(readFileSync(join(dir, file), "utf8")).definitions),
    );
  const fragments = new Map(
    definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const operations = definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => {
      if (!operation.name) throw new Error(`${folders.join(", ")}: every trusted operation needs a name`);
      const body = documentFor(operation, fragments);
      return { id: sha256(body), name: operation.name.value, type: operation.operation, body };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set<string>();
  for (const { name } of operations) {
    // Clients and logs know an operation by its name: two of one name would be confused.
    if (names.has(name)) throw new Error(`${folders.join(", ")}: two trusted operations are named ${name}`);
    names.add(name);
  }
  return { format: "apollo-persisted-query-manifest", version: 1, operations };
}

export function readManifest(path: string): TrustedDocumentsManifest {
  let manifest: TrustedDocumentsManifest;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as TrustedDocumentsManifest;
  } catch (error) {
    throw new Error(
      `trusted documents: cannot read the manifest ${path} (${(error as Error).message}); ` +
        "run `npm run trusted-documents` (part of `npm run build`) or set TRUSTED_DOCUMENTS_MANIFEST",
    );
  }
  if (manifest.format !== "apollo-persisted-query-manifest" || !Array.isArray(manifest.operations)) {
    throw new Error(`trusted documents: ${path} is not an Apollo persisted query manifest`);
  }
  return manifest;
}

interface Sent {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } };
}

const refusal = (code: string, message: string): HttpRefusal => ({
  status: 400,
  body: { errors: [{ message, extensions: { code } }] },
});

/**
 * What the gateway executes. `require`: only documents of the manifest, sent by id, either as
 * Apollo's `extensions.persistedQuery.sha256Hash` or as `documentId` (GraphQL over HTTP, Relay,
 * Hive, with or without a "sha256:" prefix); any document text is refused. `allow`: ids and text,
 * text that is not in the manifest logged. Returns the request with the id replaced by its document.
 */
export function trustedDocuments(
  mode: Exclude<TrustedDocumentsMode, "off">,
  manifest: TrustedDocumentsManifest,
  onRefused: (reason: "text" | "unknown-id") => void = () => undefined,
): (request: GraphQLHttpRequest) => GraphQLHttpRequest | HttpRefusal {
  const byId = new Map(manifest.operations.map((o) => [o.id, o]));
  return (request) => {
    const get = request.method === "GET";
    const params = new URLSearchParams(request.search);
    const sent: Sent = get
      ? {
          query: params.get("query") ?? undefined,
          documentId: params.get("documentId") ?? undefined,
          extensions: parseJson(params.get("extensions")),
        }
      : ((request.body ?? {}) as Sent);
    const given = sent.documentId ?? sent.extensions?.persistedQuery?.sha256Hash;
    if (typeof sent.query === "string" && sent.query.trim()) {
      if (mode === "require") {
        onRefused("text");
        return refusal(
          "PERSISTED_QUERY_ID_REQUIRED",
          "this graph runs only trusted documents (TRUSTED_DOCUMENTS=require): send the document's id from the " +
            "manifest as extensions.persistedQuery.sha256Hash or documentId, not its text",
        );
      }
      if (!byId.has(normalisedId(sent.query))) {
        log("warn", "document not in the trusted documents manifest", {
          operationName: get
            ? params.get("operationName")
            : (request.body as { operationName?: unknown })?.operationName,
          documentHash: sha256(sent.query),
        });
      }
      return request;
    }
    if (given === undefined) return request;
    const id = typeof given === "string" ? given.replace(/^sha256:/, "") : "";
    const operation = byId.get(id);
    if (!operation) {
      onRefused("unknown-id");
      return refusal("PERSISTED_QUERY_NOT_IN_LIST", `no trusted document has the id "${id.slice(0, 80)}"`);
    }
    if (get) {
      params.delete("documentId");
      params.delete("extensions");
      params.set("query", operation.body);
      return { ...request, search: `?${params.toString()}` };
    }
    const { documentId: _documentId, extensions, ...rest } = request.body as Sent & Record<string, unknown>;
    const { persistedQuery: _persistedQuery, ...otherExtensions } = extensions ?? {};
    return {
      ...request,
      body: {
        ...rest,
        query: operation.body,
        ...(Object.keys(otherExtensions).length ? { extensions: otherExtensions } : {}),
      },
    };
  };
}

function parseJson(text: string | null): Sent["extensions"] {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Sent["extensions"];
  } catch {
    return undefined;
  }
}

/** The id the document would have in the manifest (its printed form), or "" when it does not parse. */
function normalisedId(text: string): string {
  try {
    const document = parse(text);
    const fragments = new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((f) => [f.name.value, f]),
    );
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    return operations.length === 1 ? sha256(documentFor(operations[0], fragments)) : "";
  } catch {
    return "";
  }
}
