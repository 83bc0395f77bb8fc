/** @jest-environment jsdom */
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { Client, makeErrorResult, makeResult, Provider, type Exchange, type Operation } from "urql";
import { filter, map, pipe } from "wonka";
import { AuthProvider } from "../../auth/AuthContext";
import type { Session } from "../../auth/session";
import { PurposeProvider } from "../../purpose/PurposeContext";
import { PurposeBar } from "../../purpose/PurposeBar";
import { AmendForm, Reinstatement, ReviewForm, type AgreementInFull } from "../dso/AgreementLifecycle";
import { PersonRights, Erasure, exportFileName } from "../dso/PersonRights";
import { RetentionRuleForm } from "../dso/Retention";

/**
 * The DSOs' lifecycle and data-protection forms: what each refuses before sending, exactly what it
 * sends, and how it shows the graph's answer (given here as the graph gives it; the browser suite
 * console-rights.test.ts runs the real one).
 */

type Answer = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

function clientAnswering(answers: Record<string, Answer | ((op: Operation) => Answer)>) {
  const sent: Operation[] = [];
  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== "teardown"),
      map((op) => {
        sent.push(op);
        const answer = answers[nameOf(op)];
        if (!answer) return makeErrorResult(op, new Error(`no answer for ${nameOf(op)}`));
        const body = typeof answer === "function" ? answer(op) : answer;
        return makeResult(op, { data: body.data ?? null, errors: body.errors });
      }),
    );
  return { client: new Client({ url: "http://console.test/graphql", exchanges: [exchange] }), sent };
}
const nameOf = (op: Operation) =>
  op.query.definitions.find((d) => d.kind === "OperationDefinition")?.name?.value ?? "";

const SESSION: Session = {
  token: "test-token",
  caller: { agency: "housing", role: "DATA_SHARING_OFFICER", user: "dso.housing" },
  expiresAt: Date.now() + 3600_000,
  method: "dev",
};

function renderWith(client: Client, children: ReactNode) {
  return render(
    <AuthProvider initial={SESSION}>
      <PurposeProvider>
        <Provider value={client}>{children}</Provider>
      </PurposeProvider>
    </AuthProvider>,
  );
}

const AGREEMENT: AgreementInFull = {
  id: "agr-1",
  reference: "ISA-2026-009",
  title: "Tenancies for youth diversion",
  status: "SUSPENDED",
  statusNote: "suspended by youth",
  provider: { id: "housing", name: "Housing" },
  recipient: { id: "youth", name: "Youth services" },
  purposes: ["YOUTH_DIVERSION"],
  categories: ["TENANCY"],
  consentRequiredFor: [],
  lawfulBasis: "UK GDPR Art 6(1)(e)",
  validFrom: "2026-01-01",
  validTo: "2027-01-01",
  reviewDate: "2026-07-01",
  suspendedReason: "Flows under review",
  revokedReason: null,
  version: 1,
  supersedes: null,
  approvals: [],
  reinstatementApprovals: [
    {
      agency: { id: "youth", name: "Youth services" },
      approvedBy: "dso.youth",
      approvedAt: "2026-12-01T10:00:00.000Z",
    },
  ],
  reviews: [],
};

test("reinstating: each party is shown as approved or not yet, and the approval needs a note both see", async () => {
  const done = jest.fn();
  const { client, sent } = clientAnswering({
    ReinstateAgreement: { data: { reinstateAgreement: { id: "agr-1", status: "ACTIVE", approvals: [] } } },
  });
  renderWith(client, <Reinstatement agreement={AGREEMENT} mine="housing" onDone={done} />);
  const parties = screen.getAllByRole("listitem").map((li) => li.textContent);
  expect(parties).toEqual([
    "Not yet approved Housing",
    expect.stringMatching(/^Approved Youth services: dso\.youth, /),
  ]);
  const button = screen.getByRole("button", { name: "Approve reinstating it for your agency" });
  await act(async () => {
    fireEvent.click(button);
  });
  expect(document.getElementById("reinstate-note-error")?.textContent).toContain("Enter why");
  expect(sent).toHaveLength(0);
  fireEvent.change(screen.getByLabelText("Why may it be in force again?"), {
    target: { value: "The review found the flows sound" },
  });
  await act(async () => {
    fireEvent.click(button);
  });
  expect(sent.map((o) => [nameOf(o), o.variables])).toEqual([
    ["ReinstateAgreement", { id: "agr-1", note: "The review found the flows sound" }],
  ]);
  expect(done).toHaveBeenCalledWith(expect.stringContaining("in force again"));
});

