import { useAuth } from "./AuthContext";
import { DevSignIn } from "./DevSignIn";
import { OidcSignIn, useSignInMethod } from "./SignInMethod";

/**
 * The sign-in page, as the gateway says (GET /console/sign-in): the organisation's identity
 * provider (OpenID Connect, code flow with PKCE: OidcSignIn) or, outside production only, the
 * development sign-in (DevSignIn: a token from the gateway).
 */
export function SignIn() {
  const { signedOutReason } = useAuth();
  const { settings, completing, error } = useSignInMethod();
  return (
    <>
      <h1 className="govuk-heading-l">Sign in</h1>
      {signedOutReason === "expired" ? (
        <div className="govuk-notification-banner" role="region" aria-labelledby="expired-title">
          <div className="govuk-notification-banner__header">
            <h2 className="govuk-notification-banner__title" id="expired-title">
              Please sign in again
            </h2>
          </div>
          <div className="govuk-notification-banner__content">
            <p className="govuk-notification-banner__heading">
              Your sign-in expired or was not accepted. Sign in again to come back to this page.
            </p>
          </div>
        </div>
      ) : null}
      {signedOutReason === "signed-out" ? <p className="govuk-body">You have signed out.</p> : null}
      {settings?.method === "oidc" ? (
        completing ? (
          <p className="govuk-body">Signing you in…</p>
        ) : (
          <OidcSignIn oidc={settings} automatic={signedOutReason === "none"} />
        )
      ) : null}
      {settings?.method === "dev" ? (
        <>
          <p className="govuk-body">Development sign-in: choose who you are in the demo partnership.</p>
          <DevSignIn />
        </>
      ) : null}
      {settings?.method === "none" ? (
        <p className="govuk-body">
          Signing in is not set up on this server ({settings.reason}). Ask whoever runs it.
        </p>
      ) : null}
      {!settings && error ? <p className="govuk-body">{error}</p> : null}
    </>
  );
}
