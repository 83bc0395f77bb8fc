import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildManifest, TRUSTED_DOCUMENT_DIRS } from "../gateway/trusted-documents";
import { commandLine } from "./lib/command-line";

/**
 * `npm run trusted-documents`: the manifest of the partner dashboards' operations (test/contract/)
 * and the console's (console/src/operations/) that the gateway runs with TRUSTED_DOCUMENTS=require;
 * written to dist/ by default (or argv[2]).
 */
const USAGE = `usage: npm run trusted-documents [-- <manifest file>]

Writes the manifest of the partner dashboards' operations (test/contract/*.graphql) and the
console's (console/src/operations/*.graphql) that the gateway runs under TRUSTED_DOCUMENTS=require
or allow, as an Apollo persisted query manifest, to dist/trusted-documents.json (or the file
given). npm run build runs it.`;

const root = join(__dirname, "..");
const { positionals } = commandLine(USAGE, { allowPositionals: true });
if (positionals.length > 1) {
  process.stderr.write(`one manifest file at most\n${USAGE}\n`);
  process.exit(2);
}
const target = resolve(positionals[0] ?? join(root, "dist", "trusted-documents.json"));
const manifest = buildManifest(TRUSTED_DOCUMENT_DIRS.map((dir) => join(root, dir)));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`${manifest.operations.length} trusted documents written to ${target}\n`);
