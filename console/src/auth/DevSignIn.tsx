import { useState, type FormEvent } from "react";
import type { Role } from "../generated/enums";
import { useAuth } from "./AuthContext";
import { DEMO_AGENCIES, DEMO_USERS } from "./demo";
import { devSignIn } from "./dev";
import { ROLE_NAMES, ROLES } from "./session";

/** Development sign-in: an agency, a role and a user from the demo partnership. */
export function DevSignIn() {
  const { signIn } = useAuth();
  const [agency, setAgency] = useState<string>("police");
  const [role, setRole] = useState<Role>("ANALYST");
  const [user, setUser] = useState<string>(DEMO_USERS.police.ANALYST);
  const [userEdited, setUserEdited] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = (nextAgency: string, nextRole: Role) => {
    setAgency(nextAgency);
    setRole(nextRole);
    if (!userEdited) setUser(DEMO_USERS[nextAgency]?.[nextRole] ?? "");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      signIn(await devSignIn({ agency, role, user: user.trim() }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      {error ? (
        <div className="govuk-error-summary" role="alert">
          <h2 className="govuk-error-summary__title">Sign-in failed</h2>
          <div className="govuk-error-summary__body">
            <p className="govuk-body">{error}</p>
          </div>
        </div>
      ) : null}
      <div className="govuk-form-group">
        <label className="govuk-label govuk-label--s" htmlFor="sign-in-agency">
          Agency
        </label>
        <select
          className="govuk-select"
          id="sign-in-agency"
          value={agency}
          onChange={(e) => choose(e.target.value, role)}
        >
          {DEMO_AGENCIES.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </div>
      <div className="govuk-form-group">
        <fieldset className="govuk-fieldset">
          <legend className="govuk-fieldset__legend govuk-fieldset__legend--s">Role</legend>
          <div className="govuk-radios govuk-radios--small" data-module="govuk-radios">
            {ROLES.map((r) => (
              <div className="govuk-radios__item" key={r}>
                <input
                  className="govuk-radios__input"
                  id={`sign-in-role-${r}`}
                  name="role"
                  type="radio"
                  value={r}
                  checked={role === r}
                  onChange={() => choose(agency, r)}
                />
                <label className="govuk-label govuk-radios__label" htmlFor={`sign-in-role-${r}`}>
                  {ROLE_NAMES[r]}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="govuk-form-group">
        <label className="govuk-label govuk-label--s" htmlFor="sign-in-user">
          User
        </label>
        <div className="govuk-hint" id="sign-in-user-hint">
          A demo user is suggested; any user id will do in development.
        </div>
        <input
          className="govuk-input govuk-input--width-20"
          id="sign-in-user"
          aria-describedby="sign-in-user-hint"
          value={user}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            setUser(e.target.value);
            setUserEdited(true);
          }}
        />
      </div>
      <button type="submit" className="govuk-button" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
