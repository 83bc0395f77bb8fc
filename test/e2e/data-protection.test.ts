import { randomUUID } from "node:crypto";
import { verifyAudit } from "../../subgraphs/governance/repositories/audit";
import { Purpose, Role } from "../../subgraphs/shared/enums";
import { auditPeople } from "../support/audit";
import { startTestFederation, type TestFederation } from "../support/federation";
import { graphql, type As } from "../support/graphql";

/**
 * Issue 18, subject access and rectification: a data-sharing officer answers a person's rights
 * for the data their own agency holds, under DATA_PROTECTION, and nobody else can; DATA_PROTECTION
 * opens nothing else; every one of them is audited, and the audit chain still verifies.
 */

let fed: TestFederation;

const DP = Purpose.DATA_PROTECTION;
const dso = (agency: string, purpose: string = DP): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  purpose,
});
const practitioner = (agency: string, purpose: string): As => ({ agency, role: Role.PRACTITIONER, purpose });

const EXPORT = `query SubjectAccessExport($personId: ID!) {
  subjectAccessExport(personId: $personId) {
    generatedAt agency { id } person { id } recordCount disclosureCount document
  }
}`;

interface HeldRecord {
  type: string;
  id: string;
  categories: string[];
  fields: Record<string, unknown>;
  people: { role: string; subject: boolean }[];
  parts: Record<string, unknown[]>;
}
interface ExportDocument {
  version: number;
  generatedAt: string;
  controller: { agencyId: string };
  subject: { personId: string };
  recordCount: number;
  records: HeldRecord[];
  disclosureCount: number;
  disclosures: {
    sequence: number;
    at: string;
    to: { agencyId: string; role: string; userId: string };
    purpose: string | null;
    decision: string;
    basis: string | null;
    agreementId: string | null;
    consentId: string | null;
    breakGlass: boolean;
    justification: string | null;
    recordIds: string[];
  }[];
}
interface Exported {
  subjectAccessExport: {
    generatedAt: string;
    agency: { id: string };
    person: { id: string };
    recordCount: number;
    disclosureCount: number;
    document: ExportDocument;
  } | null;
}

/**
 * A demo person with records at police (an incident naming someone else too), council (an ASB case
 * naming someone else) and housing (a tenancy), whose police reference the index holds.
 */
let person: string;
/** Everyone else the person's police, council and housing records name. */
let thirdParties: string[];
let incidentId: string;

beforeAll(async () => {
  // Fresh databases: the person's identity is rectified.
  fed = await startTestFederation({ fresh: true });
  const police = await fed.stores.police.sql.many<{ person_id: string }>(
    `SELECT DISTINCT v.person_id FROM involvements v
      WHERE EXISTS (SELECT 1 FROM involvements o WHERE o.incident_id = v.incident_id AND o.person_id <> v.person_id)`,
  );
  const council = await fed.stores.council.sql.many<{ person_id: string }>(
    `SELECT DISTINCT p.person_id FROM asb_parties p
      WHERE EXISTS (SELECT 1 FROM asb_parties o WHERE o.case_id = p.case_id AND o.person_id <> p.person_id)`,
  );
  const housing = await fed.stores.housing.sql.many<{ person_id: string }>(
    `SELECT DISTINCT person_id FROM tenancy_occupants`,
  );
  const referenced = await fed.stores.partnership.sql.many<{ person_id: string }>(
    `SELECT person_id FROM person_references WHERE agency_id = 'police'`,
  );
  const inCouncil = new Set(council.map((r) => r.person_id));
  const inHousing = new Set(housing.map((r) => r.person_id));
  const inIndex = new Set(referenced.map((r) => r.person_id));
  const candidates = police
    .map((r) => r.person_id)
    .filter((id) => inCouncil.has(id) && inHousing.has(id) && inIndex.has(id))
    .sort();
  expect(candidates.length).toBeGreaterThan(0);
  person = candidates[0];
  const named = [
    ...(await fed.stores.police.sql.many<{ person_id: string }>(
      `SELECT o.person_id FROM involvements v JOIN involvements o ON o.incident_id = v.incident_id
        WHERE v.person_id = $1 AND o.person_id <> $1`,
      [person],
    )),
    ...(await fed.stores.council.sql.many<{ person_id: string }>(
      `SELECT o.person_id FROM asb_parties p JOIN asb_parties o ON o.case_id = p.case_id
        WHERE p.person_id = $1 AND o.person_id <> $1`,
      [person],
    )),
    ...(await fed.stores.housing.sql.many<{ person_id: string }>(
      `SELECT o.person_id FROM tenancy_occupants t JOIN tenancy_occupants o ON o.tenancy_id = t.tenancy_id
        WHERE t.person_id = $1 AND o.person_id <> $1`,
      [person],
    )),
  ];
  thirdParties = [...new Set(named.map((r) => r.person_id))];
  expect(thirdParties.length).toBeGreaterThan(0);
  incidentId = (await fed.stores.police.sql.one<{ incident_id: string }>(
    `SELECT v.incident_id FROM involvements v WHERE v.person_id = $1
      AND EXISTS (SELECT 1 FROM involvements o WHERE o.incident_id = v.incident_id AND o.person_id <> v.person_id)
      ORDER BY v.incident_id LIMIT 1`,
    [person],
  ))!.incident_id;
}, 240_000);

