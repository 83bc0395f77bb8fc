import { SUBGRAPH_NAMES } from "../../subgraphs/shared/config";
import { withDatabase } from "../../subgraphs/shared/config";
import { testServerUrl } from "./database";

/** The demo partnership's databases for this test run, one per subgraph (seeded once in global setup). */
export function demoDatabaseEnv(): Record<string, string> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) throw new Error("test/support/global-setup.ts did not run: no TEST_RUN_ID");
  return Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [
      `${name.toUpperCase()}_DATABASE_URL`,
      withDatabase(testServerUrl(), `pgt_${runId}_demo_${name}`),
    ]),
  );
}

export const DEMO_SEED = 42;
