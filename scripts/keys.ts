import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeServiceKeyPair } from "../subgraphs/shared/service-key";
import { commandLine } from "./lib/command-line";

const USAGE = `usage: npm run --silent keys -- case-review-service [--out <dir>]

Makes a new key pair for the case review count service (threshold notices): partnership signs its
count requests with the private key, police, the council and housing verify them with the public
one (README, "Configuration"). Production refuses to start those four without them.

Without --out it prints both as the variables the services read, one line each, which a shell or
docker-compose's .env file takes as they are:
  CASE_REVIEW_SERVICE_PRIVATE_JWK='{...}'   partnership only
  CASE_REVIEW_SERVICE_PUBLIC_JWK='{...}'    police, council, housing
  --out <dir>  writes them instead to <dir>/private-jwk and <dir>/public-jwk (mode 600; refuses to
               replace a pair already there), for kubectl create secret generic case-review-service
               --from-file=private-jwk=<dir>/private-jwk --from-file=public-jwk=<dir>/public-jwk
  --help       this text
A new pair replaces the old one everywhere at once: give partnership and the owners the same pair.`;

/** Key pairs this command makes, by the name it is given. */
const KINDS = ["case-review-service"];

function main(): void {
  const { values, positionals } = commandLine(USAGE, {
    options: { out: { type: "string" } },
    allowPositionals: true,
  });
  if (positionals.length !== 1 || !KINDS.includes(positionals[0])) {
    process.stderr.write(
      `${positionals.length ? `no such key pair: ${positionals.join(" ")}` : "which key pair?"} (${KINDS.join(", ")})\n${USAGE}\n`,
    );
    process.exit(2);
  }
  const { privateJwk, publicJwk } = makeServiceKeyPair();
  if (!values.out) {
    // JWK JSON holds no single quote, so single quotes keep it whole in a shell and in .env.
    process.stdout.write(
      `CASE_REVIEW_SERVICE_PRIVATE_JWK='${JSON.stringify(privateJwk)}'\n` +
        `CASE_REVIEW_SERVICE_PUBLIC_JWK='${JSON.stringify(publicJwk)}'\n`,
    );
    return;
  }
  const files = { "private-jwk": privateJwk, "public-jwk": publicJwk };
  const present = Object.keys(files).filter((name) => existsSync(join(values.out!, name)));
  if (present.length) {
    process.stderr.write(
      `${present.map((name) => join(values.out!, name)).join(" and ")} already there: a pair is replaced ` +
        "only on purpose (remove them first), since the owners then refuse the old key's tokens\n",
    );
    process.exit(1);
  }
  mkdirSync(values.out, { recursive: true, mode: 0o700 });
  for (const [name, jwk] of Object.entries(files))
    writeFileSync(join(values.out, name), JSON.stringify(jwk), { mode: 0o600 });
  process.stdout.write(
    `wrote ${join(values.out, "private-jwk")} (partnership only) and ${join(values.out, "public-jwk")} (police, council, housing)\n`,
  );
}

main();
