import { randomUUID } from "node:crypto";
import { Purpose, Role } from "../../subgraphs/shared/enums";
import { startTestFederation, type TestFederation } from "../support/federation";
import type { As } from "../support/graphql";

/**
 * Issue 15, "the audit names everyone a disclosure names": a record released to another agency is
 * audited against every person it names, not only those whose consent it needs, so that the
 * owner's `disclosures(personId)` of each of them lists the read. The known gap was a tenancy,
 * audited under its liable tenants only: a household member named in its occupants did not see
 * the council's read of it (the example: ten-000022 and its household member per-000002).
 */

let fed: TestFederation;

beforeAll(async () => {
  // Fresh databases: a consent is added for the enrolment read.
  fed = await startTestFederation({ fresh: true });
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

interface Case {
  /** The record type the audit row must list. */
  type: string;
  owner: "police" | "council" | "housing" | "youth";
  /** Another agency reading it under an agreement that shares it. */
  as: As;
  /**
   * The record (`id`), the partnership id to ask from (`root`, for records read through a
   * person) and everyone it names (`people`), read from the owner's own tables.
   */
  pick: string;
  query: string;
  /** Where the record's id is in the answer. */
  idIn: (data: Record<string, unknown>) => unknown;
}

// A tenancy with a tenant and a household member, actions and a property: the example
// where the demo has it.
const TENANCY = `SELECT t.id, t.id AS root, array_agg(DISTINCT o.person_id ORDER BY o.person_id) AS people
   FROM tenancies t JOIN tenancy_occupants o ON o.tenancy_id = t.id
  WHERE EXISTS (SELECT 1 FROM tenancy_occupants m WHERE m.tenancy_id = t.id AND m.role = 'HOUSEHOLD_MEMBER')
    AND EXISTS (SELECT 1 FROM tenancy_actions a WHERE a.tenancy_id = t.id)
  GROUP BY t.id ORDER BY (t.id = 'ten-000022') DESC, t.id LIMIT 1`;

const CASES: Case[] = [
  {
    type: "Incident",
    owner: "police",
    as: { agency: "council", purpose: Purpose.ASB_CASE_MANAGEMENT },
    pick: `SELECT v.incident_id AS id, v.incident_id AS root, array_agg(DISTINCT v.person_id ORDER BY v.person_id) AS people
             FROM involvements v GROUP BY v.incident_id HAVING count(DISTINCT v.person_id) > 1
            ORDER BY v.incident_id LIMIT 1`,
    query: `query($root: ID!) { incident(id: $root) { id summary involvements { role person { id } } } }`,
    idIn: (d) => (d.incident as { id: string }).id,
  },
  {
    type: "AsbCase",
    owner: "council",
    as: { agency: "police", purpose: Purpose.ASB_CASE_MANAGEMENT },
    pick: `SELECT p.case_id AS id, p.case_id AS root, array_agg(DISTINCT p.person_id ORDER BY p.person_id) AS people
             FROM asb_parties p GROUP BY p.case_id HAVING count(DISTINCT p.person_id) > 1
            ORDER BY p.case_id LIMIT 1`,
    query: `query($root: ID!) { asbCase(id: $root) { id reference parties { role person { id } } interventions { type } } }`,
    idIn: (d) => (d.asbCase as { id: string }).id,
  },
  {
    type: "Tenancy",
    owner: "housing",
    as: { agency: "council", purpose: Purpose.TENANCY_SUSTAINMENT },
    pick: TENANCY,
    query: `query($root: ID!) { tenancy(id: $root) { id status occupants { role person { id } } } }`,
    idIn: (d) => (d.tenancy as { id: string }).id,
  },
  {
    type: "TenancyAction",
    owner: "housing",
    as: { agency: "council", purpose: Purpose.TENANCY_SUSTAINMENT },
    pick: `WITH t AS (${TENANCY})
           SELECT (SELECT a.id FROM tenancy_actions a WHERE a.tenancy_id = t.id ORDER BY a.id LIMIT 1) AS id,
                  t.root, t.people FROM t`,
    // Only the action: its audit row must still name everyone its tenancy names.
    query: `query($root: ID!) { tenancy(id: $root) { actions { id type takenAt } } }`,
    idIn: (d) => (d.tenancy as { actions: { id: string }[] }).actions.map((a) => a.id),
  },
  {
    type: "Property",
    owner: "housing",
    as: { agency: "council", purpose: Purpose.TENANCY_SUSTAINMENT },
    pick: `WITH t AS (${TENANCY})
           SELECT (SELECT property_id FROM tenancies WHERE id = t.id) AS id, t.root, t.people FROM t`,
    query: `query($root: ID!) { tenancy(id: $root) { property { id address uprn } } }`,
    idIn: (d) => (d.tenancy as { property: { id: string } }).property.id,
  },
  {
    type: "HousingReport",
    owner: "housing",
    as: { agency: "council", purpose: Purpose.TENANCY_SUSTAINMENT },
    pick: `SELECT id, person_id AS root, ARRAY[person_id] AS people FROM housing_reports ORDER BY id LIMIT 1`,
    query: `query($root: ID!) { person(id: $root) { housingReports(first: 20) { edges { node { id description } } } } }`,
    idIn: (d) =>
      (d.person as { housingReports: { edges: { node: { id: string } }[] } }).housingReports.edges.map(
        (e) => e.node.id,
      ),
  },
  {
    type: "Referral",
    owner: "youth",
    as: { agency: "council", purpose: Purpose.YOUTH_DIVERSION },
    pick: `SELECT id, id AS root, ARRAY[person_id] AS people FROM referrals ORDER BY id LIMIT 1`,
    query: `query($root: ID!) { referral(id: $root) { id reason person { id } statusHistory { status } } }`,
    idIn: (d) => (d.referral as { id: string }).id,
  },
  {
    type: "Enrolment",
    owner: "youth",
    as: { agency: "council", purpose: Purpose.YOUTH_DIVERSION },
    pick: `SELECT id, person_id AS root, ARRAY[person_id] AS people FROM enrolments ORDER BY id LIMIT 1`,
    query: `query($root: ID!) { person(id: $root) { enrolments(first: 20) { edges { node { id attendanceRate school { name } } } } } }`,
    idIn: (d) =>
      (d.person as { enrolments: { edges: { node: { id: string } }[] } }).enrolments.edges.map(
        (e) => e.node.id,
      ),
  },
];

type Disclosures = {
  disclosures: {
    edges: { node: { requestId: string; recordIds: string[]; decision: string; owner: { id: string } } }[];
  };
};

test.each(CASES)(
  "$type: disclosures(personId) of everyone the released record names lists the read",
  async (c) => {
    const stores = fed.stores as unknown as Record<string, typeof fed.stores.police>;
    const record = (await stores[c.owner].sql.one<{ id: string; root: string; people: string[] }>(c.pick))!;
    expect(record?.id).toBeTruthy();
    if (c.type === "Enrolment") {
      // Education is shared with the council only with the pupil's consent, which youth records.
      await fed.stores.governance.sql.exec(
        `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories,
                               given_by, given_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
         VALUES ($1, $2, 'council', 'youth', $3, $4, 'PARENT_OR_GUARDIAN', now() - interval '1 minute',
                 'audit-names', 'youth', 'test', now())`,
        [`con-audit-names-${record.id}`, record.people[0], [Purpose.YOUTH_DIVERSION], ["EDUCATION"]],
      );
    }
    const requestId = `audit-names-${c.type}-${randomUUID()}`;
    const read = await fed.query<Record<string, unknown>>(
      c.query,
      { root: record.root },
      { ...c.as, requestId },
    );
    expect(read.errors).toBeUndefined();
    // The record was released to the other agency.
    expect([c.idIn(read.data!)].flat()).toContain(record.id);

    for (const person of record.people) {
      const asked = await fed.query<Disclosures>(
        `query($person: ID!) { disclosures(personId: $person, first: 500) {
           edges { node { requestId recordIds decision owner { id } } } } }`,
        { person },
        { agency: c.owner, role: Role.DATA_SHARING_OFFICER, purpose: Purpose.SAFEGUARDING },
      );
      expect(asked.errors).toBeUndefined();
      const rows = asked.data!.disclosures.edges.map((e) => e.node).filter((n) => n.requestId === requestId);
      expect({
        person,
        listed: rows.some((r) => r.decision === "PERMITTED" && r.recordIds.includes(record.id)),
      }).toEqual({
        person,
        listed: true,
      });
    }
  },
);
