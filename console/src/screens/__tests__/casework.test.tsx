/**
 * @jest-environment ./test/support/console-environment.js
 */
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { Client, makeErrorResult, makeResult, Provider, type Exchange, type Operation } from "urql";
import { filter, map, pipe } from "wonka";
import { AuthProvider } from "../../auth/AuthContext";
import type { Session } from "../../auth/session";
import { createConsoleClient } from "../../client/client";
import { Person360Document, type ConsoleCaseBoardQuery } from "../../generated/graphql";
import { PurposeProvider, usePurpose } from "../../purpose/PurposeContext";
import { Notifications, subjectLink } from "../Notifications";
import { BreakGlassForm, PersonPage } from "../people/PersonPage";
import { HandOnOrCancel } from "../practitioner/ActionControls";
import { CaseBoard } from "../practitioner/CaseBoard";
import { AddNote } from "../practitioner/CaseNotes";
import { CloseCase } from "../practitioner/LeadControls";
import { VictimRisk } from "../practitioner/VictimRisk";

/**
 * The case-work forms: what each offers to whom, what it checks before sending, what it sends,
 * and how it shows the graph's refusals. The graph's answers are given as it gives them (the
 * browser suite runs the real one).
 */

type Answer = {
  data?: unknown;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
};

function clientAnswering(answers: Record<string, Answer | ((op: Operation) => Answer)>) {
  const sent: Operation[] = [];
  const exchange: Exchange = () => (ops$) =>
    pipe(
      ops$,
      filter((op) => op.kind !== "teardown"),
      map((op) => {
        sent.push(op);
        const name = op.query.definitions.find((d) => d.kind === "OperationDefinition")?.name?.value ?? "";
        const answer = answers[name];
        if (!answer) return makeErrorResult(op, new Error(`no answer for ${name}`));
        const body = typeof answer === "function" ? answer(op) : answer;
        return makeResult(op, { data: body.data ?? null, errors: body.errors });
      }),
    );
  const mutations = (name: string) =>
    sent
      .filter((o) => o.kind === "mutation")
      .filter((o) =>
        o.query.definitions.some((d) => d.kind === "OperationDefinition" && d.name?.value === name),
      )
      .map((o) => o.variables as Record<string, unknown>);
  return {
    client: new Client({ url: "http://console.test/graphql", exchanges: [exchange] }),
    sent,
    mutations,
  };
}

const session = (agency: string): Session => ({
  token: "test-token",
  caller: { agency, role: "PRACTITIONER", user: `${agency}.worker` },
  expiresAt: Date.now() + 3600_000,
  method: "dev",
});

function renderWith(client: Client, children: ReactNode, agency = "council") {
  return render(
    <AuthProvider initial={session(agency)}>
      <PurposeProvider>
        <Provider value={client}>{children}</Provider>
      </PurposeProvider>
    </AuthProvider>,
  );
}

type Board = NonNullable<ConsoleCaseBoardQuery["problemCase"]>;
const COUNCIL = { id: "council", name: "Council" };
const POLICE = { id: "police", name: "City Police" };

function board(overrides: Partial<Board> = {}): Board {
  return {
    id: "case-1",
    reference: "PSC-2026-007",
    title: "Threats at Elm Court",
    problemType: "Neighbour dispute",
    stage: "RESPONSE",
    riskLevel: "STANDARD",
    openedAt: "2026-11-01T10:00:00Z",
    outcome: null,
    closedAt: null,
    lead: COUNCIL,
    partners: [POLICE],
    neighbourhoods: [{ code: "E01032739", name: "Sheffield 073C" }],
    people: [{ role: "VICTIM", person: { id: "per-000042", displayName: "Sam Tenant" } }],
    actions: [
      {
        id: "act-police",
        description: "Check the incident history",
        status: "OVERDUE",
        dueOn: "2026-12-01",
        completedAt: null,
        completedBy: null,
        cancelledAt: null,
        cancelReason: null,
        assignedAgency: POLICE,
      },
      {
        id: "act-council",
        description: "Visit the tenant",
        status: "OPEN",
        dueOn: "2026-12-20",
        completedAt: null,
        completedBy: null,
        cancelledAt: null,
        cancelReason: null,
        assignedAgency: COUNCIL,
      },
    ],
    stageHistory: [],
    linkedIncidents: [],
    linkedAsbCases: [],
    linkedTenancies: [],
    linkedReferrals: [],
    restricted: [],
    riskAssessments: [],
    changes: [],
    ...overrides,
  };
}

