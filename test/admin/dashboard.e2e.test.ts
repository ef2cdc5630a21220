// The admin dashboard end to end (issue #21's "done when"), in Debian's Chromium against a real listening server on
// a fresh database: a staff member signs in, creates a product with two variants priced in two currencies, receives
// stock, sees a customer's order arrive, ships it with tracking, refunds one line, processes a return, cancels an
// order, creates a coupon and sees it used; a support agent sees only what the role allows. axe-core runs on every
// page (0 serious or critical violations), the page's CSP is enforced (a violation is a console error), and each
// section's screenshot is saved for docs/admin.md.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from '../support/auth.ts';
import { needsChromium } from '../support/chromium.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';
import {
  type AxeViolation,
  ensureAdminBuild,
  firstRouteScript,
  openBrowser,
  type Session,
  seriousOrCritical,
  shot,
} from './browser.ts';
import { checkPage, openSection, signInAs } from './journey.ts';
import { createProduct, type PlacedOrder, placeOrder, requestReturn } from './shop.ts';

const skip = Boolean(needsChromium);
/** One journey, with room for a loaded CI machine (each browser step waits up to 20 s for its condition). */
const E2E_TIMEOUT = 180_000;
let t: TestApp;
let base: string;
let admin: TestIdentity;
let support: TestIdentity;
let s: Session;
const axeReport: Record<string, AxeViolation[]> = {};
let firstPaintMs = Number.NaN;
let reloadPaintMs = Number.NaN;
const tag = Math.random().toString(36).slice(2, 8);
const product = { name: `Aurora Mug ${tag}`, skuS: `MUG-${tag}-S`, skuL: `MUG-${tag}-L` };
let variantS = '';
let variantL = '';
let order: PlacedOrder;
let unshipped: PlacedOrder;

/** The page's first contentful paint in ms (Chromium may record it a moment after the content shows). */
async function firstPaint(page: Page): Promise<number> {
  const fcp = "performance.getEntriesByName('first-contentful-paint')";
  await page.waitForFunction(`${fcp}.length > 0`, null, { timeout: 5000 }).catch(() => undefined);
  return Number(await page.evaluate(`${fcp}[0]?.startTime`));
}

/** axe on the page as it is now: recorded for the docs, asserted free of serious and critical violations. */
const checkA11y = (name: string) => checkPage(s.page, name, axeReport);

const signIn = (email: string) => signInAs(s.page, base, email);

const nav = (label: string, heading: string | RegExp) => openSection(s.page, label, heading);

beforeAll(async () => {
  ensureAdminBuild();
  if (skip) return;
  t = await createTestApp();
  base = await listen(t.http);
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
  s = await openBrowser();
}, 120_000);
afterAll(async () => {
  await s?.close();
  await t?.close();
  if (skip) return;
  const axeCounts = Object.entries(axeReport).map(([k, v]) => `${k} ${seriousOrCritical(v).length}/${v.length}`);
  console.log(`axe-core violations per page (serious or critical / any): ${axeCounts.join(', ')}`);
  const paints = `in a fresh browser ${firstPaintMs.toFixed(0)} ms, reload signed in ${reloadPaintMs.toFixed(0)} ms`;
  console.log(`first contentful paint of /admin/: ${paints}`);
});

it("[REQ-ADM-015] the first route's JavaScript stays within 300 KB gzipped", () => {
  const first = firstRouteScript();
  console.log(`first route: ${first.files.length} scripts, ${first.raw} bytes, ${first.gzip} gzipped`);
  expect(first.files.length).toBeGreaterThan(0);
  expect(first.gzip).toBeLessThanOrEqual(300 * 1024);
});

