import type { ReactNode } from "react";
import { useAuth } from "../auth/AuthContext";
import { ROLE_NAMES } from "../auth/session";
import { AgencyName } from "./AgencyName";
import { PurposeBar } from "../purpose/PurposeBar";
import { Link } from "../router";
import { NOTIFIED_ROLES, NotificationsLink } from "../screens/Notifications";
import { screensFor } from "../screens/registry";

/** GOV.UK template: skip link, header, service navigation, purpose, main content, footer. */
export function Layout({ children, path }: { children: ReactNode; path: string }) {
  const { session, signOut } = useAuth();
  const screens = session ? screensFor(session.caller.role) : [];
  return (
    <>
      <a href="#main-content" className="govuk-skip-link">
        Skip to main content
      </a>
      {/* Not a GOV.UK service, so no GOV.UK header: the service navigation names the service. */}
      <header className="govuk-service-navigation" aria-label="Partnership console">
        <div className="govuk-width-container">
          <div className="govuk-service-navigation__container">
            <span className="govuk-service-navigation__service-name">
              <Link to="/" className="govuk-service-navigation__link">
                Partnership console
              </Link>
            </span>
            {session ? (
              <nav aria-label="Menu" className="govuk-service-navigation__wrapper">
                <ul className="govuk-service-navigation__list" id="navigation">
                  {[{ path: "/", title: "Home" }, ...screens].map((s) => (
                    <li
                      key={s.path}
                      className={`govuk-service-navigation__item${path === s.path ? " govuk-service-navigation__item--active" : ""}`}
                    >
                      <Link
                        className="govuk-service-navigation__link"
                        to={s.path}
                        aria-current={path === s.path ? "page" : undefined}
                      >
                        {s.title}
                      </Link>
                    </li>
                  ))}
                </ul>
              </nav>
            ) : null}
          </div>
        </div>
      </header>
      <div className="govuk-width-container">
        {session ? (
          <div className="console-session">
            <p className="govuk-body-s govuk-!-margin-bottom-1" data-testid="signed-in-as">
              Signed in as <strong>{session.caller.user}</strong>, {ROLE_NAMES[session.caller.role]} at{" "}
              <strong>
                <AgencyName id={session.caller.agency} />
              </strong>
              .{" "}
              {NOTIFIED_ROLES.includes(session.caller.role) ? (
                <>
                  <NotificationsLink key={path} path={path} />{" "}
                </>
              ) : null}
              <button
                type="button"
                className="govuk-button govuk-button--warning console-link-button"
                onClick={signOut}
              >
                Sign out
              </button>
            </p>
            <PurposeBar />
          </div>
        ) : null}
        <main className="govuk-main-wrapper" id="main-content" tabIndex={-1}>
          {children}
        </main>
      </div>
      <footer className="govuk-footer">
        <div className="govuk-width-container">
          <p className="govuk-body-s">
            partnership-graph: every disclosure of another agency&apos;s data is recorded. Counts shown to
            analysts are perturbed by disclosure control.
          </p>
        </div>
      </footer>
    </>
  );
}
