// Module boundaries (docs/architecture.md, REQ-KER-013). The allowed module-to-module edges are generated from
// src/modules/module-graph.ts so there is one source of truth; test/architecture.test.ts runs this
// configuration and asserts that it actually cruised the source tree.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

function readGraph() {
  const text = readFileSync(join(__dirname, 'src/modules/module-graph.ts'), 'utf8');
  const body = text.slice(text.indexOf('MODULE_GRAPH = {') + 'MODULE_GRAPH = {'.length, text.indexOf('} as const'));
  const graph = {};
  for (const m of body.matchAll(/(\w+):\s*\[([^\]]*)\]/g)) {
    graph[m[1]] = [...m[2].matchAll(/'(\w+)'/g)].map((x) => x[1]);
  }
  return graph;
}

const graph = readGraph();
const modules = Object.keys(graph);

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'No import cycles anywhere.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'platform-imports-no-module',
    severity: 'error',
    comment: 'The kernel (src/platform) never imports a module.',
    from: { path: '^src/platform/' },
    to: { path: '^src/modules/(?!module-graph\\.ts)' },
  },
  {
    name: 'module-front-door-only',
    severity: 'error',
    comment: "Another module's files are private: import only its index.ts.",
    from: { path: '^src/modules/([^/]+)/' },
    to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
  },
  {
    name: 'fastify-only-at-the-edge',
    severity: 'error',
    comment: 'Fastify is imported only by *.http.ts files and src/platform/http.',
    from: { path: '^src/', pathNot: ['\\.http\\.ts$', '\\.http\\.test\\.ts$', '^src/platform/http/', '^src/app\\.ts$'] },
    to: { path: 'node_modules/(fastify|@fastify)/', dependencyTypesNot: ['type-only'] },
  },
];

for (const m of modules) {
  const allowed = [m, ...graph[m]];
  forbidden.push({
    name: `graph-${m}`,
    severity: 'error',
    comment: `${m} may depend only on: ${graph[m].join(', ') || 'nothing'} (src/modules/module-graph.ts).`,
    from: { path: `^src/modules/${m}/` },
    to: {
      path: `^src/modules/(${modules.join('|')})/`,
      pathNot: allowed.map((a) => `^src/modules/${a}/`),
    },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
