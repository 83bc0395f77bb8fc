import { Client } from "pg";
import { issueDevToken } from "../subgraphs/shared/auth";
import { loadConfig, withDatabase, type Config } from "../subgraphs/shared/config";
import { DEMO_AGENCIES } from "../subgraphs/shared/demo/world";
import { Role } from "../subgraphs/shared/enums";
import { commandLine } from "./lib/command-line";
import { embeddedUrl, postmasterOf } from "./lib/embedded-postgres";

const USAGE = `usage: npm run --silent token -- --agency <id> --role <PRACTITIONER|ANALYST|DATA_SHARING_OFFICER> --user <id> [--expires 8h]

Prints a development token (and nothing else, so TOKEN=$(npm run --silent token -- ...) works),
signed with the key pair in DEV_KEYS_DIR (.dev-keys, made on first use) that the services verify
outside production. It refuses in production, where tokens come from your identity provider.
  --agency   a registered, active agency: the demo's are police, council, youth and housing
  --role     PRACTITIONER, ANALYST or DATA_SHARING_OFFICER
  --user     the user id (the token's sub), e.g. pc.smith
  --expires  its lifetime, e.g. 2h (default 8h; at most TOKEN_MAX_LIFETIME_SECONDS)`;

/**
 * The agencies the services accept tokens for: read, as they read them, from governance's
 * registry where one is configured or the demo's embedded server is running; else the demo
 * partnership's, which `npm start` registers. Nothing is started to find out.
 */
async function registeredAgencies(config: Config): Promise<{ ids: string[]; from: string }> {
  const demo = { ids: DEMO_AGENCIES.map((a) => a.id).sort(), from: "the demo partnership's agencies" };
  const postmaster = postmasterOf(config.EMBEDDED_PG_DIR);
  const url =
    config.GOVERNANCE_ACCESS_DATABASE_URL ??
    config.databaseUrl("governance") ??
    (postmaster?.running
      ? withDatabase(embeddedUrl(postmaster.port), `${config.DATABASE_PREFIX}_governance`)
      : undefined);
  if (!url) return demo;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ id: string }>("SELECT id FROM agencies WHERE active ORDER BY id");
    return { ids: rows.map((r) => r.id), from: "governance's registry" };
  } catch {
    // Not reachable, or not migrated yet: the demo's agencies are what it will hold.
    return demo;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Prints a development token, and nothing else, on stdout: `$(npm run --silent token -- ...)` works. */
async function main(): Promise<void> {
  const { values } = commandLine(USAGE, {
    options: {
      agency: { type: "string" },
      role: { type: "string" },
      user: { type: "string" },
      expires: { type: "string" },
    },
  });
  // Before reading the rest of the configuration, so production hears why, not what it lacks.
  if (process.env.NODE_ENV === "production") {
    process.stderr.write("development tokens cannot be issued in production: use your identity provider\n");
    process.exit(1);
  }
  const problems: string[] = [];
  if (!values.agency) problems.push("--agency is required (e.g. police, council, youth, housing)");
  if (!values.role || !(Object.values(Role) as string[]).includes(values.role)) {
    problems.push(`--role must be one of ${Object.values(Role).join(", ")}`);
  }
  if (!values.user) problems.push("--user is required (the person's user id, e.g. pc.smith)");
  const config = loadConfig();
  if (values.agency) {
    // The services refuse a token for any other agency: better said here than by every answer.
    const registered = await registeredAgencies(config);
    if (!registered.ids.includes(values.agency))
      problems.push(
        `--agency ${values.agency} is not a registered, active agency, so every service would refuse its tokens; ` +
          `registered (${registered.from}): ${registered.ids.join(", ") || "none"}`,
      );
  }
  if (problems.length) {
    process.stderr.write(`${problems.join("\n")}\n${USAGE}\n`);
    process.exit(2);
  }
  const token = await issueDevToken(
    config,
    { agencyId: values.agency!, role: values.role as Role, userId: values.user! },
    { expiresIn: values.expires },
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
