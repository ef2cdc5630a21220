import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/support/create-test-app.ts';
import { asStaff, fakeAuth } from '../../../test/support/fake-auth.ts';
import { searchCaughtUp } from '../../../test/support/search.ts';
import { capped, IMPORT_MAX_BYTES } from './catalog.import.http.ts';
import { parseCsv } from './catalog.import-parse.ts';

const STAFF = asStaff('catalog:write', 'catalog:read');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ authenticate: fakeAuth });
  await t.http.inject({
    method: 'POST',
    url: '/v1/categories',
    headers: STAFF,
    payload: { slug: 'shirts', name: 'Shirts' },
  });
});
afterAll(async () => {
  await t.close();
});

const CSV = [
  'slug,name,brand,description,status,categories,sku,attr:color,attr:size,price:EUR,price:USD,compareAt:EUR',
  'basic-tee,Basic Tee,Acme,"Soft, ""organic"" cotton",published,shirts,TEE-BLK-M,black,M,1999,2199,2499',
  'basic-tee,Basic Tee,Acme,"Soft, ""organic"" cotton",published,shirts,TEE-WHT-M,white,M,1999,2199,',
  'bad slug,Broken,Acme,,published,shirts,BROKEN-1,red,M,100,,',
  'polo,Polo,Acme,"Two\nlines",published,nope,POLO-1,blue,L,2999,,',
  'polo,Polo,Acme,,published,shirts,POLO-2,blue,L,12.50,,',
  'oxford,Oxford Shirt,Nordlys,,published,shirts,OXF-1,white,L,4999,5499,',
].join('\n');

