import { Client, fetchExchange } from "urql";
import type { Purpose } from "../generated/enums";
import { trustedFetch } from "./transport";

export interface ClientOptions {
  token: string;
  purpose: Purpose;
  /** The gateway refused the token (expired or revoked). */
  onUnauthorized(): void;
  fetch?: typeof fetch;
}

/**
 * One urql client per session and purpose. No cache exchange: a change to an agreement or a
 * consent must show on the very next load, as the graph promises.
 */
export function createConsoleClient(options: ClientOptions): Client {
  const send = trustedFetch(options.fetch ?? ((input, init) => fetch(input, init)));
  return new Client({
    url: `${window.location.origin}/graphql`,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: "network-only",
    fetchOptions: () => ({
      headers: { authorization: `Bearer ${options.token}`, "x-purpose": options.purpose },
    }),
    fetch: async (input, init) => {
      const response = await send(input, init);
      if (response.status === 401) options.onUnauthorized();
      return response;
    },
  });
}

/**
 * The context of one request sent under break-glass: SAFEGUARDING and the justification
 * (x-break-glass), in RFC 8187's ASCII form so that any language survives the header. An
 * operation's fetchOptions replace the client's, so the token goes again here.
 */
export function breakGlassContext(token: string, justification: string) {
  return {
    fetchOptions: {
      headers: {
        authorization: `Bearer ${token}`,
        "x-purpose": "SAFEGUARDING",
        "x-break-glass": `UTF-8''${encodeURIComponent(justification)}`,
      },
    },
  };
}
