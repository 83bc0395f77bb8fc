import { spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Pool, type PoolConfig } from "pg";
import { Sql } from "../../subgraphs/shared/database";
import { governanceAccessDatabaseUrl, serviceDatabaseUrl } from "../../subgraphs/shared/database-roles";
import { demoPeople } from "../../subgraphs/shared/demo/world";
import { CaseRecordKind, Role } from "../../subgraphs/shared/enums";
import {
  IDEMPOTENCY_HEADER,
  notify,
  NotificationKind,
  NotificationSubjectKind,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from "../../subgraphs/shared/notifications";
import { governance } from "../../subgraphs/governance/server";
import { seedGovernance } from "../../subgraphs/governance/seed";
import {
  deliverDueNotifications,
  sweepGovernanceNotices,
  type WebhookBody,
} from "../../subgraphs/governance/services/notifications";
import { partnership } from "../../subgraphs/partnership/server";
import { seedPartnership } from "../../subgraphs/partnership/seed";
import { relayNotifications, sweepCaseNotices } from "../../subgraphs/partnership/notices";
import type { As } from "../support/graphql";
import { testConfig } from "../support/graphql";
import { startPoliceSubgraph } from "../support/police-subgraph";
import { startTestSubgraph, type TestSubgraph } from "../support/subgraph";

/**
 * Notifications: written with the change that causes them (an outbox), each to its readers only,
 * never lost (a process killed after the change commits), never duplicated (relays and sweeps
 * run again), and delivered to an agency's webhook signed, retried with backoff, at least once.
 */

const PEOPLE = demoPeople(42, "small");
const SECRET = "a-test-webhook-secret-of-at-least-32-characters";

// The contract's operations (test/contract/Notifications.graphql).
const NOTIFICATIONS = `query Notifications($unreadOnly: Boolean = true, $first: Int = 50, $after: String) {
  notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount
    unreadCount
    pageInfo { hasNextPage endCursor }
    edges { node { id at kind title read subject { kind id } } }
  }
}`;
const MARK_READ = `mutation MarkNotificationsRead($ids: [ID!]!) { markNotificationsRead(ids: $ids) { id read } }`;
const PROPOSE = `mutation ProposeAgreement($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id reference } }`;

interface Node {
  id: string;
  at: string;
  kind: NotificationKind;
  title: string;
  read: boolean;
  subject: { kind: NotificationSubjectKind; id: string };
}
interface Page {
  notifications: {
    totalCount: number;
    unreadCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: Node }[];
  };
}

const dso = (agency: string, user = `${agency}.dso`): As => ({
  agency,
  role: Role.DATA_SHARING_OFFICER,
  user,
  purpose: "SAFEGUARDING",
});
const practitioner = (agency: string): As => ({ agency, purpose: "ASB_CASE_MANAGEMENT" });

async function inbox(sub: TestSubgraph, as: As, variables: Record<string, unknown> = { unreadOnly: false }) {
  const res = await sub.query<Page>(NOTIFICATIONS, variables, as);
  expect(res.errors).toBeUndefined();
  return res.data!.notifications;
}
const kinds = (page: Page["notifications"]) => page.edges.map((e) => e.node.kind).sort();

