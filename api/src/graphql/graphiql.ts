import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/**
 * GraphiQL's files, served by Relance itself so the explorer works without the internet
 * (mercurius's own GraphiQL loads them from unpkg.com). graphiql 3.8 is the last version with a
 * browser bundle; it runs on React 18's UMD builds.
 */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: path.join(packageDir('react'), 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': {
    file: path.join(packageDir('react-dom'), 'umd/react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.js': { file: path.join(packageDir('graphiql'), 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: path.join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css' },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Relance GraphQL explorer</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <link rel="stylesheet" href="/graphiql/assets/page.css">
</head>
<body>
  <form id="key-form" aria-label="API key">
    <label for="api-key">API key</label>
    <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" placeholder="rk_test_… (kept in this browser only)">
    <button type="submit">Use this key</button>
    <span id="key-state" role="status"></span>
  </form>
  <div id="graphiql">Loading…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/assets/page.js"></script>
</body>
</html>
`;

const PAGE_CSS = `html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
body { display: flex; flex-direction: column; }
#key-form { display: flex; gap: .5rem; align-items: center; padding: .5rem 1rem; border-bottom: 1px solid #ddd; }
#key-form input { flex: 0 1 28rem; font-family: ui-monospace, monospace; padding: .25rem .5rem; }
#key-state { color: #555; }
#graphiql { flex: 1; min-height: 0; }
`;

/** The page's own script: the key lives in localStorage and goes out as a Bearer header. */
const PAGE_JS = `(function () {
  var STORAGE = 'relance.apiKey';
  var input = document.getElementById('api-key');
  var state = document.getElementById('key-state');
  var key = localStorage.getItem(STORAGE) || '';
  input.value = key;
  function show() { state.textContent = key ? 'Key set (' + key.slice(0, 8) + '…)' : 'Paste an API key to run queries.'; }
  show();
  document.getElementById('key-form').addEventListener('submit', function (event) {
    event.preventDefault();
    key = input.value.trim();
    if (key) localStorage.setItem(STORAGE, key); else localStorage.removeItem(STORAGE);
    // Reload so GraphiQL fetches the schema (docs, completion) with the key.
    location.reload();
  });
  var fetcher = function (params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    if (key) headers.Authorization = 'Bearer ' + key;
    return GraphiQL.createFetcher({ url: '/graphql', headers: headers })(params, options);
  };
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: '# Paste your API key above, then run (Ctrl-Enter):\\n{\\n  invoices(overdue: true, limit: 5) {\\n    data { number balance currency daysOverdue customer { name } }\\n  }\\n}\\n',
  }));
})();
`;

/** A browser asking for GraphQL by address (a GET that accepts HTML, with no key): send it to GraphiQL. */
export function isBrowserVisit(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' && !request.headers.authorization && /\btext\/html\b/.test(request.headers.accept ?? '')
  );
}

/**
 * GET /graphiql and its assets (development only): no key is needed to load the page. Register
 * it before the auth hook: a browser opening /graphql without a key is sent here instead of
 * getting a bare 401.
 */
export async function registerGraphiql(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/graphql' && isBrowserVisit(request)) return reply.redirect('/graphiql', 303);
  });
  const files = new Map<string, { body: string | Buffer; type: string }>([
    ['page.css', { body: PAGE_CSS, type: 'text/css' }],
    ['page.js', { body: PAGE_JS, type: 'text/javascript' }],
  ]);
  for (const [name, asset] of Object.entries(ASSETS))
    files.set(name, { body: await readFile(asset.file), type: asset.type });

  app.get('/graphiql', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  app.get<{ Params: { name: string } }>(
    '/graphiql/assets/:name',
    { schema: { hide: true } },
    async (request, reply) => {
      const file = files.get(request.params.name);
      if (!file) return reply.code(404).type('text/plain').send('Not found');
      return reply.type(`${file.type}; charset=utf-8`).header('cache-control', 'public, max-age=86400').send(file.body);
    },
  );
}
