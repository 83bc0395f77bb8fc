import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { parse, print, type OperationDefinitionNode } from "graphql";
import { issueDevToken } from "../subgraphs/shared/auth";
import { withDatabase, type Config } from "../subgraphs/shared/config";
import { Role } from "../subgraphs/shared/enums";
import { FEATURED, personId } from "../subgraphs/shared/demo/world";
import { BENCH_DATABASE_PREFIX } from "./database";
import { ROOT } from "./processes";

const CONTRACT_DIR = join(ROOT, "test", "contract");

export interface BenchCaller {
  agency: string;
  role: Role;
  user: string;
  purpose: string;
}

/** One benchmarked operation: a contract operation, who sends it, and the variables it rotates through. */
export interface BenchOperation {
  key: string;
  /** What it is, for the report. */
  title: string;
  operationName: string;
  /** The operation alone, as a client would send it. */
  query: string;
  caller: BenchCaller;
  variants: Record<string, unknown>[];
}

/** The named operation from a contract file, printed alone (the file may hold several). */
function contractOperation(file: string, name: string): string {
  const document = parse(readFileSync(join(CONTRACT_DIR, file), "utf8"));
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === "OperationDefinition" && d.name?.value === name,
  );
  if (!operation) throw new Error(`test/contract/${file} has no operation ${name}`);
  return print(operation);
}

