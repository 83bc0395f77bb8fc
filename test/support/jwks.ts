import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type KeyLike } from "jose";

/**
 * A stand-in identity provider: a key pair made for the test and its public half served as a
 * JWKS over real HTTP, as production verification (JWKS_URL) fetches it.
 */
export interface TestIdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Signs a token with the provider's key; claims and options override the defaults. */
  sign(
    claims?: JWTPayload,
    options?: { issuer?: string; audience?: string; expiresIn?: string | number },
  ): Promise<string>;
  /** Requests served so far (how often the verifier fetched the JWKS). */
  requests(): number;
  stop(): Promise<void>;
}

export async function startIdentityProvider(
  options: { issuer?: string; audience?: string; alg?: "ES256" | "RS256" } = {},
): Promise<TestIdentityProvider> {
  const alg = options.alg ?? "RS256";
  const issuer = options.issuer ?? "https://idp.test.example";
  const audience = options.audience ?? "partnership-graph-test";
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `test-${alg.toLowerCase()}`;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: "sig" }] });
  let served = 0;
  const server: Server = createServer((req, res) => {
    served += 1;
    if (req.url !== "/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const key: KeyLike = privateKey;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    audience,
    sign: (claims = {}, signOptions = {}) =>
      new SignJWT({ agency: "police", role: "PRACTITIONER", ...claims })
        .setProtectedHeader({ alg, kid })
        .setSubject(typeof claims.sub === "string" ? claims.sub : "idp.user")
        .setIssuer(signOptions.issuer ?? issuer)
        .setAudience(signOptions.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(signOptions.expiresIn ?? "5m")
        .sign(key),
    requests: () => served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The environment that makes the federation verify tokens from this provider. */
export function identityEnv(idp: TestIdentityProvider): Record<string, string> {
  return { JWKS_URL: idp.jwksUrl, JWT_ISSUER: idp.issuer, JWT_AUDIENCE: idp.audience };
}
