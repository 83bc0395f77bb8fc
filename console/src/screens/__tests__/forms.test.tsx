/** @jest-environment jsdom */
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import {
  Client,
  CombinedError,
  makeErrorResult,
  makeResult,
  Provider,
  type Exchange,
  type Operation,
} from "urql";
import { filter, map, pipe } from "wonka";
import { AuthProvider } from "../../auth/AuthContext";
import type { Session } from "../../auth/session";
import { PurposeProvider } from "../../purpose/PurposeContext";
import { apiFieldErrors } from "../common/forms";
import { Restricted } from "../common/restricted";
import { Value, withheldByPath } from "../common/withheld";
import { BreakGlass } from "../dso/BreakGlass";
import { RecordConsentForm } from "../dso/Consents";
import { PURPOSES } from "../../purpose/purposes";
import { ProposeAgreement } from "../dso/ProposeAgreement";

/**
 * The forms' validation messages: the graph's own (bad input names its argument) shown next to
 * the field it is about and in the summary above, and the console's few checks before sending.
 * The graph's answers are given here as it gives them (the browser suite runs the real one).
 */

type Answer = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** A client that answers each operation by name, and remembers what was sent. */
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
  return { client: new Client({ url: "http://console.test/graphql", exchanges: [exchange] }), sent };
}

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

const AGENCIES = {
  data: {
    agencies: [
      { id: "council", name: "Council" },
      { id: "housing", name: "Housing" },
      { id: "youth", name: "Youth services" },
    ],
  },
};

test("proposing: the graph's message is shown next to the field it names, and in the summary linking to it", async () => {
  const { client, sent } = clientAnswering({
    ConsoleAgencies: AGENCIES,
    ProposeAgreement: {
      errors: [
        {
          message: "input.validTo: must not be before input.validFrom (2026-12-06)",
          extensions: { code: "BAD_USER_INPUT", argument: "input.validTo" },
        },
      ],
    },
  });
  renderWith(client, <ProposeAgreement />);
  fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Tenancies for youth diversion" } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Propose the agreement" }));
  });
  const error = document.getElementById("propose-validTo-error")!;
  expect(error.textContent).toBe("Error: Must not be before input.validFrom (2026-12-06)");
  // The field says so to assistive technology, and the summary links to it.
  expect(screen.getByLabelText("Last day in force").getAttribute("aria-describedby")).toContain(
    "propose-validTo-error",
  );
  const summary = screen.getByTestId("error-summary");
  const link = within(summary).getByRole("link");
  expect(link.getAttribute("href")).toBe("#propose-validTo");
  expect(link.textContent).toBe("Last day in force: Must not be before input.validFrom (2026-12-06)");
  // No other field is marked.
  expect(document.querySelectorAll(".govuk-error-message")).toHaveLength(1);
  const input = sent.find((o) => o.kind === "mutation")!.variables as { input: Record<string, unknown> };
  expect(input.input).toMatchObject({ title: "Tenancies for youth diversion", providerAgencyId: "housing" });
});

test("proposing offers only the purposes an agreement may share for: not statistics, not data protection", () => {
  const { client } = clientAnswering({ ConsoleAgencies: AGENCIES });
  renderWith(client, <ProposeAgreement />);
  const offered = screen
    .getAllByRole("checkbox")
    .map((box) => box.getAttribute("value"))
    .filter((value) => value && PURPOSES.includes(value as (typeof PURPOSES)[number]));
  expect(offered).toContain("SAFEGUARDING");
  expect(offered).not.toContain("STATISTICS");
  expect(offered).not.toContain("DATA_PROTECTION");
});

test("a value GraphQL itself refuses (not a date) is named in its message and shown by its field too", () => {
  const error = new CombinedError({
    graphQLErrors: [
      {
        message:
          'Variable "$input" got invalid value "2026-02-30" at "input.reviewDate"; Expected type "Date". Value is not a valid Date: 2026-02-30',
        extensions: { code: "BAD_USER_INPUT" },
      },
      { message: "not allowed", extensions: { code: "FORBIDDEN", reason: "ROLE_NOT_PERMITTED" } },
    ],
  });
  const { fields, problems } = apiFieldErrors(error);
  expect(fields).toEqual({ reviewDate: "Value is not a valid Date: 2026-02-30" });
  // What is not about a field is a problem for the page, in plain words.
  expect(problems.map((p) => p.title)).toEqual(["Not available to your role"]);
});

