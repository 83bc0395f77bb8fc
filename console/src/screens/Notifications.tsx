import { useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../auth/AuthContext";
import type { NotificationKind, NotificationSubjectKind, Role } from "../generated/enums";
import {
  ConsoleUnreadNotificationsDocument,
  MarkNotificationsReadDocument,
  NotificationsDocument,
} from "../generated/graphql";
import { describeCombinedError } from "../errors/messages";
import { Problems } from "../errors/Problems";
import { Link } from "../router";
import { ChoiceField, Done } from "./common/forms";
import { when } from "./common/words";

/** Who the graph tells anything: analysts work with statistics only and get no notifications. */
export const NOTIFIED_ROLES: readonly Role[] = ["PRACTITIONER", "DATA_SHARING_OFFICER"];

/** Told when notifications are marked read, so that the header's count follows at once. */
const CHANGED = "console:notifications-read";

export const KIND_NAMES: Record<NotificationKind, string> = {
  BREAK_GLASS_ON_OUR_DATA: "Break-glass on your agency's data",
  AGREEMENT_AWAITING_APPROVAL: "Agreement awaiting approval",
  AGREEMENT_REVIEW_DUE: "Agreement review due",
  CONSENT_EXPIRING: "Consent expiring",
  ACTION_ASSIGNED: "Action assigned",
  ACTION_OVERDUE: "Action overdue",
  CASE_REVIEW_THRESHOLD_MET: "Case review threshold met",
};

/** Where to open what a notification is about, for the reader's role; none where no screen shows it. */
export function subjectLink(
  subject: { kind: NotificationSubjectKind; id: string },
  role: Role,
): { to: string; label: string } | null {
  const id = encodeURIComponent(subject.id);
  const dso = role === "DATA_SHARING_OFFICER";
  switch (subject.kind) {
    case "PROBLEM_CASE":
      return role === "PRACTITIONER" ? { to: `/case?id=${id}`, label: "Open the case" } : null;
    case "CASE_ACTION":
      return role === "PRACTITIONER" ? { to: "/my-actions", label: "Your agency's actions" } : null;
    case "AGREEMENT":
      return dso ? { to: `/agreement?id=${id}`, label: "Open the agreement" } : null;
    case "BREAK_GLASS_EVENT":
      return dso ? { to: "/break-glass", label: "Break-glass review" } : null;
    case "CONSENT":
      return dso ? { to: "/consents", label: "Consents" } : null;
    case "PERSON":
      return { to: `/person?id=${id}`, label: "Open the person" };
  }
}

/** The header's link to the notifications, with how many are unread (counted afresh on every page). */
export function NotificationsLink({ path }: { path: string }) {
  const [result, reload] = useQuery({ query: ConsoleUnreadNotificationsDocument });
  useEffect(() => {
    const again = () => reload({ requestPolicy: "network-only" });
    window.addEventListener(CHANGED, again);
    return () => window.removeEventListener(CHANGED, again);
  }, [reload]);
  const unread = result.data?.notifications.unreadCount;
  return (
    <Link
      to="/notifications"
      className="govuk-link govuk-link--no-visited-state govuk-!-margin-left-2"
      aria-current={path === "/notifications" ? "page" : undefined}
      data-testid="notifications-link"
    >
      Notifications
      {unread ? (
        <>
          {" "}
          <strong className="govuk-tag govuk-tag--red console-count" data-testid="unread-count">
            {unread}
          </strong>
          <span className="govuk-visually-hidden"> unread</span>
        </>
      ) : null}
    </Link>
  );
}

/** What needs the signed-in person's attention: read them, open what they are about, mark them read. */
export function Notifications() {
  const { session } = useAuth();
  const [which, setWhich] = useState<string[]>(["unread"]);
  const unreadOnly = which[0] === "unread";
  const [result, reload] = useQuery({ query: NotificationsDocument, variables: { unreadOnly, first: 50 } });
  const [marked, mark] = useMutation(MarkNotificationsReadDocument);
  const [done, setDone] = useState<string | null>(null);
  const list = result.data?.notifications;
  const problems = [
    ...(result.error ? describeCombinedError(result.error) : []),
    ...(marked.error ? describeCombinedError(marked.error).map((p) => ({ ...p, path: undefined })) : []),
  ];
  const markRead = async (ids: string[]) => {
    const r = await mark({ ids });
    if (r.error) return;
    setDone(ids.length === 1 ? "Marked read." : `${ids.length} marked read.`);
    window.dispatchEvent(new Event(CHANGED));
    reload({ requestPolicy: "network-only" });
  };
  const unreadShown = list?.edges.filter((e) => !e.node.read).map((e) => e.node.id) ?? [];
  return (
    <>
      <h1 className="govuk-heading-l">Notifications</h1>
      {done ? <Done>{done}</Done> : null}
      <Problems problems={problems} />
      <ChoiceField
        id="notifications-which"
        label="Show"
        multiple={false}
        options={[
          { value: "unread", label: "Unread only" },
          { value: "all", label: "Read and unread" },
        ]}
        selected={which}
        onChange={setWhich}
      />
      {list ? (
        <>
          <p className="govuk-body" role="status" data-testid="notifications-summary">
            {list.unreadCount} unread.
            {list.totalCount > list.edges.length ? ` The newest ${list.edges.length} shown.` : ""}
          </p>
          {unreadShown.length > 1 ? (
            <button
              type="button"
              className="govuk-button govuk-button--secondary"
              disabled={marked.fetching}
              onClick={() => void markRead(unreadShown)}
            >
              Mark all shown as read
            </button>
          ) : null}
          {list.edges.length ? (
            <ul className="govuk-list" data-testid="notifications">
              {list.edges.map(({ node }) => {
                const link = session ? subjectLink(node.subject, session.caller.role) : null;
                return (
                  <li
                    key={node.id}
                    className={`console-notification${node.read ? "" : " console-notification--unread"}`}
                    data-notification={node.id}
                    data-kind={node.kind}
                  >
                    <p className="govuk-body-s govuk-!-margin-bottom-1">
                      <strong className={`govuk-tag ${node.read ? "govuk-tag--grey" : "govuk-tag--blue"}`}>
                        {node.read ? "Read" : "Unread"}
                      </strong>{" "}
                      {KIND_NAMES[node.kind]}, {when(node.at)}
                    </p>
                    <p className="govuk-body govuk-!-margin-bottom-1">{node.title}</p>
                    <div className="govuk-button-group govuk-!-margin-bottom-0">
                      {link ? (
                        <Link className="govuk-link" to={link.to}>
                          {link.label}
                          <span className="govuk-visually-hidden">: {node.title}</span>
                        </Link>
                      ) : null}
                      {node.read ? null : (
                        <button
                          type="button"
                          className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0"
                          disabled={marked.fetching}
                          onClick={() => void markRead([node.id])}
                        >
                          Mark read<span className="govuk-visually-hidden">: {node.title}</span>
                        </button>
                      )}
                    </div>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="govuk-body">{unreadOnly ? "Nothing unread." : "No notifications."}</p>
          )}
        </>
      ) : result.fetching ? (
        <p className="govuk-body" role="status">
          Loading…
        </p>
      ) : null}
    </>
  );
}
