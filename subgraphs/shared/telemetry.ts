import type { NodeSDK } from "@opentelemetry/sdk-node";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry tracing for this process: spans exported over OTLP/HTTP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (or to `spanProcessors`, for tests), nothing otherwise.
 * PostgreSQL statements get their spans from the pg instrumentation, which patches `pg` when it is
 * loaded: start this before anything requires `pg` (the entry points import telemetry-register first).
 * The SDK is loaded only when used, so an untraced service does not carry it in memory.
 */
export function startTelemetry(
  serviceName: string,
  options: { spanProcessors?: SpanProcessor[]; env?: NodeJS.ProcessEnv } = {},
): boolean {
  const env = options.env ?? process.env;
  if (sdk) return true;
  if (!options.spanProcessors && !env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require("@opentelemetry/sdk-node") as typeof import("@opentelemetry/sdk-node");
  const { BatchSpanProcessor } =
    require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base");
  const { OTLPTraceExporter } =
    require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
  const { PgInstrumentation } =
    require("@opentelemetry/instrumentation-pg") as typeof import("@opentelemetry/instrumentation-pg");
  /* eslint-enable @typescript-eslint/no-require-imports */
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    spanProcessors: options.spanProcessors ?? [new BatchSpanProcessor(new OTLPTraceExporter())],
    // Statement text only (parameterised), never the values: they can be personal data.
    instrumentations: [new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false })],
    // Traces only: metrics are Prometheus's (prom-client), logs pino's.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return true;
}

/** Flushes and stops the exporter (on shutdown, and between tests). */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
