// `npm run lint:migrations` as CI runs it: scripts/lint-migrations.ts driving the real squawk binary (squawk-cli)
// over the repository's migrations with the reviewed baseline, and over temporary directories of unsafe and safe
// migrations, which must fail and pass for the right findings.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'emporium-migration-lint-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface LintRun {
  code: number;
  output: string;
  /** `file:line rule` of every finding printed, with the directory taken off temporary paths. */
  findings: string[];
}

async function lint(args: string[]): Promise<LintRun> {
  const argv = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', 'scripts/lint-migrations.ts'];
  let code = 0;
  let output: string;
  try {
    const r = await execFileAsync(process.execPath, [...argv, ...args], { cwd: ROOT, timeout: 60_000 });
    output = r.stdout + r.stderr;
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof err.code === 'number' ? err.code : -1;
    output = (err.stdout ?? '') + (err.stderr ?? '');
  }
  const findings = [...output.matchAll(/^(\S+\.sql):(\d+): ([a-z-]+):/gm)].map(
    (m) => `${(m[1] ?? '').split('/').pop()}:${m[2]} ${m[3]}`,
  );
  return { code, output, findings };
}

let n = 0;
function dir(files: Record<string, string>): string {
  const target = mkdtempSync(join(work, 'dir-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(target, name), text);
  return target;
}

const INIT = `create schema if not exists shop;
create table shop.things (id text primary key, n integer not null, label text);
create index things_n on shop.things (n);
`;

describe('migration lint [REQ-MIG-001]', () => {
  it('[REQ-MIG-001] every migration in the repository passes squawk with the policy and the reviewed baseline', async () => {
    const run = await lint([]);
    expect(run.output).toMatch(
      /lint:migrations: \d+ files, \d+ findings, \d+ accepted by the reviewed baseline, 0 new/,
    );
    expect(run.findings).toEqual([]);
    expect(run.code).toBe(0);
    // Every file under a migrations/ directory is linted: as many as the migrator would read.
    const files = Number(/lint:migrations: (\d+) files/.exec(run.output)?.[1]);
    expect(files).toBeGreaterThanOrEqual(32);
  });
});

describe('migration lint on unsafe migrations [REQ-MIG-002]', () => {
  it('[REQ-MIG-002] flags a plain index on an existing table, a volatile default, a type change and a constraint without NOT VALID, and exits non-zero', async () => {
    const d = dir({
      // A table and its index created in one file are safe (the table is new and empty): not flagged.
      '0001_init.sql': INIT,
      '0002_label_index.sql': 'create index things_label on shop.things (label);\n',
      '0003_token.sql': 'alter table shop.things add column token uuid default gen_random_uuid();\n',
      '0004_n_bigint.sql': 'alter table shop.things alter column n type bigint;\n',
      '0005_n_positive.sql': 'alter table shop.things add constraint things_n_positive check (n > 0);\n',
      '0006_label_required.sql': 'alter table shop.things alter column label set not null;\n',
      '0007_rename.sql': 'alter table shop.things rename column label to title;\n',
    });
    const run = await lint(['--no-baseline', d]);
    expect(run.code).toBe(1);
    expect(run.findings).toEqual([
      '0002_label_index.sql:1 require-concurrent-index-creation',
      '0003_token.sql:1 adding-field-with-default',
      '0004_n_bigint.sql:1 changing-column-type',
      '0005_n_positive.sql:1 constraint-missing-not-valid',
      '0006_label_required.sql:1 adding-not-nullable-field',
      '0007_rename.sql:1 renaming-column',
    ]);
    expect(run.output).toMatch(/6 new/);
  });

  it('[REQ-MIG-002] the safe forms pass: a concurrent index alone in a no-transaction file, NOT VALID then VALIDATE, a constant default', async () => {
    const d = dir({
      '0001_init.sql': INIT,
      '0002_label_index.sql':
        '-- emporium:no-transaction\ncreate index concurrently if not exists things_label on shop.things (label);\n',
      '0003_n_positive.sql': 'alter table shop.things add constraint things_n_positive check (n > 0) not valid;\n',
      '0004_validate.sql': 'alter table shop.things validate constraint things_n_positive;\n',
      '0005_flag.sql': "alter table shop.things add column kind text not null default 'plain';\n",
    });
    const run = await lint(['--no-baseline', d]);
    expect(run.findings).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('[REQ-MIG-002] a no-transaction file is linted as one: a concurrent build in a transaction, or one that cannot be re-run, fails', async () => {
    const d = dir({
      '0001_init.sql': INIT,
      // No marker: the runner wraps it in a transaction, where CONCURRENTLY fails.
      '0002_in_tx.sql': 'create index concurrently if not exists things_label on shop.things (label);\n',
      // Marker, but no IF NOT EXISTS: a retry after a crash fails on the index left behind.
      '0003_not_robust.sql':
        '-- emporium:no-transaction\ncreate index concurrently things_title on shop.things (label);\n',
    });
    const run = await lint(['--no-baseline', d]);
    expect(run.code).toBe(1);
    expect(run.findings).toEqual([
      '0002_in_tx.sql:1 emporium-concurrently-in-transaction',
      '0003_not_robust.sql:1 emporium-no-transaction',
      '0003_not_robust.sql:2 prefer-robust-stmts',
    ]);
  });
});

describe('migration lint baseline [REQ-MIG-003]', () => {
  const unsafe = 'create index things_label on shop.things (label);\n';
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const baselineFor = (d: string, entries: object[]) => {
    const file = join(d, '..', `baseline-${n++}.json`);
    writeFileSync(file, JSON.stringify({ findings: entries.map((e) => ({ statement: '', ...e })) }));
    return file;
  };

  it('[REQ-MIG-003] a reviewed entry pinned to the file content accepts its finding; the same file edited, or a new finding, fails', async () => {
    const d = dir({ '0001_init.sql': INIT, '0002_label_index.sql': unsafe });
    const entry = {
      file: join(d, '0002_label_index.sql'),
      sha256: sha(unsafe),
      rule: 'require-concurrent-index-creation',
      line: 1,
      reason: 'released before the lint; reviewed',
    };
    const accepted = await lint(['--baseline', baselineFor(d, [entry]), d]);
    expect(accepted.output).toMatch(/1 findings, 1 accepted by the reviewed baseline, 0 new/);
    expect(accepted.code).toBe(0);

    // The released file edited (even a comment): its entries no longer apply, and the lint says why.
    writeFileSync(join(d, '0002_label_index.sql'), `-- edited\n${unsafe}`);
    const edited = await lint(['--baseline', baselineFor(d, [{ ...entry }]), d]);
    expect(edited.code).toBe(1);
    expect(edited.output).toContain('0002_label_index.sql: changed since its findings were reviewed');
    writeFileSync(join(d, '0002_label_index.sql'), unsafe);

    // A new file with the same finding is not covered by the old file's entry.
    writeFileSync(join(d, '0003_more.sql'), 'create index things_label2 on shop.things (label);\n');
    const added = await lint(['--baseline', baselineFor(d, [entry]), d]);
    expect(added.code).toBe(1);
    expect(added.findings).toEqual(['0003_more.sql:1 require-concurrent-index-creation']);
  });

  it('[REQ-MIG-003] an entry without a reason, or one nothing matches any more, fails the lint', async () => {
    const d = dir({ '0001_init.sql': INIT });
    const stale = {
      file: join(d, '0001_init.sql'),
      sha256: sha(INIT),
      rule: 'require-concurrent-index-creation',
      line: 3,
      reason: 'reviewed',
    };
    const run = await lint(['--baseline', baselineFor(d, [stale]), d]);
    expect(run.code).toBe(1);
    expect(run.output).toContain('stale entry');
    const noReason = await lint(['--baseline', baselineFor(d, [{ ...stale, reason: ' ' }]), d]);
    expect(noReason.code).toBe(2);
    expect(noReason.output).toContain('every entry needs file, sha256, rule, line and a reason');
  });

  it('[REQ-MIG-003] the repository baseline gives each entry a reason and pins it to the file as it is', () => {
    const baseline = JSON.parse(readFileSync(join(ROOT, 'ops/squawk-baseline.json'), 'utf8')) as {
      findings: { file: string; sha256: string; reason: string }[];
    };
    expect(baseline.findings.length).toBeGreaterThan(0);
    for (const e of baseline.findings) {
      expect(e.reason.length, e.file).toBeGreaterThan(40);
      expect(sha(readFileSync(join(ROOT, e.file), 'utf8')), e.file).toBe(e.sha256);
    }
  });
});
