import { verifyAudit } from "../../subgraphs/governance/repositories/audit";
import { AgreementRepository } from "../../subgraphs/governance/repositories/agreements";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { governance } from "../../subgraphs/governance/server";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { calendarDate } from "../../subgraphs/shared/facts";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * Agreements over their life (issue 17): reinstating a suspended one takes both parties again;
 * an amendment is a new DRAFT version both approve, the version in force staying in force until
 * then and SUPERSEDED after; periodic reviews are recorded and listed when due, and a review date
 * passing switches nothing off. What is in force is what the access rules use.
 */

const PROPOSE = `mutation ProposeAgreement($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id status } }`;
const APPROVE = `mutation ApproveAgreement($id: ID!) { approveAgreement(id: $id) { id status } }`;
const SUSPEND = `mutation SuspendAgreement($id: ID!, $reason: String!) { suspendAgreement(id: $id, reason: $reason) { id status } }`;
const REVOKE = `mutation RevokeAgreement($id: ID!, $reason: String!) { revokeAgreement(id: $id, reason: $reason) { id status } }`;
// The contract's operations (AgreementLifecycle.graphql), with a little more selected.
const REINSTATE = `mutation ReinstateAgreement($id: ID!, $note: String!) {
  reinstateAgreement(id: $id, note: $note) {
    id status approvals { agency { id } approvedAt } reinstatementApprovals { agency { id } approvedBy }
  }
}`;
const AMEND = `mutation AmendAgreement($id: ID!, $input: AmendAgreementInput!) {
  amendAgreement(id: $id, input: $input) {
    id reference version status categories validTo supersedes { id reference version status }
  }
}`;
const DUE = `query AgreementsDueForReview($withinDays: Int = 30) {
  agreementsDueForReview(withinDays: $withinDays) { id reference title status reviewDate provider { id } recipient { id } }
}`;
const REVIEW = `mutation RecordAgreementReview($id: ID!, $nextReviewDate: Date!, $note: String!) {
  recordAgreementReview(id: $id, nextReviewDate: $nextReviewDate, note: $note) {
    id reviewDate reviews { at by { userId role agency { id } } note nextReviewDate }
  }
}`;
const EXPLAIN = `query ExplainAccess($personId: ID!, $ownerAgencyId: ID!, $category: DataCategory!) {
  explainAccess(personId: $personId, ownerAgencyId: $ownerAgencyId, category: $category) { decision reason agreement { id } }
}`;
const STATUS = `query ($id: ID!) { agreement(id: $id) { id status version supersedes { id } } }`;

type Errors = readonly { extensions?: Record<string, unknown>; message: string }[] | undefined;
const firstError = (errors: Errors) => errors?.[0]?.extensions ?? {};
const dso = (agency: string, user?: string): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  purpose: "ASB_CASE_MANAGEMENT",
  user,
});
const practitioner = (agency: string, purpose: string): As => ({ agency, role: Role.PRACTITIONER, purpose });

