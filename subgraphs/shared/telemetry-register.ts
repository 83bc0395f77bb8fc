import { basename, dirname } from "node:path";
import { startTelemetry } from "./telemetry";

/**
 * Imported first by each service's entry point (gateway/index.ts, subgraphs/<name>/index.ts), so
 * that tracing starts before `pg` is loaded; the service is named after the entry's folder.
 */
startTelemetry(basename(dirname(require.main?.filename ?? "partnership-graph")));
