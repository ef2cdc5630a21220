// A new embedded database is made (PGlite's initdb) in a short-lived child process, not in the server's own.
// WebAssembly memory can grow but never shrink: run in the server, initdb left PGlite's memory at its high-water mark
// for the life of the process (about 170 MB more resident than a restart on the same directory). The child makes the
// cluster in a temporary directory beside the target and the directory is renamed into place only when it is complete,
// so a start that is killed half-way leaves no half-made cluster behind. `main.ts` starts it before the application's
// modules load, so the two overlap; `openPglite` waits for the same run. When `npm install` left a template made from
// the same migrations (pglite-template.ts), the temporary directory is a copy of it instead, and no child runs.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { makeDirs } from '../make-dirs.ts';
import type { MigrationSource } from './migration-file.ts';
import { copyTemplate, findTemplate, TEMPLATE_ROOT } from './pglite-template.ts';

/** Shared buffers of the embedded database; PGlite's default 128 MB would sit in its WASM memory from the start. */
export const PGLITE_SHARED_BUFFERS = '16MB';

/** Where the embedded database lives, or undefined on PostgreSQL or with PGLITE_IN_MEMORY. */
export function embeddedDataDir(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'pgliteInMemory'>,
): string | undefined {
  return config.databaseUrl || config.pgliteInMemory ? undefined : `${config.dataDir}/pglite`;
}

/** The directory holds no cluster yet and nothing else: initdb has to run. */
export function needsInitdb(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

const CHILD = fileURLToPath(
  new URL(`./pglite-initdb-child${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

function runChild(target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CHILD, target], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-2_000);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb of the embedded database failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** The process `pid` is running (EPERM: it is, under another user). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Temporary directories that earlier starts, killed during their initdb, left beside `dataDir`. */
function removeLeftovers(dataDir: string): void {
  const prefix = `${basename(dataDir)}.initdb-`;
  for (const name of readdirSync(dirname(dataDir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isSafeInteger(pid) && (pid === process.pid || !alive(pid))) {
      rmSync(join(dirname(dataDir), name), { recursive: true, force: true });
    }
  }
}

export interface InitdbOptions {
  /** The shop's migrations: a template made from exactly these is copied instead of running initdb. */
  migrations?: readonly MigrationSource[];
  /** Where templates are kept (default TEMPLATE_ROOT; tests use their own). */
  templateRoot?: string;
  /** The start seeds the demo data: the demo template (the data in place) is copied when there is one for this code. */
  demo?: boolean;
}

/** A copy of the matching template into `temporary`, or false when there is none or the copy failed. */
function copiedTemplate(temporary: string, options: InitdbOptions): boolean {
  const { migrations } = options;
  if (!migrations) return false;
  const root = options.templateRoot ?? TEMPLATE_ROOT;
  const template = (options.demo && findTemplate(migrations, root, { demo: true })) || findTemplate(migrations, root);
  if (!template) return false;
  try {
    copyTemplate(template, temporary);
    return true;
  } catch {
    rmSync(temporary, { recursive: true, force: true }); // e.g. a template removed by a newer install meanwhile
    return false;
  }
}

async function initdbApart(dataDir: string, options: InitdbOptions): Promise<void> {
  if (!needsInitdb(dataDir)) return;
  makeDirs(dirname(dataDir));
  removeLeftovers(dataDir);
  const temporary = `${dataDir}.initdb-${process.pid}`;
  try {
    if (!copiedTemplate(temporary, options)) await runChild(temporary);
    if (existsSync(dataDir)) rmdirSync(dataDir); // empty (needsInitdb), and rename does not replace a directory everywhere
    renameSync(temporary, dataDir);
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    throw e;
  }
}

const runs = new Map<string, Promise<void>>();

/**
 * Makes a new cluster in `dataDir` apart from this process, once; a directory that holds anything is left alone.
 * Later calls for the same directory share the first call's run, whatever their options.
 */
export function initdbOnce(dataDir: string, options: InitdbOptions = {}): Promise<void> {
  let run = runs.get(dataDir);
  if (!run) {
    run = initdbApart(dataDir, options);
    runs.set(dataDir, run);
  }
  return run;
}
