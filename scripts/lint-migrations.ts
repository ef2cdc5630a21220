// npm run lint:migrations — squawk over every migration file, minus the reviewed baseline (docs/migrations.md).
//
//   lint-migrations.ts [--baseline <file> | --no-baseline] [path …]
//
// Paths are migration files or directories of them; by default every `migrations/` directory under src/. Files run by
// the migrator in a transaction are linted with --assume-in-transaction (.squawk.toml); files marked
// `-- emporium:no-transaction` without it, and must also be the one statement the migrator accepts. A finding is
// accepted only by an entry of the baseline (ops/squawk-baseline.json) naming its file, the file's sha256, the rule and
// the line, with a reason. Exit 1 on any other finding, on a baseline entry for a file that changed, or on an entry
// nothing matches any more (a stale baseline hides nothing and is removed).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import {
  isNoTransaction,
  MigrationError,
  NO_TRANSACTION_MARKER,
  parseConcurrentIndex,
} from '../src/platform/db/migration-file.ts';

const ROOT = join(import.meta.dirname, '..');
const SQUAWK = join(ROOT, 'node_modules/.bin/squawk');
const CONFIG = join(ROOT, '.squawk.toml');
const DEFAULT_BASELINE = join(ROOT, 'ops/squawk-baseline.json');

export interface Finding {
  file: string;
  line: number; // 1-based
  rule: string;
  message: string;
  help: string | null;
  statement: string;
}

interface BaselineEntry {
  file: string;
  sha256: string;
  rule: string;
  line: number;
  statement: string;
  reason: string;
}

interface SquawkViolation {
  file: string;
  line: number; // 0-based
  column: number;
  line_end: number;
  rule_name: string;
  message: string;
  help: string | null;
}

const posix = (p: string) => p.split(sep).join('/');
/** Repository-relative for files in the repository, absolute otherwise. */
const display = (abs: string) => {
  const rel = relative(ROOT, abs);
  return rel.startsWith('..') ? posix(abs) : posix(rel);
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function migrationDirs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.name === 'migrations') out.push(p);
    else out.push(...migrationDirs(p));
  }
  return out;
}

function sqlFiles(paths: string[]): string[] {
  const files = new Set<string>();
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new Error(`No such file or directory: ${p}`);
    if (statSync(abs).isDirectory()) {
      for (const f of readdirSync(abs)) if (f.endsWith('.sql')) files.add(join(abs, f));
    } else files.add(abs);
  }
  return [...files].sort();
}

function statementAt(text: string, line: number, lineEnd: number): string {
  const lines = text.split('\n').slice(line, lineEnd + 1);
  const joined = lines.map((l) => l.trim()).join(' ');
  return joined.length > 160 ? `${joined.slice(0, 157)}...` : joined;
}

