// The admin dashboard's operations sections end to end, in Debian's Chromium against a real listening server on a
// fresh database: webhooks (an endpoint created in the page delivers to a real local HTTP receiver that verifies the
// signature with the secret the page showed; the log shows the attempt; replay, edit, disable, rotate, delete),
// notifications (the local mail outbox, the delivery log, template previews), jobs and a dead letter made by a real
// failing subscriber and retried from the page, and automatic promotions in a campaign, used by a real order.
// axe-core runs on every page (0 serious or critical violations) and the page's CSP is enforced (a console error).
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src/platform/events/outbox.ts';
import type { ModuleDefinition } from '../../src/platform/module.ts';
import { createStaff, registerCustomer, type TestIdentity } from '../support/auth.ts';
import { needsChromium } from '../support/chromium.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { waitFor } from '../support/events-harness.ts';
import { listen } from '../support/listen.ts';
import { FAST_ENV } from '../webhooks/harness.ts';
import { type Receiver, startReceiver } from '../webhooks/receiver.ts';
import { type AxeViolation, ensureAdminBuild, openBrowser, type Session, seriousOrCritical, shot } from './browser.ts';
import { checkPage, openSection, signInAs } from './journey.ts';
import { createProduct, placeOrder } from './shop.ts';

const skip = Boolean(needsChromium);
const E2E_TIMEOUT = 180_000;
/** A liveness bound for what the server does in the background (a loaded CI machine is slow, never this slow). */
const WAIT_MS = 60_000;
const FLAKY = 'adminops.flaky';
const FAILING_TYPE = 'adminops.thing.failed';
let t: TestApp;
let base: string;
let admin: TestIdentity;
let support: TestIdentity;
let s: Session;
let rx: Receiver;
const axeReport: Record<string, AxeViolation[]> = {};
/** The subscriber fails until the test repairs it; what it handled once repaired. */
let failing = true;
const handled: string[] = [];
const flakyModule: ModuleDefinition = {
  name: 'adminops',
  subscribers: [
    {
      name: FLAKY,
      eventTypes: [FAILING_TYPE],
      async handle(e) {
        if (failing) throw new Error('the ERP sync is down');
        handled.push(e.id);
      },
    },
  ],
};

const checkA11y = (name: string) => checkPage(s.page, name, axeReport);

const signIn = (email: string) => signInAs(s.page, base, email);

const nav = (label: string, heading: string | RegExp) => openSection(s.page, label, heading);

/** Clicks `refresh` until `target` shows (the page shows the API's state; the server works in the background). */
async function refreshUntil(refresh: () => Promise<unknown>, target: Locator) {
  for (let i = 0; i < 250; i++) {
    if ((await target.count()) > 0) return;
    await refresh();
    await s.page.waitForTimeout(200);
  }
  throw new Error(`still not shown after 250 refreshes: ${target}`);
}

beforeAll(async () => {
  ensureAdminBuild();
  if (skip) return;
  t = await createTestApp({
    env: { ...FAST_ENV, EVENTS_MAX_ATTEMPTS: '1', EVENTS_POLL_MS: '50' },
    extraModules: [flakyModule],
  });
  base = await listen(t.http);
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
  rx = await startReceiver(() => 200);
  s = await openBrowser();
  await signIn(admin.email);
}, 120_000);
afterAll(async () => {
  await s?.close();
  await rx?.close();
  await t?.close();
  if (skip) return;
  const counts = Object.entries(axeReport).map(([k, v]) => `${k} ${seriousOrCritical(v).length}/${v.length}`);
  console.log(`axe-core violations per page (serious or critical / any): ${counts.join(', ')}`);
});

