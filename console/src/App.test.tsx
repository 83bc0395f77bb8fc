/**
 * @jest-environment ./test/support/console-environment.js
 */
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { App } from "./App";
import { TRUSTED_DOCUMENTS } from "./generated/trusted-documents";

/**
 * The console's reactions to what the gateway answers. The gateway is played by a fetch that
 * answers as it does (the browser suite runs the console against the real one).
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const token = (claims: Record<string, unknown>) =>
  `${b64({ alg: "ES256" })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.c2ln`;

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
let graphqlAnswers: Answer[];
let sent: { url: string; headers: Record<string, string>; body: Record<string, unknown> }[];

beforeEach(() => {
  graphqlAnswers = [];
  sent = [];
  window.history.pushState(null, "", "/console/dashboard");
  global.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const body = JSON.parse(String(init?.body ?? "{}")) as Record<string, unknown>;
    sent.push({ url, headers: Object.fromEntries(new Headers(init?.headers).entries()), body });
    if (url.endsWith("/console/dev-token"))
      return Response.json({ token: token({ sub: body.user, agency: body.agency, role: body.role }) });
    // The agencies' names for the page's header: always there.
    if (body.operationName === "ConsoleAgencies")
      return Response.json({ data: { agencies: [{ id: "police", name: "City Police" }] } });
    if (body.operationName === "ConsoleNeighbourhoods")
      return Response.json({ data: { neighbourhoodList: PLACES } });
    const answer = graphqlAnswers.shift() ?? { status: 500, body: {} };
    return Response.json(answer.body, { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
});

async function signInAsAnalyst() {
  fireEvent.click(screen.getByLabelText("Analyst"));
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
  });
  await screen.findByTestId("signed-in-as");
  // The agency by its name from the graph's registry.
  await screen.findByText("City Police");
}

const PLACES = [
  { code: "E01032739", name: "City of London 001F", localAuthority: "City of London" },
  { code: "E01032740", name: "City of London 001G", localAuthority: "City of London" },
  { code: "E01000005", name: "City of London 001E", localAuthority: "City of London" },
];

const DASHBOARD = {
  neighbourhoods: [
    {
      code: "E01032739",
      name: "City of London 001F",
      localAuthority: "City of London",
      incidentStats: [{ month: "2019-01", category: "DRUGS", count: 7, suppressed: false }],
      asbCaseStats: [],
      tenancyActionStats: [],
      referralStats: null,
    },
  ],
};

test("a refused token (401) asks to sign in again and comes back to the same page", async () => {
  render(<App />);
  await signInAsAnalyst();
  expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Neighbourhood dashboard");
  graphqlAnswers.push({
    status: 401,
    body: { errors: [{ message: "expired", extensions: { code: "UNAUTHENTICATED" } }] },
  });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Show the dashboard" }));
  });
  await screen.findByText("Please sign in again");
  expect(window.location.pathname).toBe("/console/dashboard");
  await signInAsAnalyst();
  expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Neighbourhood dashboard");
});

test("every request goes by its trusted id with the token and the purpose on screen", async () => {
  render(<App />);
  await signInAsAnalyst();
  expect(screen.getByTestId("current-purpose").textContent).toContain("Statistics");
  graphqlAnswers.push({ status: 200, body: { data: DASHBOARD } });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Show the dashboard" }));
  });
  await screen.findByText("Download the numbers as CSV");
  const request = sent.find((s) => s.body.operationName === "NeighbourhoodDashboard")!;
  expect(request.headers["x-purpose"]).toBe("STATISTICS");
  expect(request.headers.authorization).toMatch(/^Bearer .+\..+\..+$/);
  expect(request.body.query).toBeUndefined();
  expect(request.body.extensions).toEqual({
    persistedQuery: { version: 1, sha256Hash: TRUSTED_DOCUMENTS.NeighbourhoodDashboard.id },
  });
});

test("a gateway that does not know the id yet is sent the trusted text once, whose hash is the id", async () => {
  render(<App />);
  await signInAsAnalyst();
  graphqlAnswers.push(
    {
      status: 200,
      body: {
        errors: [{ message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }],
      },
    },
    { status: 200, body: { data: DASHBOARD } },
  );
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Show the dashboard" }));
  });
  await screen.findByText("Download the numbers as CSV");
  const [first, second] = sent.filter((s) => s.body.operationName === "NeighbourhoodDashboard");
  expect(first.body.query).toBeUndefined();
  expect(second.body.query).toBe(TRUSTED_DOCUMENTS.NeighbourhoodDashboard.body);
});

test("a partly failed dashboard shows what it could and names what is missing", async () => {
  render(<App />);
  await signInAsAnalyst();
  graphqlAnswers.push({
    status: 200,
    body: {
      data: DASHBOARD,
      errors: [
        {
          message: "youth unavailable",
          path: ["neighbourhoods", 0, "referralStats"],
          extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "youth" },
        },
      ],
    },
  });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Show the dashboard" }));
  });
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Part of this page could not be shown");
  expect(alert.textContent).toContain("The youth service is not answering");
  expect(alert.textContent).toContain("missing: referrals by programme kind for City of London 001F");
  // What did come is shown.
  expect(screen.getByTestId("table-E01032739-incidentStats").textContent).toContain("7");
});

test("429 says when to retry", async () => {
  render(<App />);
  await signInAsAnalyst();
  graphqlAnswers.push({
    status: 429,
    headers: { "retry-after": "20" },
    body: {
      errors: [{ message: "rate limit", extensions: { code: "RATE_LIMITED", retryAfterSeconds: 20 } }],
    },
  });
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Show the dashboard" }));
  });
  await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("Try again in 20 seconds."));
});

test("the dashboard form names each mistake next to its field and asks nothing of the graph", async () => {
  render(<App />);
  await signInAsAnalyst();
  // The two suggested neighbourhoods come ticked; untick both.
  fireEvent.click(await screen.findByLabelText(/City of London 001F/));
  fireEvent.click(screen.getByLabelText(/City of London 001G/));
  fireEvent.change(screen.getByLabelText("First month"), { target: { value: "2019-07" } });
  fireEvent.change(screen.getByLabelText("Last month"), { target: { value: "2019-02" } });
  fireEvent.click(screen.getByRole("button", { name: "Show the dashboard" }));
  expect(screen.getByText(/Choose at least one neighbourhood/)).toBeTruthy();
  expect(screen.getByText(/The last month must be after the first/)).toBeTruthy();
  expect(sent.filter((s) => s.body.operationName === "NeighbourhoodDashboard")).toEqual([]);
});

test("the neighbourhood search finds by name, code or local authority and keeps the ticked ones", async () => {
  render(<App />);
  await signInAsAnalyst();
  await screen.findByLabelText(/City of London 001E/);
  fireEvent.change(screen.getByLabelText(/Find a neighbourhood/), { target: { value: "e01000005" } });
  const boxes = screen.getAllByRole("checkbox").map((b) => (b as HTMLInputElement).value);
  expect(boxes).toEqual(["E01032739", "E01032740", "E01000005"]);
  fireEvent.change(screen.getByLabelText(/Find a neighbourhood/), { target: { value: "nowhere" } });
  expect(screen.getAllByRole("checkbox").map((b) => (b as HTMLInputElement).value)).toEqual([
    "E01032739",
    "E01032740",
  ]);
  expect(screen.getByText(/No other neighbourhood matches/)).toBeTruthy();
});

test("the purpose is on screen, one click changes it, and every request goes under the one shown", async () => {
  render(<App />);
  fireEvent.click(screen.getByLabelText("Practitioner"));
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
  });
  await screen.findByText("City Police");
  expect(screen.getByTestId("current-purpose").textContent).toContain("Crime prevention");
  // Practitioners never see STATISTICS offered; analysts see nothing else.
  expect(screen.queryByRole("button", { name: /Statistics/ })).toBeNull();
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Switch to Safeguarding" }));
  });
  expect(screen.getByTestId("current-purpose").textContent).toContain("Safeguarding");
  await waitFor(() => expect(sent.at(-1)!.headers["x-purpose"]).toBe("SAFEGUARDING"));
  const purposes = sent.filter((s) => s.url.endsWith("/graphql")).map((s) => s.headers["x-purpose"]);
  expect(new Set(purposes)).toEqual(new Set(["CRIME_PREVENTION", "SAFEGUARDING"]));
});

test("an analyst's requests all go under STATISTICS, from the first", async () => {
  render(<App />);
  await signInAsAnalyst();
  const purposes = sent.filter((s) => s.url.endsWith("/graphql")).map((s) => s.headers["x-purpose"]);
  expect(purposes.length).toBeGreaterThan(0);
  expect(new Set(purposes)).toEqual(new Set(["STATISTICS"]));
});
