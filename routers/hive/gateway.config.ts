import { defineConfig, type GatewayPlugin } from "@graphql-hive/gateway";

/**
 * Hive Gateway in front of the same subgraphs as our gateway. Access rules live in the
 * subgraphs, so all this router must do is pass the caller's identity and purpose on.
 *
 * Used by test/support/routers.ts and `npm run hive`:
 *   hive-gateway supergraph <supergraph.graphql> --port <port> -c routers/hive/gateway.config.ts
 */

/** What each subgraph needs to decide for itself: the token it verifies again, the purpose, any break-glass, the request id. */
const FORWARDED = ["authorization", "x-purpose", "x-break-glass", "x-request-id"];

/** Headers that carry text, sent as UTF-8 (see subgraphs/shared/context.ts textHeader). */
const TEXT = "x-break-glass";
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The text of a header value as it arrived (one byte per character), or null when it is not UTF-8. */
function decodedText(value: string): string | null {
  try {
    return UTF8.decode(Uint8Array.from(value, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * Hive's client writes header values as UTF-8 when the body is a string (and refuses characters
 * past U+00FF), so the bytes as they came cannot be passed on: "ŵ" would reach the subgraphs as
 * "Åµ". Text goes on in RFC 8187's ASCII form (as it came, if it came so), which the subgraphs read
 * (see textHeader); null when it is not UTF-8.
 */
function asciiText(value: string): string | null {
  if (/^utf-8''[\x21-\x7e]*$/i.test(value)) return value;
  const text = decodedText(value);
  return text === null ? null : `UTF-8''${encodeURIComponent(text)}`;
}

const refuseTextNotUtf8: GatewayPlugin = {
  // Refused as our gateway and every subgraph refuse it, before anything is planned.
  onRequest({ request, endResponse, fetchAPI }) {
    const text = request.headers.get(TEXT);
    if (text === null || decodedText(text) !== null) return;
    const message = `${TEXT}: not valid UTF-8; send the text encoded as UTF-8`;
    endResponse(
      fetchAPI.Response.json(
        { errors: [{ message, extensions: { code: "BAD_USER_INPUT" } }] },
        { status: 400 },
      ),
    );
  },
};

export const gatewayConfig = defineConfig({
  plugins: () => [refuseTextNotUtf8],
  propagateHeaders: {
    // Only headers the client sent: a missing token must reach the subgraphs as missing.
    // (Without x-request-id, Hive's default requestId plugin sends one it generates, as ours does.)
    fromClientToSubgraphs: ({ request }) => {
      const headers: Record<string, string> = {};
      for (const name of FORWARDED) {
        const value = request.headers.get(name);
        if (value === null) continue;
        const forwarded = name === TEXT ? asciiText(value) : value;
        if (forwarded !== null) headers[name] = forwarded;
      }
      return headers;
    },
  },
  transportEntries: {
    "*.http": {
      options: {
        // On by default, it shares one subgraph response between concurrent identical client
        // requests (same token and purpose), so only one of them is audited, and a benchmark
        // would measure less work than our gateway does. Every request must reach the subgraphs.
        deduplicateInflightRequests: false,
      },
    },
  },
  // No responseCaching (off by default, and must stay off): access decisions are made per
  // request, and a change to an agreement or consent takes effect on the next one.
});
