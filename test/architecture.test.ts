// The module rules (REQ-KER-013) enforced: module boundaries and the declared graph (dependency-cruiser), no cycles,
// the kernel importing no module, Fastify only at the edge, and each module's SQL staying in its schema.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycle, MODULE_GRAPH } from '../src/modules/module-graph.ts';

const ROOT = join(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

interface CruiseJson {
  summary: { totalCruised: number; violations: { rule: { name: string }; from: string; to: string }[] };
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
