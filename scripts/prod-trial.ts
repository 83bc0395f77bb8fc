import "reflect-metadata";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { SUGGESTED_PURPOSE, TOKEN_COMMAND } from "../gateway/graphiql";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../gateway/trusted-documents";
import { loadDevKeys } from "../subgraphs/shared/auth";
import { roleSecret } from "../subgraphs/shared/database-roles";
import { keptServiceKeyPair } from "../subgraphs/shared/service-key";
import { commandLine } from "./lib/command-line";
import { prepareDemoDatabases } from "./lib/demo";
import type { EmbeddedServer } from "./lib/embedded-postgres";
import { databaseServerFor } from "./lib/stores";

const ROOT = join(__dirname, "..");
const USAGE = `usage: npm run start:prod:trial [-- --from-source]

A TRIAL of production on this machine, never a deployment: the production server (npm run start:prod,
NODE_ENV=production) against stand-ins made here for what a deployment brings:
  - PostgreSQL: an embedded server in .data/prod-trial/postgres on 127.0.0.1:54330 (or DATABASE_URL),
    migrated, each service logging in as its own role, with the demo partnership on first run;
  - identity provider: your development key pair (.dev-keys) served as a JWKS on 127.0.0.1, so
    tokens from \`npm run token\` verify as your provider's would;
  - secrets: DATABASE_ROLE_SECRET, ASSESSMENT_SECRET and the case review count service's key pair
    (CASE_REVIEW_SERVICE_PRIVATE_JWK, _PUBLIC_JWK) generated into .data/prod-trial/.
It needs \`npm run build\` first (it runs dist/scripts/serve.js), and refuses under NODE_ENV=production
or with JWKS_URL set: a deployment runs npm run start:prod with its own configuration.

  --from-source  run the same server from the TypeScript sources (scripts/serve.ts), without a build
  --help         this text`;

const say = (message: string) => process.stdout.write(`${message}\n`);

/** A secret kept in the trial's folder, made on first use, so that restarts agree with the first run. */
function trialSecret(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

/** The development key pair's public half as a JWKS over HTTP, as an identity provider serves it. */
async function serveJwks(devKeysDir: string): Promise<{ url: string; server: Server }> {
  const body = JSON.stringify((await loadDevKeys(devKeysDir)).jwks);
  const server = createServer((req, res) => {
    if (req.url !== "/.well-known/jwks.json") res.writeHead(404).end();
    else res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`, server };
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the production server exited (${child.exitCode})`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function main(): Promise<void> {
  const { values } = commandLine(USAGE, { options: { "from-source": { type: "boolean", default: false } } });
  // A trial is never what production runs: a deployment has its own database, provider and secrets.
  if (process.env.NODE_ENV === "production" || process.env.JWKS_URL) {
    process.stderr.write(
      "start:prod:trial is a trial on one machine with stand-in keys and secrets, and refuses under " +
        "NODE_ENV=production or with JWKS_URL set: run npm run start:prod with your own configuration.\n",
    );
    process.exit(2);
  }
  const entry = values["from-source"]
    ? ["-r", "@swc-node/register", join(ROOT, "scripts", "serve.ts")]
    : [join(ROOT, "dist", "scripts", "serve.js")];
  if (!values["from-source"] && !existsSync(entry[0])) {
    process.stderr.write(`${entry[0]} is missing: run npm run build first (or add -- --from-source).\n`);
    process.exit(1);
  }

  const trialDir = resolve(process.env.PROD_TRIAL_DIR ?? ".data/prod-trial");
  mkdirSync(trialDir, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    EMBEDDED_PG_DIR: process.env.EMBEDDED_PG_DIR ?? join(trialDir, "postgres"),
    EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT ?? "54330",
    DATABASE_ROLE_SECRET_FILE: join(trialDir, "database-role-secret"),
  };
  let embedded: EmbeddedServer | undefined;
  let jwks: Server | undefined;
  let child: ChildProcess | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("\nStopping the trial…");
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child!.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
    await new Promise((done) => (jwks ? jwks.close(done) : done(undefined)));
    await embedded?.stop().catch(() => undefined);
    say("Stopped.");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    say("PRODUCTION TRIAL: stand-in database, keys and secrets on this machine; not a deployment.");
    const server = await databaseServerFor(env, say, { demo: true, ownSignals: true });
    embedded = server.embedded;
    const { config } = server;
    // The privileged step, as `npm run migrate` does it, then the demo data (first run only).
    await prepareDemoDatabases(config, say);
    const served = await serveJwks(config.DEV_KEYS_DIR);
    jwks = served.server;

    // From source there is no build, so no manifest of trusted documents: made here, as the build makes it.
    let manifest = process.env.TRUSTED_DOCUMENTS_MANIFEST;
    if (values["from-source"] && !manifest) {
      manifest = join(trialDir, "trusted-documents.json");
      writeFileSync(
        manifest,
        `${JSON.stringify(buildManifest(TRUSTED_DOCUMENT_DIRS.map((dir) => join(ROOT, dir))), null, 2)}\n`,
      );
    }
    // The one process serves partnership and the owners: both halves, as a deployment splits them.
    const caseReview = keptServiceKeyPair(join(trialDir, "case-review-service-key.json"));
    // What a deployment would set, pointing at the stand-ins; the rest of the environment passes through.
    const production: Record<string, string | undefined> = {
      NODE_ENV: "production",
      DATABASE_URL: config.DATABASE_URL,
      DATABASE_PREFIX: config.DATABASE_PREFIX,
      DATABASE_ROLE_SECRET: roleSecret(config),
      ASSESSMENT_SECRET: trialSecret(join(trialDir, "assessment-secret")),
      CASE_REVIEW_SERVICE_PRIVATE_JWK: JSON.stringify(caseReview.privateJwk),
      CASE_REVIEW_SERVICE_PUBLIC_JWK: JSON.stringify(caseReview.publicJwk),
      JWKS_URL: served.url,
      TRUSTED_DOCUMENTS_MANIFEST: manifest,
    };
    child = spawn(process.execPath, entry, {
      cwd: ROOT,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(production).filter(([, v]) => v !== undefined)),
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.once("exit", (code) => {
      if (!stopping) {
        process.stderr.write(`The production server exited (${code}); stopping the trial.\n`);
        void shutdown(code || 1);
      }
    });
    const gateway = `http://localhost:${config.port("gateway")}`;
    await waitUntilReady(`${gateway}/ready`, child);
    say(`
partnership-graph PRODUCTION TRIAL is up (NODE_ENV=production; never a deployment).
  Gateway:   ${gateway}/graphql  (production: no GraphiQL, no introspection)
  Token:     ${TOKEN_COMMAND}
  Then send  Authorization: Bearer <token>  and  x-purpose: ${SUGGESTED_PURPOSE}
  Documents: only those in ${manifest ?? "dist/trusted-documents.json"}, sent by id (TRUSTED_DOCUMENTS=allow to send text)
  Database:  ${embedded ? `embedded PostgreSQL on 127.0.0.1:${embedded.port} (${env.EMBEDDED_PG_DIR})` : "the server in DATABASE_URL"}
  Keys:      .dev-keys served as JWKS at ${served.url}; secrets in ${trialDir}
Ctrl-C stops everything${embedded ? ", the embedded PostgreSQL included" : ""}.`);
  } catch (error) {
    process.stderr.write(`start:prod:trial failed: ${(error as Error).message}\n`);
    await shutdown(1);
  }
}

void main();
