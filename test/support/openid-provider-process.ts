/**
 * A real OpenID Provider (oidc-provider, a certified implementation) configured from the Keycloak
 * realm in deploy/keycloak/: the console's client as the realm declares it (public, PKCE S256, its
 * redirect URI patterns and web origins) and the realm's users with the claims its protocol mappers
 * put in tokens. Keycloak cannot run on these machines, so the console's production sign-in is
 * tested against this. Its own process: oidc-provider is an ES module, which Jest cannot load.
 *
 * Started by test/support/openid-provider.ts with OPENID_PROVIDER (JSON: OpenIdProviderSettings);
 * prints `listening <issuer>` once it serves.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export interface OpenIdProviderSettings {
  realmFile: string;
  clientId: string;
  /** The password of every realm user (the realm file has `${DEMO_USER_PASSWORD}`). */
  password: string;
  /**
   * Where the console runs: the realm's `http://localhost:4000` is replaced with it. A test may
   * set it (and the token lifetime) later, by a line of JSON on stdin: the gateway's port is
   * known only once it listens, and it needs the provider's address to start.
   */
  consoleOrigin?: string;
  accessTokenTtlSeconds: number;
}

interface Mapper {
  protocolMapper: string;
  config: Record<string, string>;
}
interface RealmClient {
  clientId: string;
  publicClient?: boolean;
  standardFlowEnabled?: boolean;
  redirectUris?: string[];
  webOrigins?: string[];
  attributes?: Record<string, string>;
  protocolMappers?: Mapper[];
}
interface RealmUser {
  username: string;
  enabled?: boolean;
  firstName?: string;
  lastName?: string;
  email?: string;
  attributes?: Record<string, string[]>;
}

const settings = JSON.parse(process.env.OPENID_PROVIDER ?? "{}") as OpenIdProviderSettings;
const realm = JSON.parse(readFileSync(settings.realmFile, "utf8")) as {
  clients: RealmClient[];
  users: RealmUser[];
};
const found = realm.clients.find((c) => c.clientId === settings.clientId);
if (!found) throw new Error(`the realm has no client ${settings.clientId}`);
const client: RealmClient = found;
if (!client.publicClient || !client.standardFlowEnabled)
  throw new Error(`${settings.clientId} must be a public client with the standard (code) flow`);
if (client.attributes?.["pkce.code.challenge.method"] !== "S256")
  throw new Error(`${settings.clientId} must require PKCE with S256`);

const here = (uri: string) =>
  uri.replace("http://localhost:4000", settings.consoleOrigin ?? "http://localhost:4000");
const redirectPatterns = () => (client.redirectUris ?? []).map(here);
const logoutPatterns = () =>
  (client.attributes?.["post.logout.redirect.uris"] ?? "")
    .split("##")
    .filter(Boolean)
    .flatMap((p) => (p === "+" ? redirectPatterns() : [here(p)]));
/** Keycloak's rule: exact, or a trailing `*` matching any rest. */
const matches = (patterns: string[], uri: string) =>
  patterns.some((p) => (p.endsWith("*") ? uri.startsWith(p.slice(0, -1)) : uri === p));
/** Keycloak's web origins: `+` is the origins of the redirect URIs. */
const webOrigins = () =>
  new Set(
    (client.webOrigins ?? []).flatMap((o) =>
      o === "+" ? redirectPatterns().map((p) => new URL(p).origin) : [here(o)],
    ),
  );

/**
 * What the realm's mappers put in the access token and the ID token: user attributes
 * (oidc-usermodel-attribute-mapper), the user's own properties such as username
 * (oidc-usermodel-property-mapper), the audience.
 */
const mappers = client.protocolMappers ?? [];
const MAPPED = ["oidc-usermodel-attribute-mapper", "oidc-usermodel-property-mapper"];
const attributeClaims = (token: "access.token.claim" | "id.token.claim") =>
  mappers
    .filter((m) => MAPPED.includes(m.protocolMapper) && m.config[token] === "true")
    .map((m) => ({
      attribute: m.config["user.attribute"],
      claim: m.config["claim.name"],
      property: m.protocolMapper === "oidc-usermodel-property-mapper",
    }));
const audience = mappers.find((m) => m.protocolMapper === "oidc-audience-mapper")?.config[
  "included.custom.audience"
];
if (!audience)
  throw new Error(`${settings.clientId} has no audience mapper: the gateway would refuse its tokens`);
// A resource indicator must be an absolute URI; the token's audience is the realm's.
const RESOURCE = `urn:${audience}`;

/** Keycloak gives each user an opaque UUID, its `sub`; the username is only in mapped claims. */
const enabled = realm.users.filter((u) => u.enabled !== false);
const subOf = new Map<string, string>(enabled.map((u) => [u.username, randomUUID()]));
const users = new Map<string, RealmUser>(enabled.map((u) => [subOf.get(u.username)!, u]));
const valueOf = (user: RealmUser, attribute: string, property: boolean): string | undefined =>
  property
    ? (user as unknown as Record<string, string | undefined>)[attribute]
    : user.attributes?.[attribute]?.[0];
