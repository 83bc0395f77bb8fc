import { existsSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { issueDevToken } from "../subgraphs/shared/auth";
import type { Config } from "../subgraphs/shared/config";
import { Role } from "../subgraphs/shared/enums";

/**
 * The partnership console's built files: console/ beside the compiled gateway (dist/, `npm run
 * build`), or console/build beside the sources (`npm start` and the tests build it there, so a
 * production build emptying dist/ never pulls it from under them). Vite's manifest marks a build,
 * so the console's sources (console/index.html) are never served by mistake.
 */
export function consoleDir(): string | undefined {
  const candidates = [
    process.env.CONSOLE_DIR,
    join(__dirname, "..", "console"),
    join(__dirname, "..", "console", "build"),
  ].filter((d): d is string => Boolean(d));
  return candidates.find((dir) => existsSync(join(dir, ".vite", "manifest.json")));
}

/**
 * Only our own origin, no inline script or style element, no framing: the console's bundle and
 * GOV.UK's CSS and fonts are all served from here. React sets styles through the DOM, which CSP
 * allows; a `style` attribute in markup or an injected <style> would be refused.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
};

const USER_ID = /^[A-Za-z0-9._@-]{1,64}$/;
const AGENCY_ID = /^[a-z0-9-]{1,40}$/;
const DEV_TOKEN_LIFETIME = "2h";

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, cache = "no-store") {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "cache-control": cache });
  res.end(body);
}

async function readJson(req: IncomingMessage, limit = 4096): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error("too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/**
 * A development token for the console's sign-in (agency, role and user chosen from the demo
 * partnership): what `npm run token` prints, for a browser. Never in production, where tokens
 * come from the identity provider.
 */
async function devToken(config: Config, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const json = (status: number, body: unknown) =>
    send(res, status, "application/json; charset=utf-8", JSON.stringify(body));
  // A JSON body only: a cross-site form cannot send one without a preflight we do not answer.
  if (!(req.headers["content-type"] ?? "").startsWith("application/json"))
    return json(415, { error: "send a JSON body: { agency, role, user }" });
  let body: { agency?: unknown; role?: unknown; user?: unknown };
  try {
    body = (await readJson(req)) as typeof body;
  } catch {
    return json(400, { error: "the body is not valid JSON" });
  }
  const problems: string[] = [];
  if (typeof body.agency !== "string" || !AGENCY_ID.test(body.agency)) problems.push("agency");
  if (typeof body.role !== "string" || !(Object.values(Role) as string[]).includes(body.role))
    problems.push("role");
  if (typeof body.user !== "string" || !USER_ID.test(body.user)) problems.push("user");
  if (problems.length) return json(400, { error: `missing or not valid: ${problems.join(", ")}` });
  const token = await issueDevToken(
    config,
    { agencyId: body.agency as string, role: body.role as Role, userId: body.user as string },
    { expiresIn: DEV_TOKEN_LIFETIME },
  );
  return json(200, { token });
}

/**
 * The console at /console: its files, and index.html for any other path under it (the app
 * routes in the browser). Outside production also POST /console/dev-token. False for anything
 * else, so the gateway goes on to GraphQL.
 */
export function consoleRoute(
  config: Config,
  given?: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const production = config.NODE_ENV === "production";
  return async (req, res) => {
    // Looked for on each request: a build made after the gateway started is served at once.
    const dir = given ?? consoleDir();
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/console" && !path.startsWith("/console/")) return false;
    if (path === "/console/dev-token") {
      if (production || req.method !== "POST") {
        send(res, 404, "application/json; charset=utf-8", JSON.stringify({ error: "not found" }));
        return true;
      }
      await devToken(config, req, res);
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
      return true;
    }
    if (!dir) {
      send(
        res,
        503,
        "text/plain; charset=utf-8",
        "The console is not built: npm start builds it (console/build), npm run build for production (dist/console).\n",
      );
      return true;
    }
    if (path === "/console") {
      res.writeHead(301, { ...SECURITY_HEADERS, location: "/console/" });
      res.end();
      return true;
    }
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(path.slice("/console/".length)));
    } catch {
      send(res, 400, "text/plain; charset=utf-8", "bad path\n");
      return true;
    }
    const file = join(dir, relative);
    const inside = file.startsWith(dir + sep) && !relative.split(sep).some((p) => p.startsWith("."));
    if (inside && extname(file) && existsSync(file) && statSync(file).isFile()) {
      // Vite's hashed file names never change content: cached for long; everything else revalidated.
      const cache = relative.startsWith(`assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache";
      send(res, 200, TYPES[extname(file)] ?? "application/octet-stream", readFileSync(file), cache);
      return true;
    }
    if (extname(path)) {
      send(res, 404, "text/plain; charset=utf-8", "not found\n");
      return true;
    }
    send(res, 200, TYPES[".html"], readFileSync(join(dir, "index.html")), "no-cache");
    return true;
  };
}
