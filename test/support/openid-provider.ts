import { spawn } from "node:child_process";
import { join } from "node:path";
import type { OpenIdProviderSettings } from "./openid-provider-process";

const ROOT = join(__dirname, "..", "..");

/**
 * A real OpenID Provider (oidc-provider) in its own process, configured from the Keycloak realm:
 * see openid-provider-process.ts.
 */
export interface TestOpenIdProvider {
  issuer: string;
  jwksUrl: string;
  /** Changes settings from now on: where the console runs, how long access tokens live. */
  configure(
    changes: Partial<Pick<OpenIdProviderSettings, "consoleOrigin" | "accessTokenTtlSeconds">>,
  ): Promise<void>;
  /** Everything it wrote to stderr (oidc-provider's warnings and any server error). */
  log(): string;
  stop(): Promise<void>;
}

export async function startOpenIdProvider(
  options: Partial<OpenIdProviderSettings> = {},
): Promise<TestOpenIdProvider> {
  const settings: OpenIdProviderSettings = {
    realmFile: join(ROOT, "deploy", "keycloak", "partnership-realm.json"),
    clientId: "partnership-console",
    password: "test-only-demo",
    accessTokenTtlSeconds: 300,
    ...options,
  };
  const child = spawn(
    process.execPath,
    ["-r", "@swc-node/register", join(__dirname, "openid-provider-process.ts")],
    {
      cwd: ROOT,
      env: { ...process.env, OPENID_PROVIDER: JSON.stringify(settings) },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stderr = "";
  let stdout = "";
  const waiters: { pattern: RegExp; resolve(line: string): void }[] = [];
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    let end;
    while ((end = stdout.indexOf("\n")) >= 0) {
      const line = stdout.slice(0, end);
      stdout = stdout.slice(end + 1);
      const index = waiters.findIndex((w) => w.pattern.test(line));
      if (index >= 0) waiters.splice(index, 1)[0].resolve(line);
    }
  });
  const next = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the OpenID Provider did not answer:\n${stderr}`)),
        60_000,
      );
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the OpenID Provider exited (${code}):\n${stderr}`));
      });
    });
  const issuer = (await next(/^listening \S+$/)).slice("listening ".length);
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    async configure(changes) {
      const acknowledged = next(/^settings$/);
      child.stdin.write(`${JSON.stringify(changes)}\n`);
      await acknowledged;
    },
    log: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
