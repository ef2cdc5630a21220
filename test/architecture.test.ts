// The module rules (REQ-KER-013) enforced: module boundaries and the declared graph (dependency-cruiser), no cycles,
// the kernel importing no module, Fastify only at the edge, each module's SQL staying in its schema, and the graph
// matching the code: only modules that exist, every edge used by an import or an event subscription, every
// subscription to another module's events declared.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCycle, MODULE_GRAPH } from '../src/modules/module-graph.ts';
import { createTestApp, type TestApp } from './support/create-test-app.ts';
import { type CruisedModule, graphProblems, importUses, subscriptionUses } from './support/module-graph-check.ts';

const ROOT = join(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

interface CruiseJson {
  summary: { totalCruised: number; violations: { rule: { name: string }; from: string; to: string }[] };
  modules: CruisedModule[];
}

function cruise(cwd: string): CruiseJson {
  let out: string;
  try {
    out = execFileSync(
      process.execPath,
      [DEPCRUISE, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (e) {
    // depcruise exits non-zero when it finds violations; the JSON is still on stdout.
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  return JSON.parse(out) as CruiseJson;
}

describe('architecture [REQ-KER-013]', () => {
  it('[REQ-KER-013] the declared module graph is acyclic', () => {
    expect(findCycle(MODULE_GRAPH)).toBeUndefined();
    expect(findCycle({ a: ['b'], b: ['c'], c: ['a'] })).toEqual(['a', 'b', 'c', 'a']);
  });

  it('[REQ-KER-013] the source tree has no boundary violations (and was actually cruised)', () => {
    const result = cruise(ROOT);
    const files = readdirSync(join(ROOT, 'src'), { recursive: true }).filter((f) => String(f).endsWith('.ts'));
    expect(result.summary.totalCruised).toBeGreaterThanOrEqual(files.length);
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  it('[REQ-KER-013] the rules catch a deep import, an undeclared edge, a kernel→module import and Fastify outside the edge', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emp-arch-'));
    cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    const write = (rel: string, text: string) => {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    write('src/modules/orders/orders.service.ts', 'export const x = 1;\n');
    write('src/modules/orders/index.ts', "export { x } from './orders.service.ts';\n");
    write('src/modules/inventory/index.ts', 'export const y = 2;\n');
    // inventory → orders is not in the graph; catalog reaches past orders' front door.
    write('src/modules/inventory/bad-edge.ts', "import { x } from '../orders/index.ts';\nexport const z = x;\n");
    write('src/modules/catalog/deep.ts', "import { x } from '../orders/orders.service.ts';\nexport const w = x;\n");
    write('src/platform/leak.ts', "import { y } from '../modules/inventory/index.ts';\nexport const v = y;\n");
    write('src/modules/catalog/catalog.service.ts', "import Fastify from 'fastify';\nexport const f = Fastify;\n");
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    cpSync(join(ROOT, 'node_modules/fastify'), join(dir, 'node_modules/fastify'), { recursive: true });
    const rules = cruise(dir)
      .summary.violations.map((v) => v.rule.name)
      .sort();
    expect(rules).toEqual(
      [
        'fastify-only-at-the-edge',
        'graph-catalog',
        'graph-inventory',
        'module-front-door-only',
        'platform-imports-no-module',
      ].sort(),
    );
  });

  it('[REQ-KER-013] each module migration touches only its own schema', () => {
    const modulesDir = join(ROOT, 'src/modules');
    const names = Object.keys(MODULE_GRAPH);
    for (const m of names) {
      const migDir = join(modulesDir, m, 'migrations');
      if (!existsSync(migDir)) continue;
      for (const file of readdirSync(migDir)) {
        const text = readFileSync(join(migDir, file), 'utf8').toLowerCase();
        for (const other of [...names.filter((n) => n !== m), 'platform']) {
          expect(text, `${m}/migrations/${file} references schema ${other}`).not.toMatch(
            new RegExp(`\\b${other}\\.[a-z_]+`),
          );
        }
      }
    }
  });
});

describe('the declared graph matches the code [REQ-KER-013]', () => {
  // The app as it runs (no relay or scheduler): its module definitions carry every subscriber, including those
  // src/app.ts wires onto a module.
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ workers: false, services: false });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('[REQ-KER-013] declares exactly the modules that exist', () => {
    const folders = readdirSync(join(ROOT, 'src/modules'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(Object.keys(MODULE_GRAPH).sort()).toEqual(folders.sort());
    expect(t.modules.map((m) => m.name).sort()).toEqual(folders.sort());
  });

  it('[REQ-KER-013] every edge is used by an import or a subscription; every subscription to another module is declared', () => {
    const uses = [...importUses(cruise(ROOT).modules), ...subscriptionUses(t.modules)];
    expect(subscriptionUses(t.modules).length).toBeGreaterThan(0);
    expect(graphProblems(MODULE_GRAPH, uses)).toEqual([]);
  });

  it('[REQ-KER-013] the check catches an unused edge, an undeclared subscription and an edge to a missing module', () => {
    const graph = { catalog: ['inventory'], search: ['catalog'], inventory: [], orders: ['fulfillment'] };
    const uses = [
      ...importUses([
        { source: 'src/modules/search/module.ts', dependencies: [{ resolved: 'src/modules/catalog/index.ts' }] },
      ]),
      ...subscriptionUses([
        { name: 'inventory', subscribers: [{ name: 'inventory.on_order', eventTypes: ['orders.order.placed'] }] },
        { name: 'search', subscribers: [{ name: 'search.own', eventTypes: ['search.reindexed'] }] },
      ]),
    ];
    expect(graphProblems(graph, uses)).toEqual(
      [
        'undeclared edge inventory → orders (inventory.on_order (orders.order.placed))',
        'unused edge catalog → inventory: no import and no subscription',
        'orders → fulfillment: fulfillment is not a declared module',
      ].sort(),
    );
  });
});
