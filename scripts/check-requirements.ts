// Requirements traceability: every requirement names test files, each of which contains a test
// carrying the requirement's id; every id used in a test is defined. Exit 1 on any gap.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const DOCS = join(ROOT, 'docs/requirements');
const ID = /REQ-[A-Z]{3}-\d{3}/g;

interface Requirement {
  id: string;
  doc: string;
  tests: string[];
}

function parseDocs(): Requirement[] {
  const reqs: Requirement[] = [];
  for (const file of readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md' && f !== 'template.md')) {
    let current: Requirement | undefined;
    let inTests = false;
    for (const line of readFileSync(join(DOCS, file), 'utf8').split('\n')) {
      const heading = /^## (REQ-[A-Z]{3}-\d{3})\b/.exec(line);
      if (heading?.[1]) {
        current = { id: heading[1], doc: file, tests: [] };
        reqs.push(current);
        inTests = false;
        continue;
      }
      if (!current) continue;
      if (/^- \*\*Tests\*\*/.test(line)) {
        inTests = true;
        continue;
      }
      if (/^- \*\*/.test(line) || /^#/.test(line)) inTests = false;
      const path = /^\s+- `([^`]+)`/.exec(line);
      if (inTests && path?.[1]) current.tests.push(path[1]);
    }
  }
  return reqs;
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.tsx?$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** Ids that appear inside a test/describe title in a file. */
function idsInTitles(text: string): Set<string> {
  const ids = new Set<string>();
  for (const m of text.matchAll(/(?:it|test|describe)(?:\.\w+)*(?:\([^)]*\))?\(\s*([`'"])([\s\S]*?)\1/g)) {
    for (const id of (m[2] ?? '').matchAll(ID)) ids.add(id[0]);
  }
  return ids;
}

const problems: string[] = [];
const reqs = parseDocs();
const defined = new Map<string, Requirement>();
for (const r of reqs) {
  if (defined.has(r.id)) problems.push(`${r.id} is defined twice (${defined.get(r.id)?.doc}, ${r.doc})`);
  defined.set(r.id, r);
}

// admin/src holds the dashboard's component tests (vitest.config.ts includes them).
const files = [
  ...testFiles(join(ROOT, 'src')),
  ...testFiles(join(ROOT, 'test')),
  ...testFiles(join(ROOT, 'admin', 'src')),
];
const idsByFile = new Map(files.map((f) => [relative(ROOT, f), idsInTitles(readFileSync(f, 'utf8'))]));

for (const r of reqs) {
  if (r.tests.length === 0) problems.push(`${r.id} (${r.doc}) names no test`);
  for (const t of r.tests) {
    if (!existsSync(join(ROOT, t))) problems.push(`${r.id} (${r.doc}) names ${t}, which does not exist`);
    else if (!idsByFile.get(t)?.has(r.id))
      problems.push(`${r.id} (${r.doc}) names ${t}, which has no test titled [${r.id}]`);
  }
}
for (const [file, ids] of idsByFile) {
  for (const id of ids) if (!defined.has(id)) problems.push(`${file} uses ${id}, which no requirement defines`);
}

if (problems.length) {
  for (const p of problems) console.error(`✗ ${p}`);
  console.error(`requirements check failed: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`requirements check passed: ${reqs.length} requirements, each proven by named tests`);