afterAll(async () => {
  await fed?.stop();
});

async function exportAs(as: As, requestId = `sar-${randomUUID()}`) {
  return fed.query<Exported>(EXPORT, { personId: person }, { ...as, requestId });
}

describe("subject access", () => {
  it("gives a police DSO everything police holds about the person, with the records' own fields, third parties by role only", async () => {
    const response = await exportAs(dso("police"));
    expect(response.errors).toBeUndefined();
    const exported = response.data!.subjectAccessExport!;
    expect(exported.agency.id).toBe("police");
    expect(exported.person.id).toBe(person);
    const document = exported.document;
    expect(document.version).toBe(1);
    expect(document.controller).toEqual({ agencyId: "police" });
    expect(document.subject).toEqual({ personId: person });
    const policeIncidents = await fed.stores.police.sql.many<{ id: string; category: string; month: string }>(
      `SELECT i.id, i.category, i.month FROM incidents i
        WHERE i.id IN (SELECT incident_id FROM involvements WHERE person_id = $1) ORDER BY i.id`,
      [person],
    );
    expect(exported.recordCount).toBe(policeIncidents.length);
    expect(document.recordCount).toBe(policeIncidents.length);
    expect(document.records.map((r) => r.id).sort()).toEqual(policeIncidents.map((i) => i.id));
    for (const record of document.records) {
      const stored = policeIncidents.find((i) => i.id === record.id)!;
      expect(record.type).toBe("Incident");
      // The record's own fields, not only its id.
      expect(record.fields).toMatchObject({ id: stored.id, category: stored.category, month: stored.month });
      expect(record.fields).not.toHaveProperty("record_key");
      expect(record.people.some((p) => p.subject)).toBe(true);
    }
    const shared = document.records.find((r) => r.id === incidentId)!;
    expect(shared.people.filter((p) => !p.subject).length).toBeGreaterThan(0);
    // No third party's identity anywhere in the document: redacted to their role.
    const text = JSON.stringify(document);
    for (const other of thirdParties)
      expect({ other, named: text.includes(`"${other}"`) }).toEqual({ other, named: false });
  });

  it("lists every disclosure of the agency's data about the person: to whom, why, on which agreement, break-glass included", async () => {
    // The council reads the incident under an agreement; housing breaks the glass.
    const read = await fed.query(
      `query($id: ID!) { incident(id: $id) { id summary } }`,
      { id: incidentId },
      practitioner("council", Purpose.ASB_CASE_MANAGEMENT),
    );
    expect(read.errors).toBeUndefined();
    expect((read.data as { incident: { id: string } | null }).incident?.id).toBe(incidentId);
    const justification = "Child at immediate risk, strategy meeting convened now";
    const glass = await fed.query(
      `query($id: ID!) { incident(id: $id) { id } }`,
      { id: incidentId },
      { ...practitioner("housing", Purpose.SAFEGUARDING), breakGlass: justification },
    );
    expect(glass.errors).toBeUndefined();

    const exported = (await exportAs(dso("police"))).data!.subjectAccessExport!;
    const document = exported.document;
    expect(exported.disclosureCount).toBe(document.disclosures.length);
    expect(document.disclosureCount).toBe(document.disclosures.length);
    const council = document.disclosures.find(
      (d) => d.to.agencyId === "council" && d.decision === "PERMITTED" && d.recordIds.includes(incidentId),
    );
    expect(council).toMatchObject({
      purpose: Purpose.ASB_CASE_MANAGEMENT,
      basis: "AGREEMENT",
      breakGlass: false,
    });
    expect(council!.agreementId).toBeTruthy();
    const broken = document.disclosures.find((d) => d.to.agencyId === "housing" && d.breakGlass);
    expect(broken).toMatchObject({ purpose: Purpose.SAFEGUARDING, justification, basis: "BREAK_GLASS" });
    // The same disclosures the audit gives the DSO, through the same repository.
    const listed = await fed.query<{ disclosures: { totalCount: number } }>(
      `query($p: ID!) { disclosures(personId: $p) { totalCount } }`,
      { p: person },
      dso("police"),
    );
    expect(listed.data!.disclosures.totalCount).toBe(exported.disclosureCount);
    // Disclosures name only the person's own records, never other records an audit row lists.
    const own = new Set(document.records.map((r) => r.id));
    for (const d of document.disclosures) for (const id of d.recordIds) expect(own.has(id)).toBe(true);
  });

  it("is itself audited, before the answer leaves", async () => {
    const requestId = `sar-audited-${randomUUID()}`;
    const response = await exportAs(dso("police"), requestId);
    expect(response.errors).toBeUndefined();
    const rows = await fed.stores.governance.sql.many<{
      kind: string;
      owner_agency_id: string;
      agency_id: string;
      role: string;
      purpose: string;
      person_ids: string[];
      record_ids: string[];
      operation_name: string;
    }>(
      `SELECT kind, owner_agency_id, agency_id, role, purpose, person_ids, record_ids, operation_name
          FROM audit_log WHERE request_id = $1`,
      [requestId],
    );
    expect(rows).toHaveLength(1);
    // The audit names people by keyed pseudonym (see "The audit after erasure"): read back by key.
    const people = await auditPeople(fed.stores.governance.sql);
    expect(people(rows[0].person_ids)).toEqual([person]);
    expect(rows[0]).toMatchObject({
      kind: "SUBJECT_ACCESS",
      owner_agency_id: "police",
      agency_id: "police",
      role: Role.DATA_SHARING_OFFICER,
      purpose: DP,
      operation_name: "SubjectAccessExport",
    });
    expect(rows[0].record_ids.sort()).toEqual(
      response.data!.subjectAccessExport!.document.records.map((r) => r.id).sort(),
    );
  });

  it("gives each agency's DSO only its own agency's data: the council's export holds no police record", async () => {
    const council = (await exportAs(dso("council"))).data!.subjectAccessExport!;
    expect(council.agency.id).toBe("council");
    expect(council.recordCount).toBeGreaterThan(0);
    expect(new Set(council.document.records.map((r) => r.type))).toEqual(new Set(["AsbCase"]));
    expect(JSON.stringify(council.document)).not.toContain(`"${incidentId}"`);
    for (const d of council.document.disclosures)
      expect(d.recordIds.every((id) => !id.startsWith("inc-"))).toBe(true);
    const housing = (await exportAs(dso("housing"))).data!.subjectAccessExport!;
    expect(housing.recordCount).toBeGreaterThan(0);
    expect(housing.document.records.every((r) => ["Tenancy", "HousingReport"].includes(r.type))).toBe(true);
    const text = JSON.stringify(housing.document);
    for (const other of thirdParties) expect(text.includes(`"${other}"`)).toBe(false);
  });

  it.each([
    ["a practitioner", practitioner("police", DP), "ROLE_NOT_PERMITTED"],
    ["an analyst", { agency: "police", role: Role.ANALYST, purpose: DP }, "ROLE_NOT_PERMITTED"],
    ["a DSO under another purpose", dso("police", Purpose.SAFEGUARDING), "PURPOSE_NOT_COVERED"],
  ] as const)("is refused to %s", async (_who, as, reason) => {
    const requestId = `sar-refused-${randomUUID()}`;
    const response = await exportAs(as as As, requestId);
    expect(response.data?.subjectAccessExport ?? null).toBeNull();
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reason });
    const written = await fed.stores.governance.sql.many(
      `SELECT 1 FROM audit_log WHERE request_id = $1 AND kind = 'SUBJECT_ACCESS'`,
      [requestId],
    );
    expect(written).toHaveLength(0);
  });

  it("cannot be asked of another agency's subgraph: its holdings are not in the public graph, and a DSO of another agency gets nothing from it directly", async () => {
    const viaGateway = await fed.query(
      `query($p: ID!) { _heldAbout(personId: $p) { id fields } }`,
      { p: person },
      dso("council"),
    );
    expect(viaGateway.data ?? null).toBeNull();
    expect(viaGateway.errors?.[0]?.message).toMatch(/_heldAbout/);
    const direct = await graphql<{ _heldAbout: unknown[] | null }>(
      fed.federation.subgraphs.police.url,
      `
        query ($p: ID!) {
          _heldAbout(personId: $p) {
            id
            fields
          }
        }
      `,
      { p: person },
      dso("council"),
    );
    // Another agency's DSO is no party to police's holdings: none are listed to them.
    expect(direct.data?._heldAbout ?? []).toEqual([]);
    expect(JSON.stringify(direct)).not.toContain(incidentId);
  });
});

