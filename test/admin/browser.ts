// The admin dashboard in a real browser for the end-to-end tests: Debian's Chromium through playwright-core, a fresh
// profile per run, axe-core run inside the page (through the DevTools protocol, so the page's CSP stays enforced),
// screenshots for docs/admin.md, and the console watched for errors (a CSP violation is one).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.ts';

const require = createRequire(import.meta.url);
export const ROOT = join(import.meta.dirname, '..', '..');
const ADMIN = join(ROOT, 'admin');
const DIST_INDEX = join(ADMIN, 'dist', 'index.html');
/**
 * Screenshots go to docs/admin (embedded in docs/admin.md) when UPDATE_ADMIN_SCREENSHOTS=1, else to a temporary folder,
 * so an ordinary test run leaves the working tree as it was.
 */
export const SHOTS =
  process.env.UPDATE_ADMIN_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'admin')
    : join(tmpdir(), 'emporium-admin-screenshots');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * admin/dist as the sources are now: `npm install` builds it (the prepare script); a missing or older build is
 * made here with the project's Vite, so the test never drives a stale page.
 */
export function ensureAdminBuild(): void {
  const sources = Math.max(newestMtime(join(ADMIN, 'src')), statSync(join(ADMIN, 'index.html')).mtimeMs);
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '-c', join(ADMIN, 'vite.config.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`admin build failed:\n${r.stdout}\n${r.stderr}`);
}

/** The JavaScript the first route loads (index.html's script and module preloads): bytes raw and gzipped (level 9). */
export function firstRouteScript(): { files: string[]; raw: number; gzip: number } {
  const html = readFileSync(DIST_INDEX, 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/admin\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const bytes = readFileSync(join(ADMIN, 'dist', f));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { files, raw, gzip };
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP reports seen so far (failed API answers the test caused are not errors). */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<Session> {
  const profile = mkdtempSync(join(tmpdir(), 'emporium-admin-chromium-'));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's WCAG 2.x A/AA and best-practice rules on the page as it is: every violation, with its impact. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // Evaluated in the page (a string: this project's TypeScript has no DOM types).
  const found = (await page.evaluate(`(async () => {
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    // A run that checked nothing would report no violations too: it must have passed rules on this page.
    if (r.passes.length === 0) throw new Error('axe-core checked no rule on this page');
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  })()`)) as AxeViolation[];
  return found;
}

export const seriousOrCritical = (v: AxeViolation[]) =>
  v.filter((x) => x.impact === 'serious' || x.impact === 'critical');

/** Saves a screenshot `<name>.png` in SHOTS. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