test("a party that has approved reinstating is not offered the approval again", () => {
  const { client } = clientAnswering({});
  renderWith(client, <Reinstatement agreement={AGREEMENT} mine="youth" onDone={jest.fn()} />);
  expect(screen.queryByRole("button")).toBeNull();
});

test("amending sends only the terms that change, with why; the note is required first", async () => {
  const { client, sent } = clientAnswering({
    AmendAgreement: {
      data: {
        amendAgreement: {
          id: "agr-2",
          reference: "ISA-2026-009",
          version: 2,
          status: "DRAFT",
          supersedes: { id: "agr-1", reference: "ISA-2026-009", version: 1 },
        },
      },
    },
  });
  renderWith(client, <AmendForm agreement={{ ...AGREEMENT, status: "ACTIVE" }} onCancel={jest.fn()} />);
  expect(screen.getByText(/Version 1 stays in force until the new one is/)).toBeTruthy();
  const submit = screen.getByRole("button", { name: "Propose version 2" });
  await act(async () => {
    fireEvent.click(submit);
  });
  expect(sent).toHaveLength(0);
  expect(within(screen.getByTestId("error-summary")).getByRole("link").textContent).toBe(
    "Why it changes: Enter why it changes; both agencies will see it",
  );
  fireEvent.click(
    within(screen.getByText("Categories shared").closest("fieldset")!).getByLabelText("Financial (arrears)"),
  );
  fireEvent.change(screen.getByLabelText("Last day in force"), { target: { value: "2028-01-01" } });
  fireEvent.change(screen.getByLabelText("Why it changes"), {
    target: { value: "Arrears help plan support" },
  });
  await act(async () => {
    fireEvent.click(submit);
  });
  expect(sent.map((o) => [nameOf(o), o.variables])).toEqual([
    [
      "AmendAgreement",
      {
        id: "agr-1",
        input: {
          note: "Arrears help plan support",
          categories: ["TENANCY", "FINANCIAL"],
          validTo: "2028-01-01",
        },
      },
    ],
  ]);
});

test("recording a review: the graph's refusal of the date is shown next to it", async () => {
  const { client } = clientAnswering({
    RecordAgreementReview: {
      errors: [
        {
          message: "nextReviewDate: must not be after the agreement ends (2027-01-01)",
          extensions: { code: "BAD_USER_INPUT", argument: "nextReviewDate" },
        },
      ],
    },
  });
  renderWith(client, <ReviewForm id="agr-1" onDone={jest.fn()} />);
  fireEvent.change(screen.getByLabelText("What the review found"), { target: { value: "Still needed" } });
  fireEvent.change(screen.getByLabelText("Next review date"), { target: { value: "2030-01-01" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Record the review" }));
  });
  expect(document.getElementById("review-nextReviewDate-error")?.textContent).toBe(
    "Error: Must not be after the agreement ends (2027-01-01)",
  );
});

const PLAN = {
  erasurePlan: {
    agency: { id: "housing", name: "Housing" },
    eraseRecords: 1,
    retainRecords: 1,
    retainedBecause: ["TENANCY: kept 72 months from CLOSED under NHF guidance (still open)"],
    records: [
      { kind: "HOUSING_REPORT", id: "hr-1", categories: ["TENANCY"], keptBecause: [] },
      {
        kind: "TENANCY",
        id: "ten-1",
        categories: ["TENANCY"],
        keptBecause: ["TENANCY: kept 72 months from CLOSED under NHF guidance (still open)"],
      },
    ],
  },
};

test("erasure: the request, then a confirmation naming what goes and what is kept and why, and only then the erasure", async () => {
  const { client, sent } = clientAnswering({
    ConsoleAgencies: { data: { agencies: [{ id: "housing", name: "Housing" }] } },
    ConsoleErasurePlan: { data: PLAN },
    ErasePersonData: {
      data: {
        erasePersonData: {
          agency: { id: "housing" },
          erasedRecords: 1,
          retainedRecords: 1,
          retainedBecause: PLAN.erasurePlan.retainedBecause,
        },
      },
    },
  });
  renderWith(client, <Erasure personId="per-000042" agencyId="housing" />);
  const cont = screen.getByRole("button", { name: "Continue to check what will be erased" });
  await act(async () => {
    fireEvent.click(cont);
  });
  expect(document.getElementById("erase-requestRef-error")).not.toBeNull();
  expect(document.getElementById("erase-reason-error")).not.toBeNull();
  expect(sent.filter((o) => nameOf(o) !== "ConsoleAgencies")).toHaveLength(0);

  fireEvent.change(screen.getByLabelText("Erasure request reference"), { target: { value: "DSAR-42" } });
  fireEvent.change(screen.getByLabelText("Ground for erasure"), { target: { value: "Article 17(1)(a)" } });
  await act(async () => {
    fireEvent.click(cont);
  });
  // Asked what would happen; nothing erased yet.
  expect(sent.map(nameOf)).toContain("ConsoleErasurePlan");
  expect(sent.map(nameOf)).not.toContain("ErasePersonData");
  expect(screen.getByTestId("will-go").textContent).toBe("housing report hr-1 (Tenancies)");
  expect(screen.getByTestId("kept").textContent).toBe(
    "tenancy ten-1 (Tenancies): kept by TENANCY: kept 72 months from CLOSED under NHF guidance (still open)",
  );
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Erase 1 record now" }));
  });
  expect(sent.find((o) => nameOf(o) === "ErasePersonData")!.variables).toEqual({
    personId: "per-000042",
    requestRef: "DSAR-42",
    reason: "Article 17(1)(a)",
  });
  expect(screen.getByTestId("done").textContent).toContain("Erased 1 record at Housing; kept 1.");
  expect(screen.getByTestId("retained-because").textContent).toBe(PLAN.erasurePlan.retainedBecause[0]);
});

