import { readFileSync } from "node:fs";
import { join } from "node:path";
import { operationFromDocument, Supergraph } from "@apollo/federation-internals";
import { prettyFormatQueryPlan, QueryPlanner } from "@apollo/query-planner";
import { parse } from "graphql";

/**
 * Merged people's records reach the survivor through the router (issue 20): every agency's Person
 * fields @require `personIds` from the partnership. The plan of the practitioner's Person360 must
 * still be one fetch to the partnership that also brings `personIds`, then the agencies in parallel:
 * no fetch more than before the merge feature (10, counted on the committed supergraph of then).
 */
const ROOT = join(__dirname, "..", "..");

function planOf(operationFile: string): string {
  const supergraph = Supergraph.build(readFileSync(join(ROOT, "schema", "supergraph.graphql"), "utf8"));
  const operation = operationFromDocument(
    supergraph.schema,
    parse(readFileSync(join(ROOT, "test", "contract", operationFile), "utf8")),
  );
  return prettyFormatQueryPlan(new QueryPlanner(supergraph).buildQueryPlan(operation));
}

test("Person360 is planned in as many fetches as before, personIds riding on the partnership's own", () => {
  const plan = planOf("Person360.graphql");
  expect(plan.match(/Fetch\(service:/g)).toHaveLength(10);
  const first = /Fetch\(service: "partnership"\) \{\s*\{\s*person\(id: \$id\) \{([^}]*)\}/.exec(plan);
  expect(first?.[1]).toMatch(/\bpersonIds\b/);
  // Every agency fetch is given the list.
  for (const service of ["police", "council", "housing", "youth"])
    expect(plan).toMatch(
      new RegExp(
        `Fetch\\(service: "${service}"\\) \\{\\s*\\{\\s*\\.\\.\\. on Person \\{\\s*__typename\\s*id\\s*personIds`,
      ),
    );
});