const claimsOf = (user: RealmUser, token: "access.token.claim" | "id.token.claim") =>
  Object.fromEntries(
    attributeClaims(token)
      .filter(({ attribute, property }) => valueOf(user, attribute, property) !== undefined)
      .map(({ attribute, claim, property }) => [claim, valueOf(user, attribute, property)]),
  );

const htmlEscape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${htmlEscape(title)}</title></head>
<body><main><h1>${htmlEscape(title)}</h1>${body}</main></body></html>`;

const configuration: Configuration = {
  clients: [
    {
      client_id: client.clientId,
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      response_types: ["code"],
      // Checked against the realm's patterns (redirectUriAllowed below); oidc-provider wants one.
      redirect_uris: ["http://localhost:4000/console/"],
      post_logout_redirect_uris: ["http://localhost:4000/console/"],
    },
  ],
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: {
    // Keycloak's mappers add these to the ID token whatever the scope.
    openid: ["sub", ...attributeClaims("id.token.claim").map((c) => c.claim)],
    profile: ["name", "given_name", "family_name", "preferred_username", "email"],
  },
  async findAccount(_ctx, sub) {
    const user = users.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: () => ({
        sub,
        preferred_username: user.username,
        given_name: user.firstName,
        family_name: user.lastName,
        name: [user.firstName, user.lastName].filter(Boolean).join(" "),
        email: user.email,
        ...claimsOf(user, "id.token.claim"),
      }),
    };
  },
  async extraTokenClaims(_ctx, token) {
    if (token.kind !== "AccessToken" || !token.accountId) return undefined;
    const user = users.get(token.accountId);
    return user ? claimsOf(user, "access.token.claim") : undefined;
  },
  // Keycloak puts the mapped claims in the ID token whatever the response type.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        // Sign out without asking, as Keycloak does when the request names its ID token.
        // (form.submit() sends no button's value, so the answer "yes" goes in a hidden field.)
        ctx.body = page(
          "Signing out",
          `${form.replace("</form>", '<input type="hidden" name="logout" value="yes"></form>')}
<button type="submit" form="op.logoutForm">Sign out</button>
<script>document.forms[0].submit()</script>`,
        );
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page("Signed out", "<p>You have signed out.</p>");
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== RESOURCE) throw new Error(`unknown resource ${resource}`);
        return {
          scope: "openid profile",
          audience,
          accessTokenFormat: "jwt",
          accessTokenTTL: settings.accessTokenTtlSeconds,
          jwt: { sign: { alg: "RS256" } },
        };
      },
    },
  },
  ttl: {
    AccessToken: () => settings.accessTokenTtlSeconds,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  clientBasedCORS: (_ctx, origin) => webOrigins().has(origin),
  renderError(ctx, out) {
    ctx.type = "html";
    ctx.body = page(
      "Sign-in error",
      `<p>${htmlEscape(String(out.error))}: ${htmlEscape(String(out.error_description ?? ""))}</p>`,
    );
  },
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function main() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, configuration);
  // Keycloak's wildcard redirect URIs, which oidc-provider (exact match only) does not have.
  const Client = provider.Client.prototype as {
    redirectUriAllowed(uri: string): boolean;
    postLogoutRedirectUriAllowed(uri: string): boolean;
  };
  Client.redirectUriAllowed = (uri) => matches(redirectPatterns(), uri);
  Client.postLogoutRedirectUriAllowed = (uri) => matches(logoutPatterns(), uri);
  const callback = provider.callback();

  /** The login page (Keycloak's, in spirit): username and password, checked against the realm. */
  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    const uid = details.uid;
    const form = (error?: string) =>
      page(
        "Sign in to the partnership",
        `${error ? `<p role="alert">${htmlEscape(error)}</p>` : ""}
<form method="post" action="/interaction/${uid}">
<label for="username">Username</label> <input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
      );
    if (details.prompt.name === "consent") {
      // A first-party client: Keycloak asks no consent (consentRequired false), so grant what it asked.
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? undefined)
        : new provider.Grant({ accountId: details.session!.accountId, clientId: client.clientId });
      if (!grant) throw new Error("the grant has gone");
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(" "));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(form());
      return;
    }
    const body = await readForm(req);
    const username = body.get("username") ?? "";
    const accountId = subOf.get(username);
    if (!accountId || body.get("password") !== settings.password) {
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(form("Invalid username or password."));
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((error: Error) => {
        res
          .writeHead(400, { "content-type": "text/html; charset=utf-8" })
          .end(page("Sign-in error", htmlEscape(error.message)));
      });
      return;
    }
    void callback(req, res);
  });
  // oidc-provider reports what a deployment should configure; the test needs none of it.
  provider.on("server_error", (_ctx: KoaContextWithOIDC, error: Error) =>
    process.stderr.write(`${error.stack}\n`),
  );
  // Settings changed by the test: one JSON object a line, acknowledged once in force.
  let pending = "";
  process.stdin.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    let end;
    while ((end = pending.indexOf("\n")) >= 0) {
      Object.assign(settings, JSON.parse(pending.slice(0, end)) as Partial<OpenIdProviderSettings>);
      pending = pending.slice(end + 1);
      process.stdout.write("settings\n");
    }
  });
  process.stdout.write(`listening ${issuer}\n`);
  process.once("SIGTERM", () => server.close(() => process.exit(0)));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