/** A local webhook receiver that answers 503 to the first `failFirst` posts of each notification, then 200. */
interface Receiver {
  url: string;
  posts: { headers: IncomingHttpHeaders; body: string; status: number }[];
  close(): Promise<void>;
}
async function startReceiver(failFirst: number): Promise<Receiver> {
  const posts: Receiver["posts"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      const key = req.headers[IDEMPOTENCY_HEADER];
      const status =
        posts.filter((p) => p.headers[IDEMPOTENCY_HEADER] === key).length < failFirst ? 503 : 200;
      posts.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The connection string a test Sql's pool was opened with. */
const urlOf = (sql: Sql) => (sql.pool as unknown as { options: PoolConfig }).options.connectionString!;

describe("governance: notifications to a user's agency, role and self", () => {
  let sub: TestSubgraph;
  beforeAll(async () => {
    sub = await startTestSubgraph(governance, (sql) =>
      seedGovernance(sql, { seed: 42, scale: "small", people: PEOPLE, linkable: { INCIDENT: ["inc-1"] } }),
    );
  });
  afterAll(() => sub.stop());

  test("the demo's break-glass on police data and the draft awaiting police are police DSOs' only", async () => {
    const police = await inbox(sub, dso("police"));
    expect(kinds(police)).toEqual(["AGREEMENT_AWAITING_APPROVAL", "BREAK_GLASS_ON_OUR_DATA"]);
    const breakGlass = police.edges.find((e) => e.node.kind === "BREAK_GLASS_ON_OUR_DATA")!.node;
    expect(breakGlass.subject.kind).toBe("BREAK_GLASS_EVENT");
    // The subject is the break-glass event the DSO reviews (its audit sequence).
    const event = await sub.query<{ breakGlassEvents: { id: string }[] }>(
      `{ breakGlassEvents(reviewed: false) { id } }`,
      {},
      dso("police"),
    );
    expect(event.data!.breakGlassEvents.map((e) => e.id)).toContain(breakGlass.subject.id);
    const awaiting = police.edges.find((e) => e.node.kind === "AGREEMENT_AWAITING_APPROVAL")!.node;
    expect(awaiting.subject).toEqual({ kind: "AGREEMENT", id: "agr-housing-police" });
    // Housing approved that draft already; council's data was not opened; practitioners manage no agreements.
    expect((await inbox(sub, dso("housing"))).totalCount).toBe(0);
    expect((await inbox(sub, dso("council"))).totalCount).toBe(0);
    expect((await inbox(sub, practitioner("police"))).totalCount).toBe(0);
  });

  test("an analyst is refused, and no notification is read without a purpose", async () => {
    const analyst = await sub.query(
      NOTIFICATIONS,
      {},
      { agency: "police", role: Role.ANALYST, purpose: "STATISTICS" },
    );
    expect(analyst.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(analyst.data?.notifications ?? null).toBeNull();
    const noPurpose = await sub.query(
      NOTIFICATIONS,
      {},
      { agency: "police", role: Role.DATA_SHARING_OFFICER },
    );
    expect(noPurpose.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  test("proposing an agreement tells both parties' DSOs in the same transaction; a refused proposal tells no one", async () => {
    const input = {
      title: "Youth programme places for council case work",
      providerAgencyId: "youth",
      recipientAgencyId: "council",
      purposes: ["ASB_CASE_MANAGEMENT"],
      categories: ["YOUTH_PROGRAMME"],
      consentRequiredFor: [],
      lawfulBasis: "Crime and Disorder Act 1998 s.115",
      validFrom: "2026-01-01",
      validTo: "2028-12-31",
      reviewDate: "2027-06-30",
    };
    const before = await sub.adminSql.one<{ n: number }>(`SELECT count(*)::int AS n FROM notifications`);
    const refused = await sub.query(PROPOSE, { input: { ...input, purposes: [] } }, dso("youth"));
    expect(refused.errors?.[0]?.extensions?.argument).toBe("input.purposes");
    expect(await sub.adminSql.one(`SELECT count(*)::int AS n FROM notifications`)).toEqual(before);

    const proposed = await sub.query<{ proposeAgreement: { id: string; reference: string } }>(
      PROPOSE,
      { input },
      dso("youth"),
    );
    expect(proposed.errors).toBeUndefined();
    const { id, reference } = proposed.data!.proposeAgreement;
    for (const agency of ["youth", "council"]) {
      const page = await inbox(sub, dso(agency));
      const node = page.edges.find((e) => e.node.subject.id === id)?.node;
      expect(node).toMatchObject({
        kind: "AGREEMENT_AWAITING_APPROVAL",
        read: false,
        subject: { kind: "AGREEMENT" },
      });
      expect(node!.title).toContain(reference);
    }
  });

  test("markNotificationsRead marks for the caller alone; another's ids and unknown ids are refused alike, marking nothing", async () => {
    const mine = (await inbox(sub, dso("police"))).edges.map((e) => e.node.id);
    const councils = (await inbox(sub, dso("council"))).edges.map((e) => e.node.id);
    expect(councils.length).toBeGreaterThan(0);

    const other = await sub.query(MARK_READ, { ids: [mine[0], councils[0]] }, dso("police"));
    const unknown = await sub.query(MARK_READ, { ids: [mine[0], "999999999"] }, dso("police"));
    const malformed = await sub.query(MARK_READ, { ids: [mine[0], "not-an-id"] }, dso("police"));
    // The same answer whether the id exists (another agency's) or not.
    for (const res of [other, unknown, malformed]) {
      expect(res.data?.markNotificationsRead ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect({ message: res.errors![0].message, code: res.errors![0].extensions?.code }).toEqual({
        message: other.errors![0].message,
        code: "BAD_USER_INPUT",
      });
    }
    // Nothing was marked, not even the caller's own id sent with them.
    expect((await inbox(sub, dso("police"))).unreadCount).toBe(mine.length);
    expect((await inbox(sub, dso("council"))).unreadCount).toBe(councils.length);

    const marked = await sub.query<{ markNotificationsRead: { id: string; read: boolean }[] }>(
      MARK_READ,
      { ids: [mine[0]] },
      dso("police"),
    );
    expect(marked.data!.markNotificationsRead).toEqual([{ id: mine[0], read: true }]);
    const after = await inbox(sub, dso("police"));
    expect(after.unreadCount).toBe(mine.length - 1);
    expect((await inbox(sub, dso("police"), { unreadOnly: true })).edges.map((e) => e.node.id)).not.toContain(
      mine[0],
    );
    // A notice to police's DSOs is read by each of them alone.
    expect((await inbox(sub, dso("police", "police.dso.2"))).unreadCount).toBe(mine.length);
    // Marking it again changes nothing.
    const again = await sub.query(MARK_READ, { ids: [mine[0]] }, dso("police"));
    expect(again.errors).toBeUndefined();
    expect((await inbox(sub, dso("police"))).unreadCount).toBe(mine.length - 1);
  });

  test("a user-addressed notice reaches that user only; pages follow the cursor, newest first", async () => {
    await sub.sql.transaction((tx) =>
      notify(
        tx,
        Array.from({ length: 3 }, (_, i) => ({
          kind: NotificationKind.ACTION_ASSIGNED,
          title: `Action ${i}`,
          subjectKind: NotificationSubjectKind.CASE_ACTION,
          subjectId: `act-page-${i}`,
          toAgencyId: "housing",
          toUserId: "housing.officer.1",
        })),
      ),
    );
    const officer: As = { ...practitioner("housing"), user: "housing.officer.1" };
    expect((await inbox(sub, { ...practitioner("housing"), user: "housing.officer.2" })).totalCount).toBe(0);
    const first = await inbox(sub, officer, { unreadOnly: false, first: 2 });
    expect(first.totalCount).toBe(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges.map((e) => e.node.subject.id)).toEqual(["act-page-2", "act-page-1"]);
    const second = await inbox(sub, officer, {
      unreadOnly: false,
      first: 2,
      after: first.pageInfo.endCursor,
    });
    expect(second.edges.map((e) => e.node.subject.id)).toEqual(["act-page-0"]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  test("the sweep announces reviews due (30 days before, and when passed) and consents expiring (14 days), once", async () => {
    const now = new Date();
    const inDays = (n: number) => new Date(now.getTime() + n * 86_400_000);
    const date = (d: Date) => d.toISOString().slice(0, 10);
    await sub.adminSql.exec(
      `INSERT INTO agreements (id, reference, title, provider_agency_id, recipient_agency_id, status, purposes, categories,
         lawful_basis, valid_from, valid_to, review_date, proposed_by, proposed_at)
       VALUES ('agr-due', 'ISA-T-DUE', 'Due soon', 'police', 'council', 'ACTIVE', '{ASB_CASE_MANAGEMENT}', '{INCIDENT_SUMMARY}',
               'law', '2020-01-01', '2035-01-01', $1, 'police.dso', now()),
              ('agr-passed', 'ISA-T-PASSED', 'Passed', 'police', 'youth', 'ACTIVE', '{ASB_CASE_MANAGEMENT}', '{INCIDENT_SUMMARY}',
               'law', '2020-01-01', '2035-01-01', $2, 'police.dso', now()),
              ('agr-later', 'ISA-T-LATER', 'Later', 'police', 'housing', 'ACTIVE', '{ASB_CASE_MANAGEMENT}', '{INCIDENT_SUMMARY}',
               'law', '2020-01-01', '2035-01-01', $3, 'police.dso', now())`,
      [date(inDays(20)), date(inDays(-3)), date(inDays(60))],
    );
    await sub.adminSql.exec(
      `INSERT INTO consents (id, person_id, recipient_agency_id, provider_agency_id, purposes, categories, given_by, given_at,
         expires_at, evidence_ref, recorded_by_agency_id, recorded_by, recorded_at)
       VALUES ('con-soon', 'per-000001', 'council', 'youth', '{ASB_CASE_MANAGEMENT}', '{EDUCATION}', 'SELF', now(), $1, 'ev', 'youth', 'youth.dso', now()),
              ('con-later', 'per-000001', 'council', 'youth', '{ASB_CASE_MANAGEMENT}', '{EDUCATION}', 'SELF', now(), $2, 'ev', 'youth', 'youth.dso', now())`,
      [inDays(5), inDays(40)],
    );
    // Run as the governance service's own login, twice: the second writes nothing.
    await sweepGovernanceNotices(sub.sql, now);
    const count = () => sub.adminSql.one<{ n: number }>(`SELECT count(*)::int AS n FROM notifications`);
    const once = await count();
    await sweepGovernanceNotices(sub.sql, now);
    expect(await count()).toEqual(once);

    const subjects = async (as: As, kind: string) =>
      (await inbox(sub, as)).edges
        .filter((e) => e.node.kind === kind)
        .map((e) => e.node.subject.id)
        .sort();
    expect(await subjects(dso("council"), "AGREEMENT_REVIEW_DUE")).toEqual(["agr-due"]);
    expect(await subjects(dso("youth"), "AGREEMENT_REVIEW_DUE")).toEqual(["agr-passed"]);
    expect(await subjects(dso("housing"), "AGREEMENT_REVIEW_DUE")).toEqual([]);
    expect(await subjects(dso("police"), "AGREEMENT_REVIEW_DUE")).toEqual(["agr-due", "agr-passed"]);
    const passed = (await inbox(sub, dso("youth"))).edges.find(
      (e) => e.node.subject.id === "agr-passed",
    )!.node;
    expect(passed.title).toContain("passed its review date");
    expect(await subjects(dso("youth"), "CONSENT_EXPIRING")).toEqual(["con-soon"]);
    expect(await subjects(dso("council"), "CONSENT_EXPIRING")).toEqual(["con-soon"]);
    // A review date moved on is a new period: announced again.
    await sub.adminSql.exec(`UPDATE agreements SET review_date = $1 WHERE id = 'agr-due'`, [
      date(inDays(25)),
    ]);
    await sweepGovernanceNotices(sub.sql, now);
    expect((await subjects(dso("council"), "AGREEMENT_REVIEW_DUE")).length).toBe(2);
  });

  test("webhook: signed, retried with backoff while the receiver fails, then delivered once with one idempotency key", async () => {
    const receiver = await startReceiver(2);
    try {
      const settings = { urls: new Map([["police", receiver.url]]), secret: SECRET, backoffBaseMs: 50 };
      const pending = await sub.adminSql.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM notification_deliveries WHERE agency_id = 'police' AND delivered_at IS NULL`,
      );
      expect(pending!.n).toBeGreaterThan(0);
      let delivered = 0;
      for (let i = 0; i < 40 && delivered < pending!.n; i += 1) {
        delivered += await deliverDueNotifications(sub.sql, settings);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      expect(delivered).toBe(pending!.n);
      // Nothing more to send however often the relay runs.
      expect(await deliverDueNotifications(sub.sql, settings)).toBe(0);

      const ok = receiver.posts.filter((p) => p.status === 200);
      const keys = ok.map((p) => p.headers[IDEMPOTENCY_HEADER]);
      expect(new Set(keys).size).toBe(pending!.n);
      expect(keys.length).toBe(pending!.n);
      // The first notice failed twice and went through on the third attempt, with the same key.
      const firstKey = receiver.posts[0].headers[IDEMPOTENCY_HEADER];
      expect(
        receiver.posts.filter((p) => p.headers[IDEMPOTENCY_HEADER] === firstKey).map((p) => p.status),
      ).toEqual([503, 503, 200]);
      for (const post of receiver.posts) {
        const timestamp = String(post.headers[TIMESTAMP_HEADER]);
        expect(verifyWebhook(SECRET, timestamp, post.body, String(post.headers[SIGNATURE_HEADER]))).toBe(
          true,
        );
        // A body changed on the way no longer verifies.
        expect(
          verifyWebhook(
            SECRET,
            timestamp,
            post.body.replace("police", "p0lice"),
            String(post.headers[SIGNATURE_HEADER]),
          ),
        ).toBe(false);
        expect(
          verifyWebhook(
            "another-secret-of-at-least-32-characters!!",
            timestamp,
            post.body,
            String(post.headers[SIGNATURE_HEADER]),
          ),
        ).toBe(false);
        const body = JSON.parse(post.body) as WebhookBody;
        expect(body.id).toBe(post.headers[IDEMPOTENCY_HEADER]);
        expect(body.to.agencyId).toBe("police");
      }
      // Only police's webhook is set: no other agency's notice left governance.
      expect(receiver.posts.every((p) => (JSON.parse(p.body) as WebhookBody).to.agencyId === "police")).toBe(
        true,
      );
      const attempts = await sub.adminSql.one<{ attempts: number; last_error: string | null }>(
        `SELECT attempts, last_error FROM notification_deliveries WHERE notification_id = $1`,
        [firstKey],
      );
      expect(attempts).toEqual({ attempts: 3, last_error: null });
    } finally {
      await receiver.close();
    }
  });
});

describe("break-glass: the owner's DSOs are told with the audit record itself", () => {
  let police: TestSubgraph;
  beforeAll(async () => {
    police = await startPoliceSubgraph(PEOPLE);
  });
  afterAll(() => police.stop());

  test("a council officer's break-glass into police incidents leaves a notice to police DSOs by the time the answer arrives", async () => {
    const before = await police.policySql.many<{ subject_id: string }>(
      `SELECT subject_id FROM notifications WHERE kind = 'BREAK_GLASS_ON_OUR_DATA'`,
    );
    const res = await police.query(
      `{ incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-03", toMonth: "2019-03" }, first: 2) { edges { node { id narrative } } } }`,
      {},
      {
        agency: "council",
        purpose: "SAFEGUARDING",
        breakGlass: "A child reported missing tonight; need recent contacts",
        requestId: "notify-break-glass",
      },
    );
    expect(res.errors).toBeUndefined();
    const events = await police.policySql.many<{ sequence: string }>(
      `SELECT sequence::text FROM audit_log WHERE request_id = 'notify-break-glass' AND break_glass AND kind = 'DISCLOSURE'`,
    );
    expect(events.length).toBeGreaterThan(0);
    const notices = await police.policySql.many<{
      subject_id: string;
      to_agency_id: string;
      to_role: string;
      title: string;
    }>(
      `SELECT subject_id, to_agency_id, to_role, title FROM notifications
        WHERE kind = 'BREAK_GLASS_ON_OUR_DATA' AND subject_id <> ALL($1) ORDER BY id`,
      [before.map((b) => b.subject_id)],
    );
    expect(notices.map((n) => n.subject_id)).toEqual(events.map((e) => e.sequence));
    for (const n of notices) {
      expect(n).toMatchObject({ to_agency_id: "police", to_role: "DATA_SHARING_OFFICER" });
      expect(n.title).toContain("council");
    }
  });

  test("a subgraph other than partnership may not write notices into governance", async () => {
    const config = testConfig({ GOVERNANCE_DATABASE_URL: urlOf(police.policySql) });
    const policeLogin = new Sql(
      new Pool({ connectionString: governanceAccessDatabaseUrl(config, "police"), max: 1 }),
    );
    try {
      await expect(
        notify(policeLogin, {
          kind: NotificationKind.ACTION_ASSIGNED,
          title: "forged",
          subjectKind: NotificationSubjectKind.CASE_ACTION,
          subjectId: "act-forged",
          toAgencyId: "council",
        }),
      ).rejects.toThrow();
    } finally {
      await policeLogin.pool.end();
    }
  });
});

describe("partnership: case work notices through the outbox", () => {
  let sub: TestSubgraph;
  let partnershipLogin: Sql;
  let caseId: string;
  const council: As = { agency: "council", purpose: "ASB_CASE_MANAGEMENT" };
  const ADD = `mutation($caseId: ID!, $input: CaseActionInput!) { addCaseAction(caseId: $caseId, input: $input) { id } }`;

  beforeAll(async () => {
    sub = await startTestSubgraph(
      partnership,
      (sql) =>
        seedPartnership(sql, {
          seed: 7,
          scale: "small",
          people: PEOPLE,
          // per-000102: three reports in six months (the case review threshold); per-000101: one.
          reports: [
            {
              personId: "per-000102",
              agencyId: "police",
              recordKind: CaseRecordKind.INCIDENT,
              recordId: "r1",
              reportedAt: "2019-01-10",
            },
            {
              personId: "per-000102",
              agencyId: "council",
              recordKind: CaseRecordKind.ASB_CASE,
              recordId: "r2",
              reportedAt: "2019-03-05",
            },
            {
              personId: "per-000102",
              agencyId: "housing",
              recordKind: "HOUSING_REPORT",
              recordId: "r3",
              reportedAt: "2019-05-09",
            },
            {
              personId: "per-000101",
              agencyId: "police",
              recordKind: CaseRecordKind.INCIDENT,
              recordId: "r4",
              reportedAt: "2019-01-10",
            },
          ],
        }),
      { policy: (sql) => seedGovernance(sql, { seed: 7, scale: "small", people: PEOPLE }) },
    );
    const config = testConfig({ GOVERNANCE_DATABASE_URL: urlOf(sub.policySql) });
    partnershipLogin = new Sql(
      new Pool({ connectionString: governanceAccessDatabaseUrl(config, "partnership"), max: 2 }),
    );
    const opened = await sub.query<{ openCase: { id: string } }>(
      `mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }`,
      {
        input: {
          title: "Noise and threats on the landing",
          problemType: "Neighbour dispute",
          neighbourhoodCodes: ["E01032739"],
          partnerAgencyIds: ["police", "housing"],
          people: [
            { personId: "per-000101", role: "COMPLAINANT" },
            { personId: "per-000102", role: "VICTIM" },
          ],
        },
      },
      council,
    );
    expect(opened.errors).toBeUndefined();
    caseId = opened.data!.openCase.id;
  });
  afterAll(async () => {
    await partnershipLogin?.pool.end();
    await sub.stop();
  });

  const governanceNotices = (kind: string) =>
    sub.policySql.many<{ subject_id: string; to_agency_id: string; title: string }>(
      `SELECT subject_id, to_agency_id, title FROM notifications WHERE kind = $1 ORDER BY to_agency_id, subject_id`,
      [kind],
    );

  test("addCaseAction writes its notice in its own transaction; a refused one writes none; the relay hands it to governance once", async () => {
    const refused = await sub.query(
      ADD,
      { caseId, input: { assignedAgencyId: "youth", description: "Not a partner", dueOn: "2031-01-01" } },
      council,
    );
    expect(refused.errors?.[0]?.extensions?.argument).toBe("input.assignedAgencyId");
    const added = await sub.query<{ addCaseAction: { id: string } }>(
      ADD,
      {
        caseId,
        input: { assignedAgencyId: "housing", description: "Check the tenancy", dueOn: "2031-01-01" },
      },
      council,
    );
    expect(added.errors).toBeUndefined();
    const actionId = added.data!.addCaseAction.id;
    const outbox = await sub.adminSql.many<{ kind: string; subject_id: string; relayed_at: Date | null }>(
      `SELECT kind, subject_id, relayed_at FROM notification_outbox`,
    );
    expect(outbox).toEqual([{ kind: "ACTION_ASSIGNED", subject_id: actionId, relayed_at: null }]);

    // The partnership service's own logins, as deployed.
    expect(await relayNotifications(sub.sql, partnershipLogin)).toBe(1);
    expect(await relayNotifications(sub.sql, partnershipLogin)).toBe(0);
    expect(await governanceNotices("ACTION_ASSIGNED")).toEqual([
      expect.objectContaining({ subject_id: actionId, to_agency_id: "housing" }),
    ]);
    // A relay that died after governance took the notices but before marking them sends them again: kept once.
    await sub.adminSql.exec(`UPDATE notification_outbox SET relayed_at = NULL`);
    expect(await relayNotifications(sub.sql, partnershipLogin)).toBe(1);
    expect(await governanceNotices("ACTION_ASSIGNED")).toHaveLength(1);
  });

  test("partnership's login may write only case work notices into governance", async () => {
    await expect(
      notify(partnershipLogin, {
        kind: NotificationKind.BREAK_GLASS_ON_OUR_DATA,
        title: "forged",
        subjectKind: NotificationSubjectKind.BREAK_GLASS_EVENT,
        subjectId: "1",
        toAgencyId: "police",
      }),
    ).rejects.toThrow();
  });

  test("the sweep: overdue actions to their assignee and people at the case review threshold to the case's agencies, once", async () => {
    const late = await sub.query<{ addCaseAction: { id: string } }>(
      ADD,
      { caseId, input: { assignedAgencyId: "police", description: "Patrol at dusk", dueOn: "2001-02-03" } },
      council,
    );
    const lateId = late.data!.addCaseAction.id;
    // The count of reports is the owners' to give (countFromOwners asks them as the case review count
    // service: test/integration/case-review.test.ts); the sweep is given one here, the same for every
    // agency: per-000102 has reached the threshold, per-000101 has not.
    const countThreshold = async (_sql: unknown, personIds: readonly string[]) =>
      new Set(personIds.filter((id) => id === "per-000102"));
    await sweepCaseNotices(sub.sql, { countThreshold });
    await sweepCaseNotices(sub.sql, { countThreshold });
    await relayNotifications(sub.sql, partnershipLogin);
    const overdue = (await governanceNotices("ACTION_OVERDUE")).filter((n) => n.subject_id === lateId);
    expect(overdue.map((n) => n.to_agency_id)).toEqual(["police"]);
    // Only undone actions past their date: the one due in 2031 is not overdue.
    expect((await governanceNotices("ACTION_OVERDUE")).some((n) => n.title.includes("2031"))).toBe(false);
    expect(overdue[0].title).toContain("2001-02-03");
    const threshold = await governanceNotices("CASE_REVIEW_THRESHOLD_MET");
    // per-000101 (one report) is on the case too, and below the threshold.
    expect(threshold.filter((n) => n.subject_id === "per-000101")).toEqual([]);
    expect(
      threshold.filter((n) => n.subject_id === "per-000102").map((n) => [n.to_agency_id, n.subject_id]),
    ).toEqual([
      ["council", "per-000102"],
      ["housing", "per-000102"],
      ["police", "per-000102"],
    ]);
  });

  test("a process killed right after its change commits loses nothing: a fresh relay delivers exactly once", async () => {
    const config = testConfig({ PARTNERSHIP_DATABASE_URL: urlOf(sub.adminSql) });
    const child = spawn(
      process.execPath,
      ["-r", "@swc-node/register", join(__dirname, "../support/add-action-then-die.ts")],
      {
        env: {
          ...process.env,
          SERVICE_URL: serviceDatabaseUrl(config, "partnership"),
          CASE_ID: caseId,
          AGENCY: "police",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, s) => resolve(s)),
    );
    expect({ signal, err: signal === "SIGKILL" ? "" : err }).toEqual({ signal: "SIGKILL", err: "" });
    const actionId = out.trim();
    expect(actionId).toMatch(/^act-/);

    // The change and its notice committed together; nothing was relayed or delivered.
    const [row] = await sub.adminSql.many<{ relayed_at: Date | null }>(
      `SELECT relayed_at FROM notification_outbox WHERE subject_id = $1`,
      [actionId],
    );
    expect(row).toEqual({ relayed_at: null });

    // A fresh relay and delivery, as a restarted process runs them, twice over.
    const receiver = await startReceiver(1);
    const governanceService = new Sql(
      new Pool({
        connectionString: serviceDatabaseUrl(
          testConfig({ GOVERNANCE_DATABASE_URL: urlOf(sub.policySql) }),
          "governance",
        ),
        max: 1,
      }),
    );
    try {
      const settings = { urls: new Map([["police", receiver.url]]), secret: SECRET, backoffBaseMs: 10 };
      for (let i = 0; i < 2; i += 1) {
        await relayNotifications(sub.sql, partnershipLogin);
        for (let j = 0; j < 20; j += 1) {
          await deliverDueNotifications(governanceService, settings);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      const delivered = receiver.posts
        .filter((p) => p.status === 200)
        .map((p) => JSON.parse(p.body) as WebhookBody)
        .filter((b) => b.subject.id === actionId);
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({ kind: "ACTION_ASSIGNED", to: { agencyId: "police" } });
      expect(
        (await governanceNotices("ACTION_ASSIGNED")).filter((n) => n.subject_id === actionId),
      ).toHaveLength(1);
    } finally {
      await governanceService.pool.end();
      await receiver.close();
    }
  });
});
