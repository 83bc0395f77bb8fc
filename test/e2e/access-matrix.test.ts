import { auditPeople } from "../support/audit";
import { CASE_NEIGHBOURHOODS } from "../../subgraphs/shared/demo/world";
import { Purpose, Role } from "../../subgraphs/shared/enums";
import { keysByCell, releasedFor } from "../support/cell-key";
import { contractOperations } from "../support/contract";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql, type As, type GraphQLResponse } from "../support/graphql";
import { ROUTERS, type Router } from "../support/routers";

/**
 * Every access rule of the brief, end to end: a partner client's request through each router in
 * ROUTERS, the answer it gets (what is returned, what is withheld and whether that is
 * signposted, the errors' code and reason) and the audit records governance holds for its
 * x-request-id. Tests that change agreements or consents undo their change, so every router
 * meets the same seeded partnership.
 */

let fed: TestFederation;
const routers = new Map<string, Router>();

beforeAll(async () => {
  fed = await startTestFederation({ fresh: true });
  for (const [name, start] of ROUTERS) routers.set(name, await start(fed));
  await loadFacts();
}, 240_000);

afterAll(async () => {
  await Promise.all([...routers.values()].map((r) => r.stop()));
  await fed?.stop();
});

const ALL_PURPOSES = Object.values(Purpose);
const ROLES = [Role.PRACTITIONER, Role.ANALYST, Role.DATA_SHARING_OFFICER];
const AGENCIES = ["police", "council", "youth", "housing"] as const;
type Agency = (typeof AGENCIES)[number];

// Issue 9: recording consents and reading the audit disclose things about people, so a DSO states a purpose too.
const dso = (agency: Agency, purpose: Purpose = Purpose.ASB_CASE_MANAGEMENT): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  purpose,
});
const practitioner = (agency: Agency, purpose?: Purpose): As => ({ agency, purpose });

// ---------------------------------------------------------------------------------------------
// Facts about the seeded partnership, read from the stores so the expectations follow the seed.

interface Facts {
  contact: Record<string, string>;
  /** A featured adult with police incidents, council ASB cases, a tenancy and a FINANCIAL consent to the council. */
  adult: string;
  adultFinancialConsent: string;
  /** A young person with an active EDUCATION consent to the council, and records with every agency. */
  young: string;
  youngEducationConsent: string;
  /** Young people with enrolments whose consent to the council was withdrawn, has expired, or was never given. */
  withdrawn: string;
  expired: string;
  unconsented: string;
  /** An adult tenant with no consent to the council at all. */
  tenantWithoutConsent: string;
  /** One record of each agency, for own-data cases. */
  own: Record<Agency, string>;
}
let facts: Facts;

const ids = async (sql: TestFederation["stores"]["police"]["sql"], text: string, values: unknown[]) =>
  (await sql.many<{ id: string }>(text, values)).map((r) => r.id).sort();

/** The records each agency holds about a person (the ids the audit must name). */
async function recordsOf(person: string) {
  const { police, council, housing, youth } = fed.stores;
  return {
    incidents: await ids(
      police.sql,
      `SELECT DISTINCT incident_id AS id FROM involvements WHERE person_id = $1`,
      [person],
    ),
    asbCases: await ids(council.sql, `SELECT DISTINCT case_id AS id FROM asb_parties WHERE person_id = $1`, [
      person,
    ]),
    tenancies: await ids(
      housing.sql,
      `SELECT DISTINCT tenancy_id AS id FROM tenancy_occupants WHERE person_id = $1`,
      [person],
    ),
    referrals: await ids(youth.sql, `SELECT id FROM referrals WHERE person_id = $1`, [person]),
    enrolments: await ids(youth.sql, `SELECT id FROM enrolments WHERE person_id = $1`, [person]),
  };
}

/**
 * Whom the audit of records names, whichever person they were reached through: an incident's
 * involved people, an ASB case's parties, a referral's or enrolment's young person, and (issue 15)
 * a tenancy's occupants, household members as well as the liable tenants whose consent it needs.
 */
async function subjects(owner: Agency, recordIds: readonly string[]): Promise<string[]> {
  const { police, council, housing, youth } = fed.stores;
  const query: Record<Agency, [typeof police.sql, string]> = {
    police: [police.sql, `SELECT DISTINCT person_id AS id FROM involvements WHERE incident_id = ANY ($1)`],
    council: [council.sql, `SELECT DISTINCT person_id AS id FROM asb_parties WHERE case_id = ANY ($1)`],
    housing: [
      housing.sql,
      `SELECT DISTINCT person_id AS id FROM tenancy_occupants WHERE tenancy_id = ANY ($1)`,
    ],
    youth: [
      youth.sql,
      `SELECT person_id AS id FROM referrals WHERE id = ANY ($1)
       UNION SELECT person_id AS id FROM enrolments WHERE id = ANY ($1)`,
    ],
  };
  const [sql, text] = query[owner];
  return ids(sql, text, [[...recordIds]]);
}

