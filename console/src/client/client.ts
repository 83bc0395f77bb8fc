import { Client, fetchExchange } from "urql";
import type { Purpose } from "../generated/enums";
import { trustedFetch } from "./transport";

export interface ClientOptions {
  token: string;
  purpose: Purpose;
  /** The gateway refused the token (expired or revoked). */
  onUnauthorized(): void;
  fetch?: typeof fetch;
  /**
   * A break-glass justification, sent with every request (x-break-glass, with SAFEGUARDING). Only
   * for a client of its own: urql replays an operation's last result to the next asker of the same
   * operation, so a shared client would show released data after break-glass ended.
   */
  breakGlass?: string;
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
      headers: {
        authorization: `Bearer ${options.token}`,
        "x-purpose": options.purpose,
        // RFC 8187's ASCII form, so that a justification in any language survives the header.
        ...(options.breakGlass
          ? { "x-break-glass": `UTF-8''${encodeURIComponent(options.breakGlass)}` }
          : {}),
      },
    }),
    fetch: async (input, init) => {
      const response = await send(input, init);
      if (response.status === 401) options.onUnauthorized();
      return response;
    },
  });
}