function runSquawk(files: string[], inTransaction: boolean, texts: Map<string, string>): Finding[] {
  if (!files.length) return [];
  if (!existsSync(SQUAWK)) throw new Error(`${SQUAWK} is missing: run npm ci (squawk-cli is a devDependency)`);
  const args = [
    '--config',
    CONFIG,
    '--reporter',
    'json',
    inTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction',
    ...files,
  ];
  const run = spawnSync(SQUAWK, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  // squawk exits 1 when it reports violations; anything it cannot answer in JSON is a failure of the lint itself.
  let violations: SquawkViolation[];
  try {
    violations = JSON.parse(run.stdout || '[]') as SquawkViolation[];
  } catch {
    throw new Error(`squawk did not answer JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  if (run.status !== 0 && run.status !== 1) throw new Error(`squawk failed (exit ${run.status}):\n${run.stderr}`);
  return violations.map((v) => {
    const abs = resolve(ROOT, v.file);
    return {
      file: display(abs),
      line: v.line + 1,
      rule: v.rule_name,
      message: v.message,
      help: v.help,
      statement: statementAt(texts.get(abs) ?? '', v.line, v.line_end),
    };
  });
}

function loadBaseline(file: string): BaselineEntry[] {
  const data = JSON.parse(readFileSync(file, 'utf8')) as { findings?: BaselineEntry[] };
  const entries = data.findings ?? [];
  for (const e of entries) {
    if (!e.file || !e.sha256 || !e.rule || !Number.isInteger(e.line) || !e.reason?.trim()) {
      throw new Error(
        `${display(file)}: every entry needs file, sha256, rule, line and a reason: ${JSON.stringify(e)}`,
      );
    }
  }
  return entries;
}

export interface LintResult {
  files: number;
  findings: Finding[];
  accepted: number;
  newFindings: Finding[];
  changedFiles: string[];
  staleEntries: BaselineEntry[];
}

export function lintMigrations(paths: string[], baselineFile: string | undefined): LintResult {
  const files = sqlFiles(paths);
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const noTx = files.filter((f) => isNoTransaction(texts.get(f) ?? ''));
  const inTx = files.filter((f) => !noTx.includes(f));
  const findings = [...runSquawk(inTx, true, texts), ...runSquawk(noTx, false, texts)];
  // The migrator refuses a no-transaction file that is not one re-runnable concurrent index statement: so does CI.
  for (const f of noTx) {
    try {
      parseConcurrentIndex(texts.get(f) ?? '', display(f));
    } catch (e) {
      if (!(e instanceof MigrationError)) throw e;
      findings.push({
        file: display(f),
        line: 1,
        rule: 'emporium-no-transaction',
        message: e.message,
        help: `${NO_TRANSACTION_MARKER} files hold one statement the migrator can re-run`,
        statement: NO_TRANSACTION_MARKER,
      });
    }
  }
  // squawk takes a file holding only a concurrent index statement for one its tool runs outside a transaction; the
  // migrator runs every unmarked file in one, where PostgreSQL refuses CONCURRENTLY.
  for (const f of inTx) {
    const lines = (texts.get(f) ?? '').split('\n');
    const at = lines.findIndex((l) => /\bconcurrently\b/i.test(l.replace(/--.*$/, '')));
    if (at >= 0) {
      findings.push({
        file: display(f),
        line: at + 1,
        rule: 'emporium-concurrently-in-transaction',
        message: 'CONCURRENTLY cannot run in the transaction the migrator opens for this file',
        help: `put the statement alone in a file whose first line is ${NO_TRANSACTION_MARKER}`,
        statement: (lines[at] ?? '').trim(),
      });
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));

  const baseline = baselineFile ? loadBaseline(baselineFile) : [];
  const hashes = new Map(files.map((f) => [display(f), sha256(texts.get(f) ?? '')]));
  const changedFiles = [
    ...new Set(baseline.filter((e) => hashes.has(e.file) && hashes.get(e.file) !== e.sha256).map((e) => e.file)),
  ];
  const used = new Set<BaselineEntry>();
  const newFindings: Finding[] = [];
  for (const f of findings) {
    const entry = baseline.find(
      (e) => e.file === f.file && e.rule === f.rule && e.line === f.line && e.sha256 === hashes.get(f.file),
    );
    if (entry) used.add(entry);
    else newFindings.push(f);
  }
  // Entries for files outside this run (a run over other paths) are neither used nor stale.
  const staleEntries = baseline.filter((e) => hashes.has(e.file) && !used.has(e) && !changedFiles.includes(e.file));
  return { files: files.length, findings, accepted: used.size, newFindings, changedFiles, staleEntries };
}

function report(r: LintResult): number {
  const out: string[] = [];
  for (const f of r.newFindings) {
    out.push(`${f.file}:${f.line}: ${f.rule}: ${f.message}`);
    out.push(`    ${f.statement}`);
    if (f.help) out.push(`    help: ${f.help}`);
  }
  for (const file of r.changedFiles) {
    out.push(
      `${file}: changed since its findings were reviewed (sha256 differs from ops/squawk-baseline.json). ` +
        'A released migration is never edited: the migrator refuses it on every database that applied it.',
    );
  }
  for (const e of r.staleEntries) {
    out.push(
      `ops/squawk-baseline.json: stale entry ${e.file}:${e.line} ${e.rule} — squawk no longer reports it; remove it`,
    );
  }
  const failed = r.newFindings.length + r.changedFiles.length + r.staleEntries.length;
  out.push(
    `lint:migrations: ${r.files} files, ${r.findings.length} findings, ${r.accepted} accepted by the reviewed baseline, ` +
      `${r.newFindings.length} new${r.staleEntries.length ? `, ${r.staleEntries.length} stale baseline entries` : ''}` +
      `${r.changedFiles.length ? `, ${r.changedFiles.length} changed files` : ''}`,
  );
  if (r.newFindings.length) {
    out.push(
      'Fix each new finding (docs/migrations.md shows the safe form of each operation). A finding that is safe for a ' +
        'reason squawk cannot see takes `-- squawk-ignore <rule>` with that reason in a comment on the line above.',
    );
  }
  process[failed ? 'stderr' : 'stdout'].write(`${out.join('\n')}\n`);
  return failed ? 1 : 0;
}

function main(argv: string[]): number {
  let baseline: string | undefined = DEFAULT_BASELINE;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--no-baseline') baseline = undefined;
    else if (a === '--baseline') baseline = resolve(argv[++i] ?? '');
    else if (a.startsWith('--')) throw new Error(`Unknown option ${a}`);
    else paths.push(a);
  }
  if (!paths.length) paths.push(...migrationDirs(join(ROOT, 'src')));
  return report(lintMigrations(paths, baseline));
}

if (import.meta.main) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`lint:migrations: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
