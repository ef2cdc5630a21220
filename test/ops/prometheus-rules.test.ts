// The SLOs and alerts as code (ops/prometheus) and the dashboard (ops/grafana): promtool checks and unit-tests every
// rule file; every alert is tested firing and silent; every runbook_url is a file of this repository; and every
// metric the rules and the dashboard read is exported by a real app's /metrics (no drift between code and rules).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createApp, type EmporiumApp } from '../../src/app.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/observability/logger.ts';
import { scrape } from '../support/scrape.ts';
import { openTestDb, type TestDb } from '../support/test-db.ts';

const ROOT = join(import.meta.dirname, '../..');
const RULES_DIR = join(ROOT, 'ops/prometheus');
const DASHBOARD = join(ROOT, 'ops/grafana/slo-dashboard.json');
const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.rules.yml'));
const testFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.test.yml'));

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[];
}
const rules: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules),
);
const alerts = rules.filter((r) => r.alert);
const tests = testFiles.map(
  (f) =>
    parse(readFileSync(join(RULES_DIR, f), 'utf8')) as {
      rule_files: string[];
      tests: { alert_rule_test?: AlertTest[]; promql_expr_test?: { expr: string }[] }[];
    },
);
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  templating: { list: { name: string; type: string }[] };
  panels: { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
};
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring']);

/** The metric and recording-rule names a PromQL expression reads. */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (name && !call && !KEYWORDS.has(name)) names.add(name);
  }
  return [...names];
}

const promtool = spawnSync('promtool', ['--version']).status === 0;
const run = (args: string[]) => {
  const r = spawnSync('promtool', args, { cwd: RULES_DIR, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

describe.skipIf(!promtool)(
  `promtool on ops/prometheus${promtool ? '' : ' (skipped: promtool is not installed; apt-get install prometheus)'}`,
  () => {
    it('[REQ-MET-006] promtool check rules accepts every rule file', () => {
      expect(ruleFiles.length).toBeGreaterThan(0);
      for (const f of ruleFiles) {
        const r = run(['check', 'rules', f]);
        expect(r.out).toContain('SUCCESS');
        expect(r.status, r.out).toBe(0);
      }
    });

    it('[REQ-MET-008] every dashboard expression is valid PromQL (checked as recording rules by promtool)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'emporium-dashboard-'));
      try {
        const file = join(dir, 'dashboard.rules.yml');
        const records = dashboardExprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr }));
        writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: records }] }));
        const r = run(['check', 'rules', file]);
        expect(r.status, r.out).toBe(0);
        expect(r.out).toContain(`SUCCESS: ${records.length} rules found`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('[REQ-MET-006] promtool test rules passes every unit test file', () => {
      for (const f of testFiles) {
        const r = run(['test', 'rules', f]);
        expect(r.status, r.out).toBe(0);
        expect(r.out).toContain('SUCCESS');
      }
    });
  },
);

describe('rules, tests and runbooks', () => {
  it('[REQ-MET-006] every rule file has unit tests, and every alert is tested firing and silent', () => {
    const covered = new Set(tests.flatMap((t) => t.rule_files));
    expect([...covered].sort()).toEqual([...ruleFiles].sort());
    const cases = tests.flatMap((t) => t.tests.flatMap((c) => c.alert_rule_test ?? []));
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${a.alert} has no firing test`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${a.alert} has no silent test`,
      ).toBe(true);
    }
    // Each recording rule is evaluated by a test: directly, or through an alert or a tested rule that reads it.
    const read = new Set(
      [
        ...tests.flatMap((t) => t.tests.flatMap((c) => (c.promql_expr_test ?? []).map((e) => e.expr))),
        ...alerts.map((a) => a.expr),
      ].flatMap(metricNames),
    );
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of rules) {
        if (!r.record || !read.has(r.record)) continue;
        for (const n of metricNames(r.expr)) {
          if (read.has(n)) continue;
          read.add(n);
          grew = true;
        }
      }
    }
    for (const r of rules.filter((x) => x.record)) expect([...read], `${r.record} is not tested`).toContain(r.record);
  });

  it('[REQ-MET-007] every alert has a severity, a summary, a description and a runbook file in this repository', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    for (const a of alerts) {
      expect(['page', 'ticket'], `${a.alert} severity`).toContain(a.labels?.severity);
      expect(a.annotations?.summary, `${a.alert} summary`).toBeTruthy();
      expect(a.annotations?.description, `${a.alert} description`).toBeTruthy();
      const url = a.annotations?.runbook_url ?? '';
      // One runbook per alert, named after it: OutboxStuck → docs/runbooks/alerts/outbox-stuck.md.
      const kebab = (a.alert ?? '').replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
      expect(url, `${a.alert} runbook_url`).toBe(`docs/runbooks/alerts/${kebab}.md`);
      expect(existsSync(join(ROOT, url)), `${a.alert}: ${url} does not exist`).toBe(true);
    }
  });

  it('[REQ-MET-008] the dashboard is valid JSON with its datasource as a variable', () => {
    const ds = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(ds?.name).toBe('datasource');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) expect(p.datasource?.uid).toBe(`\${datasource}`);
    expect(dashboardExprs.length).toBeGreaterThan(10);
  });
});

describe('metric names against a real app', () => {
  let db: TestDb;
  let app: EmporiumApp;
  beforeAll(async () => {
    db = await openTestDb();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    // Default process metrics on, as in production (the event-loop lag gauges come from them).
    app = await createApp(config, { db: db.db, keepDbOpen: true, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await app.close();
    await db.dispose();
  });

  it('[REQ-MET-008] every metric the rules and the dashboard read is exported by /metrics after some traffic', async () => {
    for (const url of ['/v1/products?limit=5', '/v1/products?limit=5', '/v1/categories', '/readyz', '/nope']) {
      await app.http.inject({ method: 'GET', url });
    }
    const { text } = await scrape(app.http);
    const exported = new Set<string>();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      const [, name, type] = m as unknown as [string, string, string];
      exported.add(name);
      if (type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) exported.add(name + s);
    }
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    // `up` is Prometheus' own, per scrape target.
    const synthesized = new Set(['up']);
    const referenced = new Set([...rules.map((r) => r.expr), ...dashboardExprs].flatMap(metricNames));
    expect(referenced.size).toBeGreaterThan(20);
    for (const n of ['checkout_outcomes_total', 'http_request_duration_seconds_bucket', 'slo:sli_error:ratio_rate1h'])
      expect(referenced).toContain(n);
    for (const n of ['le', 'sum', 'rate', 'instance', 'subscriber']) expect(referenced).not.toContain(n);
    const missing = [...referenced].filter((n) => !exported.has(n) && !recorded.has(n) && !synthesized.has(n));
    expect(missing).toEqual([]);
    // The SLO buckets are there.
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.2",method="GET",route="\/v1\/products"/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="3",method="GET",route="\/v1\/products"/);
  });
});