async function queryIn<T>(
  serverUrl: string,
  subgraph: string,
  text: string,
  values: unknown[] = [],
  prefix = BENCH_DATABASE_PREFIX,
): Promise<T[]> {
  const client = new Client({
    connectionString: withDatabase(serverUrl, `${prefix}_${subgraph}`),
  });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The fixed operations of `npm run bench`, with variables drawn from the large seed so that each
 * returns real data: people who have records, windows with at least 500 incidents, a live case.
 */
export async function benchOperations(
  serverUrl: string,
  prefix = BENCH_DATABASE_PREFIX,
): Promise<BenchOperation[]> {
  const query = <T>(url: string, subgraph: string, text: string, values: unknown[] = []) =>
    queryIn<T>(url, subgraph, text, values, prefix);
  // Featured people have records with every agency; the others are drawn (deterministically) from
  // people with a police involvement, so every Person360 reaches at least two subgraphs' records.
  const drawn = await query<{ person_id: string }>(
    serverUrl,
    "police",
    `SELECT person_id FROM (SELECT DISTINCT person_id FROM involvements WHERE person_id > $1) p
     ORDER BY md5(person_id) LIMIT 30`,
    [personId(FEATURED)],
  );
  const people = [
    ...Array.from({ length: 10 }, (_, i) => personId(1 + i * 4)),
    ...drawn.map((r) => r.person_id),
  ];

  // IncidentsInArea is the widest fan-out (people, their tenancies and referrals), so its windows
  // must have people among the first 50 incidents: a page without any skips every subgraph but
  // police. One neighbourhood and month each, at least 500 incidents, the first 50 taken in the
  // API's order (IncidentRepository.search: month, then id, newest first).
  const windows = await query<{ lsoa_code: string; month: string; people: string }>(
    serverUrl,
    "police",
    `WITH busy AS (
       SELECT lsoa_code, month FROM incidents
        WHERE month BETWEEN '2019-01' AND '2019-12' AND lsoa_code IS NOT NULL
        GROUP BY lsoa_code, month HAVING count(*) >= 500),
     first_page AS (
       SELECT b.lsoa_code, b.month, p.id FROM busy b CROSS JOIN LATERAL (
         SELECT id FROM incidents i WHERE i.lsoa_code = b.lsoa_code AND i.month = b.month
          ORDER BY i.month DESC, i.id DESC LIMIT 50) p)
     SELECT f.lsoa_code, f.month, count(v.id) AS people
       FROM first_page f JOIN involvements v ON v.incident_id = f.id
      GROUP BY f.lsoa_code, f.month ORDER BY count(v.id) DESC, f.lsoa_code, f.month LIMIT 4`,
  );
  if (!windows.length)
    throw new Error(
      "no neighbourhood and month with 500 incidents and people among the first 50: is the large seed loaded?",
    );
  const busiest = await query<{ lsoa_code: string }>(
    serverUrl,
    "police",
    `SELECT lsoa_code FROM incidents WHERE month BETWEEN '2019-01' AND '2019-12' AND lsoa_code IS NOT NULL
     GROUP BY lsoa_code ORDER BY count(*) DESC, lsoa_code LIMIT 20`,
  );
  if (busiest.length < 20) throw new Error(`only ${busiest.length} neighbourhoods have incidents in 2019`);

  // An open case and an incident already linked to it. Linking it again was idempotent when this
  // was written; since issue 17 the graph refuses it, so the run reports this operation skipped
  // (a fair write benchmark needs a fresh record per request and a reset between turns).
  const [link] = await query<{ case_id: string; record_id: string; lead: string; opened_by: string }>(
    serverUrl,
    "partnership",
    `SELECT r.case_id, r.record_id, c.lead_agency_id AS lead, c.opened_by
     FROM case_records r JOIN problem_cases c ON c.id = r.case_id
     WHERE r.kind = 'INCIDENT' AND c.stage <> 'CLOSED' ORDER BY r.case_id, r.record_id LIMIT 1`,
  );
  if (!link) throw new Error("no open problem-solving case with a linked incident in the bench seed");

  const police: BenchCaller = { agency: "police", role: Role.PRACTITIONER, user: "pc.bench", purpose: "" };
  const incidents = contractOperation("IncidentsInArea.graphql", "IncidentsInArea");
  return [
    {
      key: "Person360",
      title: `Person360, ${people.length} people in rotation`,
      operationName: "Person360",
      query: contractOperation("Person360.graphql", "Person360"),
      caller: { ...police, purpose: "SAFEGUARDING" },
      variants: people.map((id) => ({ id })),
    },
    ...[50, 500].map((first) => ({
      key: `IncidentsInArea${first}`,
      title: `IncidentsInArea, first ${first}`,
      operationName: "IncidentsInArea",
      query: incidents,
      caller: { ...police, purpose: "CRIME_PREVENTION" },
      variants: windows.map((w) => ({
        lsoaCodes: [w.lsoa_code],
        fromMonth: w.month,
        toMonth: w.month,
        first,
      })),
    })),
    {
      key: "NeighbourhoodDashboard",
      title: "NeighbourhoodDashboard, 20 neighbourhoods x 12 months",
      operationName: "NeighbourhoodDashboard",
      query: contractOperation("NeighbourhoodDashboard.graphql", "NeighbourhoodDashboard"),
      caller: { agency: "council", role: Role.ANALYST, user: "analyst.bench", purpose: "STATISTICS" },
      variants: [{ codes: busiest.map((r) => r.lsoa_code), fromMonth: "2019-01", toMonth: "2019-12" }],
    },
    {
      key: "LinkCaseRecord",
      title: "LinkCaseRecord (mutation; skipped: a second link is refused)",
      operationName: "LinkCaseRecord",
      query: contractOperation("ProblemSolving.graphql", "LinkCaseRecord"),
      caller: {
        agency: link.lead,
        role: Role.PRACTITIONER,
        user: link.opened_by,
        purpose: "ASB_CASE_MANAGEMENT",
      },
      variants: [{ caseId: link.case_id, record: { kind: "INCIDENT", id: link.record_id } }],
    },
  ];
}

/** The headers every request of an operation carries but its request id. */
export async function callerHeaders(config: Config, caller: BenchCaller): Promise<Record<string, string>> {
  const token = await issueDevToken(config, {
    agencyId: caller.agency,
    role: caller.role,
    userId: caller.user,
  });
  return {
    "content-type": "application/json",
    authorization: `Bearer ${token}`,
    "x-purpose": caller.purpose,
  };
}