const NOTES = {
  data: {
    problemCase: {
      id: "case-1",
      notes: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] },
    },
  },
};

beforeEach(() => window.history.pushState(null, "", "/console/case?id=case-1"));

test("a partner's case board offers no closing and no change of people or partners, and hands on or cancels only its own agency's actions", async () => {
  const { client } = clientAnswering({
    ConsoleCaseBoard: { data: { problemCase: board() } },
    CaseNotes: NOTES,
  });
  renderWith(client, <CaseBoard />, "police");
  await act(async () => undefined);
  expect(screen.getByTestId("lead-only").textContent).toContain("Only the lead agency, Council");
  expect(screen.queryByRole("button", { name: "Close the case" })).toBeNull();
  expect(screen.queryByTestId("people-form")).toBeNull();
  expect(screen.queryByRole("group", { name: "Partner agencies" })).toBeNull();
  // Police's own action can be done, handed on or cancelled; the council's cannot, by police.
  const actions = screen.getByTestId("case-actions");
  expect(
    within(actions)
      .getAllByRole("button", { name: /Mark done/ })
      .map((b) => b.textContent),
  ).toEqual(["Mark done: Check the incident history"]);
  expect(actions.querySelectorAll("[data-action-controls]")).toHaveLength(1);
  expect(actions.querySelector("[data-action-controls=act-police]")).not.toBeNull();
  // Notes are for every party.
  expect(screen.getByRole("button", { name: "Add the note" })).toBeTruthy();
});

test("the lead's board offers closing, people and partners; a closed case offers notes only and shows its outcome", async () => {
  const open = clientAnswering({
    ConsoleCaseBoard: { data: { problemCase: board() } },
    CaseNotes: NOTES,
    ConsoleAgencies: { data: { agencies: [COUNCIL, POLICE] } },
  });
  const { unmount } = renderWith(open.client, <CaseBoard />, "council");
  await act(async () => undefined);
  expect(screen.getByRole("button", { name: "Close the case" })).toBeTruthy();
  expect(screen.getByTestId("people-form")).toBeTruthy();
  expect(screen.getByRole("button", { name: "Save the partners" })).toBeTruthy();
  // Closing is not a stage move (which would leave the case without an outcome).
  const moves = screen.getByLabelText("Move to") as HTMLSelectElement;
  expect([...moves.options].map((o) => o.value)).toEqual(["SCANNING", "ANALYSIS", "ASSESSMENT"]);
  unmount();

  const closed = clientAnswering({
    ConsoleCaseBoard: {
      data: { problemCase: board({ stage: "CLOSED", outcome: "REDUCED", closedAt: "2026-12-05T16:00:00Z" }) },
    },
    CaseNotes: NOTES,
  });
  renderWith(closed.client, <CaseBoard />, "council");
  await act(async () => undefined);
  expect(screen.getByTestId("case-outcome").textContent).toContain("Reduced");
  for (const name of [
    "Close the case",
    "Save the people",
    "Save the partners",
    "Add the action",
    "Link the record",
  ])
    expect(screen.queryByRole("button", { name })).toBeNull();
  expect(screen.queryByRole("button", { name: /Mark done/ })).toBeNull();
  expect(screen.getByRole("button", { name: "Add the note" })).toBeTruthy();
});

test("closing: an outcome and a note are asked for before sending; the graph's refusal is said plainly", async () => {
  const { client, mutations } = clientAnswering({
    CloseCase: {
      errors: [
        {
          message: "only the case's lead agency may change this CaseChange",
          path: ["closeCase"],
          extensions: { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" },
        },
      ],
    },
  });
  const done = jest.fn();
  renderWith(client, <CloseCase board={board()} onDone={done} />);
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Close the case" }));
  });
  expect(document.getElementById("close-outcome-error")!.textContent).toContain("Choose how the case ended");
  expect(document.getElementById("close-note-error")!.textContent).toContain("Enter why the case closes");
  expect(mutations("CloseCase")).toEqual([]);
  // Its open actions end with it, and the form says so.
  expect(screen.getByText(/Its 2 open actions will be cancelled/)).toBeTruthy();

  fireEvent.click(screen.getByLabelText("Reduced"));
  fireEvent.change(screen.getByLabelText("Why it closes"), { target: { value: "Threats stopped" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Close the case" }));
  });
  expect(mutations("CloseCase")).toEqual([{ caseId: "case-1", outcome: "REDUCED", note: "Threats stopped" }]);
  const alert = screen.getByRole("alert");
  expect(alert.textContent).toContain("Not yours to change");
  expect(alert.textContent).toContain("Only the case's lead agency may do this. Nothing was changed.");
  expect(alert.textContent).not.toContain("missing");
  expect(done).not.toHaveBeenCalled();
});

