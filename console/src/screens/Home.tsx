import { useAuth } from "../auth/AuthContext";
import { ROLE_NAMES } from "../auth/session";
import { Link } from "../router";
import { screensFor } from "./registry";

export function Home() {
  const { session } = useAuth();
  if (!session) return null;
  const screens = screensFor(session.caller.role);
  return (
    <>
      <h1 className="govuk-heading-l">What do you want to do?</h1>
      <p className="govuk-body">
        As a {ROLE_NAMES[session.caller.role].toLowerCase()} at {session.caller.agency} you can:
      </p>
      {screens.length ? (
        <ul className="govuk-list govuk-list--bullet">
          {screens.map((s) => (
            <li key={s.path}>
              <Link className="govuk-link" to={s.path}>
                {s.title}
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="govuk-body">There are no screens for your role yet.</p>
      )}
    </>
  );
}
