// Product import in the dashboard, in Debian's Chromium against a real listening server on a fresh database: a CSV
// with good and bad rows uploaded from the Products section, the progress bar run to done, the row errors with
// their lines, the products in the list, the import in the history; a role without catalog:write sees none of it.
// axe-core on every page; screenshots for docs/admin.md (UPDATE_ADMIN_SCREENSHOTS=1).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TestIdentity } from '../support/auth.ts';
import { needsChromium } from '../support/chromium.ts';
import { createTestApp, type TestApp } from '../support/create-test-app.ts';
import { listen } from '../support/listen.ts';
import { ensureAdminBuild, openBrowser, type Session, shot } from './browser.ts';
import { checkPage, signInAs } from './journey.ts';

const skip = Boolean(needsChromium);
const E2E_TIMEOUT = 120_000;
const tag = randomUUID().slice(0, 6);
let t: TestApp;
let base: string;
let admin: TestIdentity;
let support: TestIdentity;
let s: Session;

const CSV = [
  'slug,name,status,categories,sku,attr:color,price:EUR',
  `lamp-${tag},Lamp ${tag},published,lamps-${tag},LAMP-${tag}-W,white,2500`,
  `lamp-${tag},Lamp ${tag},published,lamps-${tag},LAMP-${tag}-B,black,2500`,
  `chair-${tag},Chair ${tag},draft,lamps-${tag},CHAIR-${tag},oak,9900`,
  `stool-${tag},Stool ${tag},published,nowhere-${tag},STOOL-${tag},red,4000`,
  `desk-${tag},Desk ${tag},published,lamps-${tag},DESK-${tag},grey,12.50`,
].join('\n');

const checkA11y = (name: string) => checkPage(s.page, name);

const signIn = (email: string) => signInAs(s.page, base, email);

beforeAll(async () => {
  ensureAdminBuild();
  if (skip) return;
  t = await createTestApp();
  base = await listen(t.http);
  admin = await createStaff(t, 'admin');
  support = await createStaff(t, 'support');
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/categories',
    headers: admin.headers,
    payload: { slug: `lamps-${tag}`, name: `Lamps ${tag}` },
  });
  if (res.statusCode !== 201) throw new Error(`category: ${res.statusCode} ${res.body}`);
  s = await openBrowser();
}, 120_000);
afterAll(async () => {
  await s?.close();
  await t?.close();
});

describe.skipIf(skip)(`product import in Chromium ${needsChromium}`, () => {
  it(
    '[REQ-ADM-069] a CSV imported from Products: progress to done, row errors with their lines, the products listed',
    async () => {
      const page = s.page;
      await signIn(admin.email);
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Products' }).click();
      await page.getByRole('heading', { name: 'Products', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Import', exact: true }).click();
      await page.getByRole('heading', { name: 'Import products', level: 1 }).waitFor();
      await page.getByRole('table', { name: 'Latest imports' }).getByText('No imports yet.').waitFor();
      await page.getByText('Columns').click();
      await page.getByText('category slugs joined by |').waitFor();
      await checkA11y('product-import-empty');

      // Not an importable file: refused at the field, nothing sent.
      const file = page.getByLabel('CSV or NDJSON file');
      await file.setInputFiles({ name: 'products.txt', mimeType: 'text/plain', buffer: Buffer.from(CSV) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByText('Choose a .csv or .ndjson file.').waitFor();
      expect(await file.getAttribute('aria-invalid')).toBe('true');

      await file.setInputFiles({ name: 'products.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'Done: 3 rows imported, 2 failed, 2 products changed.' })
        .waitFor();
      const bar = page.getByRole('progressbar', { name: 'Import progress' });
      expect(await bar.evaluate((el) => [(el as unknown as { value: number }).value, el.getAttribute('max')])).toEqual([
        1,
        '1',
      ]);
      const errors = page.getByRole('table', { name: 'Row errors' });
      const rows = await errors
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows).toEqual([
        ['5', `unknown category nowhere-${tag}`],
        ['6', 'price:EUR must be a non-negative integer (minor units)'],
      ]);
      const history = page.getByRole('table', { name: 'Latest imports' });
      await history.getByRole('cell', { name: 'completed' }).waitFor();
      expect(await history.locator('tbody tr').count()).toBe(1);
      await checkA11y('product-import');
      await shot(page, 'product-import');

      // The API has them as the file said, and the products list shows them.
      const lamp = await t.http.inject({ method: 'GET', url: `/v1/products/lamp-${tag}` });
      expect(lamp.json().variants.map((v: { sku: string }) => v.sku)).toEqual([`LAMP-${tag}-W`, `LAMP-${tag}-B`]);
      await page.getByRole('link', { name: 'Back to products' }).click();
      const list = page.getByRole('table', { name: 'Products' });
      await list.getByRole('link', { name: `Lamp ${tag}` }).waitFor();
      await list.getByRole('link', { name: `Chair ${tag}` }).waitFor();
      expect(await list.getByRole('link', { name: `Stool ${tag}` }).count()).toBe(0);
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    '[REQ-ADM-069] without catalog:write there is no import: no link, and the page says it is not available',
    async () => {
      const page = s.page;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Email').waitFor();
      await signIn(support.email);
      const sections = page.getByRole('navigation', { name: 'Sections' });
      await sections.getByRole('link', { name: 'Orders' }).waitFor();
      expect(await sections.getByRole('link', { name: 'Products' }).count()).toBe(0);
      await page.goto(`${base}/admin/products/import`);
      await page.getByRole('heading', { name: 'Not available', level: 1 }).waitFor();
      expect(await page.getByLabel('CSV or NDJSON file').count()).toBe(0);
      await checkA11y('product-import-no-access');
      expect(s.problems).toEqual([]);
    },
    E2E_TIMEOUT,
  );
});