test("going back from the confirmation erases nothing", async () => {
  const { client, sent } = clientAnswering({
    ConsoleAgencies: { data: { agencies: [] } },
    ConsoleErasurePlan: { data: PLAN },
  });
  renderWith(client, <Erasure personId="per-000042" agencyId="housing" />);
  fireEvent.change(screen.getByLabelText("Erasure request reference"), { target: { value: "DSAR-42" } });
  fireEvent.change(screen.getByLabelText("Ground for erasure"), { target: { value: "Article 17(1)(a)" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Continue to check what will be erased" }));
  });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Go back" }));
  });
  expect(sent.map(nameOf)).not.toContain("ErasePersonData");
  expect(screen.getByRole("button", { name: "Continue to check what will be erased" })).toBeTruthy();
});

test("a person's rights are asked for under data protection only: nothing is sent under another purpose", async () => {
  const { client, sent } = clientAnswering({});
  renderWith(
    client,
    <>
      <PurposeBar />
      <PersonRights />
    </>,
  );
  expect(screen.getByTestId("needs-data-protection").textContent).toContain("Safeguarding");
  expect(sent).toHaveLength(0);
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Work under data protection" }));
  });
  expect(screen.queryByTestId("needs-data-protection")).toBeNull();
  expect(screen.getByRole("heading", { name: "Find a person" })).toBeTruthy();
});

test("a retention rule: a whole number of months, and every answer, before it is sent", async () => {
  const done = jest.fn();
  const { client, sent } = clientAnswering({
    SetRetentionRule: {
      data: {
        setRetentionRule: {
          id: "rr-1",
          agency: { id: "housing" },
          category: "TENANCY",
          retainForMonths: 72,
          from: "CLOSED",
          basis: "NHF guidance",
        },
      },
    },
  });
  renderWith(client, <RetentionRuleForm onDone={done} />);
  fireEvent.change(screen.getByLabelText("Months kept"), { target: { value: "six years" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Set the rule" }));
  });
  expect(sent).toHaveLength(0);
  expect(document.getElementById("rule-retainForMonths-error")?.textContent).toContain(
    "whole number of months",
  );
  fireEvent.change(screen.getByLabelText("Category of records"), { target: { value: "TENANCY" } });
  fireEvent.change(screen.getByLabelText("Months kept"), { target: { value: "72" } });
  fireEvent.click(screen.getByLabelText("From when it was closed (open records wait)"));
  fireEvent.change(screen.getByLabelText("Why this period"), { target: { value: "NHF guidance" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Set the rule" }));
  });
  expect(sent.map((o) => o.variables)).toEqual([
    { input: { category: "TENANCY", retainForMonths: 72, from: "CLOSED", basis: "NHF guidance" } },
  ]);
  expect(done).toHaveBeenCalledWith(
    "Tenancies records are now kept 72 months from when it was closed (open records wait).",
  );
});

test("the export's file is named for the person, the agency and the day, never by the person's name", () => {
  expect(
    exportFileName({
      person: { id: "per-000042" },
      agency: { id: "housing" },
      generatedAt: "2026-12-06T17:00:00Z",
    }),
  ).toBe("subject-access-per-000042-housing-2026-12-06.json");
});
