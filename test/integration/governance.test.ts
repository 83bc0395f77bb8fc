import { Pool } from "pg";
import { chainRecords } from "../../subgraphs/shared/access/audit-chain";
import { calendarDate } from "../../subgraphs/shared/facts";
import { Sql } from "../../subgraphs/shared/database";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { ConsentGiver, DataCategory, Purpose, Role } from "../../subgraphs/shared/enums";
import { loadAccessFacts } from "../../subgraphs/shared/access/governance-sql";
import { agreementFacts, AgreementRepository } from "../../subgraphs/governance/repositories/agreements";
import { consentFacts, ConsentRepository } from "../../subgraphs/governance/repositories/consents";
import {
  AUDIT_COLUMNS,
  AuditRepository,
  CHECKPOINT_EVERY,
  recordVerification,
  runAuditVerify,
  toChainRow,
  type AuditRow,
  verifyAudit,
  type NewAuditRecord,
} from "../../subgraphs/governance/repositories/audit";
import { auditPseudonyms, councilReadOfPoliceIncident } from "../support/audit";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { AGREEMENT_PARTY } from "../../subgraphs/governance/access";
import { Agreement } from "../../subgraphs/governance/types";
import { actorRuleOf } from "../../subgraphs/shared/policy";
import { governance } from "../../subgraphs/governance/server";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

// The contract's operations (shared/contract/operations), as partner clients send them.
const PROPOSE = `mutation ProposeAgreement($input: ProposeAgreementInput!) {
  proposeAgreement(input: $input) { id reference status provider { id } recipient { id } purposes categories consentRequiredFor }
}`;
const APPROVE = `mutation ApproveAgreement($id: ID!) {
  approveAgreement(id: $id) { id status approvals { agency { id } approvedBy approvedAt } }
}`;
const SUSPEND = `mutation SuspendAgreement($id: ID!, $reason: String!) { suspendAgreement(id: $id, reason: $reason) { id status } }`;
const LIST_AGREEMENTS = `query ListAgreements($status: AgreementStatus) {
  agreements(status: $status) {
    id reference title status provider { id name } recipient { id name } purposes categories consentRequiredFor
    lawfulBasis validFrom validTo reviewDate
  }
}`;
const RECORD_CONSENT = `mutation RecordConsent($input: RecordConsentInput!) {
  recordConsent(input: $input) { id status person { id } recipient { id } purposes categories givenBy expiresAt }
}`;
const WITHDRAW_CONSENT = `mutation WithdrawConsent($id: ID!) { withdrawConsent(id: $id) { id status withdrawnAt } }`;
// PersonConsents reaches governance as an entity reference to Person.
const PERSON_CONSENTS = `query ($id: ID!) {
  _entities(representations: [{ __typename: "Person", id: $id }]) {
    ... on Person { id consents { id status recipient { id } purposes categories givenBy givenAt expiresAt withdrawnAt } }
  }
}`;
const DISCLOSURES = `query Disclosures($personId: ID!, $first: Int = 50, $after: String) {
  disclosures(personId: $personId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id at actor { userId role agency { id } } purpose operationName owner { id } categories decision basis agreement { id } consent { id } breakGlass } }
  }
}`;
const EXPLAIN = `query ExplainAccess($personId: ID!, $ownerAgencyId: ID!, $category: DataCategory!) {
  explainAccess(personId: $personId, ownerAgencyId: $ownerAgencyId, category: $category) { decision reason agreement { id reference } consent { id } steps }
}`;
const BREAK_GLASS_TO_REVIEW = `query BreakGlassToReview { breakGlassEvents(reviewed: false) { id at actor { userId agency { id } } justification person { id } } }`;
const REVIEW_BREAK_GLASS = `mutation ReviewBreakGlass($id: ID!, $outcome: BreakGlassOutcome!, $note: String!) {
  reviewBreakGlass(id: $id, outcome: $outcome, note: $note) { id reviewed }
}`;

// Issue 9: consents and the audit name people, so a DSO states a purpose for them too.
const dso = (agency: string, purpose: string | undefined = "ASB_CASE_MANAGEMENT"): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  purpose,
});
const practitioner = (agency: string, purpose?: string, breakGlass?: string): As => ({
  agency,
  role: Role.PRACTITIONER,
  purpose,
  breakGlass,
});

type Errors = { extensions?: Record<string, unknown> }[] | undefined;
const firstError = (errors: Errors) => errors?.[0]?.extensions ?? {};

let sub: TestSubgraph;
const people = demoPeople(42, "small");

beforeAll(async () => {
  sub = await startTestSubgraph(governance, (sql) =>
    seedGovernance(sql, {
      seed: 42,
      scale: "small",
      people,
      linkable: { INCIDENT: ["inc-1", "inc-2", "inc-3"] },
    }),
  );
});
afterAll(() => sub.stop());

async function count(table: string, where = "true", values: unknown[] = []): Promise<number> {
  const row = await sub.sql.one<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, values);
  return Number(row?.n);
}

function proposal(over: Record<string, unknown> = {}) {
  return {
    title: "Council ASB cases for housing ASB case management",
    providerAgencyId: "council",
    recipientAgencyId: "housing",
    purposes: ["ASB_CASE_MANAGEMENT"],
    categories: ["ASB_CASE", "RISK"],
    consentRequiredFor: ["RISK"],
    lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
    validFrom: "2025-01-01",
    validTo: "2029-12-31",
    reviewDate: "2027-01-31",
    ...over,
  };
}

describe("the demo partnership's agreements", () => {
  test("are listed with their status today, dated and named as the contract asks", async () => {
    const res = await sub.query<{
      agreements: {
        reference: string;
        status: string;
        provider: { id: string };
        recipient: { id: string };
      }[];
    }>(LIST_AGREEMENTS, {}, practitioner("council", "ASB_CASE_MANAGEMENT"));
    expect(res.errors).toBeUndefined();
    const byStatus = (s: string) =>
      res.data!.agreements.filter((a) => a.status === s).map((a) => `${a.provider.id}→${a.recipient.id}`);
    expect(byStatus("ACTIVE").sort()).toEqual(
      [
        "police→council",
        "council→police",
        "housing→council",
        "youth→council",
        "youth→police",
        "council→youth",
        "police→youth",
        "housing→police",
      ].sort(),
    );
    expect(byStatus("SUSPENDED")).toEqual(["police→housing"]);
    expect(byStatus("EXPIRED")).toEqual(["council→housing"]);
    expect(byStatus("DRAFT")).toEqual(["housing→police"]);
    expect(
      res.data!.agreements.some((a) => [a.provider.id, a.recipient.id].sort().join() === "housing,youth"),
    ).toBe(false);
  });

  test("can be filtered by status", async () => {
    const res = await sub.query<{ agreements: { reference: string; validTo: string }[] }>(
      LIST_AGREEMENTS,
      { status: "EXPIRED" },
      dso("police"),
    );
    expect(res.data!.agreements).toEqual([expect.objectContaining({ validTo: "2024-03-31" })]);
  });
});

