import { defineConfig } from "@graphql-hive/gateway";

/**
 * Hive Gateway in front of the same subgraphs as our gateway. Access rules live in the
 * subgraphs, so all this router must do is pass the caller's identity and purpose on.
 *
 * Used by test/support/routers.ts and `npm run hive`:
 *   hive-gateway supergraph <supergraph.graphql> --port <port> -c routers/hive/gateway.config.ts
 */

/** What each subgraph needs to decide for itself: the token it verifies again, the purpose, any break-glass, the request id. */
const FORWARDED = ["authorization", "x-purpose", "x-break-glass", "x-request-id"];

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    // Only headers the client sent: a missing token must reach the subgraphs as missing.
    // (Without x-request-id, Hive's default requestId plugin sends one it generates, as ours does.)
    fromClientToSubgraphs: ({ request }) => {
      const headers: Record<string, string> = {};
      for (const name of FORWARDED) {
        const value = request.headers.get(name);
        if (value !== null) headers[name] = value;
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