describe.skipIf(skip)(`admin operations sections in Chromium ${needsChromium}`, () => {
  it(
    '[REQ-ADM-040] webhooks: create an endpoint for picked event types (secret shown once), a real receiver gets a signed delivery, the log shows its attempt, replay, edit, disable, rotate, delete',
    async () => {
      const page = s.page;
      await nav('Webhooks', 'Webhooks');
      // The API's field error shows at the URL field.
      await page.getByLabel('URL').fill('ftp://example.com/hook');
      await page.getByLabel('catalog.product.created', { exact: true }).check();
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await page.locator('input[aria-invalid="true"]').first().waitFor();
      expect(await page.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('URL').fill(rx.url);
      await page.getByLabel('Description').fill('ERP');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const secret = (await page.getByTestId('webhook-secret').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      rx.secrets.push(secret);
      const link = page.getByRole('table', { name: 'Webhook endpoints' }).getByRole('link', { name: rx.url });
      await link.waitFor();
      await checkA11y('webhooks');
      await shot(page, 'webhooks');

      // A product created over the API is delivered to the receiver, signed with the secret the page showed.
      await createProduct(t, admin, 'Webhook Lamp');
      await waitFor(() => rx.ofType('catalog.product.created').length === 1, WAIT_MS);
      expect(rx.unverified()).toEqual([]);
      const webhookId = rx.ofType('catalog.product.created')[0]?.webhookId ?? '';

      await link.click();
      await page.getByRole('heading', { name: `Webhook endpoint ${rx.url}`, level: 1 }).waitFor();
      const deliveries = page.getByRole('table', { name: 'Deliveries, newest first' });
      const row = deliveries.getByRole('row').filter({ hasText: 'catalog.product.created' });
      await refreshUntil(
        () => page.getByRole('button', { name: 'Refresh' }).click(),
        row.filter({ hasText: 'delivered' }),
      );
      expect(await row.textContent()).toMatch(/HTTP 200 in \d+ ms/);
      await page.getByRole('button', { name: `Attempts of ${webhookId}` }).click();
      const attempts = page.getByRole('table', { name: `Every attempt of delivery ${webhookId}` });
      await attempts.getByRole('cell', { name: 'Delivered: HTTP 200' }).waitFor();
      await checkA11y('webhook-detail');
      await shot(page, 'webhook-detail');

      // Replay sends the same webhook-id again.
      await page.getByRole('button', { name: `Replay ${webhookId}` }).click();
      await page.getByRole('status').filter({ hasText: 'sent again' }).waitFor();
      await waitFor(() => rx.received.filter((r) => r.webhookId === webhookId).length === 2, WAIT_MS);

      // Edit, disable and enable.
      await page.getByLabel('Description').fill('ERP (orders too)');
      await page.getByLabel('orders.order.placed', { exact: true }).check();
      await page.getByRole('button', { name: 'Save endpoint' }).click();
      await page.getByRole('status').filter({ hasText: 'Endpoint saved.' }).waitFor();
      const saved = await t.http.inject({ method: 'GET', url: '/v1/admin/webhooks', headers: admin.headers });
      expect(saved.json().items[0]).toMatchObject({
        description: 'ERP (orders too)',
        events: ['catalog.product.created', 'orders.order.placed'],
      });
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByText('Disabled', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByText('Enabled', { exact: true }).waitFor();

      // Rotating shows the new secret once; it differs from the first.
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).waitFor();
      await checkA11y('webhook-rotate-dialog');
      await page.getByRole('button', { name: 'Rotate', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Secret rotated.' }).waitFor();
      const rotated = (await page.getByTestId('webhook-secret').textContent()) ?? '';
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);

      await page.getByRole('button', { name: 'Delete endpoint' }).click();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByRole('cell', { name: 'No endpoints yet.' }).waitFor();
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    "[REQ-ADM-041] notifications: a customer's welcome mail in the local outbox opens as text (its HTML never rendered into the page); the delivery log; a template previewed in another locale",
    async () => {
      const page = s.page;
      const customer = await registerCustomer(t, { name: 'Nora Ops' });
      await nav('Notifications', 'Notifications');
      const outbox = page.getByRole('table', { name: 'Mail outbox, newest first' });
      const mailRow = outbox.getByRole('row').filter({ hasText: customer.email }).filter({ hasText: 'welcome' });
      await refreshUntil(() => page.reload(), mailRow);
      await mailRow.getByRole('button').click();
      const mail = page.getByRole('article');
      await mail.getByRole('heading', { level: 3 }).waitFor();
      expect(await mail.locator('pre').first().textContent()).toMatch(/Nora/);
      // The mail's HTML is shown as text inside the dashboard's own page: no frame, no markup from the mail.
      expect(await page.locator('iframe').count()).toBe(0);
      expect(await mail.getByText('HTML source').count()).toBe(1);

      const log = page.getByRole('table', { name: 'Messages, newest first' });
      await log.getByRole('row').filter({ hasText: customer.email }).filter({ hasText: 'welcome' }).waitFor();
      await checkA11y('notifications');
      await shot(page, 'notifications');

      await page.getByLabel('Template', { exact: true }).selectOption('welcome');
      await page.getByLabel('Locale', { exact: true }).selectOption('de');
      const preview = await t.http.inject({
        method: 'GET',
        url: '/v1/admin/notifications/templates/welcome/preview?locale=de',
        headers: admin.headers,
      });
      await page.getByRole('heading', { name: preview.json().subject, level: 3 }).waitFor();
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-042] jobs and dead letters: scheduled jobs with their runs; a subscriber that failed leaves a dead letter, retried from the page once it is fixed',
    async () => {
      const page = s.page;
      const [event] = await t.kernel.db.transaction((tx) =>
        appendEvents(tx, undefined, [{ type: FAILING_TYPE, aggregateId: 'agg_admin_e2e', payload: {} }]),
      );
      await nav('Jobs', 'Jobs and dead letters');
      const dead = page.getByRole('table', { name: 'Events a subscriber failed on' });
      const row = dead.getByRole('row').filter({ hasText: FLAKY });
      await refreshUntil(() => page.reload(), row);
      expect(await row.textContent()).toContain('the ERP sync is down');
      await page
        .getByRole('table', { name: 'Scheduled jobs' })
        .getByRole('row')
        .filter({ hasText: 'webhooks.dispatch' })
        .waitFor();
      await checkA11y('jobs');
      await shot(page, 'jobs');

      failing = false;
      await row.getByRole('button', { name: `Retry ${FAILING_TYPE} for ${FLAKY}` }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${FAILING_TYPE} sent to ${FLAKY} again.` })
        .waitFor();
      await waitFor(() => handled.includes(event?.id ?? ''), WAIT_MS);
      // The retried dead letter is gone (the page lists the dead letters again after the retry).
      await row.waitFor({ state: 'detached' });
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-043] promotions: a campaign and an automatic promotion in it, used by a real order; edit the limit, pause, resume, end',
    async () => {
      const page = s.page;
      await nav('Promotions', 'Promotions');
      await page.getByLabel('Campaign name').fill('Winter');
      await page.getByLabel('Campaign usage limit').fill('50');
      await page.getByRole('button', { name: 'Create campaign' }).click();
      await page.getByRole('status').filter({ hasText: 'Campaign Winter created' }).waitFor();
      const campaignId = await page.getByLabel('Campaign id').inputValue();
      expect(campaignId).not.toBe('');

      await page.getByLabel('Name', { exact: true }).fill('Winter sale');
      await page.getByLabel('Percent off').fill('10');
      await page.getByRole('button', { name: 'Create promotion' }).click();
      await page.getByRole('status').filter({ hasText: 'Promotion Winter sale created.' }).waitFor();
      const table = page.getByRole('table', { name: 'Automatic promotions and their usage' });
      const row = table.getByRole('row').filter({ hasText: 'Winter sale' });
      await row.filter({ hasText: 'running' }).filter({ hasText: campaignId }).waitFor();

      // A customer's order gets the discount; the page shows it used.
      const product = await createProduct(t, admin, 'Winter Scarf');
      const got = await t.http.inject({
        method: 'GET',
        url: `/v1/admin/products/${product.id}`,
        headers: admin.headers,
      });
      const variantId: string = got.json().variants[0].id;
      const wh = await t.http.inject({
        method: 'POST',
        url: '/v1/admin/warehouses',
        headers: admin.headers,
        payload: { name: 'Ops DC', country: 'DE', priority: 1 },
      });
      await t.http.inject({
        method: 'POST',
        url: '/v1/admin/inventory/adjustments',
        headers: admin.headers,
        payload: { variantId, warehouseId: wh.json().id, quantity: 5, reason: 'received' },
      });
      const order = await placeOrder(t, [{ variantId, quantity: 1 }]);
      expect(order.totals.discount.amount).toBe(90);
      await page.reload();
      await row.filter({ hasText: '1 used' }).waitFor();

      await row.getByRole('button', { name: 'Edit Winter sale' }).click();
      await page.getByLabel('Usage limit', { exact: true }).first().waitFor();
      const edit = page.getByRole('region', { name: 'Edit Winter sale' });
      await edit.getByLabel('Usage limit').fill('100');
      await edit.getByRole('button', { name: 'Save promotion' }).click();
      await row.filter({ hasText: '1 of 100 used' }).waitFor();
      await checkA11y('promotions');
      await shot(page, 'promotions');
      await edit.getByRole('button', { name: 'Pause' }).click();
      await row.filter({ hasText: 'paused' }).waitFor();
      await edit.getByRole('button', { name: 'Resume' }).click();
      await row.filter({ hasText: 'running' }).waitFor();
      await edit.getByRole('button', { name: 'End now' }).click();
      await page.getByRole('button', { name: 'End it' }).click();
      await row.filter({ hasText: 'ended' }).waitFor();
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-044] a support agent sees notifications and jobs but neither webhooks nor promotions, and cannot retry dead letters',
    async () => {
      const page = s.page;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
      await signIn(support.email);
      const links = await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
      expect(links).toContain('Notifications');
      expect(links).toContain('Jobs');
      expect(links).not.toContain('Webhooks');
      expect(links).not.toContain('Promotions');
      await nav('Jobs', 'Jobs and dead letters');
      await page.getByRole('table', { name: 'Scheduled jobs' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Dead letters', exact: true }).count()).toBe(0);
      await page.goto(`${base}/admin/webhooks`);
      await page.getByRole('heading', { name: 'Not available', level: 1 }).waitFor();
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );
});