test("recording a consent for someone under 13: the rule is explained, a parent or guardian is chosen, and the graph's refusal is shown by 'Given by'", async () => {
  const { client } = clientAnswering({
    ConsoleAgreements: {
      data: {
        agreements: [
          {
            id: "agr-housing-council",
            reference: "ISA-0003",
            title: "Tenancy information",
            status: "ACTIVE",
            provider: { id: "housing", name: "Housing" },
            recipient: { id: "council", name: "Council" },
            purposes: ["TENANCY_SUSTAINMENT"],
            categories: ["TENANCY", "FINANCIAL"],
            consentRequiredFor: ["FINANCIAL"],
            reviewDate: "2027-01-01",
            validFrom: "2026-01-01",
            validTo: "2027-12-31",
          },
        ],
      },
    },
    RecordConsent: {
      errors: [
        {
          message:
            "input.givenBy: someone under 13 when it was given must have it given by PARENT_OR_GUARDIAN",
          extensions: { code: "BAD_USER_INPUT", argument: "input.givenBy" },
        },
      ],
    },
  });
  const person = {
    id: "per-000001",
    displayName: "Ava Young",
    dateOfBirth: "2015-05-01",
    ageBand: "UNDER_13" as const,
    consents: [],
  };
  renderWith(client, <RecordConsentForm person={person} onDone={() => undefined} />);
  await act(async () => undefined);
  expect(screen.getByText(/cannot give it themselves: a parent or guardian must/).textContent).toContain(
    "Ava Young is under 13 today",
  );
  expect((screen.getByLabelText("A parent or guardian") as HTMLInputElement).checked).toBe(true);
  // Only partners an agreement in force shares the agency's data with are offered.
  const recipient = screen.getByLabelText("Shared with") as HTMLSelectElement;
  expect([...recipient.options].map((o) => o.value)).toEqual(["", "council"]);
  fireEvent.change(recipient, { target: { value: "council" } });
  expect(screen.getByText("Shared only with consent")).toBeTruthy();
  fireEvent.click(screen.getByLabelText("The person themselves"));
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Record the consent" }));
  });
  expect(document.getElementById("consent-givenBy-error")!.textContent).toBe(
    "Error: Someone under 13 when it was given must have it given by PARENT_OR_GUARDIAN",
  );
});

test("reviewing a break-glass access: both the finding and a note are asked for before anything is sent", async () => {
  const { client, sent } = clientAnswering({
    ConsoleBreakGlassEvents: {
      data: {
        breakGlassEvents: [
          {
            id: "77",
            at: "2026-12-06T10:00:00Z",
            actor: { userId: "asb.duty", role: "PRACTITIONER", agency: { id: "council", name: "Council" } },
            purpose: "SAFEGUARDING",
            justification: "Welfare check on a vulnerable tenant",
            people: [{ id: "per-000042", displayName: "Sam Tenant" }],
            categories: ["TENANCY"],
            recordIds: ["ten-000042"],
            reviewed: false,
            outcome: null,
            reviewNote: null,
            reviewedBy: null,
            reviewedAt: null,
          },
        ],
      },
    },
  });
  renderWith(client, <BreakGlass />);
  await act(async () => undefined);
  expect(screen.getByText(/Welfare check on a vulnerable tenant/)).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Record the review" }));
  });
  expect(document.getElementById("review-77-outcome-error")!.textContent).toContain(
    "Say whether the access was justified",
  );
  expect(document.getElementById("review-77-note-error")!.textContent).toContain("Enter your reasons");
  expect(sent.filter((o) => o.kind === "mutation")).toHaveLength(0);
});

test("a withheld field says so and why, never a blank; a field with no value says it is not recorded", () => {
  const withheld = withheldByPath(
    new CombinedError({
      graphQLErrors: [
        {
          message: "withheld",
          path: ["person", "tenancies", "edges", 0, "node", "arrearsBand"],
          extensions: { code: "FORBIDDEN", reason: "CONSENT_REQUIRED" },
        },
      ],
    }),
  );
  const { container } = render(
    <>
      <Value value={null} path="person.tenancies.edges.0.node.arrearsBand" withheld={withheld} />
      <Value value={null} path="person.tenancies.edges.0.node.endDate" withheld={withheld} />
    </>,
  );
  expect(container.querySelector("[data-withheld=CONSENT_REQUIRED]")!.textContent).toContain(
    "Needs the person's consent",
  );
  expect(container.textContent).toContain("Not recorded");
});

test("records held but restricted are signposted with whom to ask, not shown as none", () => {
  render(
    <Restricted
      what="tenancies"
      rows={[
        {
          agency: { id: "housing", name: "Housing" },
          category: "TENANCY",
          count: 2,
          contact: "dso@housing.example",
        },
      ]}
    />,
  );
  expect(screen.getByTestId("restricted").textContent).toBe(
    "Held but restricted Housing holds 2 records of tenancies (tenancies) that the sharing rules withhold from you. To ask for access, contact dso@housing.example.",
  );
});