test("a note: required before sending; the graph's message about it is shown by the field", async () => {
  const { client, mutations } = clientAnswering({
    AddCaseNote: {
      errors: [
        {
          message: "text: at most 10000 characters",
          extensions: { code: "BAD_USER_INPUT", argument: "text" },
        },
      ],
    },
  });
  renderWith(client, <AddNote caseId="case-1" onDone={() => undefined} />);
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Add the note" }));
  });
  expect(document.getElementById("note-text-error")!.textContent).toBe("Error: Enter the note");
  expect(mutations("AddCaseNote")).toEqual([]);
  fireEvent.change(screen.getByLabelText("Note"), { target: { value: "x".repeat(10_001) } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Add the note" }));
  });
  expect(mutations("AddCaseNote")).toHaveLength(1);
  expect(document.getElementById("note-text-error")!.textContent).toBe("Error: At most 10000 characters");
});

test("victim risk: every question must be answered before sending; the answers go in the question set's order; the graph's score and level are shown", async () => {
  window.history.pushState(null, "", "/console/case/risk?case=case-1&person=per-000042");
  const questions = [
    { code: "REPEAT", text: "Has the victim experienced this or similar ASB before?", weight: 1 },
    { code: "VIOLENCE", text: "Has there been violence, or a threat of violence?", weight: 3 },
    { code: "FEAR", text: "Is the victim afraid to leave their home, or to be in it?", weight: 2 },
  ];
  const { client, mutations } = clientAnswering({
    ConsoleVictimRisk: {
      data: {
        victimRiskQuestions: questions,
        problemCase: { ...board(), riskAssessments: [] },
      },
    },
    AssessVictimRisk: {
      data: {
        assessVictimRisk: {
          id: "vra-1",
          at: "2026-12-06T10:00:00Z",
          person: { id: "per-000042" },
          score: 5,
          level: "STANDARD",
          assessedBy: { userId: "council.worker", agency: { id: "council" } },
        },
      },
    },
  });
  renderWith(client, <VictimRisk />);
  await act(async () => undefined);
  expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Victim risk: Sam Tenant");
  fireEvent.click(document.getElementById("risk-VIOLENCE")!);
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Record the assessment" }));
  });
  // The two unanswered, in the summary (linking to each) and by each question; nothing sent.
  const summary = screen.getByTestId("error-summary");
  expect(
    within(summary)
      .getAllByRole("link")
      .map((a) => a.getAttribute("href")),
  ).toEqual(["#risk-REPEAT", "#risk-FEAR"]);
  expect(document.getElementById("risk-VIOLENCE-error")).toBeNull();
  expect(document.getElementById("risk-FEAR-error")!.textContent).toContain("Answer yes or no");
  expect(mutations("AssessVictimRisk")).toEqual([]);

  fireEvent.click(document.getElementById("risk-REPEAT-no")!);
  fireEvent.click(document.getElementById("risk-FEAR")!);
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Record the assessment" }));
  });
  expect(mutations("AssessVictimRisk")).toEqual([
    {
      caseId: "case-1",
      personId: "per-000042",
      answers: [
        { question: "REPEAT", answer: false },
        { question: "VIOLENCE", answer: true },
        { question: "FEAR", answer: true },
      ],
    },
  ]);
  expect(screen.getByTestId("done").textContent).toContain("Assessed: a score of 5, standard risk.");
});