async function imports(body: string, type = 'text/csv') {
  const res = await t.http.inject({
    method: 'POST',
    url: '/v1/admin/imports',
    headers: { ...STAFF, 'content-type': type },
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

const count = async (q: string) => (await sql<{ n: number }>`${sql.raw(q)}`.execute(t.kernel.db.k)).rows[0]?.n;

describe('bulk import', () => {
  it('[REQ-CAT-030] CSV: good rows upserted by SKU, bad rows reported with their line, the rest still imported', async () => {
    const r = await imports(CSV);
    expect(r).toMatchObject({
      format: 'csv',
      status: 'completed',
      rowsTotal: 6,
      rowsOk: 3,
      rowsFailed: 3,
      productsChanged: 2,
    });
    expect(r.errors).toEqual([
      { line: 4, message: 'slug must be lower-case words joined by hyphens' },
      { line: 5, message: 'unknown category nope' },
      { line: 7, message: 'price:EUR must be a non-negative integer (minor units)' },
    ]);
    const tee = (await t.http.inject({ method: 'GET', url: '/v1/products/basic-tee' })).json();
    expect(tee.description).toBe('Soft, "organic" cotton');
    expect(
      tee.variants.map((v: { sku: string; attributes: object; price: object; compareAtPrice?: object }) => [
        v.sku,
        v.attributes,
        v.price,
        v.compareAtPrice,
      ]),
    ).toEqual([
      [
        'TEE-BLK-M',
        { color: 'black', size: 'M' },
        { amount: 1999, currency: 'EUR' },
        { amount: 2499, currency: 'EUR' },
      ],
      ['TEE-WHT-M', { color: 'white', size: 'M' }, { amount: 1999, currency: 'EUR' }, undefined],
    ]);
    expect(await count(`select count(*)::int as n from platform.outbox where type = 'catalog.product.created'`)).toBe(
      2,
    );
    const progress = await t.http.inject({ method: 'GET', url: `/v1/admin/imports/${r.id}`, headers: STAFF });
    expect(progress.json()).toEqual(r);
    // Search sees imported products (once the relay delivered their events).
    await searchCaughtUp(t);
    const search = (await t.http.inject({ method: 'GET', url: '/v1/search?q=oxford' })).json();
    expect(search.items.map((i: { slug: string }) => i.slug)).toEqual(['oxford']);
  });

  it('[REQ-CAT-030] a re-import of the same file changes nothing (no version bump, no event)', async () => {
    const versions = async () =>
      (
        await sql<{ slug: string; version: number }>`select slug, version from catalog.products order by slug`.execute(
          t.kernel.db.k,
        )
      ).rows;
    const before = await versions();
    const events = await count('select count(*)::int as n from platform.outbox');
    const r = await imports(CSV);
    expect(r).toMatchObject({ rowsOk: 3, rowsFailed: 3, productsChanged: 0 });
    expect(await versions()).toEqual(before);
    expect(await count('select count(*)::int as n from platform.outbox')).toBe(events);
  });

  it('[REQ-CAT-030] NDJSON: a changed price updates one product; invalid JSON lines are reported', async () => {
    const lines = [
      JSON.stringify({
        slug: 'oxford',
        name: 'Oxford Shirt',
        brand: 'Nordlys',
        categories: ['shirts'],
        sku: 'OXF-1',
        attributes: { color: 'white', size: 'L' },
        prices: [
          { currency: 'EUR', amount: 3999 },
          { currency: 'USD', amount: 5499 },
        ],
      }),
      '{not json',
      '',
    ].join('\n');
    const r = await imports(lines, 'application/x-ndjson');
    expect(r).toMatchObject({
      format: 'ndjson',
      rowsTotal: 2,
      rowsOk: 1,
      rowsFailed: 1,
      productsChanged: 1,
      errors: [{ line: 2, message: 'invalid JSON' }],
    });
    const oxford = (await t.http.inject({ method: 'GET', url: '/v1/products/oxford' })).json();
    expect(oxford.variants[0].price).toEqual({ amount: 3999, currency: 'EUR' });
    expect(await count(`select version as n from catalog.products where slug = 'oxford'`)).toBe(2);
  });

  it('[REQ-CAT-030] taxCategory column: set on import, kept by a file without it, validated per row', async () => {
    const tax = async (slug: string) =>
      (
        await sql<{ tax_category: string }>`select tax_category from catalog.products where slug = ${slug}`.execute(
          t.kernel.db.k,
        )
      ).rows[0]?.tax_category;
    const version = async (slug: string) =>
      (await sql<{ version: number }>`select version from catalog.products where slug = ${slug}`.execute(t.kernel.db.k))
        .rows[0]?.version;
    const withTax = [
      'slug,name,status,taxCategory,categories,sku,price:EUR',
      'tax-book,Book,published,reduced,shirts,BOOK-1,1500',
      'tax-pen,Pen,published,,shirts,PEN-1,300',
      'tax-bad,Bad,published,Not Valid,shirts,BAD-TAX-1,100',
    ].join('\n');
    const first = await imports(withTax);
    expect(first).toMatchObject({ rowsOk: 2, rowsFailed: 1, productsChanged: 2 });
    expect(first.errors).toEqual([
      { line: 4, message: 'taxCategory must be lower-case letters, digits and _ (e.g. reduced)' },
    ]);
    expect(await tax('tax-book')).toBe('reduced');
    expect(await tax('tax-pen')).toBe('standard');
    const v = await version('tax-book');
    // The same file again changes nothing; a file without the column keeps the category.
    expect(await imports(withTax)).toMatchObject({ productsChanged: 0 });
    const without = ['slug,name,status,categories,sku,price:EUR', 'tax-book,Book,published,shirts,BOOK-1,1500'].join(
      '\n',
    );
    expect(await imports(without)).toMatchObject({ rowsOk: 1, productsChanged: 0 });
    expect([await tax('tax-book'), await version('tax-book')]).toEqual(['reduced', v]);
    // Changing only the category is a change: version bumped, product.updated published.
    const zero = [
      'slug,name,status,taxCategory,categories,sku,price:EUR',
      'tax-book,Book,published,zero,shirts,BOOK-1,1500',
    ].join('\n');
    expect(await imports(zero)).toMatchObject({ productsChanged: 1 });
    expect([await tax('tax-book'), await version('tax-book')]).toEqual(['zero', (v ?? 0) + 1]);
  });

  it('[REQ-CAT-030] a price in an unassigned or withdrawn currency is a row error; the row writes nothing', async () => {
    const csv = ['slug,name,status,categories,sku,price:ZZZ', 'iso-csv,Csv,published,shirts,ISO-CSV-1,100'].join('\n');
    const ndjson = JSON.stringify({
      slug: 'iso-ndjson',
      name: 'Ndjson',
      categories: ['shirts'],
      sku: 'ISO-ND-1',
      prices: [{ currency: 'HRK', amount: 100 }],
    });
    expect(await imports(csv)).toMatchObject({
      rowsOk: 0,
      rowsFailed: 1,
      errors: [{ line: 2, message: 'column price:ZZZ: not an ISO 4217 currency in current use' }],
    });
    expect(await imports(ndjson, 'application/x-ndjson')).toMatchObject({
      rowsOk: 0,
      rowsFailed: 1,
      errors: [{ line: 1, message: 'price currency "HRK" is not an ISO 4217 currency in current use' }],
    });
    expect(await count(`select count(*)::int as n from catalog.products where slug like 'iso-%'`)).toBe(0);
  });

  it('[REQ-CAT-030] needs catalog:write; other content types → 415', async () => {
    const anon = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/imports',
      headers: { 'content-type': 'text/csv' },
      payload: CSV,
    });
    expect(anon.statusCode).toBe(401);
    const xml = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/imports',
      headers: { ...STAFF, 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(xml.statusCode).toBe(415);
  });

  it('[REQ-CAT-030] the CSV parser handles records split across chunks', async () => {
    async function* chunks() {
      yield 'a,b\n"x,';
      yield ' y",2\r\n3,"4';
      yield '"""\n';
    }
    const out = [];
    for await (const r of parseCsv(chunks())) out.push(r);
    expect(out).toEqual([
      { line: 2, record: { a: 'x, y', b: '2' } },
      { line: 3, record: { a: '3', b: '4"' } },
    ]);
  });
});

describe('imports for the dashboard', () => {
  const list = (limit?: number, headers: Record<string, string> = STAFF) =>
    t.http.inject({ method: 'GET', url: `/v1/admin/imports${limit === undefined ? '' : `?limit=${limit}`}`, headers });

  it('[REQ-CAT-032] GET /v1/admin/imports: the latest imports newest first, limited; a running one shows while its body streams', async () => {
    const body = new PassThrough();
    const posting = t.http.inject({
      method: 'POST',
      url: '/v1/admin/imports',
      headers: { ...STAFF, 'content-type': 'text/csv' },
      payload: body,
    });
    body.write('slug,name,status,categories,sku,price:EUR\n');
    // The import row exists as soon as the importer starts: wait for it (the body is still open).
    let running: { id: string; status: string; rowsTotal: number } | undefined;
    while (!running) {
      const items = (await list(5)).json().items as { id: string; status: string; rowsTotal: number }[];
      running = items.find((i) => i.status === 'running');
      if (!running) await new Promise((r) => setTimeout(r, 20));
    }
    expect(running.rowsTotal).toBe(0);
    body.end('streamed-tee,Streamed Tee,published,shirts,STREAM-1,1500\n');
    const done = await posting;
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ id: running.id, status: 'completed', rowsOk: 1, rowsFailed: 0 });

    const all = await list(100);
    expect(all.statusCode).toBe(200);
    expect(all.headers['cache-control']).toBe('no-store');
    const items = all.json().items as { id: string; createdAt: string; status: string }[];
    expect(items[0]).toMatchObject({ id: running.id, status: 'completed' });
    const created = items.map((i) => i.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const total = await count('select count(*)::int as n from catalog.imports');
    expect(items.length).toBe(total);
    expect((await list(2)).json().items.map((i: { id: string }) => i.id)).toEqual(items.slice(0, 2).map((i) => i.id));
    expect((await list()).json().items.length).toBe(Math.min(20, total ?? 0));
  });

  it('[REQ-CAT-032] the list needs catalog:read; a limit out of 1..100 → 400', async () => {
    expect((await t.http.inject({ method: 'GET', url: '/v1/admin/imports' })).statusCode).toBe(401);
    expect((await list(5, asStaff('orders:read'))).statusCode).toBe(403);
    for (const limit of [0, 101]) {
      const res = await list(limit);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('request.validation_failed');
    }
  });

  it('[REQ-CAT-032] the OpenAPI operation declares its body: text/csv and application/x-ndjson text, an example each', async () => {
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const op = doc.paths['/v1/admin/imports'];
    expect(op.post.requestBody.required).toBe(true);
    const content = op.post.requestBody.content;
    expect(Object.keys(content).sort()).toEqual(['application/x-ndjson', 'text/csv']);
    for (const media of Object.values(content) as { schema: { type: string; maxLength: number }; example: string }[]) {
      expect(media.schema).toMatchObject({ type: 'string', maxLength: IMPORT_MAX_BYTES });
      expect(media.example.split('\n').length).toBeGreaterThan(1);
    }
    expect(content['text/csv'].example.startsWith('slug,name')).toBe(true);
    expect(JSON.parse(content['application/x-ndjson'].example.split('\n')[0])).toMatchObject({ sku: 'TEE-BLK' });
    expect(op.get.parameters.map((p: { name: string }) => p.name)).toContain('limit');
    expect(Object.keys(op.get.responses)).toContain('200');
  });

  it('[REQ-CAT-032] the examples import as they are; a body over the limit is refused (413) or fails the import; no body → 415', async () => {
    const doc = (await t.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const content = doc.paths['/v1/admin/imports'].post.requestBody.content;
    expect(await imports(content['text/csv'].example)).toMatchObject({ rowsOk: 2, rowsFailed: 0 });
    expect(await imports(content['application/x-ndjson'].example, 'application/x-ndjson')).toMatchObject({
      rowsOk: 2,
      rowsFailed: 0,
    });
    const big = await t.http.inject({
      method: 'POST',
      url: '/v1/admin/imports',
      headers: { ...STAFF, 'content-type': 'text/csv', 'content-length': String(IMPORT_MAX_BYTES + 1) },
      payload: new PassThrough().end('slug\n'),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('catalog.import_too_large');
    const none = await t.http.inject({ method: 'POST', url: '/v1/admin/imports', headers: STAFF });
    expect([none.statusCode, none.json().code]).toEqual([415, 'request.unsupported_media_type']);
    async function* chunks() {
      yield Buffer.from('abcd');
      yield 'efgh';
    }
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of capped(chunks(), 6)) seen.push(String(c));
      })(),
    ).rejects.toThrow('the body exceeds 6 bytes');
    expect(seen).toEqual(['abcd']);
  });
});
