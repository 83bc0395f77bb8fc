import { useMemo } from "react";
import { Provider } from "urql";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { SignIn } from "./auth/SignIn";
import { createConsoleClient } from "./client/client";
import { Layout } from "./layout/Layout";
import { PurposeProvider, usePurpose } from "./purpose/PurposeContext";
import { usePath } from "./router";
import { Home } from "./screens/Home";
import { SCREENS } from "./screens/registry";

function Screens() {
  const path = usePath();
  const { session, expire } = useAuth();
  const { purpose } = usePurpose();
  // A new client (no shared cache) whenever who or why changes: nothing leaks across purposes.
  const client = useMemo(
    () => (session ? createConsoleClient({ token: session.token, purpose, onUnauthorized: expire }) : null),
    [session, purpose, expire],
  );
  const screen = SCREENS.find((s) => s.path === path);
  let content;
  // Signed out (or expired): sign in here, and the page asked for shows once signed in.
  if (!session || !client) content = <SignIn />;
  else if (path === "/") content = <Home />;
  else if (!screen) content = <h1 className="govuk-heading-l">Page not found</h1>;
  else if (!screen.roles.includes(session.caller.role))
    content = (
      <>
        <h1 className="govuk-heading-l">{screen.title}</h1>
        <p className="govuk-body">This screen is not for your role.</p>
      </>
    );
  else {
    const Component = screen.component;
    content = <Component />;
  }
  const page = <Layout path={path}>{content}</Layout>;
  return client ? <Provider value={client}>{page}</Provider> : page;
}

export function App() {
  return (
    <AuthProvider>
      <PurposeProvider>
        <Screens />
      </PurposeProvider>
    </AuthProvider>
  );
}