test("handing on or cancelling an action: each asks why before sending; only the case's other agencies are offered", async () => {
  const { client, mutations } = clientAnswering({
    CancelCaseAction: { data: { cancelCaseAction: { id: "act-police", status: "CANCELLED" } } },
  });
  const done = jest.fn();
  renderWith(
    client,
    <HandOnOrCancel
      action={{ id: "act-police", description: "Check the incident history", assignedAgency: POLICE }}
      agencies={[COUNCIL, POLICE]}
      onDone={done}
    />,
    "police",
  );
  const to = screen.getByLabelText("Hand it to") as HTMLSelectElement;
  expect([...to.options].map((o) => o.value)).toEqual(["", "council"]);
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Hand it on" }));
  });
  expect(document.getElementById("action-act-police-to-error")!.textContent).toContain("Choose the agency");
  expect(document.getElementById("action-act-police-note-error")!.textContent).toContain(
    "Enter why it is handed on",
  );
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Cancel the action" }));
  });
  expect(document.getElementById("action-act-police-reason-error")!.textContent).toContain(
    "Enter why it is cancelled",
  );
  expect(mutations("ReassignCaseAction")).toEqual([]);
  expect(mutations("CancelCaseAction")).toEqual([]);
  fireEvent.change(screen.getByLabelText("Why cancel it"), { target: { value: "Replaced by CCTV" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Cancel the action" }));
  });
  expect(mutations("CancelCaseAction")).toEqual([{ actionId: "act-police", reason: "Replaced by CCTV" }]);
  expect(done).toHaveBeenCalledWith("Action cancelled.");
});

test("notifications: listed with what they are about, marked read one at a time or all shown", async () => {
  const node = (id: string, kind: string, title: string, subject: { kind: string; id: string }) => ({
    node: { id, at: "2026-12-06T09:00:00Z", kind, title, read: false, subject },
  });
  const { client, mutations } = clientAnswering({
    Notifications: {
      data: {
        notifications: {
          totalCount: 2,
          unreadCount: 2,
          pageInfo: { hasNextPage: false, endCursor: null },
          edges: [
            node("n1", "ACTION_ASSIGNED", "A case action was assigned to your agency, due 2026-12-05", {
              kind: "CASE_ACTION",
              id: "act-police",
            }),
            node("n2", "ACTION_OVERDUE", "A case action assigned to your agency is overdue", {
              kind: "CASE_ACTION",
              id: "act-2",
            }),
          ],
        },
      },
    },
    MarkNotificationsRead: (op) => ({
      data: {
        markNotificationsRead: (op.variables as { ids: string[] }).ids.map((id) => ({ id, read: true })),
      },
    }),
  });
  renderWith(client, <Notifications />, "police");
  await act(async () => undefined);
  const items = screen.getAllByRole("listitem");
  expect(items.map((i) => i.getAttribute("data-kind"))).toEqual(["ACTION_ASSIGNED", "ACTION_OVERDUE"]);
  expect(within(items[0]).getByRole("link").getAttribute("href")).toBe("/console/my-actions");
  await act(async () => {
    fireEvent.click(within(items[0]).getByRole("button", { name: /Mark read/ }));
  });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Mark all shown as read" }));
  });
  expect(mutations("MarkNotificationsRead")).toEqual([{ ids: ["n1"] }, { ids: ["n1", "n2"] }]);
});

test("a notification links only to a screen the reader's role has", () => {
  expect(subjectLink({ kind: "AGREEMENT", id: "agr-1" }, "DATA_SHARING_OFFICER")).toEqual({
    to: "/agreement?id=agr-1",
    label: "Open the agreement",
  });
  expect(subjectLink({ kind: "AGREEMENT", id: "agr-1" }, "PRACTITIONER")).toBeNull();
  expect(subjectLink({ kind: "PROBLEM_CASE", id: "case 1" }, "PRACTITIONER")!.to).toBe("/case?id=case%201");
  expect(subjectLink({ kind: "BREAK_GLASS_EVENT", id: "7" }, "PRACTITIONER")).toBeNull();
});

function PurposeShown() {
  return <p data-testid="purpose">{usePurpose().purpose}</p>;
}

test("break-glass: offered under Safeguarding only, with a justification of at least 20 characters", async () => {
  const { client } = clientAnswering({});
  const open = jest.fn();
  renderWith(
    client,
    <>
      <PurposeShown />
      <BreakGlassForm onOpen={open} error={undefined} />
    </>,
  );
  // Said to be audited and reviewed, whatever the purpose.
  expect(screen.getByTestId("break-glass").textContent).toContain("recorded in the audit");
  expect(screen.queryByLabelText("Why you need it now")).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Work for Safeguarding" }));
  expect(screen.getByTestId("purpose").textContent).toBe("SAFEGUARDING");
  const why = screen.getByLabelText("Why you need it now");
  // Spaces and invisible characters are not a reason.
  fireEvent.change(why, { target: { value: "Urgent\u200b\u200b\u200b        !!" } });
  fireEvent.click(screen.getByRole("button", { name: "Use emergency access" }));
  expect(document.getElementById("break-glass-justification-error")!.textContent).toContain(
    "at least 20 characters",
  );
  expect(open).not.toHaveBeenCalled();
  fireEvent.change(why, { target: { value: "  Mae'r ŵyr yn y tŷ ar ei ben ei hun  " } });
  fireEvent.click(screen.getByRole("button", { name: "Use emergency access" }));
  expect(open).toHaveBeenCalledWith("Mae'r ŵyr yn y tŷ ar ei ben ei hun");
});