describe("the agreement lifecycle", () => {
  test("propose (DRAFT) → approve by both (ACTIVE) → suspend (SUSPENDED), each change audited", async () => {
    const auditBefore = await count("audit_log", "kind = 'AGREEMENT_CHANGE'");
    const proposed = await sub.query<{ proposeAgreement: { id: string; reference: string; status: string } }>(
      PROPOSE,
      { input: proposal() },
      dso("council"),
    );
    expect(proposed.errors).toBeUndefined();
    const { id, reference, status } = proposed.data!.proposeAgreement;
    expect(status).toBe("DRAFT");
    expect(reference).toMatch(new RegExp(`^ISA-${calendarDate(new Date()).slice(0, 4)}-\\d{3}$`));
    expect(proposed.data!.proposeAgreement).toMatchObject({
      provider: { id: "council" },
      recipient: { id: "housing" },
      purposes: ["ASB_CASE_MANAGEMENT"],
      categories: ["ASB_CASE", "RISK"],
      consentRequiredFor: ["RISK"],
    });

    const first = await sub.query<{ approveAgreement: { status: string; approvals: unknown[] } }>(
      APPROVE,
      { id },
      dso("council"),
    );
    expect(first.data!.approveAgreement).toMatchObject({
      status: "DRAFT",
      approvals: [{ agency: { id: "council" }, approvedBy: "council.data_sharing_officer" }],
    });

    const twice = await sub.query(APPROVE, { id }, dso("council"));
    expect(firstError(twice.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });

    const outsider = await sub.query(APPROVE, { id }, dso("police"));
    expect(firstError(outsider.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });

    const second = await sub.query<{
      approveAgreement: { status: string; approvals: { agency: { id: string } }[] };
    }>(APPROVE, { id }, dso("housing"));
    expect(second.data!.approveAgreement.status).toBe("ACTIVE");
    expect(second.data!.approveAgreement.approvals.map((a) => a.agency.id)).toEqual(["council", "housing"]);
    const approvedAgain = await sub.query(APPROVE, { id }, dso("council"));
    expect(firstError(approvedAgain.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect(approvedAgain.errors?.[0].message).toMatch(
      /^id: only a DRAFT agreement can be approved; ISA-\d{4}-\d{3} is ACTIVE$/,
    );

    const byPractitioner = await sub.query(SUSPEND, { id, reason: "breach" }, practitioner("housing"));
    expect(firstError(byPractitioner.errors)).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const noReason = await sub.query(SUSPEND, { id, reason: "  " }, dso("housing"));
    expect(firstError(noReason.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "reason" });

    const suspended = await sub.query<{ suspendAgreement: { status: string } }>(
      SUSPEND,
      { id, reason: "Data used outside the agreed purpose; under review" },
      dso("housing"),
    );
    expect(suspended.data!.suspendAgreement).toEqual({ id, status: "SUSPENDED" });
    const again = await sub.query(SUSPEND, { id, reason: "again" }, dso("council"));
    expect(firstError(again.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });

    // propose, approve, approve, suspend: refused attempts record nothing.
    expect(await count("audit_log", "kind = 'AGREEMENT_CHANGE'")).toBe(auditBefore + 4);
    expect(await count("audit_log", "kind = 'AGREEMENT_CHANGE' AND agreement_id = $1", [id])).toBe(4);
    expect(await verifyAudit(sub.sql)).toMatchObject({ ok: true });
  });

  test("a practitioner cannot propose: FORBIDDEN, nothing written", async () => {
    const before = [await count("agreements"), await count("audit_log")];
    const res = await sub.query(PROPOSE, { input: proposal() }, practitioner("council"));
    expect(firstError(res.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    expect(res.data).toBeNull();
    expect([await count("agreements"), await count("audit_log")]).toEqual(before);
  });

  test("a data-sharing officer of neither party cannot propose, and nothing is written", async () => {
    const before = [await count("agreements"), await count("audit_log")];
    const res = await sub.query(PROPOSE, { input: proposal() }, dso("youth"));
    expect(firstError(res.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    // Issue 9: refused by Agreement's declared rule (@ChangedBy), applied by the shared enforcement.
    expect(res.errors![0]!.message).toContain(AGREEMENT_PARTY.name);
    expect(actorRuleOf(Agreement)).toBe(AGREEMENT_PARTY);
    expect([await count("agreements"), await count("audit_log")]).toEqual(before);
  });

  test.each([
    [
      "consentRequiredFor not a subset of categories",
      { consentRequiredFor: ["FINANCIAL"] },
      "input.consentRequiredFor",
    ],
    ["provider = recipient", { recipientAgencyId: "council" }, "input.recipientAgencyId"],
    ["validFrom after validTo", { validFrom: "2030-01-01" }, "input.validTo"],
    ["review date outside the dates", { reviewDate: "2031-01-01" }, "input.reviewDate"],
    [
      "unknown recipient",
      { recipientAgencyId: "fire", providerAgencyId: "council" },
      "input.recipientAgencyId",
    ],
    ["no purposes", { purposes: [] }, "input.purposes"],
    ["blank title", { title: " " }, "input.title"],
  ])("%s: BAD_USER_INPUT naming the argument, nothing written", async (_, over, argument) => {
    const before = [await count("agreements"), await count("audit_log")];
    const res = await sub.query(PROPOSE, { input: proposal(over) }, dso("council"));
    expect(firstError(res.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument });
    expect([await count("agreements"), await count("audit_log")]).toEqual(before);
  });
});

describe("consents", () => {
  const DAYS_AGO_30 = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const consentInput = (over: Record<string, unknown> = {}) => ({
    personId: "per-000005",
    recipientAgencyId: "council",
    purposes: ["YOUTH_DIVERSION"],
    categories: ["EDUCATION"],
    givenBy: "SELF",
    givenAt: DAYS_AGO_30,
    evidenceRef: "YS-CONSENT-TEST-1",
    ...over,
  });

  test("a DSO records one for its agency; it is listed for the person; withdrawn, it shows WITHDRAWN", async () => {
    const recorded = await sub.query<{ recordConsent: { id: string } }>(
      RECORD_CONSENT,
      { input: consentInput() },
      dso("youth"),
    );
    expect(recorded.errors).toBeUndefined();
    const { id } = recorded.data!.recordConsent;
    expect(recorded.data!.recordConsent).toMatchObject({
      status: "ACTIVE",
      person: { id: "per-000005" },
      recipient: { id: "council" },
      givenBy: "SELF",
      expiresAt: null,
    });
    expect(
      await count(
        "consents",
        "id = $1 AND recorded_by_agency_id = 'youth' AND provider_agency_id = 'youth'",
        [id],
      ),
    ).toBe(1);
    expect(await count("audit_log", "kind = 'CONSENT_CHANGE' AND consent_id = $1", [id])).toBe(1);

    const listed = await sub.query<{ _entities: { consents: { id: string; status: string }[] }[] }>(
      PERSON_CONSENTS,
      { id: "per-000005" },
      dso("youth"),
    );
    expect(listed.data!._entities[0].consents.map((c) => c.id)).toContain(id);
    // Housing neither recorded nor receives it.
    const housing = await sub.query<{ _entities: { consents: unknown[] }[] }>(
      PERSON_CONSENTS,
      { id: "per-000005" },
      dso("housing"),
    );
    expect(housing.data!._entities[0].consents).toEqual([]);

    const withdrawn = await sub.query<{ withdrawConsent: { status: string; withdrawnAt: string } }>(
      WITHDRAW_CONSENT,
      { id },
      dso("council"),
    );
    expect(withdrawn.data!.withdrawConsent).toMatchObject({
      id,
      status: "WITHDRAWN",
      withdrawnAt: expect.any(String),
    });
    expect(await count("audit_log", "kind = 'CONSENT_CHANGE' AND consent_id = $1", [id])).toBe(2);
  });

  test("the seeded consents show withdrawn and expired as such, expiry judged at read time", async () => {
    const statuses = async (person: string) => {
      const res = await sub.query<{
        _entities: { consents: { status: string; recipient: { id: string } }[] }[];
      }>(PERSON_CONSENTS, { id: person }, dso("youth"));
      return res.data!._entities[0].consents.map((c) => `${c.recipient.id}:${c.status}`).sort();
    };
    // Youth services' to council and police, and the council's and police's to youth services (referrals).
    const four = (status: string) => ["council", "police", "youth", "youth"].map((r) => `${r}:${status}`);
    expect(await statuses("per-000003")).toEqual(four("WITHDRAWN"));
    expect(await statuses("per-000004")).toEqual(four("EXPIRED"));
    expect(await statuses("per-000002")).toEqual(four("ACTIVE"));
  });

  test("per-000001 (12) has consents given by a parent; SELF consent for someone under 13 is refused, nothing written", async () => {
    const res = await sub.query<{ _entities: { consents: { givenBy: string }[] }[] }>(
      PERSON_CONSENTS,
      { id: "per-000001" },
      dso("youth"),
    );
    expect(res.data!._entities[0].consents.map((c) => c.givenBy)).toEqual(
      Array(4).fill("PARENT_OR_GUARDIAN"),
    );

    const before = [await count("consents"), await count("audit_log")];
    const refused = await sub.query(
      RECORD_CONSENT,
      { input: consentInput({ personId: "per-000001", givenAt: "2019-05-01T10:00:00Z" }) },
      dso("youth"),
    );
    expect(firstError(refused.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.givenBy" });
    expect([await count("consents"), await count("audit_log")]).toEqual(before);

    const byParent = await sub.query(
      RECORD_CONSENT,
      {
        input: consentInput({
          personId: "per-000001",
          givenAt: "2019-05-01T10:00:00Z",
          givenBy: "PARENT_OR_GUARDIAN",
        }),
      },
      dso("youth"),
    );
    expect(byParent.errors).toBeUndefined();
  });

  test("someone not in the people index: refused naming personId, nothing written", async () => {
    const before = [await count("consents"), await count("audit_log")];
    for (const dateOfBirth of [undefined, "2000-02-01"]) {
      const unknown = await sub.query(
        RECORD_CONSENT,
        { input: consentInput({ personId: "per-999999", dateOfBirth }) },
        dso("youth"),
      );
      expect(firstError(unknown.errors)).toMatchObject({
        code: "BAD_USER_INPUT",
        argument: "input.personId",
      });
      expect(unknown.errors![0].message).toMatch(/not in the partnership's people index/);
    }
    expect([await count("consents"), await count("audit_log")]).toEqual(before);
  });

  test("a date of birth given that contradicts the index is refused", async () => {
    const contradicting = await sub.query(
      RECORD_CONSENT,
      { input: consentInput({ dateOfBirth: "1950-01-01" }) },
      dso("youth"),
    );
    expect(firstError(contradicting.errors)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.dateOfBirth",
    });
  });

  test("someone in the index whose date of birth it does not know: SELF needs one, which then decides", async () => {
    await sub.adminSql.exec(
      `INSERT INTO person_dates_of_birth (person_id, date_of_birth) VALUES ('per-900001', NULL) ON CONFLICT DO NOTHING`,
    );
    const undated = consentInput({ personId: "per-900001" });
    const unknown = await sub.query(RECORD_CONSENT, { input: undated }, dso("youth"));
    expect(firstError(unknown.errors)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.dateOfBirth",
    });
    const child = await sub.query(
      RECORD_CONSENT,
      { input: { ...undated, dateOfBirth: "2016-02-01" } },
      dso("youth"),
    );
    expect(firstError(child.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.givenBy" });
    const adult = await sub.query(
      RECORD_CONSENT,
      { input: { ...undated, dateOfBirth: "2000-02-01" } },
      dso("youth"),
    );
    expect(adult.errors).toBeUndefined();
  });

  test("a recipient cannot record a consent to itself; nor to an agency that is not registered", async () => {
    const before = [await count("consents"), await count("audit_log")];
    // Police would like youth's EDUCATION records for per-000005: only youth can record that consent.
    const forItself = await sub.query(
      RECORD_CONSENT,
      { input: consentInput({ recipientAgencyId: "police" }) },
      dso("police"),
    );
    expect(firstError(forItself.errors)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.recipientAgencyId",
    });
    expect(forItself.errors![0].message).toMatch(/police cannot record one to itself/);
    const toAcme = await sub.query(
      RECORD_CONSENT,
      { input: consentInput({ recipientAgencyId: "acme" }) },
      dso("youth"),
    );
    expect(firstError(toAcme.errors)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.recipientAgencyId",
    });
    expect([await count("consents"), await count("audit_log")]).toEqual(before);
  });

  test("an agency cannot record a consent about another agency's data (the issue's example)", async () => {
    // A housing DSO records a consent for per-000512 to police for EDUCATION: youth services
    // hold the enrolments, and housing shares no EDUCATION with police. Refused, nothing written.
    const before = [await count("consents"), await count("audit_log")];
    const refused = await sub.query(
      RECORD_CONSENT,
      {
        input: consentInput({
          personId: "per-000512",
          givenBy: "PARENT_OR_GUARDIAN",
          recipientAgencyId: "police",
          purposes: ["SAFEGUARDING"],
          categories: ["EDUCATION"],
        }),
      },
      dso("housing"),
    );
    expect(firstError(refused.errors)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.categories",
    });
    expect(refused.errors![0].message).toMatch(/no agreement has housing share EDUCATION with police/);
    expect([await count("consents"), await count("audit_log")]).toEqual(before);
  });

  test("a consent of one provider, stored against another's data, still covers nothing of it", async () => {
    // Even a consent in the store that names EDUCATION (say, one written before provenance) is
    // housing's: police asking for youth's EDUCATION gets CONSENT_REQUIRED.
    await new ConsentRepository(sub.sql).insertMany([
      {
        id: "con-test-housing-education",
        personId: "per-000512",
        recipientAgencyId: "police",
        providerAgencyId: "housing",
        purposes: [Purpose.SAFEGUARDING],
        categories: [DataCategory.EDUCATION],
        givenBy: ConsentGiver.PARENT_OR_GUARDIAN,
        givenAt: new Date("2024-01-01T10:00:00Z"),
        expiresAt: null,
        evidenceRef: "TEST",
        recordedByAgencyId: "housing",
        recordedBy: "housing.dso",
        recordedAt: new Date("2024-01-01T10:00:00Z"),
      },
    ]);
    const explained = await sub.query<{
      explainAccess: { decision: string; reason: string; consent: unknown };
    }>(
      EXPLAIN,
      { personId: "per-000512", ownerAgencyId: "youth", category: "EDUCATION" },
      practitioner("police", "SAFEGUARDING"),
    );
    expect(explained.data!.explainAccess).toMatchObject({
      decision: "DENIED",
      reason: "CONSENT_REQUIRED",
      consent: null,
    });
  });

  test("the provider or the recipient may end a consent; nobody else", async () => {
    const recorded = await sub.query<{ recordConsent: { id: string } }>(
      RECORD_CONSENT,
      { input: consentInput({ personId: "per-000006", evidenceRef: "YS-CONSENT-TEST-END" }) },
      dso("youth"),
    );
    const { id } = recorded.data!.recordConsent;
    for (const outsider of ["police", "housing"]) {
      const refused = await sub.query(WITHDRAW_CONSENT, { id }, dso(outsider));
      // Issue 9: to anyone but its parties a consent answers as a missing one.
      expect(firstError(refused.errors)).toMatchObject({ code: "NOT_FOUND" });
    }
    const byProvider = await sub.query<{ withdrawConsent: { status: string } }>(
      WITHDRAW_CONSENT,
      { id },
      dso("youth"),
    );
    expect(byProvider.data!.withdrawConsent.status).toBe("WITHDRAWN");
    expect(
      await count("audit_log", "kind = 'CONSENT_CHANGE' AND consent_id = $1 AND owner_agency_id = 'youth'", [
        id,
      ]),
    ).toBe(2);
  });

  test("only data-sharing officers record, only the recording or receiving agency withdraws", async () => {
    const byPractitioner = await sub.query(RECORD_CONSENT, { input: consentInput() }, practitioner("youth"));
    expect(firstError(byPractitioner.errors)).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    // Issue 9: a consent the caller is no party to answers as a missing one.
    const byOutsider = await sub.query(WITHDRAW_CONSENT, { id: "con-0002-1" }, dso("housing"));
    const missing = await sub.query(WITHDRAW_CONSENT, { id: "con-none" }, dso("housing"));
    expect(firstError(byOutsider.errors)).toMatchObject({ code: "NOT_FOUND" });
    expect(byOutsider.errors![0].extensions).toEqual(missing.errors![0].extensions);
    const expiresFirst = await sub.query(
      RECORD_CONSENT,
      { input: consentInput({ expiresAt: new Date(Date.now() - 60 * 86_400_000).toISOString() }) },
      dso("youth"),
    );
    expect(firstError(expiresFirst.errors)).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.expiresAt",
    });
  });
});

describe("disclosures", () => {
  type Page = {
    disclosures: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      edges: { node: Record<string, unknown> }[];
    };
  };

  test("a police DSO reads who saw police data about a person, newest first, page by page", async () => {
    const res = await sub.query<Page>(DISCLOSURES, { personId: "per-000011" }, dso("police"));
    expect(res.errors).toBeUndefined();
    const { totalCount, edges } = res.data!.disclosures;
    expect(totalCount).toBe(4);
    expect(edges.map((e) => e.node.decision)).toEqual(["PERMITTED", "PERMITTED", "DENIED", "PERMITTED"]);
    expect(edges[0].node).toMatchObject({
      actor: { userId: "council.asb.officer", role: "PRACTITIONER", agency: { id: "council" } },
      purpose: "CRIME_PREVENTION",
      operationName: "Person360",
      owner: { id: "police" },
      categories: ["OFFENDING", "RISK"],
      basis: "AGREEMENT",
      agreement: { id: "agr-police-council" },
      consent: null,
      breakGlass: false,
    });
    expect(edges[2].node).toMatchObject({ categories: ["INCIDENT_NARRATIVE"], basis: null, agreement: null });

    const first = await sub.query<Page>(DISCLOSURES, { personId: "per-000011", first: 3 }, dso("police"));
    expect(first.data!.disclosures.pageInfo.hasNextPage).toBe(true);
    const rest = await sub.query<Page>(
      DISCLOSURES,
      { personId: "per-000011", first: 3, after: first.data!.disclosures.pageInfo.endCursor },
      dso("police"),
    );
    expect(rest.data!.disclosures.edges.map((e) => e.node.id)).toEqual([edges[3].node.id]);
    expect(rest.data!.disclosures.pageInfo.hasNextPage).toBe(false);
  });

  test("disclosures based on consent name the consent", async () => {
    const res = await sub.query<Page>(DISCLOSURES, { personId: "per-000002" }, dso("youth"));
    expect(res.data!.disclosures.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        basis: "CONSENT",
        consent: { id: "con-0002-2" },
        agreement: { id: "agr-youth-police" },
      }),
    ]);
  });

  test("an audit row naming an agency the registry does not know never breaks a DSO's disclosures", async () => {
    // Before tokens were checked against the registry, an `acme` token was served and its rows
    // made `disclosures` NOT_FOUND with data: null for every DSO. Such a row may still exist.
    await AuditRepository.append(sub.sql, [
      {
        at: new Date("2024-11-01T10:00:00Z"),
        userId: "mallory",
        agencyId: "acme",
        role: "PRACTITIONER",
        purpose: "SAFEGUARDING",
        operationName: "Person360",
        requestId: "test-acme-1",
        ownerAgencyId: "youth",
        personIds: ["per-000020"],
        categories: ["EDUCATION"],
        recordIds: [],
        decision: "DENIED",
        reason: "NO_AGREEMENT",
        basis: null,
        agreementId: null,
        consentId: null,
        breakGlass: false,
        justification: null,
        kind: "DENIAL",
        detail: null,
      },
    ]);
    const res = await sub.query<Page>(DISCLOSURES, { personId: "per-000020" }, dso("youth"));
    expect(res.errors).toBeUndefined();
    expect(res.data!.disclosures.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({
        actor: { userId: "mallory", role: "PRACTITIONER", agency: { id: "acme" } },
        owner: { id: "youth" },
        decision: "DENIED",
      }),
    ]);
  });

  test("only the owner's DSOs see them", async () => {
    const council = await sub.query<Page>(DISCLOSURES, { personId: "per-000011" }, dso("council"));
    expect(council.data!.disclosures.totalCount).toBe(0);
    const officer = await sub.query<Page>(
      DISCLOSURES,
      { personId: "per-000011" },
      practitioner("police", "CRIME_PREVENTION"),
    );
    expect(firstError(officer.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    expect(officer.data).toBeNull();
  });
});

describe("explainAccess", () => {
  type Explained = {
    explainAccess: {
      decision: string;
      reason: string | null;
      agreement: { reference: string } | null;
      consent: { id: string } | null;
      steps: string[];
    };
  };
  const explain = (personId: string, ownerAgencyId: string, category: string, as: As) =>
    sub.query<Explained>(EXPLAIN, { personId, ownerAgencyId, category }, as).then((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!.explainAccess;
    });

  test("permitted under an agreement, naming it and the steps", async () => {
    const e = await explain(
      "per-000011",
      "police",
      "INCIDENT_SUMMARY",
      practitioner("council", "ASB_CASE_MANAGEMENT"),
    );
    expect(e).toMatchObject({
      decision: "PERMITTED",
      reason: null,
      agreement: { reference: "ISA-2019-001" },
      consent: null,
    });
    expect(e.steps.length).toBeGreaterThan(1);
  });

  test.each([
    [
      "narratives, which no agreement shares",
      "per-000011",
      "police",
      "INCIDENT_NARRATIVE",
      practitioner("council", "ASB_CASE_MANAGEMENT"),
      "CATEGORY_NOT_COVERED",
    ],
    [
      "a purpose the agreement does not cover",
      "per-000011",
      "police",
      "INCIDENT_SUMMARY",
      practitioner("council", "TENANCY_SUSTAINMENT"),
      "PURPOSE_NOT_COVERED",
    ],
    [
      "housing and youth, who have no agreement",
      "per-000002",
      "youth",
      "YOUTH_PROGRAMME",
      practitioner("housing", "YOUTH_DIVERSION"),
      "NO_AGREEMENT",
    ],
    [
      "a suspended agreement",
      "per-000011",
      "police",
      "INCIDENT_SUMMARY",
      practitioner("housing", "TENANCY_SUSTAINMENT"),
      "NO_AGREEMENT",
    ],
    [
      "a withdrawn consent",
      "per-000003",
      "youth",
      "EDUCATION",
      practitioner("council", "YOUTH_DIVERSION"),
      "CONSENT_WITHDRAWN",
    ],
    [
      "an expired consent",
      "per-000004",
      "youth",
      "EDUCATION",
      practitioner("council", "YOUTH_DIVERSION"),
      "CONSENT_REQUIRED",
    ],
    ["no purpose", "per-000011", "police", "INCIDENT_SUMMARY", practitioner("council"), "PURPOSE_REQUIRED"],
    [
      "an analyst",
      "per-000011",
      "police",
      "INCIDENT_SUMMARY",
      { agency: "council", role: Role.ANALYST, purpose: "STATISTICS" },
      "ROLE_NOT_PERMITTED",
    ],
  ] as const)("denied for %s", async (_, person, owner, category, as, reason) => {
    const e = await explain(person, owner, category, as);
    expect(e).toMatchObject({ decision: "DENIED", reason });
  });

  test("consent-based access names the consent; withdrawing it takes effect on the very next request", async () => {
    const before = await explain("per-000006", "youth", "EDUCATION", practitioner("police", "SAFEGUARDING"));
    expect(before).toMatchObject({
      decision: "PERMITTED",
      consent: { id: "con-0006-2" },
      agreement: { reference: "ISA-2019-005" },
    });
    await sub.query(WITHDRAW_CONSENT, { id: "con-0006-2" }, dso("youth"));
    const after = await explain("per-000006", "youth", "EDUCATION", practitioner("police", "SAFEGUARDING"));
    expect(after).toMatchObject({ decision: "DENIED", reason: "CONSENT_WITHDRAWN" });
  });

  test("break-glass under SAFEGUARDING would open what no agreement covers", async () => {
    const e = await explain(
      "per-000002",
      "police",
      "INCIDENT_NARRATIVE",
      practitioner("council", "SAFEGUARDING", "Child missing overnight; locating known associates"),
    );
    expect(e).toMatchObject({ decision: "PERMITTED", reason: null });
    expect(e.steps.join("\n")).toMatch(/Break-glass/);
  });

  test("an unknown owner agency is bad input", async () => {
    const res = await sub.query(
      EXPLAIN,
      { personId: "per-000011", ownerAgencyId: "fire", category: "RISK" },
      practitioner("council", "SAFEGUARDING"),
    );
    expect(firstError(res.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "ownerAgencyId" });
  });
});

describe("explainStaffAccess (why can't they see it?)", () => {
  const STAFF = `query($personId: ID!, $ownerAgencyId: ID!, $category: DataCategory!, $agencyId: ID!, $role: Role!, $purpose: Purpose!) {
    explainStaffAccess(personId: $personId, ownerAgencyId: $ownerAgencyId, category: $category, agencyId: $agencyId, role: $role, purpose: $purpose) {
      decision reason basis agreement { reference } consent { id } steps
    }
  }`;
  const ask = (as: As, over: Record<string, string> = {}) =>
    sub.query<{ explainStaffAccess: Record<string, unknown> | null }>(
      STAFF,
      {
        personId: "per-000020",
        ownerAgencyId: "housing",
        category: "FINANCIAL",
        agencyId: "council",
        role: "PRACTITIONER",
        purpose: "TENANCY_SUSTAINMENT",
        ...over,
      },
      as,
    );

  test("the holder's DSO and the asking agency's DSO get the decision the staff would, with its steps", async () => {
    // Housing shares arrears with the council only with consent, and per-000020 gave none.
    for (const who of [dso("housing"), dso("council")]) {
      const res = await ask(who);
      expect(res.errors).toBeUndefined();
      expect(res.data!.explainStaffAccess).toMatchObject({
        decision: "DENIED",
        reason: "CONSENT_REQUIRED",
        agreement: { reference: "ISA-2019-003" },
        consent: null,
      });
      expect((res.data!.explainStaffAccess!.steps as string[]).join(" ")).toMatch(
        /council PRACTITIONER asks for FINANCIAL/,
      );
    }
    // The staff's purpose, not the DSO's, is the one decided: crime prevention is not covered.
    const otherPurpose = await ask(dso("housing", "SAFEGUARDING"), { purpose: "CRIME_PREVENTION" });
    expect(otherPurpose.data!.explainStaffAccess).toMatchObject({
      decision: "DENIED",
      reason: "PURPOSE_NOT_COVERED",
    });
    // And an analyst of the council reaches nothing person-level, whatever the agreements.
    const analyst = await ask(dso("council"), { role: "ANALYST" });
    expect(analyst.data!.explainStaffAccess).toMatchObject({
      decision: "DENIED",
      reason: "ROLE_NOT_PERMITTED",
    });
  });

  test("a DSO of neither agency learns nothing (null, as for nothing to explain); practitioners are refused", async () => {
    const police = await ask(dso("police"));
    expect(police.errors).toBeUndefined();
    expect(police.data!.explainStaffAccess).toBeNull();
    const practitionerAsks = await ask(practitioner("council", "TENANCY_SUSTAINMENT"));
    expect(practitionerAsks.data?.explainStaffAccess ?? null).toBeNull();
    expect(firstError(practitionerAsks.errors)).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const unknown = await ask(dso("council"), { agencyId: "nowhere" });
    expect(firstError(unknown.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "agencyId" });
  });
});

describe("break-glass review", () => {
  type Events = {
    breakGlassEvents: {
      id: string;
      actor: { userId: string; agency: { id: string } };
      justification: string;
      person: { id: string };
    }[];
  };

  test("the owner's DSO sees the unreviewed access, reviews it with a note, and it leaves the queue", async () => {
    const queue = await sub.query<Events>(BREAK_GLASS_TO_REVIEW, {}, dso("police"));
    expect(queue.data!.breakGlassEvents).toEqual([
      expect.objectContaining({
        actor: { userId: "council.safeguarding.lead", agency: { id: "council" } },
        person: { id: "per-000002" },
      }),
    ]);
    const [{ id }] = queue.data!.breakGlassEvents;

    expect(
      (await sub.query<Events>(BREAK_GLASS_TO_REVIEW, {}, dso("council"))).data!.breakGlassEvents,
    ).toEqual([]);
    const officer = await sub.query(BREAK_GLASS_TO_REVIEW, {}, practitioner("police"));
    expect(firstError(officer.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    const noNote = await sub.query(REVIEW_BREAK_GLASS, { id, outcome: "JUSTIFIED", note: "" }, dso("police"));
    expect(firstError(noNote.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "note" });
    const notOwner = await sub.query(
      REVIEW_BREAK_GLASS,
      { id, outcome: "JUSTIFIED", note: "fine" },
      dso("council"),
    );
    // Known only to the owner's DSOs: to anyone else it does not exist.
    expect(firstError(notOwner.errors)).toMatchObject({ code: "NOT_FOUND" });

    const reviewed = await sub.query<{ reviewBreakGlass: { id: string; reviewed: boolean } }>(
      REVIEW_BREAK_GLASS,
      { id, outcome: "JUSTIFIED", note: "Missing child found within hours; access proportionate" },
      dso("police"),
    );
    expect(reviewed.data!.reviewBreakGlass).toEqual({ id, reviewed: true });
    expect(
      (await sub.query<Events>(BREAK_GLASS_TO_REVIEW, {}, dso("police"))).data!.breakGlassEvents,
    ).toEqual([]);
    const done = await sub.query<{ breakGlassEvents: { outcome: string; reviewedBy: string }[] }>(
      `{ breakGlassEvents(reviewed: true) { outcome reviewNote reviewedBy } }`,
      {},
      dso("police"),
    );
    expect(done.data!.breakGlassEvents).toEqual([
      {
        outcome: "JUSTIFIED",
        reviewNote: "Missing child found within hours; access proportionate",
        reviewedBy: "police.data_sharing_officer",
      },
    ]);
    const again = await sub.query(
      REVIEW_BREAK_GLASS,
      { id, outcome: "NOT_JUSTIFIED", note: "second look" },
      dso("police"),
    );
    expect(firstError(again.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect(await count("audit_log", "kind = 'BREAK_GLASS_REVIEW' AND record_ids = ARRAY[$1]", [id])).toBe(1);
  });
});

describe("loadAccessFacts", () => {
  test("takes the same number of statements for 2 people as for 200, and loads both directions", async () => {
    const statementsFor = async (n: number) => {
      const sql = new Sql(sub.sql.pool);
      const facts = await loadAccessFacts(sql, {
        recipientAgencyId: "council",
        providerAgencyIds: ["police", "youth", "housing"],
        personIds: people.slice(0, n).map((p) => p.id),
      });
      return { statements: sql.statements, facts };
    };
    const two = await statementsFor(2);
    const many = await statementsFor(200);
    expect(two.statements).toBe(1);
    expect(many.statements).toBe(two.statements);
    const pairs = many.facts.agreements.map((a) => `${a.providerAgencyId}→${a.recipientAgencyId}`);
    expect(pairs).toEqual(
      expect.arrayContaining([
        "police→council",
        "council→police",
        "youth→council",
        "council→youth",
        "housing→council",
        "council→housing",
      ]),
    );
    expect(pairs).not.toContain("police→youth");
    expect(many.facts.consents.every((c) => c.recipientAgencyId === "council")).toBe(true);
    expect(many.facts.consents.map((c) => c.personId)).toEqual(
      expect.arrayContaining(["per-000001", "per-000011"]),
    );
    // The same facts, field for field and with real Dates, as the repositories read them one by one.
    const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    const consents = (await new ConsentRepository(sub.sql).forPeople(people.slice(0, 200).map((p) => p.id)))
      .filter((c) => c.recipientAgencyId === "council")
      .map(consentFacts);
    expect(byId(many.facts.consents)).toEqual(byId(consents));
    expect(consents.some((c) => c.withdrawnAt instanceof Date || c.expiresAt instanceof Date)).toBe(true);
    const agreements = (await new AgreementRepository(sub.sql).all())
      .filter((a) => a.providerAgencyId === "council" || a.recipientAgencyId === "council")
      .filter((a) =>
        [a.providerAgencyId, a.recipientAgencyId].some((x) => ["police", "youth", "housing"].includes(x)),
      )
      .map(agreementFacts);
    expect(byId(many.facts.agreements)).toEqual(byId(agreements));
  });
});

describe("audit chain status", () => {
  const STATUS = `{ auditChainStatus { records lastVerifiedAt intact checked firstBrokenRecord reason } }`;

  test("shows the last recorded verdict and when, read not recomputed; only DSOs ask; the service cannot forge one", async () => {
    const head = async () =>
      Number(
        (await sub.adminSql.one<{ n: string }>(`SELECT coalesce(max(sequence), 0) AS n FROM audit_log`))!.n,
      );
    const never = await sub.query<{ auditChainStatus: Record<string, unknown> }>(STATUS, {}, dso("police"));
    expect(never.errors).toBeUndefined();
    expect(never.data!.auditChainStatus).toEqual({
      records: await head(),
      lastVerifiedAt: null,
      intact: null,
      checked: null,
      firstBrokenRecord: null,
      reason: null,
    });

    // What npm run audit:verify keeps (the script itself is run in test/e2e/audit-verify.test.ts).
    await recordVerification(sub.adminSql, { ok: true, checked: 10 });
    await recordVerification(sub.adminSql, {
      ok: false,
      checked: 699,
      firstBadSequence: 700,
      reason: "edited",
    });
    const last = await sub.query<{ auditChainStatus: Record<string, unknown> }>(
      STATUS,
      {},
      dso("council", undefined),
    );
    expect(last.errors).toBeUndefined();
    expect(last.data!.auditChainStatus).toMatchObject({
      intact: false,
      checked: 699,
      firstBrokenRecord: 700,
      reason: "edited",
    });
    expect(Date.now() - Date.parse(last.data!.auditChainStatus.lastVerifiedAt as string)).toBeLessThan(
      60_000,
    );

    const refused = await sub.query(STATUS, {}, practitioner("police", "ASB_CASE_MANAGEMENT"));
    expect(refused.data).toBeNull();
    expect(firstError(refused.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });

    // A request cannot write a verdict: the governance service's own role only reads them.
    await expect(recordVerification(sub.sql, { ok: true, checked: 1 })).rejects.toThrow(/permission denied/);
  });
});

describe("the audit log", () => {
  const entry = (n: number): NewAuditRecord =>
    councilReadOfPoliceIncident({
      userId: `user.${n}`,
      requestId: `concurrent-${n}`,
      personIds: [`per-${String(n).padStart(6, "0")}`],
    });

  test("50 concurrent appends from separate connections make one unforked chain that verifies", async () => {
    const before = await count("audit_log");
    const pool = new Pool({
      connectionString: (sub.store.dataSource.options as { url?: string }).url,
      max: 50,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          AuditRepository.append(new Sql(pool), [entry(i * 2), entry(i * 2 + 1)]),
        ),
      );
      const sequences = results
        .flat()
        .map((r) => r.sequence)
        .sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 100 }, (_, i) => before + 1 + i));
    } finally {
      await pool.end();
    }
    expect(await count("audit_log")).toBe(before + 100);
    // Unforked: no two records share a predecessor.
    const forks = await sub.sql.one<{ n: string }>(
      `SELECT count(*) - count(DISTINCT previous_hash) AS n FROM audit_log`,
    );
    expect(Number(forks!.n)).toBe(0);
    expect(await runAuditVerify(sub.sql)).toEqual({ ok: true, checked: before + 100 });
  });

  test("the database numbers and hashes records exactly as the reference chain does, and stores them as returned", async () => {
    const head = await sub.sql.one<{ sequence: string; hash: string }>(
      `SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1`,
    );
    const records: NewAuditRecord[] = [
      entry(1000),
      { ...entry(1001), decision: "DENIED", reason: "CONSENT_REQUIRED", basis: null, kind: "DENIAL" },
      {
        ...entry(1002),
        breakGlass: true,
        justification: 'risk to life: "sequence":0 \\ café',
        recordIds: ["a", "b"],
      },
    ];
    const stored = await AuditRepository.append(sub.sql, records);
    // People are written as their pseudonyms, under keys the append made.
    const reference = chainRecords(
      head ? { sequence: Number(head.sequence), hash: head.hash } : null,
      records,
      await auditPseudonyms(sub.sql),
    );
    expect(stored).toEqual(reference);
    const rows = await sub.sql.many<AuditRow>(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log a WHERE a.sequence = ANY($1) ORDER BY a.sequence`,
      [reference.map((r) => r.sequence)],
    );
    expect(rows.map(toChainRow)).toEqual(reference);
  });
});

describe("tampering with the audit table", () => {
  let store: TestSubgraph;
  beforeAll(async () => {
    store = await startTestSubgraph(governance);
    const records = Array.from({ length: CHECKPOINT_EVERY + 20 }, (_, i): NewAuditRecord => ({
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      userId: "council.officer",
      agencyId: "council",
      role: "PRACTITIONER",
      purpose: "ASB_CASE_MANAGEMENT",
      operationName: "Person360",
      requestId: `r-${i}`,
      ownerAgencyId: "police",
      personIds: [`per-${String((i % 600) + 1).padStart(6, "0")}`],
      categories: ["INCIDENT_SUMMARY"],
      recordIds: [`inc-${i}`],
      decision: "PERMITTED",
      reason: null,
      basis: "AGREEMENT",
      agreementId: "agr-police-council",
      consentId: null,
      breakGlass: false,
      justification: null,
      kind: "DISCLOSURE",
      detail: null,
    }));
    await AuditRepository.append(store.sql, records);
  });
  afterAll(() => store.stop());

  /**
   * Runs statements as a tamperer would: with the append-only triggers bypassed, which only the
   * superuser (the migrator) can; the service roles cannot (test/integration/database-roles.test.ts).
   */
  const tamper = (statement: string, values: unknown[] = []) =>
    store.adminSql.transaction(async (tx) => {
      await tx.exec(`SET LOCAL session_replication_role = replica`);
      await tx.exec(statement, values);
    });

  test("the intact log verifies, and the head was checkpointed at the 1000th record", async () => {
    expect(await verifyAudit(store.sql, 300)).toEqual({ ok: true, checked: CHECKPOINT_EVERY + 20 });
    const checkpoint = await store.sql.one<{ sequence: string; matches: boolean }>(
      `SELECT c.sequence, c.hash = a.hash AS matches FROM audit_checkpoints c JOIN audit_log a USING (sequence)`,
    );
    expect(checkpoint).toEqual({ sequence: String(CHECKPOINT_EVERY), matches: true });
  });

  test("the database refuses to update, delete or truncate audit records", async () => {
    // The service has no such privilege; the table's owner is stopped by the append-only triggers.
    for (const [sql, refusal] of [
      [store.sql, /permission denied/],
      [store.adminSql, /append-only/],
    ] as const) {
      await expect(
        sql.exec(`UPDATE audit_log SET purpose = 'SAFEGUARDING' WHERE sequence = 5`),
      ).rejects.toThrow(refusal);
      await expect(sql.exec(`DELETE FROM audit_log WHERE sequence = 5`)).rejects.toThrow(refusal);
      await expect(sql.exec(`TRUNCATE audit_log CASCADE`)).rejects.toThrow(refusal);
      await expect(sql.exec(`DELETE FROM audit_checkpoints`)).rejects.toThrow(refusal);
    }
  });

  test("an edited record is found", async () => {
    await tamper(`UPDATE audit_log SET purpose = 'SAFEGUARDING' WHERE sequence = 500`);
    expect(await verifyAudit(store.sql, 300)).toMatchObject({
      ok: false,
      firstBadSequence: 500,
      checked: 499,
      reason: expect.stringMatching(/edited/),
    });
    await tamper(`UPDATE audit_log SET purpose = 'ASB_CASE_MANAGEMENT' WHERE sequence = 500`);
    expect(await verifyAudit(store.sql)).toMatchObject({ ok: true });
  });

  test("a deleted record is found", async () => {
    const saved = await store.sql.one<Record<string, unknown>>(
      `SELECT * FROM audit_log WHERE sequence = 700`,
    );
    await tamper(`DELETE FROM audit_log WHERE sequence = 700`);
    expect(await verifyAudit(store.sql, 300)).toMatchObject({
      ok: false,
      firstBadSequence: 700,
      reason: expect.stringMatching(/missing/),
    });
    await tamper(`INSERT INTO audit_log SELECT * FROM jsonb_populate_record(NULL::audit_log, $1::jsonb)`, [
      JSON.stringify(saved),
    ]);
    expect(await verifyAudit(store.sql)).toMatchObject({ ok: true });
  });

  test("an inserted record is found", async () => {
    await tamper(
      `INSERT INTO audit_log (sequence, at, user_id, agency_id, role, request_id, decision, kind, previous_hash, hash)
       SELECT sequence + 1, at, 'intruder', agency_id, role, 'forged', 'PERMITTED', 'DISCLOSURE', hash, repeat('a', 64)
         FROM audit_log ORDER BY sequence DESC LIMIT 1`,
    );
    expect(await verifyAudit(store.sql)).toMatchObject({
      ok: false,
      firstBadSequence: CHECKPOINT_EVERY + 21,
    });
    await tamper(`DELETE FROM audit_log WHERE request_id = 'forged'`);
    expect(await verifyAudit(store.sql)).toMatchObject({ ok: true });
  });

  test("a tail cut back past the checkpoint is found", async () => {
    await tamper(`DELETE FROM audit_log WHERE sequence > 990`);
    expect(await runAuditVerify(store.sql)).toEqual({
      ok: false,
      checked: 990,
      firstBadSequence: 991,
      reason: expect.stringMatching(/checkpoint 1000/),
    });
  });
});
