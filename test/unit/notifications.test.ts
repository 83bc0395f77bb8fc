import { ConfigError, loadConfig } from "../../subgraphs/shared/config";
import {
  backoffMs,
  noticeKey,
  NotificationKind,
  NotificationSubjectKind,
  signWebhook,
  verifyWebhook,
} from "../../subgraphs/shared/notifications";

const SECRET = "s".repeat(32);

describe("webhook configuration", () => {
  test("WEBHOOK_URL_<AGENCY> names the agency's webhook; the signing secret comes with it", () => {
    const config = loadConfig({
      WEBHOOK_URL_POLICE: "https://hooks.police.example/partnership",
      WEBHOOK_URL_CITY_COUNCIL: "http://127.0.0.1:9000/hook",
      NOTIFICATION_WEBHOOK_SECRET: SECRET,
    });
    expect([...config.webhookUrls]).toEqual([
      ["police", "https://hooks.police.example/partnership"],
      ["city_council", "http://127.0.0.1:9000/hook"],
    ]);
    expect(loadConfig({}).webhookUrls.size).toBe(0);
  });

  test("a malformed webhook URL and a missing secret are reported together, by name", () => {
    let message = "";
    try {
      loadConfig({
        WEBHOOK_URL_POLICE: "not a url",
        WEBHOOK_URL_YOUTH: "ftp://x.example/",
        WEBHOOK_URL_HOUSING: "https://hooks.housing.example/",
        NODE_ENV: "test",
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^ {2}WEBHOOK_URL_POLICE: .*police/m);
    expect(message).toMatch(/^ {2}WEBHOOK_URL_YOUTH: /m);
    expect(message).toMatch(/^ {2}NOTIFICATION_WEBHOOK_SECRET: required when a webhook is set/m);
  });

  test("a secret shorter than 32 characters is refused", () => {
    expect(() =>
      loadConfig({ WEBHOOK_URL_POLICE: "https://h.example/", NOTIFICATION_WEBHOOK_SECRET: "short" }),
    ).toThrow(/NOTIFICATION_WEBHOOK_SECRET: at least 32 characters/);
  });
});

describe("webhook signature", () => {
  const body = JSON.stringify({ id: "7", kind: "ACTION_ASSIGNED" });
  test("verifies for the same secret, timestamp and body only", () => {
    const signature = signWebhook(SECRET, "1700000000", body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, "1700000000", body, signature)).toBe(true);
    expect(verifyWebhook(SECRET, "1700000001", body, signature)).toBe(false);
    expect(verifyWebhook(SECRET, "1700000000", body.replace("7", "8"), signature)).toBe(false);
    expect(verifyWebhook("t".repeat(32), "1700000000", body, signature)).toBe(false);
    expect(verifyWebhook(SECRET, "1700000000", body, "sha256=00")).toBe(false);
  });
});

test("backoff doubles from the base and stops at an hour", () => {
  expect([1, 2, 3, 4].map((n) => backoffMs(n, 5000))).toEqual([5000, 10000, 20000, 40000]);
  expect(backoffMs(40, 5000)).toBe(3_600_000);
});

test("a notice's key is its kind, subject, recipient and period: the same notice again has the same key", () => {
  const notice = {
    kind: NotificationKind.ACTION_OVERDUE,
    title: "A case action is overdue",
    subjectKind: NotificationSubjectKind.CASE_ACTION,
    subjectId: "act-1",
    toAgencyId: "police",
    period: "2026-12-01",
  };
  expect(noticeKey({ ...notice, title: "reworded" })).toBe(noticeKey(notice));
  expect(noticeKey({ ...notice, period: "2026-12-08" })).not.toBe(noticeKey(notice));
  expect(noticeKey({ ...notice, toAgencyId: "council" })).not.toBe(noticeKey(notice));
});
