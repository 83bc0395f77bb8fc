import { consoleSignIn, identityProviderOrigins } from "../../gateway/console-sign-in";
import { loadConfig } from "../../subgraphs/shared/config";

const PRODUCTION = {
  NODE_ENV: "production",
  JWKS_URL: "https://login.partnership.example/realms/partnership/protocol/openid-connect/certs",
};

describe("how the console signs people in, as the gateway's configuration says", () => {
  test("production: at the issuer whose tokens the services accept (JWT_ISSUER), as the console's client", () => {
    const signIn = consoleSignIn(
      loadConfig({ ...PRODUCTION, JWT_ISSUER: "https://login.partnership.example/realms/partnership" }),
    );
    expect(signIn).toEqual({
      method: "oidc",
      issuer: "https://login.partnership.example/realms/partnership",
      clientId: "partnership-console",
      scope: "openid profile",
      userClaim: "sub",
    });
    expect(identityProviderOrigins(signIn)).toEqual(["https://login.partnership.example"]);
  });

  test("CONSOLE_OIDC_ISSUER and CONSOLE_OIDC_CLIENT_ID win, in production and in development alike", () => {
    for (const NODE_ENV of ["production", "development"])
      expect(
        consoleSignIn(
          loadConfig({
            ...PRODUCTION,
            NODE_ENV,
            JWT_ISSUER: "https://tokens.example",
            CONSOLE_OIDC_ISSUER: "https://sign-in.example/tenant",
            CONSOLE_OIDC_CLIENT_ID: "console-7",
          }),
        ),
      ).toMatchObject({ method: "oidc", issuer: "https://sign-in.example/tenant", clientId: "console-7" });
  });

  test("production with no issuer URL: no sign-in at all, never the development one", () => {
    const signIn = consoleSignIn(loadConfig(PRODUCTION));
    expect(signIn.method).toBe("none");
    expect(identityProviderOrigins(signIn)).toEqual([]);
  });

  test("development with no issuer: the development sign-in, and no origin but our own", () => {
    const signIn = consoleSignIn(loadConfig({ NODE_ENV: "development" }));
    expect(signIn).toEqual({ method: "dev" });
    expect(identityProviderOrigins(signIn)).toEqual([]);
  });

  test("an issuer that is not a URL is refused with the variable named", () => {
    expect(() => loadConfig({ CONSOLE_OIDC_ISSUER: "keycloak" })).toThrow(/CONSOLE_OIDC_ISSUER/);
  });
});