test("break-glass goes as a header the graph reads (RFC 8187 UTF-8), under Safeguarding, with the caller's token", async () => {
  const sent: Headers[] = [];
  const fetch = jest.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
    sent.push(new Headers(init?.headers));
    return Response.json({ data: { person: null } });
  }) as unknown as typeof globalThis.fetch;
  const justification = "Mae'r ŵyr yn y tŷ ar ei ben ei hun";
  const options = { token: "tok", onUnauthorized: () => undefined, fetch };
  const glass = createConsoleClient({ ...options, purpose: "SAFEGUARDING", breakGlass: justification });
  const plain = createConsoleClient({ ...options, purpose: "CRIME_PREVENTION" });
  await glass.query(Person360Document, { id: "per-1" }).toPromise();
  await plain.query(Person360Document, { id: "per-1" }).toPromise();
  const [withGlass, without] = sent;
  expect(withGlass.get("authorization")).toBe("Bearer tok");
  expect(withGlass.get("x-purpose")).toBe("SAFEGUARDING");
  const header = withGlass.get("x-break-glass")!;
  expect(header).toMatch(/^UTF-8''[\x21-\x7e]+$/);
  expect(decodeURIComponent(header.slice("UTF-8''".length))).toBe(justification);
  expect(without.get("x-purpose")).toBe("CRIME_PREVENTION");
  expect(without.get("x-break-glass")).toBeNull();
});

const connection = <N,>(nodes: N[]) => ({
  totalCount: nodes.length,
  pageInfo: { hasNextPage: false, endCursor: null },
  edges: nodes.map((node, i) => ({ cursor: String(i), node })),
  restricted: [],
});
const person = (tenancies: unknown[]) => ({
  person: {
    id: "per-000042",
    displayName: "Sam Tenant",
    dateOfBirth: "1986-05-05",
    ageBand: "AGE_25_TO_64",
    incidents: connection([]),
    asbCases: connection([]),
    tenancies: connection(tenancies),
    referrals: connection([]),
    enrolments: connection([]),
  },
});
const TENANCY = {
  id: "ten-000042",
  status: "ACTIVE",
  tenure: "SECURE",
  startDate: "1987-09-12",
  arrearsBand: "UNDER_250",
  property: { uprn: "100021000123", address: "Flat 2, Gascoyne Walk", lsoaCode: "E01032739" },
  actions: [],
};

test("what break-glass released is gone from the page once it ends: it never reaches the page's own requests", async () => {
  window.history.pushState(null, "", "/console/person?id=per-000042");
  const page = clientAnswering({ Person360: { data: person([]) } });
  const released: Headers[] = [];
  global.fetch = jest.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
    released.push(new Headers(init?.headers));
    return Response.json({ data: person([TENANCY]) });
  }) as unknown as typeof fetch;
  renderWith(page.client, <PersonPage />);
  await act(async () => undefined);
  expect(document.querySelector("tr[data-record=ten-000042]")).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Work for Safeguarding" }));
  fireEvent.change(screen.getByLabelText("Why you need it now"), {
    target: { value: "Tenant not seen for ten days; family fear for her" },
  });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Use emergency access" }));
  });
  await act(async () => undefined);
  expect(released.map((h) => h.get("x-break-glass"))).toEqual([
    `UTF-8''${encodeURIComponent("Tenant not seen for ten days; family fear for her")}`,
  ]);
  expect(screen.getByTestId("break-glass-on").textContent).toContain("recorded in the audit as break-glass");
  expect(document.querySelector("tr[data-record=ten-000042]")).not.toBeNull();
  const asked = page.sent.length;
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "End emergency access" }));
  });
  await act(async () => undefined);
  expect(screen.queryByTestId("break-glass-on")).toBeNull();
  expect(document.querySelector("tr[data-record=ten-000042]")).toBeNull();
  // The page asked its own client again, which never carried the break-glass.
  expect(page.sent.length).toBeGreaterThan(asked);
  expect(
    page.sent.every((op) => !JSON.stringify(op.context.fetchOptions ?? {}).includes("break-glass")),
  ).toBe(true);
});