describe("DATA_PROTECTION opens nothing else", () => {
  const PERSON_RECORDS = `query($p: ID!) { person(id: $p) {
    incidents(first: 50) { edges { node { id } } }
    asbCases(first: 50) { edges { node { id } } }
    tenancies(first: 50) { edges { node { id } } }
    housingReports(first: 50) { edges { node { id } } }
    enrolments(first: 50) { edges { node { id } } }
    referrals(first: 50) { edges { node { id } } }
  } }`;
  const LISTS: Record<string, string[]> = {
    police: ["incidents"],
    council: ["asbCases"],
    housing: ["tenancies", "housingReports"],
    youth: ["enrolments", "referrals"],
  };

  it.each(["police", "council", "youth", "housing"])(
    "a %s DSO or practitioner under DATA_PROTECTION reads no other agency's records about a person",
    async (agency) => {
      // The control: under a purpose its agreements cover, the council does read police's records.
      if (agency === "council") {
        const control = await fed.query<{ person: { incidents: { edges: unknown[] } } }>(
          PERSON_RECORDS,
          { p: person },
          practitioner("council", Purpose.ASB_CASE_MANAGEMENT),
        );
        expect(control.data!.person.incidents.edges.length).toBeGreaterThan(0);
      }
      for (const as of [dso(agency), practitioner(agency, DP)]) {
        const response = await fed.query<{
          person: Record<string, { edges: { node: { id: string } }[] } | null>;
        }>(PERSON_RECORDS, { p: person }, as);
        const lists = response.data?.person ?? {};
        for (const [owner, names] of Object.entries(LISTS)) {
          if (owner === agency) continue;
          for (const name of names)
            expect({ as: as.role, name, ids: lists[name]?.edges.map((e) => e.node.id) ?? [] }).toEqual({
              as: as.role,
              name,
              ids: [],
            });
        }
      }
    },
  );

  it("reaches no other agency's record by id either", async () => {
    const response = await fed.query<{ incident: unknown }>(
      `query($id: ID!) { incident(id: $id) { id summary } }`,
      { id: incidentId },
      dso("council"),
    );
    expect(response.data?.incident ?? null).toBeNull();
  });

  it("cannot be written into an agreement", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const response = await fed.query(
      `mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id } }`,
      {
        input: {
          title: "Sharing for data protection",
          providerAgencyId: "police",
          recipientAgencyId: "council",
          purposes: [DP],
          categories: ["INCIDENT_SUMMARY"],
          consentRequiredFor: [],
          lawfulBasis: "UK GDPR Art 6(1)(e)",
          validFrom: today,
          validTo: today,
          reviewDate: today,
        },
      },
      dso("council", Purpose.ASB_CASE_MANAGEMENT),
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.purposes",
    });
  });
});

