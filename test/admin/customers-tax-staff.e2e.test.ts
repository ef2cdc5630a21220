// The dashboard's customers, tax and shipping, and staff sections end to end, in Debian's Chromium against a real
// listening server on a fresh database: a customer found by name, their orders, their data exported and erased; a
// guest's data exported and erased by email; a tax rate set and changed; a shipping method created, edited and
// deleted; a staff member added, given another role and removed; an API key created (copied once), used and revoked.
// axe-core runs on every page and dialog (0 serious or critical violations); no console error (CSP) is allowed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, STAFF_ROLES } from '../../admin/src/lib/staff.ts';
import {
  PERMISSIONS as SERVER_PERMISSIONS,
  STAFF_ROLES as SERVER_ROLES,
} from '../../src/modules/identity/permissions.ts';
import { createStaff, registerCustomer, TEST_PASSWORD, type TestIdentity } from '../support/auth.ts';
import { createVariant } from '../support/cart.ts';
import { needsChromium } from '../support/chromium.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';
import { type AxeViolation, ensureAdminBuild, openBrowser, type Session, seriousOrCritical, shot } from './browser.ts';
import { checkPage, openSection, signInAs } from './journey.ts';
import { placeOrder } from './shop.ts';

const skip = Boolean(needsChromium);
const E2E_TIMEOUT = 180_000;
let t: TestApp;
let base: string;
let admin: TestIdentity;
let catalog: TestIdentity;
let s: Session;
const axeReport: Record<string, AxeViolation[]> = {};
const tag = Math.random().toString(36).slice(2, 8);

const checkA11y = (name: string) => checkPage(s.page, name, axeReport);

const signIn = (email: string) => signInAs(s.page, base, email);

const nav = (label: string, heading: string) => openSection(s.page, label, heading);

async function get(url: string, headers: Record<string, string> = admin.headers) {
  const res = await t.http.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, body: res.statusCode < 300 ? res.json() : undefined };
}