describe.skipIf(skip)(`admin dashboard in Chromium ${needsChromium}`, () => {
  it(
    '[REQ-ADM-003] sign-in shows the API problem on a wrong password, then signs in; navigation, reload and sign-out',
    async () => {
      const page = s.page;
      await page.goto(`${base}/admin/`);
      await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
      // Reported, not asserted (timing): the first contentful paint of the page on localhost.
      firstPaintMs = Number(await firstPaint(page));
      await checkA11y('sign-in');
      await shot(page, 'sign-in');
      await page.getByLabel('Email').fill(admin.email);
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /password/i })
        .waitFor();

      await signIn(admin.email);
      const links = await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
      expect(links).toEqual([
        'Overview',
        'Products',
        'Inventory',
        'Orders',
        'Coupons',
        'Promotions',
        'Customers',
        'Tax & shipping',
        'Staff',
        'Webhooks',
        'Notifications',
        'Jobs',
      ]);
      // A reload keeps the session: the refresh token (sessionStorage) buys a new access token.
      const refreshed = page.waitForRequest((r) => r.url().endsWith('/v1/auth/refresh'));
      await page.reload();
      await refreshed;
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      reloadPaintMs = Number(await firstPaint(page));
      // An expired access token (the API's 401) is renewed once through the refresh endpoint and the call repeated.
      let expired = false;
      await page.route('**/v1/orders?*', async (route) => {
        if (expired) return route.continue();
        expired = true;
        await route.fulfill({
          status: 401,
          contentType: 'application/problem+json',
          body: JSON.stringify({ status: 401, code: 'auth.unauthorized', title: 'Unauthorized', detail: 'expired' }),
        });
      });
      const renewed = page.waitForRequest((r) => r.url().endsWith('/v1/auth/refresh'));
      await nav('Orders', 'Orders');
      await renewed;
      await page.getByRole('table', { name: 'Orders, newest first' }).waitFor();
      expect(expired).toBe(true);
      await page.unroute('**/v1/orders?*');

      // Keyboard: a client-side navigation moves focus to the new page's content; on a fresh load the skip link is
      // the first stop, and Enter on a navigation link opens its section.
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');
      const firstStop = await page.evaluate(
        `document.querySelector('a[href], button, input, select, textarea, [tabindex="0"]')?.textContent`,
      );
      expect(firstStop).toBe('Skip to content');
      await page.getByRole('link', { name: 'Skip to content' }).focus();
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Overview' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

      // Sign-out ends the session on the server: the refresh token no longer works.
      const stored = await page.evaluate(`sessionStorage.getItem('emporium.admin.refresh')`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
      const reuse = await t.http.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: stored } });
      expect(reuse.statusCode).toBe(401);
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-004] products: a field error from the API shows at its field; create with two variants in EUR and USD, edit, search, archive',
    async () => {
      const page = s.page;
      await signIn(admin.email);
      await nav('Products', 'Products');
      await page.getByRole('link', { name: 'New product' }).click();
      await page.getByRole('heading', { name: 'New product', level: 1 }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill(product.name);
      await page.getByLabel('Slug').fill('Not A Slug');
      await page.getByLabel('SKU (variant 1)').fill(product.skuS);
      await page.getByLabel('Option (variant 1)').fill('Size: S');
      await page.getByLabel('Amount (variant 1, price 1)').fill('12.50');
      await page.getByLabel('Amount (variant 1, price 2)').fill('13.99');
      await page.getByRole('button', { name: 'Add a variant' }).click();
      await page.getByLabel('SKU (variant 2)').fill(product.skuL);
      await page.getByLabel('Option (variant 2)').fill('Size: L');
      await page.getByLabel('Amount (variant 2, price 1)').fill('15');
      await page.getByLabel('Amount (variant 2, price 2)').fill('16.50');
      await page.getByRole('button', { name: 'Create product' }).click();
      // The API refuses the slug; its message is tied to the Slug field (aria-describedby) and announced as invalid.
      const slug = page.getByLabel('Slug');
      await page.locator('[aria-invalid="true"]').first().waitFor();
      expect(await slug.getAttribute('aria-invalid')).toBe('true');
      const describedBy = (await slug.getAttribute('aria-describedby')) ?? '';
      expect(await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent()).toMatch(/pattern/);
      await checkA11y('product-new-with-errors');
      await shot(page, 'product-new');

      await slug.fill(`aurora-mug-${tag}`);
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('heading', { name: product.name, level: 1 }).waitFor();
      const variants = page.getByRole('table', { name: 'Variants' });
      await variants.getByRole('cell', { name: /^€12\.50 · (US)?\$13\.99$/ }).waitFor();
      await variants.getByRole('cell', { name: /^€15\.00 · (US)?\$16\.50$/ }).waitFor();
      const created = await t.http.inject({ method: 'GET', url: `/v1/products/aurora-mug-${tag}` });
      const body = created.json() as { variants: { id: string; sku: string }[] };
      variantS = body.variants.find((v) => v.sku === product.skuS)?.id ?? '';
      variantL = body.variants.find((v) => v.sku === product.skuL)?.id ?? '';
      expect(variantS && variantL).toBeTruthy();

      await page.getByLabel('Description').fill('Stoneware, 350 ml.');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      // A variant's prices: the large mug's euro price changes, its dollar price stays.
      await page.getByLabel('Variant', { exact: true }).selectOption({ label: product.skuL });
      await page.getByLabel('Amount 1').fill('15.50');
      await page.getByRole('button', { name: 'Save prices' }).click();
      await page.getByRole('status').filter({ hasText: 'Prices saved.' }).waitFor();
      await variants.getByRole('cell', { name: /^€15\.50 · (US)?\$16\.50$/ }).waitFor();
      await checkA11y('product-edit');
      await shot(page, 'product-edit');

      // The list, and search (the search index follows the catalog through events: search until it is there).
      await nav('Products', 'Products');
      await page.getByRole('link', { name: product.name }).waitFor();
      await page.getByLabel('Search products').fill(`Aurora ${tag}`);
      const hit = page.getByRole('table', { name: /matching/ }).getByRole('link', { name: product.name });
      for (let i = 0; i < 60 && !(await hit.isVisible()); i++) {
        await page.getByRole('button', { name: 'Search' }).click();
        await hit.waitFor({ timeout: 1000 }).catch(() => undefined);
      }
      await hit.waitFor();
      await checkA11y('products');
      await shot(page, 'products');

      // Archive (another product): asked first, then gone from the storefront.
      const old = await createProduct(t, admin, `Old Lamp ${tag}`);
      await page.goto(`${base}/admin/products/${old.id}`);
      await page.getByRole('button', { name: 'Archive' }).click();
      const dialog = page.getByRole('dialog', { name: `Archive Old Lamp ${tag}?` });
      await dialog.waitFor();
      await checkA11y('archive-dialog');
      await dialog.getByRole('button', { name: 'Archive product' }).click();
      await page.getByTestId('product-status').filter({ hasText: 'archived' }).waitFor();
      expect((await t.http.inject({ method: 'GET', url: `/v1/products/${old.id}` })).statusCode).toBe(404);
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-005] inventory: add a warehouse, receive stock for both variants, see it per warehouse',
    async () => {
      const page = s.page;
      await page.goto(
        `${base}/admin/products/${(await t.http.inject({ method: 'GET', url: `/v1/products/aurora-mug-${tag}` })).json().id}`,
      );
      await page.getByRole('link', { name: `Stock of ${product.skuS}` }).click();
      await page.getByRole('heading', { name: 'Inventory', level: 1 }).waitFor();
      await page.getByLabel('Warehouse name').fill('Berlin DC');
      await page.getByLabel('Country').fill('DE');
      await page.getByRole('button', { name: 'Add warehouse' }).click();
      await page.locator('option', { hasText: 'Berlin DC (DE)' }).waitFor({ state: 'attached' });
      for (const [variantId, qty] of [
        [variantS, '20'],
        [variantL, '10'],
      ] as const) {
        await page.goto(`${base}/admin/inventory?variant=${variantId}`);
        await page.locator('option', { hasText: 'Berlin DC (DE)' }).waitFor({ state: 'attached' });
        await page.getByLabel('Warehouse', { exact: true }).selectOption({ label: 'Berlin DC (DE)' });
        await page.getByLabel('Kind').selectOption('receive');
        await page.getByLabel('Quantity').fill(qty);
        await page.getByLabel('Reason').fill('Delivery from supplier');
        await page.getByRole('button', { name: 'Record movement' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `${qty} on hand` })
          .waitFor();
        await page
          .getByRole('table', { name: `Stock of variant ${variantId}` })
          .getByRole('row', { name: `Berlin DC ${qty} 0 ${qty}` })
          .waitFor();
      }
      await checkA11y('inventory');
      await shot(page, 'inventory');
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-006] orders: a customer order arrives, is filtered, shipped with tracking, one line refunded, a return received; another cancelled',
    async () => {
      const page = s.page;
      order = await placeOrder(t, [
        { variantId: variantS, quantity: 2 },
        { variantId: variantL, quantity: 1 },
      ]);
      expect(order.status).toBe('paid');
      await nav('Orders', 'Orders');
      await page.getByLabel('Status').selectOption('paid');
      await page.getByLabel('Placed on').fill(new Date().toISOString().slice(0, 10));
      await page.getByRole('link', { name: order.number }).waitFor();
      await checkA11y('orders');
      await shot(page, 'orders');
      await page.getByRole('link', { name: order.number }).click();
      await page.getByRole('heading', { name: `Order ${order.number}`, level: 1 }).waitFor();

      await page.getByLabel('Carrier').fill('DHL');
      await page.getByLabel('Tracking number').fill('JD0146000033');
      await page.getByRole('button', { name: 'Ship', exact: true }).click();
      await page
        .getByTestId('order-status')
        .filter({ hasText: /^shipped$/ })
        .waitFor();
      await page.getByRole('list', { name: 'Shipments' }).getByText('DHL JD0146000033').waitFor();

      await page.getByRole('button', { name: `Refund ${product.skuL}` }).click();
      await page
        .getByRole('dialog', { name: `Refund line ${product.skuL}?` })
        .getByRole('button', { name: 'Refund line' })
        .click();
      await page
        .getByRole('status')
        .filter({ hasText: `for ${product.skuL}: succeeded` })
        .waitFor();

      await requestReturn(t, order, variantS, 1);
      await page.reload();
      await page.getByRole('button', { name: 'Receive return' }).click();
      await page.getByRole('status').filter({ hasText: 'Return received' }).waitFor();
      const timeline = page.getByRole('list', { name: 'Timeline' });
      await timeline.getByText('Shipped with DHL JD0146000033').waitFor();
      await timeline.getByText(/Return received, €\d+\.\d\d refunded/).waitFor();
      await checkA11y('order-detail');
      await shot(page, 'order-detail');
      const returns = (
        await t.http.inject({ method: 'GET', url: `/v1/orders/${order.id}/returns`, headers: admin.headers })
      ).json();
      expect(returns.items.map((r: { status: string }) => r.status)).toEqual(['received']);

      const other = await placeOrder(t, [{ variantId: variantS, quantity: 1 }]);
      await page.goto(`${base}/admin/orders/${other.id}`);
      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel order' }).click();
      await page.getByTestId('order-status').filter({ hasText: 'cancelled' }).waitFor();
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-007] coupons: create a coupon, a customer uses it, its usage shows',
    async () => {
      const page = s.page;
      const code = `SAVE10-${tag}`.toUpperCase();
      await nav('Coupons', 'Coupons');
      await page.getByLabel('Name').fill('Ten off');
      await page.getByLabel('Code').fill(code);
      await page.getByLabel('Percent off').fill('10');
      await page.getByLabel('Usage limit').fill('100');
      await page.getByRole('button', { name: 'Create coupon' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Coupon ${code} created.` })
        .waitFor();
      const table = page.getByRole('table', { name: 'Coupons and their usage' });
      await table.getByRole('row', { name: new RegExp(`${code} 10 % off 0 of 100 used`) }).waitFor();

      unshipped = await placeOrder(t, [{ variantId: variantL, quantity: 1 }], { couponCode: code });
      expect(unshipped.totals.discount.amount).toBeGreaterThan(0);
      await page.reload();
      await table.getByRole('row', { name: new RegExp(`${code} 10 % off 1 of 100 used`) }).waitFor();
      await checkA11y('coupons');
      await shot(page, 'coupons');
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    "[REQ-ADM-008] overview: today's orders and revenue, dead letters; at 768 px wide nothing scrolls sideways",
    async () => {
      const page = s.page;
      await nav('Overview', 'Overview');
      const count = Number(await page.getByTestId('orders-today').textContent());
      expect(count).toBe(2); // the shipped order and the coupon order; the cancelled one is not counted
      expect(await page.getByTestId('revenue-today').textContent()).toMatch(/^€/);
      await page.getByText('None: every event reached its subscribers.').waitFor();
      await checkA11y('overview');
      await shot(page, 'overview');
      await page.setViewportSize({ width: 768, height: 1000 });
      for (const path of ['/admin/', '/admin/products/new', `/admin/orders/${order.id}`]) {
        await page.goto(`${base}${path}`);
        await page.locator('h1').waitFor();
        expect([path, await page.evaluate('document.documentElement.scrollWidth')]).toEqual([path, 768]);
      }
      await shot(page, 'order-detail-768');
      await page.setViewportSize({ width: 1280, height: 900 });
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-009] a support agent sees only the sections and actions the role allows',
    async () => {
      const page = s.page;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
      await signIn(support.email);
      const links = await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
      expect(links).toEqual(['Overview', 'Orders', 'Notifications', 'Jobs']);
      // A paid, unshipped order: an admin is offered ship, refund and cancel here; support is offered none.
      await page.goto(`${base}/admin/orders/${unshipped.id}`);
      await page.getByRole('heading', { name: `Order ${unshipped.number}`, level: 1 }).waitFor();
      await page.getByRole('table', { name: 'Lines' }).waitFor();
      for (const action of ['Cancel order', `Refund ${product.skuL}`, 'Ship']) {
        expect([action, await page.getByRole('button', { name: action, exact: true }).count()]).toEqual([action, 0]);
      }
      await page.goto(`${base}/admin/coupons`);
      await page.getByRole('heading', { name: 'Not available', level: 1 }).waitFor();
      await checkA11y('no-access');
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );
});
