import { useAuth } from "./AuthContext";
import { DevSignIn } from "./DevSignIn";

/**
 * The sign-in page. Development: DevSignIn (a token from the gateway, outside production only).
 * The identity provider's sign-in (OIDC, code flow with PKCE) goes beside it in this module.
 */
export function SignIn() {
  const { signedOutReason } = useAuth();
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
      <p className="govuk-body">Development sign-in: choose who you are in the demo partnership.</p>
      <DevSignIn />
    </>
  );
}
