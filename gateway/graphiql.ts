import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";

/**
 * GraphiQL and React served from node_modules: the page works with no CDN and no network.
 * Files are found through the package's folder: a deep require.resolve of a UMD file is refused
 * by the packages' `exports` maps (ERR_PACKAGE_PATH_NOT_EXPORTED).
 */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  "/graphiql/react.js": { pkg: "react", file: "umd/react.production.min.js", type: "text/javascript" },
  "/graphiql/react-dom.js": {
    pkg: "react-dom",
    file: "umd/react-dom.production.min.js",
    type: "text/javascript",
  },
  "/graphiql/graphiql.js": { pkg: "graphiql", file: "graphiql.min.js", type: "text/javascript" },
  "/graphiql/graphiql.css": { pkg: "graphiql", file: "graphiql.min.css", type: "text/css" },
};

/** The installed package's folder, searched where require() would look for it. */
export function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  throw new Error(`${name} is not installed: GraphiQL needs the development dependencies (npm install)`);
}

const cache = new Map<string, Buffer>();

function asset(path: string): Buffer {
  let body = cache.get(path);
  if (!body) {
    body = readFileSync(join(packageDir(ASSETS[path].pkg), ASSETS[path].file));
    cache.set(path, body);
  }
  return body;
}

/**
 * The README's first call: a police practitioner's incidents in one neighbourhood. The one
 * suggestion a newcomer gets, here and in npm start's banner (and the trial's).
 */
export const TOKEN_COMMAND = "npm run --silent token -- --agency police --role PRACTITIONER --user pc.smith";
export const SUGGESTED_PURPOSE = "CRIME_PREVENTION";
const PLACEHOLDER = `Bearer <paste the output of: ${TOKEN_COMMAND}>`;

const DEFAULT_HEADERS = JSON.stringify(
  { Authorization: PLACEHOLDER, "x-purpose": SUGGESTED_PURPOSE },
  null,
  2,
);

const EXAMPLE_QUERY = `# partnership-graph: one consent-aware graph over police, council, youth and housing.
# 1. Get a token:  ${TOKEN_COMMAND}
# 2. Paste it into Authorization in the Headers tab below (keep "Bearer "), with the purpose
#    you are working under in x-purpose. The schema (Docs, completion) loads once it is there.
# 3. Run this (the play button, or Ctrl-Enter).
query IncidentsInArea {
  incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }, first: 3) {
    totalCount
    edges {
      node {
        id month category outcome
        location { street }
        involvements { role person { id displayName } }
      }
    }
  }
}
`;

function page(): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>partnership-graph · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.css" />
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
    #token-help { padding: 8px 16px; background: #fff4ce; border-bottom: 1px solid #e0c060; font-size: 14px; }
    #token-help code { background: #fff; padding: 1px 4px; }
    #token-help[hidden] { display: none; }
    #graphiql { flex: 1; min-height: 0; }
  </style>
</head>
<body>
  <div id="token-help">
    No token yet: the schema is not fetched until there is one. Run
    <code>${TOKEN_COMMAND}</code> and paste its output after <code>Bearer </code> in the
    <b>Headers</b> tab (Authorization), then run the query.
  </div>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script>
    // A JWT after "Bearer ": header.payload.signature, base64url.
    const hasToken = (headers) => {
      try {
        const value = JSON.parse(headers || "{}");
        const auth = Object.entries(value).find(([k]) => k.toLowerCase() === "authorization");
        return Boolean(auth && /^Bearer\\s+[\\w-]+\\.[\\w-]+\\.[\\w-]+$/.test(String(auth[1]).trim()));
      } catch {
        return false;
      }
    };
    const fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
    const root = ReactDOM.createRoot(document.getElementById("graphiql"));
    const help = document.getElementById("token-help");
    let tokenGiven = hasToken(localStorage.getItem("graphiql:headers"));
    function render() {
      help.hidden = tokenGiven;
      root.render(
        React.createElement(GraphiQL, {
          fetcher,
          // null: no introspection (it would fail without a token); undefined: fetch it now.
          schema: tokenGiven ? undefined : null,
          defaultQuery: ${JSON.stringify(EXAMPLE_QUERY)},
          defaultHeaders: ${JSON.stringify(DEFAULT_HEADERS)},
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
          defaultEditorToolsVisibility: "headers",
          onEditHeaders: (headers) => {
            if (hasToken(headers) !== tokenGiven) {
              tokenGiven = hasToken(headers);
              render();
            }
          },
        }),
      );
    }
    render();
  </script>
</body>
</html>`;
}

/**
 * Answers a browser's GET of /graphiql, / or /graphql with GraphiQL, and its assets; false for
 * anything else (the gateway serves it outside production only).
 */
export function serveGraphiQL(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET") return false;
  const path = (req.url ?? "/").split("?")[0];
  if (ASSETS[path]) {
    let body: Buffer;
    try {
      body = asset(path);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`GraphiQL asset unavailable: ${(error as Error).message}\n`);
      return true;
    }
    res.writeHead(200, { "content-type": ASSETS[path].type, "cache-control": "public, max-age=3600" });
    res.end(body);
    return true;
  }
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  const isQuery = (req.url ?? "").includes("query=");
  if ((path === "/graphiql" || ((path === "/" || path === "/graphql") && wantsHtml)) && !isQuery) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page());
    return true;
  }
  return false;
}
