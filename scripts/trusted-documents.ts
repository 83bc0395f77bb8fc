import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildManifest } from "../gateway/trusted-documents";

/**
 * `npm run trusted-documents`: the manifest of the partner dashboards' operations (test/contract/)
 * that the gateway runs with TRUSTED_DOCUMENTS=require; written to dist/ by default (or argv[2]).
 */
const root = join(__dirname, "..");
const target = resolve(process.argv[2] ?? join(root, "dist", "trusted-documents.json"));
const manifest = buildManifest(join(root, "test", "contract"));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`${manifest.operations.length} trusted documents written to ${target}\n`);
