import { TRUSTED_DOCUMENTS } from "../generated/trusted-documents";

/**
 * The console's one way to the gateway: every operation goes by its trusted-document id (the
 * manifest's SHA-256), so a gateway with TRUSTED_DOCUMENTS=require runs it. A gateway without a
 * safelist does not know the id yet (automatic persisted queries: PERSISTED_QUERY_NOT_FOUND), and
 * is sent the manifest's text once with it, whose hash is that id.
 */
export function trustedFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const sent =
      typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const name = typeof sent?.operationName === "string" ? sent.operationName : undefined;
    const trusted = name ? TRUSTED_DOCUMENTS[name] : undefined;
    if (!sent || !trusted) {
      // Only the manifest's operations are ever sent: anything else is a programming error here.
      throw new Error(
        `the console has no trusted document named ${name ?? "(none)"}: run npm run codegen:console`,
      );
    }
    const byId = {
      operationName: name,
      variables: sent.variables ?? {},
      extensions: { persistedQuery: { version: 1, sha256Hash: trusted.id } },
    };
    const first = await base(input, { ...init, body: JSON.stringify(byId) });
    if (!(await isPersistedMiss(first))) return first;
    return base(input, { ...init, body: JSON.stringify({ ...byId, query: trusted.body }) });
  };
}

async function isPersistedMiss(response: Response): Promise<boolean> {
  if (!(response.headers.get("content-type") ?? "").includes("json")) return false;
  try {
    const body = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return Boolean(body.errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND"));
  } catch {
    return false;
  }
}