async function loadFacts(): Promise<void> {
  const { governance, police, council, housing, youth } = fed.stores;
  const contact = Object.fromEntries(
    (await governance.sql.many<{ id: string; contact: string }>(`SELECT id, contact FROM agencies`)).map(
      (a) => [a.id, a.contact],
    ),
  );
  // Consents to the council that would cover EDUCATION for YOUTH_DIVERSION, by state.
  const education = await governance.sql.many<{ id: string; person_id: string; state: string }>(
    `SELECT id, person_id,
            CASE WHEN withdrawn_at IS NOT NULL THEN 'WITHDRAWN'
                 WHEN expires_at IS NOT NULL AND expires_at <= now() THEN 'EXPIRED'
                 ELSE 'ACTIVE' END AS state
       FROM consents
      WHERE recipient_agency_id = 'council' AND 'EDUCATION' = ANY (categories)
        AND 'YOUTH_DIVERSION' = ANY (purposes) AND given_at <= now()`,
  );
  const anyConsent = new Set(
    (
      await governance.sql.many<{ person_id: string }>(
        `SELECT DISTINCT person_id FROM consents WHERE recipient_agency_id = 'council'`,
      )
    ).map((r) => r.person_id),
  );
  const states = (person: string) => education.filter((c) => c.person_id === person).map((c) => c.state);
  const enrolled = (
    await youth.sql.many<{ person_id: string }>(
      `SELECT DISTINCT person_id FROM enrolments e
        WHERE EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = e.person_id) ORDER BY person_id`,
    )
  ).map((r) => r.person_id);
  const enrolledAtAll = (
    await youth.sql.many<{ person_id: string }>(
      `SELECT DISTINCT person_id FROM enrolments ORDER BY person_id`,
    )
  ).map((r) => r.person_id);
  const tenants = new Set(
    (
      await housing.sql.many<{ person_id: string }>(
        `SELECT DISTINCT o.person_id FROM tenancy_occupants o JOIN tenancies t ON t.id = o.tenancy_id`,
      )
    ).map((r) => r.person_id),
  );
  const policeKnown = new Set(
    (await police.sql.many<{ person_id: string }>(`SELECT DISTINCT person_id FROM involvements`)).map(
      (r) => r.person_id,
    ),
  );
  const financial = await governance.sql.many<{ id: string; person_id: string }>(
    `SELECT id, person_id FROM consents WHERE recipient_agency_id = 'council' AND 'FINANCIAL' = ANY (categories)
        AND withdrawn_at IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY id`,
  );
  // Consent binds to whom a record is about (issue 9): an adult who is the only liable tenant of
  // every tenancy they live in, so that their own FINANCIAL consent covers each one's arrears.
  const soleTenants = new Set(
    (
      await housing.sql.many<{ person_id: string }>(
        `SELECT o.person_id FROM tenancy_occupants o
          GROUP BY o.person_id
         HAVING bool_and(o.role IN ('TENANT', 'JOINT_TENANT') AND NOT EXISTS (
                  SELECT 1 FROM tenancy_occupants x
                   WHERE x.tenancy_id = o.tenancy_id AND x.person_id <> o.person_id
                     AND x.role IN ('TENANT', 'JOINT_TENANT')))`,
      )
    ).map((r) => r.person_id),
  );
  const adult = financial.find(
    (c) => policeKnown.has(c.person_id) && tenants.has(c.person_id) && soleTenants.has(c.person_id),
  );
  const young = enrolled.find(
    (p) =>
      states(p).includes("ACTIVE") &&
      policeKnown.has(p) &&
      tenants.has(p) &&
      !financial.some((c) => c.person_id === p),
  );
  const only = (state: string) =>
    enrolledAtAll.find((p) => states(p).length && states(p).every((s) => s === state));
  const withdrawn = only("WITHDRAWN");
  const expired = only("EXPIRED");
  const unconsented = enrolledAtAll.find((p) => !anyConsent.has(p));
  // An adult, so that recording their own consent is lawful.
  const adults = new Set(
    (
      await governance.sql.many<{ person_id: string }>(
        `SELECT person_id FROM person_dates_of_birth WHERE date_of_birth < now() - interval '18 years'`,
      )
    ).map((r) => r.person_id),
  );
  const tenantWithoutConsent = [...tenants]
    .sort()
    .find(
      (p) =>
        adults.has(p) &&
        soleTenants.has(p) &&
        !financial.some((c) => c.person_id === p) &&
        !anyConsent.has(p),
    );
  const first = async (sql: TestFederation["stores"]["police"]["sql"], table: string) =>
    (await sql.one<{ id: string }>(`SELECT id FROM ${table} ORDER BY id LIMIT 1`))!.id;
  if (!adult || !young || !withdrawn || !expired || !unconsented || !tenantWithoutConsent) {
    throw new Error(
      `the demo partnership lacks a subject: ${JSON.stringify({ adult, young, withdrawn, expired, unconsented })}`,
    );
  }
  facts = {
    contact,
    adult: adult.person_id,
    adultFinancialConsent: adult.id,
    young,
    youngEducationConsent: education.find((c) => c.person_id === young && c.state === "ACTIVE")!.id,
    withdrawn,
    expired,
    unconsented,
    tenantWithoutConsent,
    own: {
      police: await first(police.sql, "incidents"),
      council: await first(council.sql, "asb_cases"),
      housing: await first(housing.sql, "tenancies"),
      youth: await first(youth.sql, "referrals"),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Audit records, as governance holds them for one request.

interface AuditRecord {
  owner: string | null;
  decision: "PERMITTED" | "DENIED";
  reason: string | null;
  basis: string | null;
  categories: string[];
  personIds: string[];
  recordIds: string[];
  agreementId: string | null;
  consentId: string | null;
  breakGlass: boolean;
}

interface AuditRow {
  agency_id: string;
  user_id: string;
  role: string;
  purpose: string | null;
  kind: string;
  owner_agency_id: string | null;
  decision: "PERMITTED" | "DENIED";
  reason: string | null;
  basis: string | null;
  categories: string[];
  person_ids: string[];
  record_ids: string[];
  agreement_id: string | null;
  consent_id: string | null;
  break_glass: boolean;
  justification: string | null;
}

const auditKey = (r: AuditRecord) => `${r.owner}|${r.decision}|${r.categories.join(",")}|${r.basis}`;

function record(fields: Partial<AuditRecord> & Pick<AuditRecord, "owner" | "decision">): AuditRecord {
  return {
    reason: null,
    basis: null,
    categories: [],
    personIds: [],
    recordIds: [],
    agreementId: null,
    consentId: null,
    breakGlass: false,
    ...fields,
  };
}
const permitted = (fields: Partial<AuditRecord> & Pick<AuditRecord, "owner">) =>
  record({ decision: "PERMITTED", ...fields });
const denied = (fields: Partial<AuditRecord> & Pick<AuditRecord, "owner" | "reason">) =>
  record({ decision: "DENIED", ...fields });

async function auditRows(requestId: string): Promise<AuditRow[]> {
  // The audit names people by pseudonym: read back as ids while their keys exist.
  const people = await auditPeople(fed.stores.governance.sql);
  const rows = await fed.stores.governance.sql.many<AuditRow>(
    `SELECT agency_id, user_id, role, purpose, kind, owner_agency_id, decision, reason, basis, categories,
            person_ids, record_ids, agreement_id, consent_id, break_glass, justification
       FROM audit_log WHERE request_id = $1 ORDER BY sequence`,
    [requestId],
  );
  return rows.map((row) => ({ ...row, person_ids: people(row.person_ids) }));
}

// ---------------------------------------------------------------------------------------------
// Requests.

interface Asked<T> {
  response: GraphQLResponse<T>;
  requestId: string;
  as: As;
  /** The access records written for this request, in a stable order. */
  audit(): Promise<AuditRecord[]>;
}

let sequence = 0;

function requester(routerName: string) {
  const router = () => routers.get(routerName)!;
  return async function ask<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    as: As,
  ): Promise<Asked<T>> {
    const requestId = `matrix-${routerName}-${++sequence}`;
    const response = await graphql<T>(router().url, query, variables, { ...as, requestId });
    return {
      response,
      requestId,
      as,
      async audit() {
        const rows = await auditRows(requestId);
        // Every record names who asked, in what role and why: the same for the whole request.
        for (const row of rows) {
          expect({
            agency: row.agency_id,
            role: row.role,
            purpose: row.purpose,
            kind: row.kind,
          }).toEqual({
            agency: as.agency,
            role: as.role ?? Role.PRACTITIONER,
            purpose: as.purpose ?? null,
            kind: row.decision === "DENIED" ? "DENIAL" : "DISCLOSURE",
          });
          expect(row.justification).toBe(row.break_glass ? as.breakGlass : null);
        }
        return rows
          .map((row) =>
            record({
              owner: row.owner_agency_id,
              decision: row.decision,
              reason: row.reason,
              basis: row.basis,
              categories: row.categories,
              personIds: row.person_ids,
              recordIds: row.record_ids,
              agreementId: row.agreement_id,
              consentId: row.consent_id,
              breakGlass: row.break_glass,
            }),
          )
          .sort((a, b) => auditKey(a).localeCompare(auditKey(b)));
      },
    };
  };
}

const sorted = (records: AuditRecord[]) =>
  [...records].sort((a, b) => auditKey(a).localeCompare(auditKey(b)));

/** The request's audit records are exactly these. */
async function expectAudit(asked: Asked<unknown>, expected: AuditRecord[]): Promise<void> {
  expect(await asked.audit()).toEqual(sorted(expected));
}

/** The request's audit records about one owner's data are exactly these. */
async function expectAuditOf(asked: Asked<unknown>, owner: string, expected: AuditRecord[]): Promise<void> {
  expect((await asked.audit()).filter((r) => r.owner === owner)).toEqual(sorted(expected));
}

/** The errors as (path, code, reason), sorted: what a client can act on. */
function errorsOf(response: GraphQLResponse<unknown>): { path: string; code: unknown; reason: unknown }[] {
  return (response.errors ?? [])
    .map((e) => ({ path: (e.path ?? []).join("."), code: e.extensions?.code, reason: e.extensions?.reason }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

function forbiddenAt(paths: string[], reason: string) {
  return paths
    .map((path) => ({ path, code: "FORBIDDEN", reason }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Nothing was released: no data at all, or only nulls at the top. */
/** Paths of values that reveal something: anything but ids and a neighbourhood's public name. */
function revealed(value: unknown, path = ""): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => revealed(v, `${path}.${i}`));
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      ["id", "code", "name", "localAuthority", "__typename"].includes(k) ? [] : revealed(v, `${path}.${k}`),
    );
  }
  return [path];
}

/** Denied fields are null at their paths; what is left identifies records but tells nothing. */
function expectNoData(response: GraphQLResponse<unknown>): void {
  expect(revealed(response.data)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Operations.

interface Restricted {
  agency: { id: string };
  category: string;
  count: number;
  contact: string;
}
interface List<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean };
  edges: { node: N }[];
  restricted: Restricted[];
}
interface PersonLists {
  person: {
    id: string;
    displayName: string;
    incidents: List<{ id: string; summary: string | null; narrative: string | null }>;
    asbCases: List<{ id: string; reference: string; riskLevel: string | null }>;
    tenancies: List<{ id: string; status: string; arrearsBand: string | null }>;
    referrals: List<{ id: string; status: string }>;
    enrolments: List<{ id: string; attendanceRate: number | null }>;
  } | null;
}

const LIST = (node: string) =>
  `(first: 20) { totalCount pageInfo { hasNextPage } edges { node { ${node} } } restricted { agency { id } category count contact } }`;

/** Person360 narrowed to what the rules decide on: every agency's list under a person. */
const PERSON_LISTS = `query PersonLists($id: ID!) {
  person(id: $id) {
    id
    displayName
    incidents${LIST("id summary narrative")}
    asbCases${LIST("id reference riskLevel")}
    tenancies${LIST("id status arrearsBand")}
    referrals${LIST("id status")}
    enrolments${LIST("id attendanceRate")}
  }
}`;

const IDENTITY = `query Identity($id: ID!) { person(id: $id) { id displayName dateOfBirth } }`;

const OWN_RECORD: Record<Agency, { query: string; category: string }> = {
  police: {
    query: `query Own($id: ID!) { record: incident(id: $id) { id summary narrative } }`,
    category: "INCIDENT_SUMMARY",
  },
  council: {
    query: `query Own($id: ID!) { record: asbCase(id: $id) { id description riskLevel } }`,
    category: "ASB_CASE",
  },
  housing: {
    query: `query Own($id: ID!) { record: tenancy(id: $id) { id status arrearsBand } }`,
    category: "TENANCY",
  },
  youth: {
    query: `query Own($id: ID!) { record: referral(id: $id) { id status reason } }`,
    category: "YOUTH_PROGRAMME",
  },
};

const contract = new Map(contractOperations().map((o) => [o.name, o.source]));
const operation = (name: string) => {
  const source = contract.get(name);
  if (!source) throw new Error(`no contract operation ${name}`);
  return source;
};

const PROPOSE = `mutation Propose($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id status } }`;
const APPROVE = `mutation Approve($id: ID!) { approveAgreement(id: $id) { id status } }`;
const SUSPEND = `mutation Suspend($id: ID!, $reason: String!) { suspendAgreement(id: $id, reason: $reason) { id status } }`;
const RECORD_CONSENT = `mutation Record($input: RecordConsentInput!) { recordConsent(input: $input) { id status givenBy } }`;
const WITHDRAW_CONSENT = `mutation Withdraw($id: ID!) { withdrawConsent(id: $id) { id status withdrawnAt } }`;
const BREAK_GLASS_EVENTS = `query Events { breakGlassEvents(reviewed: false, first: 500) { id justification actor { userId agency { id } } person { id } categories recordIds ownerAgency { id } } }`;
const REVIEW_BREAK_GLASS = `mutation Review($id: ID!, $note: String!) { reviewBreakGlass(id: $id, outcome: JUSTIFIED, note: $note) { id reviewed } }`;

/** A calendar date `days` from today (UTC), YYYY-MM-DD. */
const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Removes agreements and consents a test added, so the next router meets the seeded partnership. */
async function removeAgreements(agreementIds: string[]): Promise<void> {
  const sql = fed.stores.governance.sql;
  await sql.exec(`DELETE FROM agreement_approvals WHERE agreement_id = ANY ($1)`, [agreementIds]);
  await sql.exec(`DELETE FROM agreements WHERE id = ANY ($1)`, [agreementIds]);
}
async function removeConsents(consentIds: string[]): Promise<void> {
  await fed.stores.governance.sql.exec(`DELETE FROM consents WHERE id = ANY ($1)`, [consentIds]);
}

const nodeIds = (list: { edges: { node: { id: string } }[] }) => list.edges.map((e) => e.node.id).sort();

/** A list withheld with nothing revealed: no records, no count, no signpost. */
function expectNothingRevealed(list: List<unknown>): void {
  expect(list).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false }, edges: [], restricted: [] });
}

/** A list withheld but signposted: how many, whose and whom to ask, and nothing else. */
function expectSignposted(list: List<unknown>, agency: string, category: string, count: number): void {
  expect(list).toEqual({
    totalCount: 0,
    pageInfo: { hasNextPage: false },
    edges: [],
    restricted: [{ agency: { id: agency }, category, count, contact: facts.contact[agency] }],
  });
}

describe.each(ROUTERS)("access rules behind %s", (routerName) => {
  const ask = requester(routerName);

  async function lists(person: string, as: As) {
    const asked = await ask<PersonLists>(
      PERSON_LISTS,
      { id: person },
      { ...as, operationName: "PersonLists" },
    );
    return { asked, person: asked.response.data?.person ?? null };
  }

  describe("own agency data", () => {
    const cases = ROLES.flatMap((role) => ALL_PURPOSES.map((purpose) => [role, purpose] as const));

    test.each(cases)("%s under %s", async (role, purpose) => {
      for (const agency of AGENCIES) {
        const { query, category } = OWN_RECORD[agency];
        const id = facts.own[agency];
        const asked = await ask<{ record: { id: string } | null }>(query, { id }, { agency, role, purpose });
        const refusal =
          role === Role.ANALYST
            ? "ROLE_NOT_PERMITTED"
            : purpose === Purpose.STATISTICS
              ? "PURPOSE_NOT_COVERED"
              : null;
        if (!refusal) {
          // Permitted as the agency's own data, every field of it, and not an audited disclosure.
          expect({ agency, errors: asked.response.errors }).toEqual({ agency, errors: undefined });
          expect(asked.response.data?.record?.id).toBe(id);
          await expectAudit(asked, []);
        } else {
          // Analysts get no person-level record, not even their own agency's; STATISTICS reaches none.
          expect({ agency, data: asked.response.data?.record ?? null }).toEqual({ agency, data: null });
          expect(errorsOf(asked.response)).toEqual(forbiddenAt(["record"], refusal));
          // Refused at the entry point before the record is read (issue 9): the audit names no record.
          await expectAudit(asked, [
            denied({ owner: agency, reason: refusal, categories: [category], recordIds: [] }),
          ]);
        }
        // The ground, as explainAccess gives it (own data is not audited, so the audit cannot say).
        const explained = await ask<{
          explainAccess: { decision: string; reason: string | null; basis: string | null };
        }>(
          `query Explain($person: ID!, $owner: ID!, $category: DataCategory!) {
            explainAccess(personId: $person, ownerAgencyId: $owner, category: $category) { decision reason basis }
          }`,
          { person: facts.adult, owner: agency, category },
          { agency, role, purpose },
        );
        expect({ agency, explained: explained.response.data?.explainAccess }).toEqual({
          agency,
          explained: refusal
            ? { decision: "DENIED", reason: refusal, basis: null }
            : { decision: "PERMITTED", reason: null, basis: "OWN_DATA" },
        });
      }
    });
  });

  describe("person identity (the partnership's people index)", () => {
    const cases = ROLES.flatMap((role) => ALL_PURPOSES.map((purpose) => [role, purpose] as const));

    test.each(cases)("%s under %s", async (role, purpose) => {
      const person = facts.adult;
      const indexed = await fed.stores.partnership.sql.one<{ name: string; born: string }>(
        `SELECT given_name || ' ' || family_name AS name, to_char(date_of_birth, 'YYYY-MM-DD') AS born
           FROM people WHERE id = $1`,
        [person],
      );
      for (const agency of AGENCIES) {
        const asked = await ask<{ person: { displayName: string; dateOfBirth: string } | null }>(
          IDENTITY,
          { id: person },
          { agency, role, purpose },
        );
        const refusal =
          role === Role.ANALYST
            ? "ROLE_NOT_PERMITTED"
            : purpose === Purpose.STATISTICS
              ? "PURPOSE_NOT_COVERED"
              : null;
        if (!refusal) {
          expect({ agency, errors: asked.response.errors }).toEqual({ agency, errors: undefined });
          expect(asked.response.data?.person).toEqual({
            id: person,
            displayName: indexed!.name,
            dateOfBirth: indexed!.born,
          });
          // The index is no agency's data: showing it is not an audited disclosure.
          await expectAudit(asked, []);
        } else {
          // Issue 9: analysts and STATISTICS reach no person-level field, not even the id: the
          // entry point is refused before the index is read, and the audit notes the attempt.
          expect(asked.response.data?.person ?? null).toBeNull();
          expect(errorsOf(asked.response)).toEqual(forbiddenAt(["person"], refusal));
          await expectAudit(asked, [
            denied({ owner: "partnership", reason: refusal, categories: ["IDENTITY"], recordIds: [] }),
          ]);
        }
      }
    });
  });

  describe("agreements", () => {
    test("present: police incident summaries and housing tenancies reach a council ASB officer; the narrative does not", async () => {
      const person = facts.adult;
      const held = await recordsOf(person);
      const { asked, person: p } = await lists(person, practitioner("council", Purpose.ASB_CASE_MANAGEMENT));
      expect(p).not.toBeNull();
      // Police: every incident with its summary; the narrative (INCIDENT_NARRATIVE) is in no agreement.
      expect(nodeIds(p!.incidents)).toEqual(held.incidents);
      expect(p!.incidents.edges.every((e) => e.node.summary !== null && e.node.narrative === null)).toBe(
        true,
      );
      expect(p!.incidents.restricted).toEqual([]);
      // Housing: tenancies, and the arrears band under the person's FINANCIAL consent.
      expect(nodeIds(p!.tenancies)).toEqual(held.tenancies);
      expect(p!.tenancies.edges.every((e) => e.node.arrearsBand !== null)).toBe(true);
      // The council's own cases, in full.
      expect(nodeIds(p!.asbCases)).toEqual(held.asbCases);
      expect(errorsOf(asked.response)).toEqual(
        forbiddenAt(
          p!.incidents.edges.map((_, i) => `person.incidents.edges.${i}.node.narrative`),
          "CATEGORY_NOT_COVERED",
        ),
      );
      await expectAudit(asked, [
        permitted({
          owner: "police",
          basis: "AGREEMENT",
          agreementId: "agr-police-council",
          categories: ["INCIDENT_SUMMARY"],
          personIds: await subjects("police", held.incidents),
          recordIds: held.incidents,
        }),
        denied({
          owner: "police",
          reason: "CATEGORY_NOT_COVERED",
          categories: ["INCIDENT_NARRATIVE"],
          personIds: await subjects("police", held.incidents),
          recordIds: held.incidents,
        }),
        permitted({
          owner: "housing",
          basis: "AGREEMENT",
          agreementId: "agr-housing-council",
          categories: ["TENANCY"],
          personIds: await subjects("housing", held.tenancies),
          recordIds: held.tenancies,
        }),
        permitted({
          owner: "housing",
          basis: "CONSENT",
          agreementId: "agr-housing-council",
          consentId: facts.adultFinancialConsent,
          categories: ["FINANCIAL"],
          personIds: await subjects("housing", held.tenancies),
          recordIds: held.tenancies,
        }),
        // Youth shares with the council for youth diversion and safeguarding only: refused the
        // same whether youth services hold records about the person or not (a probe record then,
        // about the person, naming no record), so that neither the audit's cost nor its absence
        // tells the council which.
        denied({
          owner: "youth",
          reason: "PURPOSE_NOT_COVERED",
          categories: ["EDUCATION", "YOUTH_PROGRAMME"],
          personIds: [
            ...new Set([...(await subjects("youth", [...held.enrolments, ...held.referrals])), person]),
          ].sort(),
          recordIds: [...held.enrolments, ...held.referrals].sort(),
        }),
      ]);
    });

    test("absent (housing and youth services share nothing): nothing revealed, either way", async () => {
      const person = facts.young;
      const held = await recordsOf(person);
      expect(held.referrals.length + held.enrolments.length).toBeGreaterThan(0);
      const housing = await lists(person, practitioner("housing", Purpose.TENANCY_SUSTAINMENT));
      expect(housing.asked.response.errors).toBeUndefined();
      expectNothingRevealed(housing.person!.referrals);
      expectNothingRevealed(housing.person!.enrolments);
      expect(nodeIds(housing.person!.tenancies)).toEqual(held.tenancies);
      // Withheld whole before anything is read: the same probe record, about the person and naming
      // no record, as for a person youth services hold nothing about.
      await expectAuditOf(housing.asked, "youth", [
        denied({
          owner: "youth",
          reason: "NO_AGREEMENT",
          categories: ["EDUCATION", "YOUTH_PROGRAMME"],
          personIds: [person],
          recordIds: [],
        }),
      ]);

      const youth = await lists(person, practitioner("youth", Purpose.YOUTH_DIVERSION));
      expect(errorsOf(youth.asked.response).filter((e) => e.path.startsWith("person.tenancies"))).toEqual([]);
      expectNothingRevealed(youth.person!.tenancies);
      await expectAuditOf(youth.asked, "housing", [
        denied({
          owner: "housing",
          reason: "NO_AGREEMENT",
          categories: ["TENANCY"],
          personIds: [person],
          recordIds: [],
        }),
      ]);
    });

    test("suspended (police to housing): nothing revealed, and explainAccess says why", async () => {
      const person = facts.adult;
      const held = await recordsOf(person);
      // Police hold incidents about the person: withheld, yet audited as if they held none.
      expect(held.incidents.length).toBeGreaterThan(0);
      const as = practitioner("housing", Purpose.TENANCY_SUSTAINMENT);
      const { asked, person: p } = await lists(person, as);
      expect(asked.response.errors).toBeUndefined();
      // No ACTIVE police-housing agreement for TENANCY_SUSTAINMENT either way: not even a count.
      expectNothingRevealed(p!.incidents);
      await expectAuditOf(asked, "police", [
        denied({
          owner: "police",
          reason: "NO_AGREEMENT",
          categories: ["INCIDENT_SUMMARY"],
          personIds: [person],
          recordIds: [],
        }),
      ]);
      const explained = await ask<{ explainAccess: { decision: string; reason: string; steps: string[] } }>(
        operation("ExplainAccess"),
        { personId: person, ownerAgencyId: "police", category: "INCIDENT_SUMMARY" },
        { ...as, operationName: "ExplainAccess" },
      );
      expect(explained.response.data?.explainAccess).toMatchObject({
        decision: "DENIED",
        reason: "NO_AGREEMENT",
      });
      expect(explained.response.data!.explainAccess.steps.join(" ")).toMatch(
        /ISA-\d{4}-\d{3} \(police → housing\) is not in force on \S+: suspended/,
      );
      // Explaining discloses nothing and records nothing.
      await expectAudit(explained, []);
    });

    test("expired (council to housing, 2024): withheld, signposted where an active agreement for the purpose exists", async () => {
      const person = facts.adult;
      const held = await recordsOf(person);
      const { asked, person: p } = await lists(person, practitioner("housing", Purpose.ASB_CASE_MANAGEMENT));
      expect(asked.response.errors).toBeUndefined();
      // Housing shares tenancies with the council for ASB case management: the two agencies have an
      // active agreement for the purpose, so the withheld cases are counted and the council named.
      expectSignposted(p!.asbCases, "council", "ASB_CASE", held.asbCases.length);
      await expectAuditOf(asked, "council", [
        denied({
          owner: "council",
          reason: "NO_AGREEMENT",
          categories: ["ASB_CASE"],
          personIds: await subjects("council", held.asbCases),
          recordIds: held.asbCases,
        }),
      ]);
    });

    test("not yet in force: denied until its first day, permitted from it", async () => {
      const person = facts.young;
      const held = await recordsOf(person);
      const as = practitioner("housing", Purpose.TENANCY_SUSTAINMENT);
      const created: string[] = [];
      try {
        const proposed = await ask<{ proposeAgreement: { id: string; status: string } }>(
          PROPOSE,
          {
            input: {
              title: `Youth programme referrals for tenancy sustainment (${routerName})`,
              providerAgencyId: "youth",
              recipientAgencyId: "housing",
              purposes: ["TENANCY_SUSTAINMENT"],
              categories: ["YOUTH_PROGRAMME"],
              consentRequiredFor: [],
              lawfulBasis: "UK GDPR Art 6(1)(e)",
              // Two days ahead: tomorrow in UTC may already be today in London.
              validFrom: day(2),
              validTo: day(400),
              reviewDate: day(200),
            },
          },
          dso("youth"),
        );
        expect(proposed.response.errors).toBeUndefined();
        const id = proposed.response.data!.proposeAgreement.id;
        created.push(id);
        for (const agency of ["youth", "housing"] as const) {
          const approved = await ask(APPROVE, { id }, dso(agency));
          expect(approved.response.errors).toBeUndefined();
        }

        const before = await lists(person, as);
        expectNothingRevealed(before.person!.referrals);
        expect((await before.asked.audit()).find((r) => r.owner === "youth")).toMatchObject({
          decision: "DENIED",
          reason: "NO_AGREEMENT",
          categories: ["EDUCATION", "YOUTH_PROGRAMME"],
        });

        // The same agreement, once its first day has come.
        await fed.stores.governance.sql.exec(`UPDATE agreements SET valid_from = $2 WHERE id = $1`, [
          id,
          day(-1),
        ]);
        const after = await lists(person, as);
        expect(nodeIds(after.person!.referrals)).toEqual(held.referrals);
        // EDUCATION is not in it, but an agreement for the purpose now exists between the two
        // agencies, so the withheld enrolments are counted and youth services named.
        if (held.enrolments.length)
          expectSignposted(after.person!.enrolments, "youth", "EDUCATION", held.enrolments.length);
        await expectAuditOf(after.asked, "youth", [
          permitted({
            owner: "youth",
            basis: "AGREEMENT",
            agreementId: id,
            categories: ["YOUTH_PROGRAMME"],
            personIds: await subjects("youth", held.referrals),
            recordIds: held.referrals,
          }),
          denied({
            owner: "youth",
            reason: "CATEGORY_NOT_COVERED",
            categories: ["EDUCATION"],
            personIds: await subjects("youth", held.enrolments),
            recordIds: held.enrolments,
          }),
        ]);
      } finally {
        await removeAgreements(created);
      }
    });

    test("purpose not covered: nothing revealed where no agreement serves the purpose", async () => {
      const person = facts.adult;
      const held = await recordsOf(person);
      // Police hold incidents about the person: withheld, yet audited as if they held none.
      expect(held.incidents.length).toBeGreaterThan(0);
      const { asked, person: p } = await lists(person, practitioner("council", Purpose.TENANCY_SUSTAINMENT));
      expect(asked.response.errors).toBeUndefined();
      expectNothingRevealed(p!.incidents);
      await expectAuditOf(asked, "police", [
        denied({
          owner: "police",
          reason: "PURPOSE_NOT_COVERED",
          categories: ["INCIDENT_SUMMARY"],
          personIds: [person],
          recordIds: [],
        }),
      ]);
    });

    test("purpose not covered: signposted where the agencies share for that purpose the other way", async () => {
      const person = facts.adult;
      const held = await recordsOf(person);
      // Council shares with police for ASB case management and safeguarding, not crime prevention;
      // police share with the council for crime prevention, so the council is named.
      const { asked, person: p } = await lists(person, practitioner("police", Purpose.CRIME_PREVENTION));
      expect(asked.response.errors).toBeUndefined();
      expectSignposted(p!.asbCases, "council", "ASB_CASE", held.asbCases.length);
      expect(nodeIds(p!.incidents)).toEqual(held.incidents);
      expect(p!.incidents.edges.every((e) => e.node.narrative !== null)).toBe(true);
      await expectAuditOf(asked, "council", [
        denied({
          owner: "council",
          reason: "PURPOSE_NOT_COVERED",
          categories: ["ASB_CASE"],
          personIds: await subjects("council", held.asbCases),
          recordIds: held.asbCases,
        }),
      ]);
    });
  });

  describe("consents (EDUCATION from youth services needs the person's consent)", () => {
    const as = practitioner("council", Purpose.YOUTH_DIVERSION);

    test("present: enrolments shared on the consent, programme referrals on the agreement alone", async () => {
      const person = facts.young;
      const held = await recordsOf(person);
      const { asked, person: p } = await lists(person, as);
      expect(asked.response.errors).toBeUndefined();
      expect(nodeIds(p!.enrolments)).toEqual(held.enrolments);
      expect(nodeIds(p!.referrals)).toEqual(held.referrals);
      await expectAuditOf(asked, "youth", [
        permitted({
          owner: "youth",
          basis: "CONSENT",
          agreementId: "agr-youth-council",
          consentId: facts.youngEducationConsent,
          categories: ["EDUCATION"],
          personIds: await subjects("youth", held.enrolments),
          recordIds: held.enrolments,
        }),
        permitted({
          owner: "youth",
          basis: "AGREEMENT",
          agreementId: "agr-youth-council",
          categories: ["YOUTH_PROGRAMME"],
          personIds: await subjects("youth", held.referrals),
          recordIds: held.referrals,
        }),
      ]);
    });

    test.each([
      ["missing", () => facts.unconsented, "CONSENT_REQUIRED"],
      ["withdrawn", () => facts.withdrawn, "CONSENT_WITHDRAWN"],
      ["expired", () => facts.expired, "CONSENT_REQUIRED"],
    ])("%s: enrolments withheld and signposted to youth services", async (_state, subject, reason) => {
      const person = subject();
      const held = await recordsOf(person);
      expect(held.enrolments.length).toBeGreaterThan(0);
      const { asked, person: p } = await lists(person, as);
      expect(asked.response.errors).toBeUndefined();
      expectSignposted(p!.enrolments, "youth", "EDUCATION", held.enrolments.length);
      expect(nodeIds(p!.referrals)).toEqual(held.referrals);
      expect((await asked.audit()).find((r) => r.owner === "youth" && r.decision === "DENIED")).toEqual(
        denied({
          owner: "youth",
          reason,
          agreementId: "agr-youth-council",
          categories: ["EDUCATION"],
          personIds: await subjects("youth", held.enrolments),
          recordIds: held.enrolments,
        }),
      );
    });

    test("a field that needs consent is null with CONSENT_REQUIRED while its record shows", async () => {
      const person = facts.tenantWithoutConsent;
      const held = await recordsOf(person);
      const { asked, person: p } = await lists(person, practitioner("council", Purpose.TENANCY_SUSTAINMENT));
      expect(nodeIds(p!.tenancies)).toEqual(held.tenancies);
      expect(p!.tenancies.edges.every((e) => e.node.arrearsBand === null && e.node.status)).toBe(true);
      expect(errorsOf(asked.response)).toEqual(
        forbiddenAt(
          held.tenancies.map((_, i) => `person.tenancies.edges.${i}.node.arrearsBand`),
          "CONSENT_REQUIRED",
        ),
      );
      await expectAuditOf(asked, "housing", [
        permitted({
          owner: "housing",
          basis: "AGREEMENT",
          agreementId: "agr-housing-council",
          categories: ["TENANCY"],
          personIds: await subjects("housing", held.tenancies),
          recordIds: held.tenancies,
        }),
        denied({
          owner: "housing",
          reason: "CONSENT_REQUIRED",
          agreementId: "agr-housing-council",
          categories: ["FINANCIAL"],
          personIds: await subjects("housing", held.tenancies),
          recordIds: held.tenancies,
        }),
      ]);
    });

    test("a consent given by someone under 13 must come from a parent or guardian: SELF is refused", async () => {
      const person = facts.young;
      const born = (await fed.stores.governance.sql.one<{ born: string }>(
        `SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS born FROM person_dates_of_birth WHERE person_id = $1`,
        [person],
      ))!.born;
      // Given on their tenth birthday.
      const givenAt = `${Number(born.slice(0, 4)) + 10}${born.slice(4)}T12:00:00Z`;
      const input = {
        personId: person,
        recipientAgencyId: "council",
        purposes: ["YOUTH_DIVERSION"],
        categories: ["EDUCATION"],
        givenAt,
        evidenceRef: `UNDER13-${routerName}`,
      };
      const count = async () =>
        Number(
          (await fed.stores.governance.sql.one<{ n: string }>(
            `SELECT count(*) AS n FROM consents WHERE evidence_ref = $1`,
            [input.evidenceRef],
          ))!.n,
        );
      const self = await ask(RECORD_CONSENT, { input: { ...input, givenBy: "SELF" } }, dso("youth"));
      expect(self.response.data?.recordConsent ?? null).toBeNull();
      expect(self.response.errors).toHaveLength(1);
      expect(self.response.errors![0].extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        argument: "input.givenBy",
      });
      expect(self.response.errors![0].message).toMatch(
        /was 10 when the consent was given; under 13 it must be given by PARENT_OR_GUARDIAN/,
      );
      expect(await count()).toBe(0);

      const parent = await ask<{ recordConsent: { id: string; givenBy: string } }>(
        RECORD_CONSENT,
        { input: { ...input, givenBy: "PARENT_OR_GUARDIAN" } },
        dso("youth"),
      );
      expect(parent.response.errors).toBeUndefined();
      expect(parent.response.data!.recordConsent.givenBy).toBe("PARENT_OR_GUARDIAN");
      await removeConsents([parent.response.data!.recordConsent.id]);
    });
  });

  describe("break-glass", () => {
    const justification = `Child reported missing overnight; need recent contacts and addresses (${routerName})`;

    test("with a justification under SAFEGUARDING: everything released, recorded as break-glass, listed for the owners' DSOs", async () => {
      const person = facts.young;
      const held = await recordsOf(person);
      const as: As = { agency: "council", purpose: Purpose.SAFEGUARDING, breakGlass: justification };
      const { asked, person: p } = await lists(person, as);
      expect(asked.response.errors).toBeUndefined();
      expect(nodeIds(p!.incidents)).toEqual(held.incidents);
      expect(p!.incidents.edges.every((e) => e.node.narrative !== null)).toBe(true);
      expect(nodeIds(p!.tenancies)).toEqual(held.tenancies);
      expect(nodeIds(p!.referrals)).toEqual(held.referrals);
      expect(nodeIds(p!.enrolments)).toEqual(held.enrolments);
      // Break-glass is the fallback: what an agreement or consent already shares is recorded as such.
      await expectAudit(asked, [
        permitted({
          owner: "police",
          basis: "BREAK_GLASS",
          breakGlass: true,
          categories: ["INCIDENT_NARRATIVE", "INCIDENT_SUMMARY"],
          personIds: await subjects("police", held.incidents),
          recordIds: held.incidents,
        }),
        permitted({
          owner: "housing",
          basis: "BREAK_GLASS",
          breakGlass: true,
          categories: ["FINANCIAL", "TENANCY"],
          personIds: await subjects("housing", held.tenancies),
          recordIds: held.tenancies,
        }),
        permitted({
          owner: "youth",
          basis: "AGREEMENT",
          agreementId: "agr-youth-council",
          categories: ["YOUTH_PROGRAMME"],
          personIds: await subjects("youth", held.referrals),
          recordIds: held.referrals,
        }),
        permitted({
          owner: "youth",
          basis: "CONSENT",
          agreementId: "agr-youth-council",
          consentId: facts.youngEducationConsent,
          categories: ["EDUCATION"],
          personIds: await subjects("youth", held.enrolments),
          recordIds: held.enrolments,
        }),
      ]);

      type Event = {
        id: string;
        justification: string;
        actor: { userId: string; agency: { id: string } };
        person: { id: string } | null;
        categories: string[];
        recordIds: string[];
        ownerAgency: { id: string };
      };
      const eventsFor = async (agency: Agency) => {
        const listed = await ask<{ breakGlassEvents: Event[] }>(BREAK_GLASS_EVENTS, {}, dso(agency));
        expect(listed.response.errors).toBeUndefined();
        return listed.response.data!.breakGlassEvents.filter((e) => e.justification === justification);
      };
      const police = await eventsFor("police");
      expect(police).toEqual([
        {
          id: expect.any(String),
          justification,
          actor: { userId: "council.practitioner", agency: { id: "council" } },
          person: { id: person },
          categories: ["INCIDENT_NARRATIVE", "INCIDENT_SUMMARY"],
          recordIds: held.incidents,
          ownerAgency: { id: "police" },
        },
      ]);
      expect((await eventsFor("housing")).map((e) => e.ownerAgency.id)).toEqual(["housing"]);
      // Youth services shared under their agreement and the consent: nothing for their DSOs to review.
      expect(await eventsFor("youth")).toEqual([]);

      const review = await ask(
        REVIEW_BREAK_GLASS,
        { id: police[0].id, note: "Child found; access was justified" },
        dso("police"),
      );
      expect(review.response.errors).toBeUndefined();
      expect(await eventsFor("police")).toEqual([]);
    });

    test("without x-break-glass, SAFEGUARDING follows the ordinary rules", async () => {
      const person = facts.young;
      const held = await recordsOf(person);
      const { asked, person: p } = await lists(person, practitioner("council", Purpose.SAFEGUARDING));
      expect(asked.response.errors).toBeUndefined();
      // Council shares with police for safeguarding, so the police incidents are signposted.
      expectSignposted(p!.incidents, "police", "INCIDENT_SUMMARY", held.incidents.length);
      const audit = await asked.audit();
      expect(audit.some((r) => r.breakGlass)).toBe(false);
      expect(audit.find((r) => r.owner === "police")).toEqual(
        denied({
          owner: "police",
          reason: "PURPOSE_NOT_COVERED",
          categories: ["INCIDENT_SUMMARY"],
          personIds: await subjects("police", held.incidents),
          recordIds: held.incidents,
        }),
      );
    });

    test.each([
      [
        "too short",
        Purpose.SAFEGUARDING,
        "urgent",
        "x-break-glass: the justification must hold at least 20 visible characters",
      ],
      ["blank", Purpose.SAFEGUARDING, " ", "x-break-glass: no justification was given"],
      [
        "under another purpose",
        Purpose.CRIME_PREVENTION,
        "Child reported missing overnight; need contacts",
        "x-break-glass: break-glass is only for SAFEGUARDING, not CRIME_PREVENTION",
      ],
    ])(
      "%s: refused with a clear error, nothing released or recorded",
      async (_case, purpose, breakGlass, message) => {
        const asked = await ask<PersonLists>(
          PERSON_LISTS,
          { id: facts.young },
          { agency: "council", purpose, breakGlass },
        );
        expectNoData(asked.response);
        expect(asked.response.errors?.length).toBeGreaterThan(0);
        for (const error of asked.response.errors!) {
          expect(error.message).toBe(message);
          expect(error.extensions?.code).toBe("BAD_USER_INPUT");
        }
        await expectAudit(asked, []);
      },
    );
  });

  describe("analysts and statistics", () => {
    type Cell = { month: string; category?: string; count: number | null; suppressed: boolean };
    type Hood = Record<"incidentStats" | "asbCaseStats" | "tenancyActionStats" | "referralStats", Cell[]> & {
      code: string;
    };
    const dashboard = { codes: CASE_NEIGHBOURHOODS, fromMonth: "2019-01", toMonth: "2019-06" };

    test("an analyst asking for a person-level field: ROLE_NOT_PERMITTED", async () => {
      const asked = await ask<PersonLists>(
        PERSON_LISTS,
        { id: facts.adult },
        { agency: "council", role: Role.ANALYST, purpose: Purpose.STATISTICS },
      );
      expectNoData(asked.response);
      const errors = errorsOf(asked.response);
      // Refused at `person` itself (issue 9: not even ids).
      expect(errors.map((e) => e.path)).toEqual(["person"]);
      expect(errors.every((e) => e.code === "FORBIDDEN" && e.reason === "ROLE_NOT_PERMITTED")).toBe(true);
      expect(
        (await asked.audit()).every((r) => r.decision === "DENIED" && r.reason === "ROLE_NOT_PERMITTED"),
      ).toBe(true);
    });

    test.each(ROLES)(
      "%s under STATISTICS gets every agency's counts, perturbed (never 1 to 4), and nothing audited",
      async (role) => {
        const asked = await ask<{ neighbourhoods: Hood[] }>(operation("NeighbourhoodDashboard"), dashboard, {
          agency: "council",
          role,
          purpose: Purpose.STATISTICS,
          operationName: "NeighbourhoodDashboard",
        });
        expect(asked.response.errors).toBeUndefined();
        const hoods = asked.response.data!.neighbourhoods;
        const cells = hoods.flatMap((h) => [
          ...h.incidentStats,
          ...h.asbCaseStats,
          ...h.tenancyActionStats,
          ...h.referralStats,
        ]);
        expect(cells.length).toBeGreaterThan(0);
        // No cell shows a count from 1 to 4.
        for (const cell of cells) {
          expect(cell.suppressed ? cell.count === null : cell.count === 0 || cell.count! >= 5).toBe(true);
        }
        // Against police's own records: every cell is released by the disclosure-control engine from
        // its true count and cell key (cells released as 0 left out), so none of 1 to 4 shows as such.
        const raw = await fed.stores.police.sql.many<{
          lsoa_code: string;
          month: string;
          category: string;
          key: string;
        }>(
          `SELECT lsoa_code, month, category, record_key::text AS key FROM incidents
          WHERE lsoa_code = ANY ($1) AND month BETWEEN $2 AND $3 ORDER BY month, category`,
          [dashboard.codes, dashboard.fromMonth, dashboard.toMonth],
        );
        for (const h of hoods) {
          const cells = keysByCell(
            raw.filter((r) => r.lsoa_code === h.code),
            (r) => `${r.month}|${r.category}`,
          );
          expect([...cells.values()].some((keys) => keys.length >= 1 && keys.length <= 4)).toBe(true);
          const expected = [...cells]
            .map(([cell, keys]) => {
              const [month, category] = cell.split("|");
              return { month, category, count: releasedFor(keys), suppressed: false };
            })
            .filter((c) => c.count > 0);
          expect(h.incidentStats).toEqual(expected);
        }
        await expectAudit(asked, []);
      },
    );

    test("counts under any other purpose: PURPOSE_NOT_COVERED", async () => {
      const asked = await ask<{ neighbourhoods: Hood[] | null }>(
        operation("NeighbourhoodDashboard"),
        dashboard,
        {
          agency: "council",
          role: Role.ANALYST,
          purpose: Purpose.ASB_CASE_MANAGEMENT,
          operationName: "NeighbourhoodDashboard",
        },
      );
      expectNoData(asked.response);
      const errors = errorsOf(asked.response);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.code === "FORBIDDEN" && e.reason === "PURPOSE_NOT_COVERED")).toBe(true);
    });

    test("STATISTICS reaches no person-level field: not the index, not any agency's lists, not even the caller's own", async () => {
      const person = facts.adult;
      const identity = await ask(IDENTITY, { id: person }, { agency: "police", purpose: Purpose.STATISTICS });
      expectNoData(identity.response);
      expect(errorsOf(identity.response).every((e) => e.reason === "PURPOSE_NOT_COVERED")).toBe(true);

      const own = await ask<{ incidents: List<{ id: string }> }>(
        `query Area($codes: [String!]) { incidents(filter: { lsoaCodes: $codes }, first: 50) { totalCount pageInfo { hasNextPage } edges { node { id } } restricted { agency { id } category count contact } } }`,
        { codes: CASE_NEIGHBOURHOODS },
        { agency: "police", purpose: Purpose.STATISTICS },
      );
      // Issue 9: the search itself is refused (it would list ids), not answered empty.
      expect(own.response.data?.incidents ?? null).toBeNull();
      expect(errorsOf(own.response)).toEqual(forbiddenAt(["incidents"], "PURPOSE_NOT_COVERED"));
      expect(await own.audit()).toEqual([
        expect.objectContaining({ owner: "police", decision: "DENIED", reason: "PURPOSE_NOT_COVERED" }),
      ]);

      // A DSO is no exception.
      const dsoAsked = await ask(
        IDENTITY,
        { id: person },
        { ...dso("council"), purpose: Purpose.STATISTICS },
      );
      expect(errorsOf(dsoAsked.response).every((e) => e.reason === "PURPOSE_NOT_COVERED")).toBe(true);
    });
  });

  describe("purpose", () => {
    test("no x-purpose: PURPOSE_REQUIRED, for other agencies' data and the caller's own", async () => {
      const person = facts.adult;
      const identity = await ask(IDENTITY, { id: person }, { agency: "council" });
      expectNoData(identity.response);
      expect(errorsOf(identity.response).map((e) => e.path)).toEqual(["person"]);
      expect(
        errorsOf(identity.response).every((e) => e.code === "FORBIDDEN" && e.reason === "PURPOSE_REQUIRED"),
      ).toBe(true);

      for (const agency of AGENCIES) {
        const { query, category } = OWN_RECORD[agency];
        const asked = await ask<{ record: unknown }>(query, { id: facts.own[agency] }, { agency });
        expect(asked.response.data?.record ?? null).toBeNull();
        expect(errorsOf(asked.response)).toEqual(forbiddenAt(["record"], "PURPOSE_REQUIRED"));
        await expectAudit(asked, [
          // Refused at the entry point before the record is read (issue 9): no record named.
          denied({ owner: agency, reason: "PURPOSE_REQUIRED", categories: [category], recordIds: [] }),
        ]);
      }

      const held = await recordsOf(person);
      const cross = await ask<{ incident: unknown }>(
        `query One($id: ID!) { incident(id: $id) { id summary } }`,
        { id: held.incidents[0] },
        { agency: "council" },
      );
      expect(cross.response.data?.incident ?? null).toBeNull();
      expect(errorsOf(cross.response)).toEqual(forbiddenAt(["incident"], "PURPOSE_REQUIRED"));
    });
  });

  describe("a change to an agreement or consent holds on the very next request", () => {
    test("an agreement: denied as a draft, permitted once both approve, denied again the request after it is suspended", async () => {
      const person = facts.adult;
      const held = await recordsOf(person);
      const as = practitioner("youth", Purpose.CRIME_PREVENTION);
      const created: string[] = [];
      try {
        const proposed = await ask<{ proposeAgreement: { id: string; status: string } }>(
          PROPOSE,
          {
            input: {
              title: `Council ASB cases for youth services' crime prevention (${routerName})`,
              providerAgencyId: "council",
              recipientAgencyId: "youth",
              purposes: ["CRIME_PREVENTION"],
              categories: ["ASB_CASE"],
              consentRequiredFor: [],
              lawfulBasis: "Crime and Disorder Act 1998 s115",
              validFrom: day(-1),
              validTo: day(365),
              reviewDate: day(180),
            },
          },
          dso("council"),
        );
        expect(proposed.response.data?.proposeAgreement.status).toBe("DRAFT");
        const id = proposed.response.data!.proposeAgreement.id;
        created.push(id);

        const asCouncil = await ask<{ approveAgreement: { status: string } }>(
          APPROVE,
          { id },
          dso("council"),
        );
        expect(asCouncil.response.data?.approveAgreement.status).toBe("DRAFT");
        const draft = await lists(person, as);
        // One party's word is not enough: still a draft, and no agreement serves the purpose.
        expectNothingRevealed(draft.person!.asbCases);

        const asYouth = await ask<{ approveAgreement: { status: string } }>(APPROVE, { id }, dso("youth"));
        expect(asYouth.response.data?.approveAgreement.status).toBe("ACTIVE");
        const active = await lists(person, as);
        expect(nodeIds(active.person!.asbCases)).toEqual(held.asbCases);
        // RISK is not in the agreement: the victim's risk level is refused field by field.
        expect(errorsOf(active.asked.response)).toEqual(
          forbiddenAt(
            held.asbCases.map((_, i) => `person.asbCases.edges.${i}.node.riskLevel`),
            "CATEGORY_NOT_COVERED",
          ),
        );
        expect(
          (await active.asked.audit()).find((r) => r.owner === "council" && r.decision === "PERMITTED"),
        ).toEqual(
          permitted({
            owner: "council",
            basis: "AGREEMENT",
            agreementId: id,
            categories: ["ASB_CASE"],
            personIds: await subjects("council", held.asbCases),
            recordIds: held.asbCases,
          }),
        );

        const suspended = await ask<{ suspendAgreement: { status: string } }>(
          SUSPEND,
          { id, reason: "Review of youth services' use of ASB case data" },
          dso("council"),
        );
        expect(suspended.response.data?.suspendAgreement.status).toBe("SUSPENDED");
        const next = await lists(person, as);
        expect(next.asked.response.errors).toBeUndefined();
        expectNothingRevealed(next.person!.asbCases);
        expect((await next.asked.audit()).find((r) => r.owner === "council")).toEqual(
          denied({
            owner: "council",
            reason: "PURPOSE_NOT_COVERED",
            categories: ["ASB_CASE"],
            personIds: [person],
            recordIds: [],
          }),
        );
      } finally {
        await removeAgreements(created);
      }
    });

    test("a consent: the arrears band shows on the request after it is recorded, and not on the one after it is withdrawn", async () => {
      const person = facts.tenantWithoutConsent;
      const held = await recordsOf(person);
      const as = practitioner("council", Purpose.TENANCY_SUSTAINMENT);
      const arrears = async () => {
        const { asked, person: p } = await lists(person, as);
        expect(nodeIds(p!.tenancies)).toEqual(held.tenancies);
        const financial = (await asked.audit()).find((r) => r.categories.includes("FINANCIAL"));
        return { asked, bands: p!.tenancies.edges.map((e) => e.node.arrearsBand), financial };
      };
      const created: string[] = [];
      try {
        const recorded = await ask<{ recordConsent: { id: string; status: string } }>(
          RECORD_CONSENT,
          {
            input: {
              personId: person,
              recipientAgencyId: "council",
              purposes: ["TENANCY_SUSTAINMENT"],
              categories: ["FINANCIAL"],
              givenBy: "SELF",
              givenAt: new Date(Date.now() - 60_000).toISOString(),
              evidenceRef: `TS-${routerName}`,
            },
          },
          dso("housing"),
        );
        expect(recorded.response.errors).toBeUndefined();
        const consentId = recorded.response.data!.recordConsent.id;
        created.push(consentId);

        const given = await arrears();
        expect(given.asked.response.errors).toBeUndefined();
        expect(given.bands.every((b) => b !== null)).toBe(true);
        expect(given.financial).toEqual(
          permitted({
            owner: "housing",
            basis: "CONSENT",
            agreementId: "agr-housing-council",
            consentId,
            categories: ["FINANCIAL"],
            personIds: await subjects("housing", held.tenancies),
            recordIds: held.tenancies,
          }),
        );

        const withdrawn = await ask<{ withdrawConsent: { status: string } }>(
          WITHDRAW_CONSENT,
          { id: consentId },
          dso("council"),
        );
        expect(withdrawn.response.errors).toBeUndefined();
        const after = await arrears();
        expect(after.bands.every((b) => b === null)).toBe(true);
        expect(errorsOf(after.asked.response)).toEqual(
          forbiddenAt(
            held.tenancies.map((_, i) => `person.tenancies.edges.${i}.node.arrearsBand`),
            "CONSENT_WITHDRAWN",
          ),
        );
        expect(after.financial).toEqual(
          denied({
            owner: "housing",
            reason: "CONSENT_WITHDRAWN",
            agreementId: "agr-housing-council",
            categories: ["FINANCIAL"],
            personIds: await subjects("housing", held.tenancies),
            recordIds: held.tenancies,
          }),
        );
        // Housing had kept the facts with the consent in them: what it decided on them first was
        // thrown away unrecorded, not released and not audited.
        expect(
          (await after.asked.audit()).filter(
            (r) => r.owner === "housing" && r.categories.includes("FINANCIAL") && r.decision === "PERMITTED",
          ),
        ).toEqual([]);
      } finally {
        await removeConsents(created);
      }
    });
  });

  describe("data-sharing officers", () => {
    test("read the audit of their own agency's data only; practitioners not at all", async () => {
      const person = facts.adult;
      const seen = await lists(person, practitioner("council", Purpose.ASB_CASE_MANAGEMENT));
      expect(seen.person).not.toBeNull();
      type Disclosures = {
        disclosures: { edges: { node: { requestId: string; owner: { id: string }; decision: string } }[] };
      };
      const police = await ask<Disclosures>(
        `query D($personId: ID!) { disclosures(personId: $personId, first: 500) { edges { node { requestId owner { id } decision } } } }`,
        { personId: person },
        dso("police"),
      );
      expect(police.response.errors).toBeUndefined();
      const nodes = police.response.data!.disclosures.edges.map((e) => e.node);
      expect(nodes.every((n) => n.owner.id === "police")).toBe(true);
      expect(
        nodes
          .filter((n) => n.requestId === seen.asked.requestId)
          .map((n) => n.decision)
          .sort(),
      ).toEqual(["DENIED", "PERMITTED"]);

      const byPractitioner = await ask(
        `query D($personId: ID!) { disclosures(personId: $personId) { totalCount } }`,
        { personId: person },
        practitioner("police", Purpose.SAFEGUARDING),
      );
      expect(errorsOf(byPractitioner.response)).toEqual(forbiddenAt(["disclosures"], "ROLE_NOT_PERMITTED"));
    });

    test("manage agreements of their own agency only", async () => {
      const notParty = await ask(
        SUSPEND,
        { id: "agr-police-council", reason: "not ours to suspend" },
        dso("housing"),
      );
      expect(errorsOf(notParty.response)).toEqual(forbiddenAt(["suspendAgreement"], "ROLE_NOT_PERMITTED"));
      const status = await fed.stores.governance.sql.one<{ status: string }>(
        `SELECT status FROM agreements WHERE id = 'agr-police-council'`,
      );
      expect(status?.status).toBe("ACTIVE");
    });
  });

  describe("problem-solving cases link records through their holders' rules", () => {
    test("withheld linked records are signposted per holder, whichever fields are asked", async () => {
      const sql = fed.stores.partnership.sql;
      const caseRow = await sql.one<{ id: string }>(
        `SELECT c.id FROM problem_cases c WHERE c.lead_agency_id = 'housing' ORDER BY c.id LIMIT 1`,
      );
      const linked = await sql.many<{ kind: string; n: string }>(
        `SELECT kind, count(*) AS n FROM case_records WHERE case_id = $1 GROUP BY kind`,
        [caseRow!.id],
      );
      const count = (kind: string) => Number(linked.find((l) => l.kind === kind)?.n ?? 0);
      expect(count("ASB_CASE")).toBeGreaterThan(0);
      const as = practitioner("housing", Purpose.ASB_CASE_MANAGEMENT);
      // Expired council-housing agreement, but housing shares with the council for ASB case management:
      // the council's cases are signposted. No active police-housing or youth-housing agreement serves
      // the purpose: their records are not mentioned at all.
      const expected = [
        {
          agency: { id: "council" },
          category: "ASB_CASE",
          count: count("ASB_CASE"),
          contact: facts.contact.council,
        },
      ];
      const alone = await ask<{ problemCase: { restricted: Restricted[] } }>(
        `query Board($id: ID!) { problemCase(id: $id) { restricted { agency { id } category count contact } } }`,
        { id: caseRow!.id },
        as,
      );
      expect(alone.response.errors).toBeUndefined();
      expect(alone.response.data!.problemCase.restricted).toEqual(expected);
      const withLinks = await ask<{ problemCase: { restricted: Restricted[]; linkedAsbCases: unknown[] } }>(
        `query Board($id: ID!) { problemCase(id: $id) { linkedIncidents { id } linkedAsbCases { id } linkedTenancies { id } linkedReferrals { id } restricted { agency { id } category count contact } } }`,
        { id: caseRow!.id },
        as,
      );
      expect(withLinks.response.data!.problemCase.linkedAsbCases).toEqual([]);
      expect(withLinks.response.data!.problemCase.restricted).toEqual(expected);
      // The same decisions either way, so the same denials recorded.
      const denials = async (asked: Asked<unknown>) =>
        (await asked.audit()).filter((r) => r.decision === "DENIED").map((r) => `${r.owner}:${r.reason}`);
      expect(await denials(alone)).toEqual(await denials(withLinks));
    });

    test("records an agreement shares are not recorded as denied when only the signposts are asked for", async () => {
      const sql = fed.stores.partnership.sql;
      const caseRow = await sql.one<{ id: string }>(
        `SELECT c.id FROM problem_cases c
          WHERE (c.lead_agency_id = 'council' OR EXISTS (SELECT 1 FROM case_partners p WHERE p.case_id = c.id AND p.agency_id = 'council'))
            AND EXISTS (SELECT 1 FROM case_records r WHERE r.case_id = c.id AND r.kind = 'TENANCY')
            AND EXISTS (SELECT 1 FROM case_records r WHERE r.case_id = c.id AND r.kind = 'INCIDENT')
          ORDER BY c.id LIMIT 1`,
      );
      const asked = await ask<{ problemCase: { restricted: Restricted[] } }>(
        `query Board($id: ID!) { problemCase(id: $id) { restricted { agency { id } category count contact } } }`,
        { id: caseRow!.id },
        practitioner("council", Purpose.ASB_CASE_MANAGEMENT),
      );
      expect(asked.response.errors).toBeUndefined();
      // Police and housing share with the council for ASB case management; youth services do not,
      // and have no agreement with the council for it: nothing is signposted.
      expect(asked.response.data!.problemCase.restricted).toEqual([]);
      // The holders record what they disclose when they resolve the records; here only youth's refusal.
      const referrals = await sql.many<{ id: string }>(
        `SELECT record_id AS id FROM case_records WHERE case_id = $1 AND kind = 'REFERRAL' ORDER BY record_id`,
        [caseRow!.id],
      );
      expect(await asked.audit()).toEqual(
        referrals.length
          ? [
              denied({
                owner: "youth",
                reason: "PURPOSE_NOT_COVERED",
                categories: ["YOUTH_PROGRAMME"],
                recordIds: referrals.map((r) => r.id),
              }),
            ]
          : [],
      );
    });
  });
});
