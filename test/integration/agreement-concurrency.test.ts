import { demoPeople } from "../../subgraphs/shared/demo/world";
import { Role } from "../../subgraphs/shared/enums";
import { seedGovernance } from "../../subgraphs/governance/seed";
import { governance } from "../../subgraphs/governance/server";
import type { As } from "../support/graphql";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

const PROPOSE = `mutation ProposeAgreement($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id status } }`;
const APPROVE = `mutation ApproveAgreement($id: ID!) { approveAgreement(id: $id) { id status } }`;

const dso = (agency: string, user: string): As => ({ agency, role: Role.DATA_SHARING_OFFICER, user });

let sub: TestSubgraph;
beforeAll(async () => {
  sub = await startTestSubgraph(governance, (sql) =>
    seedGovernance(sql, { seed: 42, scale: "small", people: demoPeople(42, "small") }),
  );
});
afterAll(() => sub.stop());

async function propose(): Promise<string> {
  const res = await sub.query<{ proposeAgreement: { id: string } }>(
    PROPOSE,
    {
      input: {
        title: "Council ASB cases for housing ASB case management",
        providerAgencyId: "council",
        recipientAgencyId: "housing",
        purposes: ["ASB_CASE_MANAGEMENT"],
        categories: ["ASB_CASE"],
        consentRequiredFor: [],
        lawfulBasis: "UK GDPR Art 6(1)(e); Crime and Disorder Act 1998 s115",
        validFrom: "2025-01-01",
        validTo: "2029-12-31",
        reviewDate: "2027-01-31",
      },
    },
    dso("council", "council.dso.1"),
  );
  expect(res.errors).toBeUndefined();
  return res.data!.proposeAgreement.id;
}

async function rows(table: string, id: string, where = "true"): Promise<number> {
  const row = await sub.sql.one<{ n: string }>(
    `SELECT count(*) AS n FROM ${table} WHERE agreement_id = $1 AND ${where}`,
    [id],
  );
  return Number(row?.n);
}

const storedStatus = async (id: string) =>
  (await sub.sql.one<{ status: string }>(`SELECT status FROM agreements WHERE id = $1`, [id]))?.status;

describe("concurrent approvals of one agreement", () => {
  test("by officers of the same agency: one is recorded, the others are told it is already approved", async () => {
    for (let round = 0; round < 3; round++) {
      const id = await propose();
      // Real requests at once, each its own officer, racing for the same approval.
      const replies = await Promise.all(
        Array.from({ length: 6 }, (_, i) => sub.query(APPROVE, { id }, dso("council", `council.dso.${i}`))),
      );
      const won = replies.filter((r) => !r.errors);
      const lost = replies.filter((r) => r.errors);
      expect(won).toHaveLength(1);
      expect(won[0].data).toEqual({ approveAgreement: { id, status: "DRAFT" } });
      for (const reply of lost) {
        expect(reply.status).toBe(200);
        expect(reply.errors).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/^id: council has already approved ISA-\d{4}-\d{3}$/),
            extensions: expect.objectContaining({ code: "BAD_USER_INPUT", argument: "id" }),
          }),
        ]);
      }
      expect(JSON.stringify(replies)).not.toMatch(/duplicate|unique|constraint|violates/i);
      // Nothing half-written: one approval, one audit record of it.
      expect(await rows("agreement_approvals", id)).toBe(1);
      expect(await rows("audit_log", id, "kind = 'AGREEMENT_CHANGE' AND detail LIKE 'approved %'")).toBe(1);
      expect(await storedStatus(id)).toBe("DRAFT");
    }
  });

  test("by both parties at once: the agreement comes into force, whichever lands last", async () => {
    for (let round = 0; round < 4; round++) {
      const id = await propose();
      const replies = await Promise.all([
        sub.query<{ approveAgreement: { status: string } }>(APPROVE, { id }, dso("council", "council.dso.1")),
        sub.query<{ approveAgreement: { status: string } }>(APPROVE, { id }, dso("housing", "housing.dso.1")),
      ]);
      for (const reply of replies) expect(reply.errors).toBeUndefined();
      // The one that landed last saw the other's approval and put the agreement in force.
      expect(replies.map((r) => r.data!.approveAgreement.status).sort()).toEqual(["ACTIVE", "DRAFT"]);
      expect(await storedStatus(id)).toBe("ACTIVE");
      expect(await rows("agreement_approvals", id)).toBe(2);
    }
  });
});
