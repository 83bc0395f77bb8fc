import type { IncomingHttpHeaders } from "node:http";
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";

/**
 * Spans through the OpenTelemetry API only: with no SDK started (no OTEL_EXPORTER_OTLP_ENDPOINT)
 * every call here is a no-op. The HTTP spans are made here rather than by an HTTP auto-
 * instrumentation, so that the gateway and every subgraph name them alike (the operation).
 */
const tracer = trace.getTracer("partnership-graph");

/**
 * Runs `work` inside a server span continuing the caller's trace (W3C `traceparent`), named
 * `<service> <operation>` once the operation is known; ended when `work` settles.
 */
export async function inServerSpan<T>(
  service: string,
  headers: IncomingHttpHeaders,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), headers);
  const span = tracer.startSpan(
    `${service} request`,
    { kind: SpanKind.SERVER, attributes: { "service.role": service } },
    parent,
  );
  return endedWith(span, () => context.with(trace.setSpan(parent, span), () => work(span)));
}

/** A client span for a call to another service, its `traceparent` put into `headers`. */
export async function inClientSpan<T>(
  name: string,
  attributes: Record<string, string>,
  headers: Headers,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, (span) => {
    propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
    return endedWith(span, work);
  });
}

/** Runs `work`, marking the span failed when it throws, and ends the span when it settles. */
async function endedWith<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
