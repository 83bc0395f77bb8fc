import { parseArgs } from "node:util";
import { issueDevToken } from "../subgraphs/shared/auth";
import { loadConfig } from "../subgraphs/shared/config";
import { Role } from "../subgraphs/shared/enums";

const USAGE =
  "usage: npm run --silent token -- --agency <id> --role <PRACTITIONER|ANALYST|DATA_SHARING_OFFICER> --user <id> [--expires 8h]";

/** Prints a development token, and nothing else, on stdout: `$(npm run --silent token -- ...)` works. */
async function main(): Promise<void> {
  const { values } = parseArgs({
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
  if (problems.length) {
    process.stderr.write(`${problems.join("\n")}\n${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
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