test("DATA_PROTECTION cannot be consented to either", async () => {
  const response = await fed.query(
    `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { id } }`,
    {
      input: {
        personId: person,
        recipientAgencyId: "council",
        purposes: [DP],
        categories: ["INCIDENT_SUMMARY"],
        givenBy: "SELF",
        givenAt: new Date(Date.now() - 60_000).toISOString(),
        evidenceRef: "signed form",
      },
    },
    dso("police", Purpose.ASB_CASE_MANAGEMENT),
  );
  expect(response.errors?.[0]?.extensions).toMatchObject({
    code: "BAD_USER_INPUT",
    argument: "input.purposes",
  });
  expect(
    await fed.stores.governance.sql.many(`SELECT 1 FROM consents WHERE $1 = ANY(purposes)`, [DP]),
  ).toHaveLength(0);
});

describe("rectification", () => {
  const RECTIFY = `mutation RectifyPerson($personId: ID!, $input: RectifyPersonInput!) {
    rectifyPerson(personId: $personId, input: $input) { id displayName dateOfBirth }
  }`;
  const HISTORY = `query($p: ID!) { person(id: $p) { displayName identityHistory { displayName dateOfBirth replacedAt replacedBy { id } replacedByUser evidenceRef } } }`;
  type History = {
    person: {
      displayName: string;
      identityHistory:
        | {
            displayName: string;
            dateOfBirth: string | null;
            replacedBy: { id: string };
            evidenceRef: string;
          }[]
        | null;
    };
  };

  it("corrects the people index, keeps what it was for DSOs, and audits it", async () => {
    const before = (await fed.stores.partnership.sql.one<{ name: string; dob: string | null }>(
      `SELECT given_name || ' ' || family_name AS name, to_char(date_of_birth, 'YYYY-MM-DD') AS dob FROM people WHERE id = $1`,
      [person],
    ))!;
    const requestId = `rectify-${randomUUID()}`;
    const response = await fed.query<{
      rectifyPerson: { id: string; displayName: string; dateOfBirth: string };
    }>(
      RECTIFY,
      {
        personId: person,
        input: {
          displayName: "Amara Corrected",
          dateOfBirth: "1990-02-03",
          evidenceRef: "passport-check-17",
        },
      },
      { ...dso("police"), requestId },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.rectifyPerson).toEqual({
      id: person,
      displayName: "Amara Corrected",
      dateOfBirth: "1990-02-03",
    });

    const history = await fed.query<History>(HISTORY, { p: person }, dso("police"));
    expect(history.errors).toBeUndefined();
    expect(history.data!.person.identityHistory).toEqual([
      expect.objectContaining({
        displayName: before.name,
        dateOfBirth: before.dob,
        replacedBy: { id: "police" },
        evidenceRef: "passport-check-17",
      }),
    ]);
    const audit = await fed.stores.governance.sql.many<{
      kind: string;
      owner_agency_id: string;
      person_ids: string[];
      detail: string;
    }>(`SELECT kind, owner_agency_id, person_ids, detail FROM audit_log WHERE request_id = $1`, [requestId]);
    expect(audit).toEqual([
      expect.objectContaining({ kind: "RECTIFICATION", owner_agency_id: "partnership" }),
    ]);
    expect((await auditPeople(fed.stores.governance.sql))(audit[0].person_ids)).toEqual([person]);
    // The audit says what was corrected, never the values.
    expect(audit[0].detail).not.toContain("Amara");
    expect(audit[0].detail).not.toContain(before.name);
  });

  it("shows the history to no practitioner and under no other purpose", async () => {
    const asPractitioner = await fed.query<History>(HISTORY, { p: person }, practitioner("police", DP));
    expect(asPractitioner.data?.person.identityHistory ?? null).toBeNull();
    expect(asPractitioner.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const otherPurpose = await fed.query<History>(
      HISTORY,
      { p: person },
      dso("police", Purpose.SAFEGUARDING),
    );
    expect(otherPurpose.data?.person.identityHistory ?? null).toBeNull();
    expect(otherPurpose.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "PURPOSE_NOT_COVERED",
    });
  });

  it.each([
    ["a practitioner", practitioner("police", DP), "FORBIDDEN"],
    ["a DSO under another purpose", dso("police", Purpose.SAFEGUARDING), "FORBIDDEN"],
  ] as const)("is refused to %s, and changes nothing", async (_who, as, code) => {
    const response = await fed.query(
      RECTIFY,
      { personId: person, input: { displayName: "Someone Else", evidenceRef: "none" } },
      as as As,
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({ code });
    const name = await fed.stores.partnership.sql.one<{ name: string }>(
      `SELECT given_name || ' ' || family_name AS name FROM people WHERE id = $1`,
      [person],
    );
    expect(name!.name).toBe("Amara Corrected");
  });

  it("is refused to a DSO of an agency that holds nothing about the person", async () => {
    // Someone whose reference the index holds for some agencies but not all.
    const row = (await fed.stores.partnership.sql.one<{ person_id: string; holders: string[] }>(
      `SELECT person_id, array_agg(agency_id ORDER BY agency_id) AS holders FROM person_references
        GROUP BY person_id HAVING count(*) < 4 ORDER BY person_id LIMIT 1`,
    ))!;
    const outsider = ["police", "council", "youth", "housing"].find((a) => !row.holders.includes(a))!;
    const holder = row.holders[0];
    const response = await fed.query(
      RECTIFY,
      { personId: row.person_id, input: { displayName: "Someone Else", evidenceRef: "none" } },
      dso(outsider),
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    expect(
      await fed.stores.partnership.sql.many(`SELECT 1 FROM person_identity_history WHERE person_id = $1`, [
        row.person_id,
      ]),
    ).toHaveLength(0);
    // A DSO of an agency that does hold them may; then only such DSOs read the history.
    const corrected = await fed.query(
      RECTIFY,
      { personId: row.person_id, input: { dateOfBirth: "2001-01-01", evidenceRef: "birth-certificate" } },
      dso(holder),
    );
    expect(corrected.errors).toBeUndefined();
    const asHolder = await fed.query<History>(HISTORY, { p: row.person_id }, dso(holder));
    expect(asHolder.data!.person.identityHistory).toHaveLength(1);
    const asOutsider = await fed.query<History>(HISTORY, { p: row.person_id }, dso(outsider));
    expect(asOutsider.data?.person.identityHistory ?? []).toEqual([]);
  });

  it("answers an unknown person as unknown and bad input by naming the argument", async () => {
    const unknown = await fed.query(
      RECTIFY,
      { personId: "per-999999", input: { displayName: "No One", evidenceRef: "x" } },
      dso("police"),
    );
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND" });
    const blank = await fed.query(
      RECTIFY,
      { personId: person, input: { displayName: "Amara Corrected", evidenceRef: "  " } },
      dso("police"),
    );
    expect(blank.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.evidenceRef",
    });
  });
});

test("the audit chain verifies with the rights records in it", async () => {
  const verdict = await verifyAudit(fed.stores.governance.sql);
  expect(verdict).toMatchObject({ ok: true });
  const kinds = await fed.stores.governance.sql.many<{ kind: string }>(
    `SELECT DISTINCT kind FROM audit_log WHERE kind IN ('SUBJECT_ACCESS', 'RECTIFICATION') ORDER BY kind`,
  );
  expect(kinds.map((k) => k.kind)).toEqual(["RECTIFICATION", "SUBJECT_ACCESS"]);
});