/** Clicks a button that opens a confirmation dialog, checks the dialog with axe, and confirms. */
async function confirm(button: string, confirmLabel: string, a11yName?: string) {
  await s.page.getByRole('button', { name: button, exact: true }).click();
  const dialog = s.page.getByRole('dialog');
  await dialog.waitFor();
  if (a11yName) await checkA11y(a11yName);
  await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

beforeAll(async () => {
  ensureAdminBuild();
  if (skip) return;
  t = await createTestApp();
  base = await listen(t.http);
  admin = await createStaff(t, 'admin');
  catalog = await createStaff(t, 'catalog_manager');
  s = await openBrowser();
  await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
}, 120_000);
afterAll(async () => {
  await s?.close();
  await t?.close();
  if (skip) return;
  const counts = Object.entries(axeReport).map(([k, v]) => `${k} ${seriousOrCritical(v).length}/${v.length}`);
  console.log(`axe-core violations per page (serious or critical / any): ${counts.join(', ')}`);
});

it("[REQ-ADM-026] the dashboard's role and permission names are the identity module's", () => {
  expect([...STAFF_ROLES]).toEqual([...SERVER_ROLES]);
  expect([...PERMISSIONS]).toEqual([...SERVER_PERMISSIONS]);
});

describe.skipIf(skip)(`customers, tax and shipping, staff in Chromium ${needsChromium}`, () => {
  it(
    '[REQ-ADM-020] [REQ-ADM-021] [REQ-ADM-022] customers: search, detail with orders, GDPR export and erasure of an account and of a guest',
    async () => {
      const page = s.page;
      const ada = await registerCustomer(t, { email: `ada-${tag}@example.com`, name: `Ada Lovelace ${tag}` });
      await registerCustomer(t, { email: `grace-${tag}@example.com`, name: `Grace Hopper ${tag}` });
      const variant = await createVariant(t, admin, { price: 1500, stock: 20 });
      const order = await placeOrder(t, [{ variantId: variant.variantId, quantity: 1 }], {
        customer: ada,
        email: ada.email,
      });
      const guestEmail = `guest-${tag}@example.com`;
      const guestOrder = await placeOrder(t, [{ variantId: variant.variantId, quantity: 2 }], { email: guestEmail });

      await signIn(admin.email);
      await nav('Customers', 'Customers');
      await page.getByLabel('Email or name').fill(`lovelace ${tag}`);
      const table = page.getByRole('table', { name: 'Customer accounts' });
      await table.getByRole('link', { name: ada.email }).waitFor();
      expect(await table.getByRole('link').allTextContents()).toEqual([ada.email]);
      await checkA11y('customers');
      await shot(page, 'customers');

      // The detail: profile and the customer's orders (the API's orders of the account).
      await table.getByRole('link', { name: ada.email }).click();
      await page.getByRole('heading', { name: `Ada Lovelace ${tag}`, level: 1 }).waitFor();
      await page.getByRole('link', { name: `Order ${order.number}` }).waitFor();
      await checkA11y('customer-detail');

      // GDPR export: the account's full export (what she gets from her own account), saved as a file.
      const saved = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download data export (JSON)' }).click();
      const download = await saved;
      expect(download.suggestedFilename()).toMatch(/^personal-data-ada-.+\.json$/);
      const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(exported.schemaVersion).toBe(1);
      expect(exported.profile.email).toBe(ada.email);
      expect(exported.modules.orders.orders.map((o: { number: string }) => o.number)).toContain(order.number);
      await page.getByRole('status').filter({ hasText: 'Saved personal-data-ada' }).waitFor();
      await shot(page, 'customer-detail');

      // Erasure: confirmed in a dialog; the result from the erasure record; the profile then shows as erased.
      await confirm('Erase this customer', 'Erase for good', 'customer-erase-dialog');
      await page
        .getByRole('status')
        .filter({ hasText: /^Erased: \d+ records/ })
        .waitFor();
      await page.getByRole('heading', { name: 'Customer (erased)', level: 1 }).waitFor();
      await page.getByText("This account's personal data has been erased.").waitFor();
      expect(await page.getByRole('definition').first().textContent()).toBe('(erased)');
      const after = await get(`/v1/orders/${order.id}`);
      expect(after.body.email).toBeNull();
      const erasures = await get('/v1/admin/privacy/erasures');
      expect(erasures.body.items.find((e: { userId: string }) => e.userId === ada.userId)?.status).toBe('done');

      // A guest: export by email (it holds the guest's order), then erase by email with a reason.
      await nav('Customers', 'Customers');
      await page.getByLabel('Guest email').fill(guestEmail);
      await page.getByLabel('Reason for erasure').fill('Asked by email');
      const guestSaved = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download guest export (JSON)' }).click();
      const guestExport = JSON.parse(readFileSync(await (await guestSaved).path(), 'utf8'));
      expect(guestExport.modules.orders.orders.map((o: { number: string }) => o.number)).toEqual([guestOrder.number]);
      await confirm('Erase guest data', 'Erase for good');
      await page
        .getByRole('status')
        .filter({ hasText: /^Erased: \d+ records/ })
        .waitFor();
      await page.getByRole('table', { name: 'Erasure requests, newest first' }).getByText('Asked by email').waitFor();
      await checkA11y('customers-guest-erased');
      expect((await get(`/v1/orders/${guestOrder.id}`)).body.email).toBeNull();
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-023] [REQ-ADM-024] tax and shipping: a tax rate set and changed; a shipping method created, edited, deleted',
    async () => {
      const page = s.page;
      await nav('Tax & shipping', 'Tax and shipping');
      const taxes = page.getByRole('table', { name: 'Tax rates' });
      // A rate the form cannot send is named at its field.
      await page.getByLabel('Country').fill('AT');
      await page.getByLabel('Rate (%)').fill('120');
      await page.getByRole('button', { name: 'Save tax rate' }).click();
      await page.getByText('Enter a percentage from 0 to 100.').waitFor();
      expect(await page.getByLabel('Rate (%)').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('Rate (%)').fill('20');
      await page.getByRole('button', { name: 'Save tax rate' }).click();
      await page.getByRole('status').filter({ hasText: 'set to 20 %' }).waitFor();
      await taxes.getByRole('row').filter({ hasText: 'AT' }).filter({ hasText: '20 %' }).waitFor();
      // Edit: the row fills the form; saving replaces the rate.
      await page.getByRole('button', { name: 'Edit the rate of AT standard' }).click();
      await page.getByLabel('Rate (%)').fill('13');
      await page.getByRole('button', { name: 'Save tax rate' }).click();
      await taxes.getByRole('row').filter({ hasText: 'AT' }).filter({ hasText: '13 %' }).waitFor();
      const rates = (await get('/v1/admin/tax-rates')).body.items.filter(
        (r: { country: string }) => r.country === 'AT',
      );
      expect(rates.map((r: { rateBp: number }) => r.rateBp)).toEqual([1300]);

      const methods = page.getByRole('table', { name: 'Shipping methods' });
      const name = `Express ${tag}`;
      await page.getByLabel('Method name').fill(name);
      await page.getByLabel('Countries').fill('de, at');
      await page.getByLabel('Price', { exact: true }).fill('9.9');
      await page.getByLabel('Free above').fill('100');
      await page.getByRole('button', { name: 'Create shipping method' }).click();
      await methods
        .getByRole('row')
        .filter({ hasText: name })
        .filter({ hasText: '€9.90, free from €100.00' })
        .waitFor();
      await checkA11y('tax-shipping');
      await shot(page, 'tax-shipping');
      await page.getByRole('button', { name: `Edit ${name}` }).click();
      await page.getByRole('heading', { name: `Edit ${name}` }).waitFor();
      await page.getByLabel('Price', { exact: true }).fill('12.50');
      await page.getByRole('button', { name: 'Save shipping method' }).click();
      await methods
        .getByRole('row')
        .filter({ hasText: name })
        .filter({ hasText: '€12.50, free from €100.00' })
        .waitFor();
      const saved = (await get('/v1/admin/shipping-methods')).body.items.find((m: { name: string }) => m.name === name);
      expect(saved).toMatchObject({ countries: ['DE', 'AT'], currency: 'EUR', price: 1250, freeAbove: 10_000 });
      await confirm(`Delete ${name}`, 'Delete', 'shipping-delete-dialog');
      await page
        .getByRole('status')
        .filter({ hasText: `Shipping method ${name} deleted.` })
        .waitFor();
      await methods.getByRole('row').filter({ hasText: name }).waitFor({ state: 'detached' });
      const left = (await get('/v1/admin/shipping-methods')).body.items.map((m: { name: string }) => m.name);
      expect(left).not.toContain(name);
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-026] [REQ-ADM-027] staff and API keys: add a member with a role, change it, remove access; a key shown once, copied, used, revoked',
    async () => {
      const page = s.page;
      await nav('Staff', 'Staff and API keys');
      const staffTable = page.getByRole('table', { name: 'Staff members and their roles' });
      await staffTable.getByText(`${admin.email}`).waitFor();
      await staffTable.getByText('admin (you)').waitFor();
      const email = `new-staff-${tag}@example.com`;
      await page.getByLabel('Staff email').fill(email);
      await page.getByLabel('Staff name').fill('Nia New');
      await page.getByLabel('First password').fill(TEST_PASSWORD);
      await page.getByLabel('Role', { exact: true }).selectOption('order_manager');
      await page.getByRole('button', { name: 'Add staff member' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${email} can sign in as order manager.` })
        .waitFor();
      await page.getByLabel(`Role of ${email}`, { exact: true }).selectOption('support');
      await page.getByRole('button', { name: `Save role of ${email}` }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${email} is now support.` })
        .waitFor();
      const users = async () =>
        (await get('/v1/admin/users?limit=100')).body.items as { email: string; roles: string[] }[];
      expect((await users()).find((u) => u.email === email)?.roles).toEqual(['support']);
      await checkA11y('staff');
      await shot(page, 'staff');
      await confirm(`Remove access of ${email}`, 'Remove access', 'staff-remove-dialog');
      await page
        .getByRole('status')
        .filter({ hasText: `${email} no longer has staff access.` })
        .waitFor();
      await staffTable.getByRole('row').filter({ hasText: email }).waitFor({ state: 'detached' });
      expect((await users()).find((u) => u.email === email)?.roles).toEqual([]);

      // An API key: shown once, copied to the clipboard, it works against the API; revoked, it is refused.
      const keyName = `ERP sync ${tag}`;
      await page.getByLabel('Key name').fill(keyName);
      await page.getByLabel('orders:read', { exact: true }).check();
      await page.getByRole('button', { name: 'Create API key' }).click();
      const secret = await page.getByLabel('New API key').inputValue();
      expect(secret).toMatch(/^emp_live_/);
      await page.getByRole('button', { name: 'Copy key' }).click();
      await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      const keys = page.getByRole('table', { name: 'API keys' });
      await keys
        .getByRole('row')
        .filter({ hasText: keyName })
        .filter({ hasText: secret.slice(0, 15) })
        .waitFor();
      expect(await keys.getByText(secret).count()).toBe(0);
      await checkA11y('api-keys');
      await shot(page, 'api-keys');
      expect((await get('/v1/orders?limit=1', { authorization: `Bearer ${secret}` })).status).toBe(200);
      await confirm(`Revoke ${keyName}`, 'Revoke');
      await page
        .getByRole('status')
        .filter({ hasText: `Key ${keyName} revoked.` })
        .waitFor();
      await keys.getByRole('row').filter({ hasText: keyName }).filter({ hasText: 'Revoked' }).waitFor();
      expect((await get('/v1/orders?limit=1', { authorization: `Bearer ${secret}` })).status).toBe(401);
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-025] a catalog manager sees tax and shipping, not customers or staff',
    async () => {
      const page = s.page;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor();
      await signIn(catalog.email);
      const links = await page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
      expect(links).toContain('Tax & shipping');
      expect(links.filter((l) => l === 'Customers' || l === 'Staff')).toEqual([]);
      await nav('Tax & shipping', 'Tax and shipping');
      await page.getByRole('table', { name: 'Shipping methods' }).waitFor();
      for (const path of ['customers', 'staff']) {
        await page.goto(`${base}/admin/${path}`);
        await page.getByRole('heading', { name: 'Not available', level: 1 }).waitFor();
      }
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );
});