const today = () => calendarDate(new Date());
function daysFromToday(days: number): string {
  const d = new Date(`${today()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

let sub: TestSubgraph;
beforeAll(async () => {
  sub = await startTestSubgraph(governance, (sql) =>
    seedGovernance(sql, { seed: 42, scale: "small", people: demoPeople(42, "small") }),
  );
});
afterAll(() => sub.stop());

async function count(table: string, where = "true", values: unknown[] = []): Promise<number> {
  const row = await sub.sql.one<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, values);
  return Number(row?.n);
}

/** Youth services share with housing under no seeded agreement: each test proposes its own. */
async function activeAgreement(over: Record<string, unknown> = {}): Promise<string> {
  const proposed = await sub.query<{ proposeAgreement: { id: string } }>(
    PROPOSE,
    {
      input: {
        title: "Youth programme records for tenancy sustainment",
        providerAgencyId: "youth",
        recipientAgencyId: "housing",
        purposes: ["TENANCY_SUSTAINMENT"],
        categories: ["YOUTH_PROGRAMME"],
        consentRequiredFor: [],
        lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
        validFrom: "2025-01-01",
        validTo: "2029-12-31",
        reviewDate: "2028-01-31",
        ...over,
      },
    },
    dso("youth"),
  );
  expect(proposed.errors).toBeUndefined();
  const id = proposed.data!.proposeAgreement.id;
  await approveByBoth(id);
  return id;
}

async function approveByBoth(id: string): Promise<void> {
  for (const agency of ["youth", "housing"]) {
    const res = await sub.query(APPROVE, { id }, dso(agency));
    expect(res.errors).toBeUndefined();
  }
}

async function statusOf(
  id: string,
): Promise<{ status: string; version: number; supersedes: { id: string } | null }> {
  const res = await sub.query<{
    agreement: { status: string; version: number; supersedes: { id: string } | null };
  }>(STATUS, { id }, dso("youth"));
  return res.data!.agreement;
}

// Each test that asks the access rules shares under a purpose of its own, so only its agreement counts.
const explain = (category: string, purpose: string) =>
  sub
    .query<{ explainAccess: { decision: string; reason: string | null; agreement: { id: string } | null } }>(
      EXPLAIN,
      { personId: "per-000011", ownerAgencyId: "youth", category },
      practitioner("housing", purpose),
    )
    .then((r) => {
      expect(r.errors).toBeUndefined();
      return r.data!.explainAccess;
    });

describe("reinstating a suspended agreement", () => {
  test("takes a DSO of each party; until both have approved it stays SUSPENDED and nothing flows", async () => {
    const id = await activeAgreement({ purposes: ["CRIME_PREVENTION"] });
    await sub.query(SUSPEND, { id, reason: "Records used outside the purpose" }, dso("housing"));
    expect((await explain("YOUTH_PROGRAMME", "CRIME_PREVENTION")).decision).toBe("DENIED");

    const first = await sub.query<{
      reinstateAgreement: { status: string; reinstatementApprovals: { agency: { id: string } }[] };
    }>(REINSTATE, { id, note: "Housing retrained its officers" }, dso("youth"));
    expect(first.errors).toBeUndefined();
    expect(first.data!.reinstateAgreement).toMatchObject({
      status: "SUSPENDED",
      reinstatementApprovals: [{ agency: { id: "youth" } }],
    });
    expect((await explain("YOUTH_PROGRAMME", "CRIME_PREVENTION")).decision).toBe("DENIED");

    const twice = await sub.query(REINSTATE, { id, note: "again" }, dso("youth", "youth.dso.2"));
    expect(firstError(twice.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });

    const second = await sub.query<{ reinstateAgreement: { status: string } }>(
      REINSTATE,
      { id, note: "Agreed at the partnership meeting" },
      dso("housing"),
    );
    expect(second.errors).toBeUndefined();
    expect(second.data!.reinstateAgreement.status).toBe("ACTIVE");
    // In force again from the very next request.
    expect(await explain("YOUTH_PROGRAMME", "CRIME_PREVENTION")).toMatchObject({
      decision: "PERMITTED",
      agreement: { id },
    });

    // A later suspension needs both parties again: the earlier approvals do not carry over.
    await sub.query(SUSPEND, { id, reason: "Second concern" }, dso("youth"));
    const afterSecond = await sub.query<{ reinstateAgreement: { status: string } }>(
      REINSTATE,
      { id, note: "Resolved" },
      dso("housing"),
    );
    expect(afterSecond.data!.reinstateAgreement.status).toBe("SUSPENDED");
    expect(await verifyAudit(sub.sql)).toMatchObject({ ok: true });
  });

  test("only a SUSPENDED agreement, only its parties' DSOs, and a note; refusals write nothing", async () => {
    const id = await activeAgreement();
    const before = [await count("agreement_reinstatements"), await count("audit_log")];
    const active = await sub.query(REINSTATE, { id, note: "why" }, dso("youth"));
    expect(firstError(active.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect(active.errors?.[0].message).toMatch(/only a SUSPENDED agreement can be reinstated; .* is ACTIVE/);
    await sub.query(SUSPEND, { id, reason: "Concern" }, dso("youth"));
    const beforeRefusals = [await count("agreement_reinstatements"), await count("audit_log")];
    expect(beforeRefusals[0]).toBe(before[0]);
    const outsider = await sub.query(REINSTATE, { id, note: "why" }, dso("police"));
    expect(firstError(outsider.errors)).toMatchObject({ code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" });
    const byPractitioner = await sub.query(
      REINSTATE,
      { id, note: "why" },
      practitioner("youth", "ASB_CASE_MANAGEMENT"),
    );
    expect(firstError(byPractitioner.errors)).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const noNote = await sub.query(REINSTATE, { id, note: "  " }, dso("youth"));
    expect(firstError(noNote.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "note" });
    expect([await count("agreement_reinstatements"), await count("audit_log")]).toEqual(beforeRefusals);
    const revoked = await activeAgreement();
    await sub.query(REVOKE, { id: revoked, reason: "Ended" }, dso("youth"));
    const ofRevoked = await sub.query(REINSTATE, { id: revoked, note: "why" }, dso("youth"));
    expect(firstError(ofRevoked.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
  });

  test("the two parties approving at once: both are recorded and it is ACTIVE", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await activeAgreement();
      await sub.query(SUSPEND, { id, reason: "Concern" }, dso("youth"));
      const replies = await Promise.all(
        ["youth", "housing"].map((agency) => sub.query(REINSTATE, { id, note: "Resolved" }, dso(agency))),
      );
      replies.forEach((r) => expect(r.errors).toBeUndefined());
      expect((await statusOf(id)).status).toBe("ACTIVE");
      expect(await count("agreement_reinstatements", "agreement_id = $1", [id])).toBe(2);
    }
  });

  test("two officers of one party at once: one approval is recorded, the other is told it is already given", async () => {
    const id = await activeAgreement();
    await sub.query(SUSPEND, { id, reason: "Concern" }, dso("youth"));
    const replies = await Promise.all(
      ["youth.dso.1", "youth.dso.2", "youth.dso.3"].map((user) =>
        sub.query(REINSTATE, { id, note: "Resolved" }, dso("youth", user)),
      ),
    );
    expect(replies.filter((r) => !r.errors)).toHaveLength(1);
    for (const refused of replies.filter((r) => r.errors))
      expect(firstError(refused.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect(await count("agreement_reinstatements", "agreement_id = $1", [id])).toBe(1);
    expect((await statusOf(id)).status).toBe("SUSPENDED");
  });
});

describe("amending an agreement", () => {
  type Amended = {
    amendAgreement: {
      id: string;
      reference: string;
      version: number;
      status: string;
      categories: string[];
      validTo: string;
      supersedes: { id: string; reference: string; version: number; status: string };
    };
  };

  test("makes a DRAFT next version; the one in force stays in force until both approve it, then is SUPERSEDED", async () => {
    const id = await activeAgreement({ purposes: ["SAFEGUARDING"] });
    const amended = await sub.query<Amended>(
      AMEND,
      {
        id,
        input: { categories: ["EDUCATION"], validTo: "2030-12-31", note: "Attendance instead of programmes" },
      },
      dso("housing"),
    );
    expect(amended.errors).toBeUndefined();
    const v2 = amended.data!.amendAgreement;
    expect(v2).toMatchObject({
      version: 2,
      status: "DRAFT",
      categories: ["EDUCATION"],
      validTo: "2030-12-31",
      supersedes: { id, version: 1, status: "ACTIVE" },
    });
    expect(v2.reference).toBe(v2.supersedes.reference);

    // Still under version 1 while version 2 awaits approval.
    expect(await explain("YOUTH_PROGRAMME", "SAFEGUARDING")).toMatchObject({
      decision: "PERMITTED",
      agreement: { id },
    });
    expect((await explain("EDUCATION", "SAFEGUARDING")).decision).toBe("DENIED");

    // One amendment at a time.
    const rival = await sub.query(AMEND, { id, input: { note: "Another change" } }, dso("youth"));
    expect(firstError(rival.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });

    await sub.query(APPROVE, { id: v2.id }, dso("youth"));
    expect((await statusOf(id)).status).toBe("ACTIVE");
    await sub.query(APPROVE, { id: v2.id }, dso("housing"));
    expect(await statusOf(v2.id)).toMatchObject({ status: "ACTIVE", version: 2, supersedes: { id } });
    expect((await statusOf(id)).status).toBe("SUPERSEDED");

    // From the next request, version 2's terms and nothing of version 1's.
    expect(await explain("EDUCATION", "SAFEGUARDING")).toMatchObject({
      decision: "PERMITTED",
      agreement: { id: v2.id },
    });
    const dropped = await explain("YOUTH_PROGRAMME", "SAFEGUARDING");
    expect(dropped.decision).toBe("DENIED");

    // A superseded version is out of force for good: it cannot be suspended, reinstated or amended.
    const suspendOld = await sub.query(SUSPEND, { id, reason: "x" }, dso("youth"));
    expect(firstError(suspendOld.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    const amendOld = await sub.query(AMEND, { id, input: { note: "x" } }, dso("youth"));
    expect(firstError(amendOld.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    const listed = await sub.query<{ agreements: { id: string }[] }>(
      `query { agreements(status: SUPERSEDED) { id } }`,
      {},
      dso("youth"),
    );
    expect(listed.data!.agreements.map((a) => a.id)).toContain(id);
    expect(await verifyAudit(sub.sql)).toMatchObject({ ok: true });
  });

  test("checks the new terms like a proposal, naming the argument; only parties' DSOs; nothing written when refused", async () => {
    const id = await activeAgreement();
    const before = [await count("agreements"), await count("audit_log")];
    const cases: [Record<string, unknown>, As, Record<string, unknown>][] = [
      [{ note: " " }, dso("youth"), { code: "BAD_USER_INPUT", argument: "input.note" }],
      [{ categories: [], note: "n" }, dso("youth"), { code: "BAD_USER_INPUT", argument: "input.categories" }],
      [
        { consentRequiredFor: ["RISK"], note: "n" },
        dso("youth"),
        { code: "BAD_USER_INPUT", argument: "input.consentRequiredFor" },
      ],
      [
        { validTo: "2024-12-31", note: "n" },
        dso("youth"),
        { code: "BAD_USER_INPUT", argument: "input.validTo" },
      ],
      [
        { reviewDate: "2031-01-01", note: "n" },
        dso("youth"),
        { code: "BAD_USER_INPUT", argument: "input.reviewDate" },
      ],
      [{ note: "n" }, dso("police"), { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" }],
      [
        { note: "n" },
        practitioner("youth", "TENANCY_SUSTAINMENT"),
        { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" },
      ],
    ];
    for (const [input, as, expected] of cases) {
      const res = await sub.query(AMEND, { id, input }, as);
      expect(firstError(res.errors)).toMatchObject(expected);
    }
    expect([await count("agreements"), await count("audit_log")]).toEqual(before);
    await sub.query(SUSPEND, { id, reason: "Concern" }, dso("youth"));
    const suspended = await sub.query(AMEND, { id, input: { note: "n" } }, dso("youth"));
    expect(suspended.errors?.[0].message).toMatch(/only an ACTIVE agreement can be amended; .* is SUSPENDED/);
  });

  test("an amendment is not brought into force over a version revoked meanwhile; a revoked draft frees the way for another", async () => {
    const id = await activeAgreement();
    const amended = await sub.query<Amended>(
      AMEND,
      { id, input: { note: "Longer", validTo: "2030-06-30" } },
      dso("youth"),
    );
    const v2 = amended.data!.amendAgreement.id;
    await sub.query(APPROVE, { id: v2 }, dso("youth"));
    await sub.query(REVOKE, { id, reason: "Ended" }, dso("housing"));
    const last = await sub.query(APPROVE, { id: v2 }, dso("housing"));
    expect(firstError(last.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "id" });
    expect((await statusOf(v2)).status).toBe("DRAFT");
    expect((await statusOf(id)).status).toBe("REVOKED");

    const other = await activeAgreement();
    const draft = await sub.query<Amended>(AMEND, { id: other, input: { note: "First try" } }, dso("youth"));
    await sub.query(REVOKE, { id: draft.data!.amendAgreement.id, reason: "Withdrawn" }, dso("youth"));
    const again = await sub.query<Amended>(AMEND, { id: other, input: { note: "Second try" } }, dso("youth"));
    expect(again.errors).toBeUndefined();
    expect(again.data!.amendAgreement.version).toBe(3);
  });

  test("two amendments of one agreement at once: one is made, the other refused", async () => {
    const id = await activeAgreement();
    const replies = await Promise.all(
      ["youth", "housing", "youth"].map((agency, i) =>
        sub.query(AMEND, { id, input: { note: `Change ${i}` } }, dso(agency, `${agency}.dso.${i}`)),
      ),
    );
    expect(replies.filter((r) => !r.errors)).toHaveLength(1);
    expect(await count("agreements", "supersedes_id = $1", [id])).toBe(1);
  });

  test("the last two approvals of an amendment racing: it comes into force once and its predecessor is superseded once", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await activeAgreement();
      const amended = await sub.query<Amended>(AMEND, { id, input: { note: "Round" } }, dso("youth"));
      const v2 = amended.data!.amendAgreement.id;
      const replies = await Promise.all(
        ["youth", "housing"].map((agency) => sub.query(APPROVE, { id: v2 }, dso(agency))),
      );
      replies.forEach((r) => expect(r.errors).toBeUndefined());
      expect((await statusOf(v2)).status).toBe("ACTIVE");
      expect((await statusOf(id)).status).toBe("SUPERSEDED");
      expect(
        await count(
          "audit_log",
          "kind = 'AGREEMENT_CHANGE' AND agreement_id = $1 AND detail LIKE '%superseded%'",
          [id],
        ),
      ).toBe(1);
    }
  });
});

describe("periodic review", () => {
  test("lists agreements due within the days asked (overdue too), records a review, and moves the date on", async () => {
    const soon = await activeAgreement({ reviewDate: daysFromToday(10) });
    const overdue = await activeAgreement({ reviewDate: "2025-06-30" });
    const later = await activeAgreement({ reviewDate: daysFromToday(90) });
    const due = async (withinDays?: number) => {
      const res = await sub.query<{
        agreementsDueForReview: { id: string; status: string; reviewDate: string }[];
      }>(DUE, withinDays === undefined ? {} : { withinDays }, dso("housing"));
      expect(res.errors).toBeUndefined();
      return res.data!.agreementsDueForReview.map((a) => a.id);
    };
    const within30 = await due();
    expect(within30).toEqual(expect.arrayContaining([soon, overdue]));
    expect(within30).not.toContain(later);
    expect(within30.indexOf(overdue)).toBeLessThan(within30.indexOf(soon));
    expect(await due(120)).toContain(later);

    // An overdue review switches nothing off.
    expect((await statusOf(overdue)).status).toBe("ACTIVE");

    const next = daysFromToday(365);
    const reviewed = await sub.query<{
      recordAgreementReview: {
        reviewDate: string;
        reviews: {
          by: { userId: string; role: string; agency: { id: string } };
          note: string;
          nextReviewDate: string;
        }[];
      };
    }>(
      REVIEW,
      { id: overdue, nextReviewDate: next, note: "Still needed; volumes as expected" },
      dso("youth"),
    );
    expect(reviewed.errors).toBeUndefined();
    expect(reviewed.data!.recordAgreementReview).toMatchObject({
      reviewDate: next,
      reviews: [
        {
          by: { userId: "youth.data_sharing_officer", role: "DATA_SHARING_OFFICER", agency: { id: "youth" } },
          note: "Still needed; volumes as expected",
          nextReviewDate: next,
        },
      ],
    });
    expect(await due()).not.toContain(overdue);
    expect(await verifyAudit(sub.sql)).toMatchObject({ ok: true });
  });

  test("refuses a next review date not after today or after the end, a blank note, a non-party, a practitioner", async () => {
    const id = await activeAgreement();
    const before = [await count("agreement_reviews"), await count("audit_log")];
    for (const [vars, as, expected] of [
      [{ nextReviewDate: today(), note: "n" }, dso("youth"), { argument: "nextReviewDate" }],
      [{ nextReviewDate: "2030-01-01", note: "n" }, dso("youth"), { argument: "nextReviewDate" }],
      [{ nextReviewDate: daysFromToday(30), note: " " }, dso("youth"), { argument: "note" }],
      [{ nextReviewDate: daysFromToday(30), note: "n" }, dso("police"), { reason: "ROLE_NOT_PERMITTED" }],
      [
        { nextReviewDate: daysFromToday(30), note: "n" },
        practitioner("youth", "TENANCY_SUSTAINMENT"),
        { reason: "ROLE_NOT_PERMITTED" },
      ],
    ] as [Record<string, unknown>, As, Record<string, unknown>][]) {
      const res = await sub.query(REVIEW, { id, ...vars }, as);
      expect(firstError(res.errors)).toMatchObject(expected);
    }
    expect([await count("agreement_reviews"), await count("audit_log")]).toEqual(before);
    const practitionerList = await sub.query(DUE, {}, practitioner("youth", "TENANCY_SUSTAINMENT"));
    expect(firstError(practitionerList.errors)).toMatchObject({
      code: "FORBIDDEN",
      reason: "ROLE_NOT_PERMITTED",
    });
    const tooFar = await sub.query(DUE, { withinDays: 5000 }, dso("youth"));
    expect(firstError(tooFar.errors)).toMatchObject({ code: "BAD_USER_INPUT", argument: "withinDays" });
  });

  test("whoseReviewFallsDue, for whoever tells the parties, leaves out drafts and revoked ones", async () => {
    const draft = await sub.query<{ proposeAgreement: { id: string } }>(
      PROPOSE,
      {
        input: {
          title: "Draft",
          providerAgencyId: "youth",
          recipientAgencyId: "housing",
          purposes: ["TENANCY_SUSTAINMENT"],
          categories: ["EDUCATION"],
          consentRequiredFor: [],
          lawfulBasis: "basis",
          validFrom: "2025-01-01",
          validTo: "2029-12-31",
          reviewDate: "2025-02-01",
        },
      },
      dso("youth"),
    );
    const revoked = await activeAgreement({ reviewDate: "2025-02-01" });
    await sub.query(REVOKE, { id: revoked, reason: "Ended" }, dso("youth"));
    const due = await activeAgreement({ reviewDate: "2025-02-01" });
    const ids = (await new AgreementRepository(sub.sql).whoseReviewFallsDue(today(), today())).map(
      (a) => a.id,
    );
    expect(ids).toContain(due);
    expect(ids).not.toContain(revoked);
    expect(ids).not.toContain(draft.data!.proposeAgreement.id);
  });
});
