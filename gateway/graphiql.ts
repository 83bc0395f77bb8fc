import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";

/** GraphiQL and React served from node_modules: the page works with no CDN and no network. */
const ASSETS: Record<string, { module: string; type: string }> = {
  "/graphiql/react.js": { module: "react/umd/react.production.min.js", type: "text/javascript" },
  "/graphiql/react-dom.js": { module: "react-dom/umd/react-dom.production.min.js", type: "text/javascript" },
  "/graphiql/graphiql.js": { module: "graphiql/graphiql.min.js", type: "text/javascript" },
  "/graphiql/graphiql.css": { module: "graphiql/graphiql.min.css", type: "text/css" },
};

const cache = new Map<string, Buffer>();

function asset(path: string): Buffer {
  let body = cache.get(path);
  if (!body) {
    body = readFileSync(require.resolve(ASSETS[path].module));
    cache.set(path, body);
  }
  return body;
}

const DEFAULT_HEADERS = JSON.stringify(
  {
    Authorization:
      "Bearer <paste: npm run --silent token -- --agency council --role PRACTITIONER --user you>",
    "x-purpose": "ASB_CASE_MANAGEMENT",
  },
  null,
  2,
);

const EXAMPLE_QUERY = `# partnership-graph: one consent-aware graph over police, council, youth and housing.
# 1. Get a token:  npm run --silent token -- --agency council --role PRACTITIONER --user pc.you
# 2. Put it in the Headers tab below, with the purpose you are working under.
query IncidentsInArea {
  incidents(filter: { lsoaCodes: ["E01032739"], fromMonth: "2019-01", toMonth: "2019-03" }, first: 5) {
    totalCount
    edges { node { id month category outcome location { street lsoaCode } } }
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
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery: ${JSON.stringify(EXAMPLE_QUERY)},
        defaultHeaders: ${JSON.stringify(DEFAULT_HEADERS)},
        headerEditorEnabled: true,
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: "headers",
      }),
    );
  </script>
</body>
</html>`;
}

/** Answers GET / and /graphql from a browser with GraphiQL, and its assets; false for anything else. */
export function serveGraphiQL(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET") return false;
  const path = (req.url ?? "/").split("?")[0];
  if (ASSETS[path]) {
    res.writeHead(200, { "content-type": ASSETS[path].type, "cache-control": "public, max-age=3600" });
    res.end(asset(path));
    return true;
  }
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  const isQuery = (req.url ?? "").includes("query=");
  if ((path === "/" || path === "/graphql") && wantsHtml && !isQuery) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page());
    return true;
  }
  return false;
}
