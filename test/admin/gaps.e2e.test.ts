// The staff reads the second slice added to the API, as the dashboard shows them, in Debian's Chromium against a
// real listening server on a fresh database: low stock on the overview, products in any status (an archived one
// opened from the list), a variant's movement history per warehouse, orders filtered by day by the API, and an
// order's timeline from its event log. axe-core on every page; screenshots for docs/admin.md.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from '../support/auth.ts';
import { needsChromium } from '../support/chromium.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';
import { ensureAdminBuild, openBrowser, type Session, shot } from './browser.ts';
import { checkPage } from './journey.ts';
import { type PlacedOrder, placeOrder } from './shop.ts';

const skip = Boolean(needsChromium);
const E2E_TIMEOUT = 120_000;
const tag = randomUUID().slice(0, 6);
let t: TestApp;
let base: string;
let admin: TestIdentity;
let s: Session;
let variant = '';
let liveId = '';
let berlin = '';
let order: PlacedOrder;
const names = { live: `Lamp ${tag}`, draft: `Draft chair ${tag}`, archived: `Old desk ${tag}` };

async function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const res = await t.http.inject({ method, url, headers: admin.headers, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.statusCode === 204 ? undefined : res.json();
}
const product = (name: string, status: string) =>
  api('POST', '/v1/products', {
    slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    name,
    status,
    variants: [{ sku: `SKU-${name.replace(/[^A-Za-z0-9]+/g, '-')}`, prices: [{ currency: 'EUR', amount: 2500 }] }],
  });

const checkA11y = (name: string) => checkPage(s.page, name);

beforeAll(async () => {
  ensureAdminBuild();
  if (skip) return;
  t = await createTestApp();
  base = await listen(t.http);
  admin = await createStaff(t, 'admin');
  const live = await product(names.live, 'published');
  variant = live.variants[0].id;
  liveId = live.id;
  await product(names.draft, 'draft');
  const old = await product(names.archived, 'published');
  await api('DELETE', `/v1/products/${old.id}`);
  berlin = (await api('POST', '/v1/admin/warehouses', { name: 'Berlin DC', country: 'DE', priority: 10 })).id;
  const paris = (await api('POST', '/v1/admin/warehouses', { name: 'Paris DC', country: 'FR' })).id;
  const move = (warehouseId: string, kind: string, quantity: number, reason: string) =>
    api('POST', '/v1/admin/inventory/adjustments', { variantId: variant, warehouseId, kind, quantity, reason });
  await move(berlin, 'receive', 4, 'PO-berlin');
  await move(paris, 'receive', 2, 'PO-paris');
  await move(berlin, 'damage', -1, 'dropped on the floor');
  await api('PUT', `/v1/admin/inventory/${variant}/policy`, { mode: 'tracked', lowStockThreshold: 4 });
  order = await placeOrder(t, [{ variantId: variant, quantity: 1 }]);
  s = await openBrowser();
  await s.page.goto(`${base}/admin/sign-in`);
  await s.page.getByLabel('Email').fill(admin.email);
  await s.page.getByLabel('Password').fill(admin.password);
  await s.page.getByRole('button', { name: 'Sign in' }).click();
  await s.page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}, 120_000);
afterAll(async () => {
  await s?.close();
  await t?.close();
});

describe.skipIf(skip)(`dashboard on the second slice's API ${needsChromium}`, () => {
  it(
    '[REQ-ADM-064] the overview lists low stock from the API and links to the variant’s inventory',
    async () => {
      const page = s.page;
      const low = page.getByRole('list', { name: 'Low stock' });
      // 4 + 2 − 1 received, 1 sold: 4 available at a threshold of 4.
      await low.getByText('4 available (threshold 4)').waitFor();
      await checkA11y('overview-low-stock');
      await shot(page, 'overview-low-stock');
      await low.getByRole('link', { name: variant }).click();
      await page.getByRole('heading', { name: 'Inventory', level: 1 }).waitFor();
      await page.getByRole('table', { name: `Stock of variant ${variant}` }).waitFor();
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-065] inventory shows the variant’s movement history, newest first, filtered by warehouse',
    async () => {
      const page = s.page;
      const history = page.getByRole('table', { name: `Stock movements of variant ${variant}, newest first` });
      await history.getByRole('cell', { name: 'dropped on the floor' }).waitFor();
      const reasons = async () => history.locator('tbody tr td:nth-child(5)').allTextContents();
      // The sale's commit follows the order's payment: wait for it, then all four rows in order.
      await page.waitForFunction(
        `document.querySelectorAll('table')[1]?.querySelectorAll('tbody tr').length >= 4`,
        null,
      );
      expect((await reasons()).slice(1)).toEqual(['dropped on the floor', 'PO-paris', 'PO-berlin']);
      const changes = await history.locator('tbody tr td:nth-child(4)').allTextContents();
      const kinds = await history.locator('tbody tr td:nth-child(3)').allTextContents();
      expect([kinds, changes]).toEqual([
        ['commit', 'damage', 'receive', 'receive'],
        ['−1', '−1', '+2', '+4'],
      ]);
      await page.getByLabel('History of warehouse').selectOption(berlin);
      await history.getByRole('cell', { name: 'PO-paris' }).waitFor({ state: 'detached' });
      await history.getByRole('cell', { name: 'PO-berlin' }).waitFor();
      // Berlin ships first (priority 10): the sale was taken from there.
      expect(await reasons()).toEqual(['reservation committed', 'dropped on the floor', 'PO-berlin']);
      await checkA11y('inventory-history');
      await shot(page, 'inventory-history');
      // A movement recorded on the page shows at the top of the history.
      await page.getByLabel('Warehouse', { exact: true }).selectOption(berlin);
      await page.getByLabel('Kind').selectOption('receive');
      await page.getByLabel('Quantity').fill('6');
      await page.getByLabel('Reason').fill(`PO-${tag}`);
      await page.getByRole('button', { name: 'Record movement' }).click();
      await history.getByRole('cell', { name: `PO-${tag}` }).waitFor();
      expect((await reasons())[0]).toBe(`PO-${tag}`);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-066] products lists every status from the API; an archived product opens from the list',
    async () => {
      const page = s.page;
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Products' }).click();
      await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
      for (const name of Object.values(names)) await page.getByRole('link', { name }).waitFor();
      await page.getByLabel('Status').selectOption('archived');
      await page.getByRole('table', { name: 'Products: archived' }).waitFor();
      await page.getByRole('link', { name: names.live }).waitFor({ state: 'detached' });
      await checkA11y('products-archived');
      await shot(page, 'products-archived');
      await page.getByRole('link', { name: names.archived }).click();
      await page.getByRole('heading', { name: names.archived, level: 1 }).waitFor();
      await page.getByTestId('product-status').filter({ hasText: 'archived' }).waitFor();
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-068] a product gets a new category and an image by URL',
    async () => {
      const page = s.page;
      await page.goto(`${base}/admin/products/${liveId}`);
      await page.getByRole('heading', { name: names.live, level: 1 }).waitFor();
      await page.getByLabel('New category name').fill(`Lighting ${tag}`);
      await page.getByLabel('Its slug').fill(`lighting-${tag}`);
      await page.getByRole('button', { name: 'Create category' }).click();
      await page.getByLabel(`Lighting ${tag}`).waitFor();
      expect(await page.getByLabel(`Lighting ${tag}`).isChecked()).toBe(true);
      await page.getByLabel('Image URLs').fill('ftp://cdn.example.com/lamp.jpg');
      await page.getByRole('button', { name: 'Save categories and images' }).click();
      await page.getByText('Line 1 is not an https URL.').waitFor();
      await page.getByLabel('Image URLs').fill('https://cdn.example.com/lamp.jpg');
      await page.getByRole('button', { name: 'Save categories and images' }).click();
      await page.getByRole('status').filter({ hasText: 'Categories and images saved.' }).waitFor();
      await page.getByRole('list', { name: 'Images' }).getByRole('img', { name: 'Product view 1' }).waitFor();
      await checkA11y('product-extras');
      const saved = await api('GET', `/v1/admin/products/${liveId}`);
      expect([saved.images, saved.categories.map((c: { slug: string }) => c.slug)]).toEqual([
        ['https://cdn.example.com/lamp.jpg'],
        [`lighting-${tag}`],
      ]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-067] orders are filtered by the day placed through the API; the order’s timeline comes from its log',
    async () => {
      const page = s.page;
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Orders' }).click();
      await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
      await page.getByRole('link', { name: order.number }).waitFor();
      const filtered = page.waitForRequest((r) => r.url().includes('/v1/orders?') && r.url().includes('placedFrom='));
      await page.getByLabel('Placed on').fill('2001-02-03');
      const url = new URL((await filtered).url());
      expect([url.searchParams.get('placedFrom'), url.searchParams.get('placedBefore')]).toEqual([
        '2001-02-03T00:00:00.000Z',
        '2001-02-04T00:00:00.000Z',
      ]);
      await page.getByText('No orders match.').waitFor();
      await page.getByLabel('Placed on').fill(new Date().toISOString().slice(0, 10));
      await page.getByRole('link', { name: order.number }).click();
      await page.getByRole('heading', { name: `Order ${order.number}`, level: 1 }).waitFor();
      const timeline = page.getByRole('list', { name: 'Timeline' });
      await timeline.getByText(/Order placed by the guest$/).waitFor();
      await timeline.getByText('pending → paid by the system').waitFor();
      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel order' }).click();
      await timeline.getByText('paid → cancelled by staff: Cancelled by staff').waitFor();
      await checkA11y('order-timeline');
      await shot(page, 'order-timeline');
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );
});
